/**
 * A sequence as the scheduler sees it: step ids, delays and the send window.
 * The email content lives in `emails/`; the domain never imports it. The ids the code refers to (the sequence a
 * sign-up starts, those a booking moves a lead into) are in `lambdas/contract.ts`.
 */
export interface WallClockWindow {
  /** Local time of day, "HH:mm", inclusive. */
  start: string;
  /** Local time of day, "HH:mm", exclusive. */
  end: string;
}

export interface StepDelay {
  days?: number;
  hours?: number;
  minutes?: number;
}

export interface SequenceStep {
  /** Stable id. Never rename a step that leads may be waiting on; add a new one instead. */
  id: string;
  /** Wait this long after the previous email of this sequence was sent (or after sign-up for the first step). */
  after?: StepDelay;
  /** Send at once, ignoring the send window (the welcome, a booking confirmation). */
  immediate?: boolean;
  /**
   * Time the step from the lead's appointment instead of the previous email: `days` before (negative) or after it,
   * at `at` ("HH:mm") in the lead's zone. A step whose time has already passed when it comes up is skipped, unless it
   * may go late (`lateUntilBefore`).
   */
  appointment?: AppointmentTiming;
}

export interface AppointmentTiming {
  days: number;
  at: string;
  /**
   * For a step before the visit (`days` < 0), such as the reminder: when its time has already passed as it comes up
   * (a late booking, or a visit moved closer), it goes late instead of being skipped, as long as the visit is more
   * than this far off. Late means at once, or when the send window opens if that is still more than this far
   * before the visit; else at once after all, even outside the window and the one-a-day rule: the lead hears about
   * the visit in time rather than at a polite hour. The step is never sent this close to the visit, however it was
   * planned (a retry or a slow dispatcher drops it).
   */
  lateUntilBefore?: StepDelay;
}

export interface Sequence<S extends SequenceStep = SequenceStep> {
  id: string;
  /** Emails go out only inside this window, in the lead's own time zone. */
  window: WallClockWindow;
  /** At most one email of any sequence per lead per local calendar day. */
  onePerDay: boolean;
  steps: readonly S[];
}

/**
 * The step a lead should get next, given the steps it has been sent.
 * Works across marketing's edits: a removed step is skipped, a step added after the lead's
 * position is picked up, a step added before it is not (the lead has passed it).
 */
export function nextStep<S extends SequenceStep>(sequence: Sequence<S>, sent: readonly string[]): S | undefined {
  const sentIds = new Set(sent);
  let lastSentIndex = -1;
  sequence.steps.forEach((step, index) => {
    if (sentIds.has(step.id)) lastSentIndex = index;
  });
  return sequence.steps.slice(lastSentIndex + 1).find((step) => !sentIds.has(step.id));
}

export function findStep<S extends SequenceStep>(sequence: Sequence<S>, stepId: string): S | undefined {
  return sequence.steps.find((step) => step.id === stepId);
}
