/**
 * The holdout group (HOLDOUT_SHARE): a share of new leads gets the nurture's first step (the welcome) and nothing more
 * from the nurture, so the report can compare the booking rate of leads who got the whole nurture with theirs
 * (`rate-difference.ts`). Care emails go to both groups alike. Pure.
 *
 * - A lead's group is decided once, when it enters the nurture (sign-up, double opt-in's sign-up, import), from its id
 *   alone: the same id always lands in the same group, whatever process decides it.
 * - It is recorded on the lead (`Lead.grp`) only while the share is above 0, so the comparison counts only leads that
 *   were enrolled while a holdout ran; a lead enrolled with the share at 0 carries nothing and is in neither group.
 * - A holdout lead's nurture ends after its first step: the planner (`plan.ts`) plans nothing after it, so the lead's
 *   status becomes `completed`, counted as left by `holdout` in the report (`leaveReason`), never as a sunset.
 * - The reschedule nudge (after a cancelled or missed visit) goes to both groups: it only ever follows a booking, and
 *   the comparison counts a lead's first booking, which has happened by then, so it cannot change the comparison.
 */
import { createHash } from 'node:crypto';
import { SEQUENCE_IDS } from '../contract.ts';
import type { Sequence, SequenceStep } from './sequence.ts';

/** `h`: the holdout (welcome only); `n`: the nurture (every email). One byte on the lead item. */
export type HoldoutGroup = 'h' | 'n';

/** The largest share a stage may hold out: beyond half, the nurture would be the smaller group. */
export const MAX_HOLDOUT_SHARE = 0.5;

/**
 * A number in [0, 1) from the lead's id: the first 48 bits of sha256(`holdout:<leadId>`), uniform for any ids (ULIDs
 * share their leading time characters, which a hash spreads).
 */
export function holdoutDraw(leadId: string): number {
  const digest = createHash('sha256').update(`holdout:${leadId}`).digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/** The lead's group under `share` (0 ≤ share ≤ 0.5), or undefined when no holdout runs (share 0): record nothing. */
export function holdoutGroup(leadId: string, share: number): HoldoutGroup | undefined {
  if (!(share > 0)) return undefined;
  return holdoutDraw(leadId) < share ? 'h' : 'n';
}

/**
 * Whether `step` is one the holdout never gets: any step of the nurture but its first. Other sequences (the care
 * emails after a booking, the reschedule nudge) go to a holdout lead as to anyone.
 */
export function heldOut(sequence: Pick<Sequence, 'id' | 'steps'>, grp: HoldoutGroup | undefined, step: SequenceStep) {
  return grp === 'h' && sequence.id === SEQUENCE_IDS.nurture && step.id !== sequence.steps[0]?.id;
}
