/**
 * The sequences marketing edits: which emails go out, in what order, and how long after the previous one.
 *
 * - Step ids are stable: leads store them. To replace an email, add a step with a new id and remove the old one.
 * - `after` is counted from when the previous email of the sequence was sent, in the lead's own time zone
 *   (`days` are calendar days, so a DST change does not shift the send time).
 * - Emails go out only inside `window` (the lead's local time), and at most one per lead per local day.
 * - `appointment` times a step from the lead's appointment instead (`days: -1` is the day before, at `at` local
 *   time); such a step is skipped when its moment has passed by the time it comes up, unless `lateUntilBefore`
 *   lets it go late: then it goes at once (or when the send window opens, if that is still in time), as long as
 *   the visit is more than that far off.
 * - Step ids are unique across all sequences.
 */
import { SEQUENCE_IDS } from '../lambdas/contract.ts';
import type { Sequence, SequenceStep } from '../lambdas/domain/sequence.ts';
import type { StepTemplate } from './_shared/types.ts';
import Welcome from './welcome.tsx';
import HowItWorks from './how-it-works.tsx';
import WhoItHelps from './who-it-helps.tsx';
import IvAndNasal from './iv-and-nasal.tsx';
import TheResearch from './the-research.tsx';
import SideEffects from './side-effects.tsx';
import CostAndFinancing from './cost-and-financing.tsx';
import LastInvitation from './last-invitation.tsx';
import Confirmation from './confirmation.tsx';
import Reminder from './reminder.tsx';
import AfterVisit from './after-visit.tsx';
import RescheduleNudge from './reschedule-nudge.tsx';

export interface EmailStep extends SequenceStep {
  template: StepTemplate;
}

export const nurture: Sequence<EmailStep> = {
  id: SEQUENCE_IDS.nurture,
  window: { start: '09:00', end: '18:00' },
  onePerDay: true,
  steps: [
    { id: 'welcome', immediate: true, template: Welcome },
    { id: 'how-it-works', after: { days: 2 }, template: HowItWorks },
    { id: 'who-it-helps', after: { days: 3 }, template: WhoItHelps },
    // Risks come early: who should avoid it and the side effects reach a lead before the research and the cost.
    { id: 'side-effects', after: { days: 3 }, template: SideEffects },
    { id: 'iv-and-nasal', after: { days: 4 }, template: IvAndNasal },
    { id: 'the-research', after: { days: 4 }, template: TheResearch },
    { id: 'cost-and-financing', after: { days: 5 }, template: CostAndFinancing },
    { id: 'last-invitation', after: { days: 7 }, template: LastInvitation },
  ],
};

/** After a booking (and after a reschedule, re-timed): the nurture stops for good. Service emails, so no one-per-day. */
export const followUp: Sequence<EmailStep> = {
  id: SEQUENCE_IDS.followUp,
  window: { start: '09:00', end: '18:00' },
  onePerDay: false,
  steps: [
    { id: 'confirmation', immediate: true, template: Confirmation },
    // Booked after 10:00 the day before (or moved closer): late, for any visit more than 3 hours off (see
    // `lateUntilBefore` in lambdas/domain/sequence.ts); within 3 hours of the visit, the confirmation covers it.
    { id: 'reminder', appointment: { days: -1, at: '10:00', lateUntilBefore: { hours: 3 } }, template: Reminder },
    { id: 'after-visit', appointment: { days: 1, at: '10:00' }, template: AfterVisit },
  ],
};

/** After a cancellation or a no-show: one nudge to choose a new time. */
export const reschedule: Sequence<EmailStep> = {
  id: SEQUENCE_IDS.reschedule,
  window: { start: '09:00', end: '18:00' },
  onePerDay: true,
  steps: [{ id: 'reschedule-nudge', after: { hours: 2 }, template: RescheduleNudge }],
};

export const sequences: Record<string, Sequence<EmailStep>> = {
  [nurture.id]: nurture,
  [followUp.id]: followUp,
  [reschedule.id]: reschedule,
};
