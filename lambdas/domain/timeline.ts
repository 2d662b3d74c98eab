/**
 * When each email of a sequence reaches a lead, worked out with the dispatcher's own schedule code
 * (`firstSchedule` for the first step, `afterSend` after each send), so a preview of the timing cannot drift from
 * what the dispatcher does.
 */
import { afterSend, firstSchedule } from './dispatch.ts';
import type { Sequence } from './sequence.ts';

export interface PlannedSend {
  stepId: string;
  at: Date;
}

/**
 * Every step a lead who starts `sequence` at `start` in time zone `zone` would be sent, and when, assuming nothing
 * stops the sequence and each email goes out when it is due (the dispatcher runs every minute).
 */
export function timeline(sequence: Sequence, start: Date, zone: string): PlannedSend[] {
  const sends: PlannedSend[] = [];
  let lead: Parameters<typeof afterSend>[1] & { next?: PlannedSend } = { sentSteps: [], timeZone: zone };
  for (let next = firstSchedule(sequence, start, zone); next; next = lead.next) {
    sends.push(next);
    lead = afterSend(sequence, lead, next.stepId, next.at);
  }
  return sends;
}
