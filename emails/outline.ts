/**
 * The sequences' outline, which marketing edits: which emails go out, in what order, and how long after the previous
 * one. Each step's template is attached in `emails/sequences.ts`, by step id; what only needs the steps (the report
 * on /admin) imports this file alone, so it never loads a template or React.
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
 * - `class` is `marketing` (stops at an unsubscribe, carries List-Unsubscribe) or `care` (about a booked visit: goes on
 *   after a marketing unsubscribe, stops only on "stop everything", a hard bounce or a complaint).
 * - Branches, on the lead's human clicks (never a mail scanner's), at most one a step; a click is `<step>` (any link
 *   of that email) or `<step>:<link>` (the link named `<link>` with `named()` in emails/_shared/layout.tsx):
 *   - `skip: { ifClicked: [...] }` passes over the step;
 *   - `bringForward: { ifClicked: [...] }` sends the step next, in the place and at the time of the step that was due;
 *   - `insteadOf: { step, ifClicked: [...] }` is an email sent only in place of `step` (at its time), never otherwise;
 *   - `checkIn: { afterUnclicked: n }` is sent only when the lead's last n marketing emails got no click. A click on it
 *     before the next step is due keeps the series going; without one the series ends there ("sunset, no
 *     engagement" in the report). Its wait is the next step's delay.
 *   Each step still goes at most once; `validateSequences` checks the branches at start.
 * - `byInterest` names a variant of the step for a lead who gave that interest at sign-up, e.g.
 *   `byInterest: { 'migraine-with-aura': 'the-research-aura' }`: that lead gets `emails/the-research-aura.tsx` in
 *   place of the step's own email, at the same place and time. A lead with no interest, or `other`, gets the step's
 *   own. Variant ids are unique and never a step's id; each needs its template in `emails/sequences.ts`.
 */
import { SEQUENCE_IDS } from '../lambdas/contract.ts';
import type { Sequence } from '../lambdas/domain/sequence.ts';

/** Keeps each step id's literal type, so `emails/sequences.ts` must give every step exactly one template. */
const outline = <const S extends Sequence>(sequence: S): S => sequence;

export const nurtureOutline = outline({
  id: SEQUENCE_IDS.nurture,
  window: { start: '09:00', end: '18:00' },
  onePerDay: true,
  steps: [
    // A lead in a long attack reads first when it needs emergency care (emails/interest-emails.ts has each variant).
    {
      id: 'welcome',
      class: 'marketing',
      immediate: true,
      byInterest: { 'status-migrainosus': 'welcome-status-migrainosus' },
    },
    { id: 'how-it-works', class: 'marketing', after: { days: 2 } },
    {
      id: 'who-it-helps',
      class: 'marketing',
      after: { days: 3 },
      byInterest: { 'chronic-migraine': 'who-it-helps-chronic', 'refractory-migraine': 'who-it-helps-refractory' },
    },
    // Risks come early: who should avoid it and the side effects reach a lead before the research and the cost.
    { id: 'side-effects', class: 'marketing', after: { days: 3 } },
    // Halfway, after the risks: a lead who clicked none of the first four emails is asked whether to go on, and
    // without a click in the 4 days before the next one, hears no more (a sunset keeps the sender's reputation).
    { id: 'check-in', class: 'marketing', after: { days: 2 }, checkIn: { afterUnclicked: 4 } },
    { id: 'iv-and-nasal', class: 'marketing', after: { days: 4 } },
    {
      id: 'the-research',
      class: 'marketing',
      after: { days: 4 },
      byInterest: { 'migraine-with-aura': 'the-research-aura' },
    },
    // A lead who clicked through to the cost page hears about cost next, not several emails later.
    {
      id: 'cost-and-financing',
      class: 'marketing',
      after: { days: 5 },
      bringForward: { ifClicked: ['welcome:cost', 'how-it-works:cost'] },
    },
    { id: 'last-invitation', class: 'marketing', after: { days: 7 } },
  ],
});

/** After a booking (and after a reschedule, re-timed): the nurture stops for good. Care emails, about the visit: so no one-per-day. */
export const followUpOutline = outline({
  id: SEQUENCE_IDS.followUp,
  window: { start: '09:00', end: '18:00' },
  onePerDay: false,
  steps: [
    { id: 'confirmation', class: 'care', immediate: true },
    // Booked after 10:00 the day before (or moved closer): late, for any visit more than 3 hours off (see
    // `lateUntilBefore` in lambdas/domain/sequence.ts); within 3 hours of the visit, the confirmation covers it.
    { id: 'reminder', class: 'care', appointment: { days: -1, at: '10:00', lateUntilBefore: { hours: 3 } } },
    { id: 'after-visit', class: 'care', appointment: { days: 1, at: '10:00' } },
  ],
});

/** After a cancellation or a no-show: one nudge to choose a new time. */
export const rescheduleOutline = outline({
  id: SEQUENCE_IDS.reschedule,
  window: { start: '09:00', end: '18:00' },
  onePerDay: true,
  steps: [{ id: 'reschedule-nudge', class: 'marketing', after: { hours: 2 } }],
});

/**
 * Double opt-in (DOUBLE_OPT_IN): the one email a new sign-up gets until it confirms its address. Sign-up sends it
 * itself (`lambdas/domain/opt-in.ts`), and again on a sign-up a day or more later while the lead is still pending; no
 * lead is ever due in this sequence.
 */
export const optInOutline = outline({
  id: SEQUENCE_IDS.optIn,
  window: { start: '09:00', end: '18:00' },
  onePerDay: false,
  steps: [{ id: 'confirm-address', class: 'care', immediate: true }],
});

/** Every step of every sequence, as written above. */
type OutlineStep = (
  typeof nurtureOutline | typeof followUpOutline | typeof rescheduleOutline | typeof optInOutline
)['steps'][number];

/** Every step id of every sequence. */
export type StepId = OutlineStep['id'];

/** Every variant id a step names in `byInterest`. */
export type VariantId = OutlineStep extends infer S
  ? S extends { byInterest: infer B }
    ? NonNullable<B[keyof B]>
    : never
  : never;

/** The sequences without their templates, by id: their steps, order, timing and send window. */
export const outlines: Readonly<Record<string, Sequence>> = {
  [nurtureOutline.id]: nurtureOutline,
  [followUpOutline.id]: followUpOutline,
  [rescheduleOutline.id]: rescheduleOutline,
  [optInOutline.id]: optInOutline,
};
