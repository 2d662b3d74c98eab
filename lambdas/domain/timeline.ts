/**
 * When each email of a sequence reaches a lead, worked out with the dispatcher's own planning (`planNext`, as
 * sign-up, booking and each settled send use it), so a preview of the timing cannot drift from what is sent.
 */
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
}

/**
 * Every step a lead who enters `sequence` at `start` (sign-up, a booking) in time zone `zone` would be sent, and
 * when, assuming nothing stops the sequence and each email goes out when due (the dispatcher runs every minute).
 * After each send the lead's position moves on as the dispatcher settles it: the step is sent, the local day is
 * taken (one email a day), and the next step is planned from that send.
 */
export function timeline(sequence: Sequence, start: Date, zone: string, appointmentAt?: Date): Timeline {
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
    position = {
      ...position,
      sentSteps: [...position.sentSteps, send.stepId],
      skippedSteps: [...skipped],
      lastSentOn: localDate(send.at, zone),
    };
    plan = planNext(sequence, position, send.at, send.at);
  }
}
