/**
 * When each email of a sequence reaches a lead, worked out with the dispatcher's own planning (`planNext`, as
 * sign-up, booking and each settled send use it), so a preview of the timing cannot drift from what is sent.
 */
import { awaitsCheckIn } from './branches.ts';
import { planNext, type Position } from './plan.ts';
import { localDate } from './schedule.ts';
import type { Sequence } from './sequence.ts';

export interface PlannedSend {
  stepId: string;
  at: Date;
}

export interface Timeline {
  sends: PlannedSend[];
  /** Steps timed from the appointment that go late: their usual time had passed (`lateUntilBefore`). */
  late: string[];
  /** Steps timed from the appointment that were too late by then (or with no appointment): never sent. */
  skipped: string[];
  /** When the sequence ends early, instead of the next step: its check-in got no click (a sunset). */
  sunsetAt?: Date;
}

/**
 * Every step a lead who enters `sequence` at `start` (sign-up, a booking) in time zone `zone` would be sent, and
 * when, assuming nothing stops the sequence and each email goes out when due (the dispatcher runs every minute).
 * After each send the lead's position moves on as the dispatcher settles it: the step is sent, the local day is
 * taken (one email a day), and the next step is planned from that send.
 *
 * `clicked`: the lead's human clicks, as `Lead.humanClicks` has them (`<stepId>` or `<stepId>:<link>`), each made
 * as soon as its email arrives; the branches steer by them. A check-in the lead did not click ends the sequence when
 * its next step comes due (`sunsetAt`), as the dispatcher ends it then.
 */
export function timeline(
  sequence: Sequence,
  start: Date,
  zone: string,
  appointmentAt?: Date,
  clicked: readonly string[] = [],
): Timeline {
  const sends: PlannedSend[] = [];
  const late: string[] = [];
  const skipped: string[] = [];
  let position: Position = {
    sentSteps: [],
    timeZone: zone,
    ...(appointmentAt && { appointmentAt: appointmentAt.toISOString() }),
  };
  for (let plan = planNext(sequence, position, start, start); ;) {
    skipped.push(...plan.skipped);
    if (!plan.next) return { sends, late, skipped };
    const send = plan.next;
    sends.push(send);
    if (plan.late) late.push(send.stepId);
    const sentSteps = [...position.sentSteps, send.stepId];
    // A click on a link (`<step>:<link>`) is a click on its email (`<step>`) too.
    const humanClicks = clicked
      .filter((entry) => sentSteps.includes(entry.split(':')[0]!))
      .flatMap((entry) => [entry, entry.split(':')[0]!]);
    position = {
      ...position,
      sentSteps,
      skippedSteps: [...skipped],
      lastSentOn: localDate(send.at, zone),
      ...(humanClicks.length > 0 && { humanClicks: [...new Set(humanClicks)] }),
    };
    plan = planNext(sequence, position, send.at, send.at);
    // The dispatcher looks again when the step after an unclicked check-in comes due: the sequence ends then.
    if (plan.next && awaitsCheckIn(sequence, position)) {
      const due = plan.next.at;
      if (planNext(sequence, position, send.at, due).end === 'sunset')
        return { sends, late, skipped: [...skipped, ...plan.skipped], sunsetAt: due };
    }
  }
}
