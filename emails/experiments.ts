/**
 * The sequences' outline with each step's subject-line experiment, for what reads experiments without sending: the
 * report on /admin names and judges a running experiment by its declaration, as the dispatcher does, but must not load
 * a template or React (its bundle's budget). Each experiment is declared beside its template, in a file of its own
 * (`how-it-works.experiment.ts`), and the template carries the same object (`HowItWorks.experiment`): a test checks
 * that every template's experiment is listed here.
 */
import type { StepExperiment } from '../lambdas/domain/experiments.ts';
import type { Sequence } from '../lambdas/domain/sequence.ts';
import { howItWorksSubject } from './how-it-works.experiment.ts';
import { outlines, type StepId } from './outline.ts';

/** Each step's experiment, by step id. */
export const experiments: Partial<Record<StepId, StepExperiment>> = {
  'how-it-works': howItWorksSubject,
};

/** `outlines` with each step's experiment. */
export const outlinesWithExperiments: Readonly<Record<string, Sequence>> = Object.fromEntries(
  Object.entries(outlines).map(([id, sequence]) => [
    id,
    {
      ...sequence,
      steps: sequence.steps.map((step) => {
        const experiment = experiments[step.id as StepId];
        return experiment ? { ...step, experiment } : step;
      }),
    },
  ]),
);
