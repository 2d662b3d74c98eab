/**
 * Where a lead goes next in its sequence, and when: the one place that combines the sequence's order
 * (`sequence.ts`) with the calendar (`schedule.ts`). The dispatcher, sign-up, booking and the timeline all use it.
 */
import { awaitsCheckIn, route } from './branches.ts';
import { heldOut } from './holdout.ts';
import type { Lead } from './lead.ts';
import { appointmentSendTime, marketingHeldUntil, notBefore, sendTimeFor } from './schedule.ts';
import type { Sequence } from './sequence.ts';

export type Position = Pick<
  Lead,
  | 'sentSteps'
  | 'skippedSteps'
  | 'timeZone'
  | 'lastSentOn'
  | 'appointmentAt'
  | 'optedOutAt'
  | 'pausedUntil'
  | 'cadence'
  | 'lastMarketingAt'
  | 'humanClicks'
  | 'sentAhead'
  | 'grp'
>;

export interface Plan {
  /** The next step and when it is due; absent when the sequence is over. */
  next?: { stepId: string; at: Date };
  /**
   * The sequence ends now, early: the lead's check-in got no human click by the time its next step came due
   * (`checkIn` in `sequence.ts`). Absent `next` without it: the sequence ran out.
   */
  end?: 'sunset';
  /** The next step is timed from the appointment and goes late: its usual time had passed (`lateUntilBefore`). */
  late?: true;
  /**
   * Steps passed over, never sent: timed from an appointment and too late by `now` (or with no appointment), or
   * marketing steps of a lead that unsubscribed from marketing.
   */
  skipped: string[];
}

/**
 * The lead's next step, timed from `previousAt` (the last email, or the moment the sequence started).
 * A step timed from the appointment whose time is already before `now` is skipped, unless it may go late: the
 * reminder goes late for any visit more than 3 hours off (`lateUntilBefore` in emails/sequences.ts), and is skipped
 * closer to it, where the confirmation covers it. Other steps that are overdue are simply due at once. A lead that
 * unsubscribed from marketing passes over every marketing step: only care steps are planned for it. A marketing step
 * that the lead's pause or weekly cadence holds back is planned for the hold's end, inside the send window (the
 * sequences time marketing steps by delay only, never from an appointment).
 *
 * The lead's human clicks steer its engagement branches (`branches.ts`): a step reached by a branch is timed as the
 * step whose place it takes. A lead whose last email is a check-in it did not click ends its sequence (`end:
 * 'sunset'`) once the next step's time has come by `now`; before that, the next step is planned as usual, so the
 * dispatcher looks again when it comes due.
 *
 * A holdout lead (`holdout.ts`) gets the nurture's first step and nothing after it: its nurture runs out there.
 */
export function planNext(sequence: Sequence, position: Position, previousAt: Date, now: Date): Plan {
  const skipped: string[] = [];
  const appointmentAt = position.appointmentAt ? new Date(position.appointmentAt) : undefined;
  const sunsetDue = awaitsCheckIn(sequence, position);
  const progress = () => ({ ...position, skippedSteps: [...(position.skippedSteps ?? []), ...skipped] });
  for (let next = route(sequence, progress()); next; next = route(sequence, progress())) {
    const { step, slot } = next;
    // Nothing is recorded as skipped: the steps the holdout never gets would cost the lead item bytes for nothing.
    if (heldOut(sequence, position.grp, step)) return { skipped };
    if ((step.appointment && !appointmentAt) || (position.optedOutAt && step.class === 'marketing')) {
      skipped.push(step.id);
      continue;
    }
    const input = {
      // Timed as the step whose place it takes (itself, unless a branch put it there).
      step: { ...step, after: slot.after, immediate: slot.immediate },
      sequence,
      previousAt,
      zone: position.timeZone,
      ...(position.lastSentOn && { lastSentOn: position.lastSentOn }),
      ...(appointmentAt && { appointmentAt }),
    };
    if (!step.appointment) {
      // A marketing step the lead's preferences hold back (a pause, the weekly cadence) waits for the hold's end.
      const held = step.class === 'marketing' ? marketingHeldUntil(position, position.timeZone) : undefined;
      const at = notBefore(sendTimeFor(input), held, sequence, position.timeZone, position.lastSentOn);
      if (sunsetDue && at <= now) return { end: 'sunset', skipped };
      return { next: { stepId: step.id, at }, skipped };
    }
    const send = appointmentSendTime({ ...input, now });
    if (!send) {
      skipped.push(step.id);
      continue;
    }
    return { next: { stepId: step.id, at: send.at }, ...(send.late && { late: true as const }), skipped };
  }
  return { skipped };
}

/** The first step and when it is due, for a lead that has just signed up. */
export function firstSchedule(
  sequence: Sequence,
  signedUpAt: Date,
  zone: string,
): { stepId: string; at: Date } | undefined {
  return planNext(sequence, { sentSteps: [], timeZone: zone }, signedUpAt, signedUpAt).next;
}
