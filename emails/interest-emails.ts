/**
 * The interest emails: each one a step's email tailored to what a lead told us brings them here (the sign-up form's
 * interest). `emails/outline.ts` names, per step, which of these a lead with that interest gets instead of the step's
 * own email (`byInterest`); a lead with no interest, or "other", gets the step's own. A template gets `EmailProps`
 * only: no health data reaches it, the choice of email is the tailoring.
 *
 * - `welcome-status-migrainosus` (instead of `welcome`): when an attack needs emergency care, first; then the welcome.
 * - `who-it-helps-chronic` (instead of `who-it-helps`): chronic migraine, and where ketamine fits among its treatments.
 * - `who-it-helps-refractory` (instead of `who-it-helps`): what failed treatments mean, and the records to bring.
 * - `the-research-aura` (instead of `the-research`): the randomized trial in migraine with prolonged aura.
 *
 * Ids are stable, like step ids: message records store them.
 */
import type { StepTemplate } from './_shared/types.ts';
import WelcomeStatusMigrainosus from './welcome-status-migrainosus.tsx';
import WhoItHelpsChronic from './who-it-helps-chronic.tsx';
import WhoItHelpsRefractory from './who-it-helps-refractory.tsx';
import TheResearchAura from './the-research-aura.tsx';

export const interestEmails = {
  'welcome-status-migrainosus': WelcomeStatusMigrainosus,
  'who-it-helps-chronic': WhoItHelpsChronic,
  'who-it-helps-refractory': WhoItHelpsRefractory,
  'the-research-aura': TheResearchAura,
  // A subject-line experiment belongs on a step's own email (lambdas/domain/experiments.ts): never on an interest email.
} as const satisfies Record<string, StepTemplate & { experiment?: never }>;

/** The id of an interest email. */
export type InterestEmailId = keyof typeof interestEmails;
