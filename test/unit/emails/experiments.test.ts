/**
 * emails/experiments.ts: what /admin knows of the subject-line experiments (it loads no template) is what the
 * dispatcher runs (the templates' own `experiment`, emails/sequences.ts).
 */
import { describe, expect, it } from 'vitest';
import { experiments, outlinesWithExperiments } from '../../../emails/experiments.ts';
import { sequences } from '../../../emails/sequences.ts';

const declared = (all: typeof outlinesWithExperiments) =>
  Object.values(all).flatMap((sequence) =>
    sequence.steps.flatMap((step) =>
      step.experiment ? [[`${sequence.id}/${step.id}`, step.experiment] as const] : [],
    ),
  );

describe('the experiments /admin reads (emails/experiments.ts)', () => {
  it('are the ones the sending sequences declare, step for step, with the same ids, variants and weights', () => {
    const sending = declared(sequences);
    expect(sending.length).toBeGreaterThan(0);
    expect(declared(outlinesWithExperiments)).toEqual(sending);
  });

  it('list each experiment once, on a step the outline has', () => {
    const steps = new Set(Object.values(outlinesWithExperiments).flatMap((s) => s.steps.map((step) => step.id)));
    for (const stepId of Object.keys(experiments)) expect(steps).toContain(stepId);
    const ids = Object.values(experiments).map((experiment) => experiment.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
