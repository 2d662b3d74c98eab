/**
 * A deploy of edited sequences for the tests: the default sequences with the nurture's steps changed, and the same
 * service (table, clock, clients) sending them.
 */
import { nurture, sequences as defaultSequences, type EmailStep } from '../../emails/sequences.ts';
import { ReactEmailRenderer } from '../../lambdas/adapters/renderer.ts';
import type { Sequence } from '../../lambdas/domain/sequence.ts';
import type { TestEnv } from '../integration/harness.ts';

/** The default sequences, with the nurture's steps as `edit` makes them. */
export function sequencesWith(edit: (steps: readonly EmailStep[]) => EmailStep[]): Record<string, Sequence<EmailStep>> {
  return { ...defaultSequences, [nurture.id]: { ...nurture, steps: edit(nurture.steps) } };
}

/** The same service sending `sequences` (a deploy of them: same table, same clock). */
export function sending(env: TestEnv, sequences: Record<string, Sequence<EmailStep>>): TestEnv {
  return {
    ...env,
    sequences,
    dispatch: { ...env.dispatch, sequences, renderer: new ReactEmailRenderer(sequences, env.clinic) },
  };
}
