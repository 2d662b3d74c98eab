/**
 * The dispatcher's part in subject-line experiments (`experiments.ts`): once per run, read each experiment's state
 * and, for those still running, their variants' counts (a few items by key), and decide any running one whose rule now
 * names a winner (`decide`, lambdas/domain/experiment-stats.ts). A decided or stopped experiment costs its state's
 * read alone: what it sends no longer depends on its counts. The decision is written only if the experiment is still
 * running (a CLI stop or pick, or another worker, may have come first), and applies to every lead whose step falls due
 * from then on. Logs carry the experiment's id, the winner's letter and numbers only.
 */
import { decide, DEFAULT_DECISION_RULE, type DecisionRule } from './experiment-stats.ts';
import {
  armCounts,
  decisionReason,
  experimentsOf,
  RUNNING,
  type ArmId,
  type ExperimentRef,
  type ExperimentState,
} from './experiments.ts';
import type { Clock, ExperimentStore, Log } from './ports.ts';
import type { Sequence } from './sequence.ts';

export interface ExperimentDeps {
  experiments: ExperimentStore;
  sequences: Readonly<Record<string, Sequence>>;
  clock: Clock;
  log: Log;
  /** Default: `DEFAULT_DECISION_RULE`. */
  decisionRule?: DecisionRule;
}

/**
 * Every declared experiment's state for this run, after deciding those whose rule names a winner (only with
 * `decideNow`: a fan-out's other workers read the states and leave deciding to one).
 */
export async function experimentStates(
  deps: ExperimentDeps,
  decideNow = true,
): Promise<Record<string, ExperimentState>> {
  const refs = experimentsOf(deps.sequences);
  if (refs.length === 0) return {};
  const states = await deps.experiments.states(refs);
  if (!decideNow) return states;
  const running = refs.filter((ref) => (states[ref.experiment.id] ?? RUNNING).status === 'running');
  if (running.length === 0) return states;
  const counts = await deps.experiments.counts(running);
  for (const ref of running) {
    const id = ref.experiment.id;
    const arms = armCounts(ref, counts);
    const rule = deps.decisionRule ?? DEFAULT_DECISION_RULE;
    const verdict = decide(arms, rule);
    if (verdict.kind !== 'winner') continue;
    const winner = verdict.arm as ArmId;
    const state = {
      status: 'decided',
      winner,
      at: deps.clock.now().toISOString(),
      by: 'auto',
      reason: decisionReason(ref, arms, verdict.probabilities, rule, winner),
    } as const;
    if (await deps.experiments.conclude(refOf(ref), state)) {
      states[id] = state;
      deps.log.info('experiment decided', {
        experimentId: id,
        winner,
        probability: verdict.probabilities[arms.findIndex((arm) => arm.id === winner)],
        delivered: arms.map((arm) => arm.trials),
      });
    } else {
      // Stopped or decided meanwhile: what is there now holds.
      Object.assign(states, await deps.experiments.states([ref]));
    }
  }
  return states;
}

const refOf = (ref: ExperimentRef) => ({
  sequenceId: ref.sequenceId,
  stepId: ref.stepId,
  experimentId: ref.experiment.id,
});
