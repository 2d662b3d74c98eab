/**
 * What `npm run experiments` does, apart from reading the command line (local/experiments.ts): list the experiments
 * with their states and numbers, stop one, or pick its winner by hand. Every change is the store's conditional write
 * (`ExperimentStore.conclude`): only a running experiment is stopped or decided, so a person and the dispatcher's rule
 * never both decide one.
 */
import { probabilityBest } from '../lambdas/domain/experiment-stats.ts';
import {
  ARM_IDS,
  armCounts,
  experimentsOf,
  RUNNING,
  type ArmId,
  type ExperimentRef,
  type ExperimentState,
} from '../lambdas/domain/experiments.ts';
import type { ExperimentStore } from '../lambdas/domain/ports.ts';
import type { Counts } from '../lambdas/domain/report-counts.ts';
import type { Sequence } from '../lambdas/domain/sequence.ts';

export type ExperimentsRequest =
  | { action: 'list' }
  | { action: 'stop'; experimentId: string; reason: string }
  | { action: 'pick'; experimentId: string; winner: ArmId; reason: string };

/** The request in the positionals and `--reason`, or what is wrong with them (one line). */
export function parseRequest(positionals: readonly string[], reason: string | undefined): ExperimentsRequest | string {
  const [action = 'list', experimentId, winner, ...rest] = positionals;
  if (action === 'list') return positionals.length > 1 ? 'list takes no arguments' : { action };
  if (action !== 'stop' && action !== 'pick') return `unknown action "${action}" (list, stop or pick)`;
  if (!experimentId) return `${action} needs an experiment id`;
  const extra = action === 'stop' ? [winner, ...rest] : rest;
  if (extra.some((arg) => arg !== undefined))
    return `${action} takes ${action === 'stop' ? 'one id' : 'an id and a variant'}`;
  if (action === 'pick' && !winner) return 'pick needs the winning variant (a, b, c or d)';
  if (!reason?.trim()) return `${action} needs --reason "..." (kept with the experiment, for whoever reads it later)`;
  if (action === 'stop') return { action, experimentId, reason: reason.trim() };
  if (!(ARM_IDS as readonly string[]).includes(winner!)) return `"${winner}" is not a variant (a, b, c or d)`;
  return { action, experimentId, winner: winner as ArmId, reason: reason.trim() };
}

export interface ExperimentsDeps {
  store: ExperimentStore;
  sequences: Readonly<Record<string, Sequence>>;
  now: Date;
}

/** What the command prints, and its exit code (1: the change was refused; 2: bad input). */
export async function runRequest(
  request: ExperimentsRequest,
  deps: ExperimentsDeps,
): Promise<{ out: string; code: 0 | 1 | 2 }> {
  const declared = experimentsOf(deps.sequences);
  if (request.action === 'list') return { out: await listText(declared, deps), code: 0 };
  const ref = declared.find((candidate) => candidate.experiment.id === request.experimentId);
  if (!ref)
    return {
      out: `no experiment "${request.experimentId}" is declared (${declared.map((d) => d.experiment.id).join(', ') || 'none are'})`,
      code: 2,
    };
  if (request.action === 'pick' && !ref.experiment.variants.some((variant) => variant.id === request.winner))
    return { out: `${ref.experiment.id} has no variant ${request.winner}`, code: 2 };
  const base = { at: deps.now.toISOString(), by: 'cli' as const, reason: request.reason };
  const state: Exclude<ExperimentState, { status: 'running' }> =
    request.action === 'stop' ? { status: 'stopped', ...base } : { status: 'decided', winner: request.winner, ...base };
  const done = await deps.store.conclude(
    { sequenceId: ref.sequenceId, stepId: ref.stepId, experimentId: ref.experiment.id },
    state,
  );
  if (!done) {
    const now = (await deps.store.states([ref]))[ref.experiment.id] ?? RUNNING;
    return { out: `${ref.experiment.id} is not running any more (${describe(now)}): nothing changed`, code: 1 };
  }
  return {
    out:
      request.action === 'stop'
        ? `${ref.experiment.id} stopped: every lead whose ${ref.stepId} falls due from now on gets variant a, the control`
        : `${ref.experiment.id} decided: every lead whose ${ref.stepId} falls due from now on gets variant ${request.winner}`,
    code: 0,
  };
}

function describe(state: ExperimentState): string {
  if (state.status === 'running') return 'running';
  const what = state.status === 'decided' ? `decided: ${state.winner}` : 'stopped: everyone gets a';
  return `${what}, ${state.at} by ${state.by === 'cli' ? 'hand' : 'the rule'}: ${state.reason}`;
}

/** Running, decided and stopped experiments, each with its variants' numbers. */
async function listText(declared: readonly ExperimentRef[], deps: ExperimentsDeps): Promise<string> {
  const [states, counts]: [Record<string, ExperimentState>, Counts] =
    declared.length > 0 ? await Promise.all([deps.store.states(declared), deps.store.counts(declared)]) : [{}, {}];
  const written = await deps.store.list();
  const lines: string[] = [];
  for (const status of ['running', 'decided', 'stopped'] as const) {
    const here = declared.filter((ref) => (states[ref.experiment.id] ?? RUNNING).status === status);
    const gone = written.filter(
      (w) => w.status === status && !declared.some((d) => d.experiment.id === w.experimentId),
    );
    lines.push(`${status[0]!.toUpperCase()}${status.slice(1)} (${here.length + gone.length})`);
    for (const ref of here) {
      const state = states[ref.experiment.id] ?? RUNNING;
      const arms = armCounts(ref, counts);
      const best = probabilityBest(arms);
      lines.push(
        `  ${ref.experiment.id}  ${ref.sequenceId}/${ref.stepId}, judged on ${ref.experiment.metric ?? 'clicks'}`,
      );
      if (state.status !== 'running') lines.push(`    ${describe(state)}`);
      lines.push('    variant   sent  delivered  clicked  booked  P(best)');
      arms.forEach((arm, i) =>
        lines.push(
          `    ${arm.id.padEnd(7)} ${String(arm.sent).padStart(6)} ${String(arm.delivered).padStart(10)} ${String(arm.clicked).padStart(8)} ${String(arm.booked).padStart(7)}  ${(best[i] ?? 0).toFixed(3)}`,
        ),
      );
    }
    for (const old of gone) lines.push(`  ${old.experimentId}  (no longer declared)`, `    ${describe(old)}`);
  }
  return lines.join('\n');
}
