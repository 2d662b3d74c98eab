/**
 * The sequences the dispatcher sends: each step of `emails/outline.ts` (ids, order, timing, send window: edit those
 * there) with its email template. Nothing here restates the outline; what renders nothing imports the outline alone.
 */
import type { Sequence, SequenceStep } from '../lambdas/domain/sequence.ts';
import type { StepTemplate } from './_shared/types.ts';
import { interestEmails, type InterestEmailId } from './interest-emails.ts';
import {
  followUpOutline,
  nurtureOutline,
  optInOutline,
  rescheduleOutline,
  type StepId,
  type VariantId,
} from './outline.ts';
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
import ConfirmAddress from './confirm-address.tsx';
import CheckIn from './check-in.tsx';

export interface EmailStep extends SequenceStep {
  /** The step's own email; with its subject-line experiment (`experiment`), each variant's is `experimentEmail`'s. */
  template: StepTemplate;
  /** The email of each of the step's variants (`byInterest`), by variant id. */
  variants?: Readonly<Record<string, StepTemplate>>;
}

/** The email of each step id: a step without one, or one for no step, does not compile. */
const TEMPLATES: Record<StepId, StepTemplate> = {
  welcome: Welcome,
  'how-it-works': HowItWorks,
  'who-it-helps': WhoItHelps,
  'side-effects': SideEffects,
  'check-in': CheckIn,
  'iv-and-nasal': IvAndNasal,
  'the-research': TheResearch,
  'cost-and-financing': CostAndFinancing,
  'last-invitation': LastInvitation,
  confirmation: Confirmation,
  reminder: Reminder,
  'after-visit': AfterVisit,
  'reschedule-nudge': RescheduleNudge,
  'confirm-address': ConfirmAddress,
};

/**
 * The email of each variant id the outline names (`byInterest`), from `emails/interest-emails.ts`: a variant without
 * one does not compile, and neither does an interest email no step names (its key must be `never` here).
 */
const VARIANT_TEMPLATES: Record<VariantId, StepTemplate> & Record<Exclude<InterestEmailId, VariantId>, never> =
  interestEmails;

/** An outline with each step's template, and each of its variants'. */
const withTemplates = (outline: Sequence<SequenceStep & { id: StepId }>): Sequence<EmailStep> => ({
  ...outline,
  steps: outline.steps.map((step) => {
    const ids = [...new Set(Object.values(step.byInterest ?? {}))] as VariantId[];
    const template = TEMPLATES[step.id];
    return {
      ...step,
      template,
      // A subject-line experiment is declared on the template; the dispatcher sees its ids and weights.
      ...(template.experiment && { experiment: template.experiment }),
      ...(ids.length > 0 && { variants: Object.fromEntries(ids.map((id) => [id, VARIANT_TEMPLATES[id]])) }),
    };
  }),
});

export const nurture = withTemplates(nurtureOutline);
/** After a booking (and after a reschedule, re-timed): the nurture stops for good. */
export const followUp = withTemplates(followUpOutline);
/** After a cancellation or a no-show: one nudge to choose a new time. */
export const reschedule = withTemplates(rescheduleOutline);

/** Double opt-in's confirmation email, which sign-up sends itself (no lead is ever due in it). */
export const optIn = withTemplates(optInOutline);

export const sequences: Record<string, Sequence<EmailStep>> = {
  [nurture.id]: nurture,
  [followUp.id]: followUp,
  [reschedule.id]: reschedule,
  [optIn.id]: optIn,
};
