/**
 * The subject-line experiment of `how-it-works.tsx` (its `experiment`), in a file of its own so that what only reads
 * experiments (the report on /admin, through `emails/experiments.ts`) never loads the template or React.
 */
import type { EmailProps, TemplateExperiment } from './_shared/types.ts';

/**
 * Which subject line gets more people to read on (a person's click, never an open): the control, `a`, is the template's own
 * subject ("How ketamine may calm an over-sensitive migraine brain"); `b` says plainly that part of it is unknown. Both are the medical director's words; neither promises a result.
 * Decided by `npm run experiments` or the dispatcher's rule (docs/marketing.md#subject-line-experiments).
 */
export const howItWorksSubject = {
  id: 'how-it-works-subject',
  metric: 'clicks',
  variants: [
    { id: 'a', weight: 1 },
    {
      id: 'b',
      weight: 1,
      subject: (_props: EmailProps) => 'What ketamine may do in a migraine brain, and what is unknown',
    },
  ],
} satisfies TemplateExperiment;
