/**
 * Subject-line experiments (issue #17): a marketing step's own email declares two to four variants of its subject
 * and/or preview text, with weights (`emails/how-it-works.tsx`, `experiment`). Pure: which variant a lead gets, whether
 * a declaration holds together, and what the decision rule is given to judge.
 *
 * - **Assignment** is a function of the lead id and the experiment id only (sha256, then a weighted bucket), so a
 *   retry, a replay or a second dispatcher always sends the same variant; no write records it in advance.
 * - **Promotion.** An experiment is running (no state item), decided (a winner, `auto` or from the CLI) or stopped
 *   (everyone gets `a`, the control). A decision or a stop applies to every lead whose step falls due at or after it
 *   (`nextSendAt`): a retry of a step keeps the time it fell due (a retry moves only `dueAt`), so a promotion between
 *   an attempt and its retry never changes what one lead gets. A lead whose step fell due before the decision and is
 *   sent a moment later (a backlog) still gets its own variant, and is counted in the experiment like any other.
 * - **Counts.** Each experiment counts apart: a message's record names its variant and its experiment (`experimentTag`,
 *   4 characters of the id), and so do the count keys (`armKey`). A new experiment on a step (a new id) starts at zero
 *   and is judged on its own leads only; the one before keeps its counts.
 * - **Privacy.** The variant letter goes in an SES tag and the message record for every email of the step, whichever
 *   email the lead's interest chose: the tag never differs by interest. A lead sent an interest variant of the step
 *   (`byInterest`) did not see the experiment's subject: its record says so, and the experiment does not count it.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { ARM_METRICS, armKey } from './report-counts.ts';

/** A variant's id: `a` is the control (usually the template's own subject and preview). */
export const ARM_IDS = ['a', 'b', 'c', 'd'] as const;
export type ArmId = (typeof ARM_IDS)[number];

/** What an experiment is judged on: a person's click on the email (never an open), or a booking after it. */
export const EXPERIMENT_METRICS = ['clicks', 'bookings'] as const;
export type ExperimentMetric = (typeof EXPERIMENT_METRICS)[number];

/** An experiment as the dispatcher and the report see it: ids and weights, never the subject lines themselves. */
export interface StepExperiment {
  /** Stable and unique: the state item and the logs name it. SES-tag characters (letters, digits, `-`, `_`). */
  readonly id: string;
  /** Default `clicks`. */
  readonly metric?: ExperimentMetric;
  readonly variants: readonly { readonly id: ArmId; readonly weight: number }[];
}

/** Why and when an experiment stopped being random: written once, only while it was running. */
export interface Conclusion {
  /** ISO time. */
  readonly at: string;
  readonly by: 'auto' | 'cli';
  /** For a person: the rule and the numbers (auto), or what marketing typed (CLI). */
  readonly reason: string;
}

export type ExperimentState =
  | { readonly status: 'running' }
  | ({ readonly status: 'decided'; readonly winner: ArmId } & Conclusion)
  | ({ readonly status: 'stopped' } & Conclusion);

export const RUNNING: ExperimentState = { status: 'running' };

/** A marketing step of a sequence and its experiment. */
export interface ExperimentRef {
  readonly sequenceId: string;
  readonly stepId: string;
  readonly experiment: StepExperiment;
}

/** Every experiment the sequences declare, in their order. */
export function experimentsOf(
  sequences: Readonly<Record<string, { id: string; steps: readonly { id: string; experiment?: StepExperiment }[] }>>,
): ExperimentRef[] {
  return Object.values(sequences).flatMap((sequence) =>
    sequence.steps.flatMap((step) =>
      step.experiment ? [{ sequenceId: sequence.id, stepId: step.id, experiment: step.experiment }] : [],
    ),
  );
}

/** How many characters `experimentTag` is: 24 bits of a hash. */
export const EXPERIMENT_TAG_LENGTH = 4;

/**
 * A short, fixed-length stand-in for an experiment's id, in what a message records of its variant and in the count
 * keys (`armKey`): 4 characters of base64url (24 bits) of a sha256 of the id, so a lead item stays small however long
 * the id. It tells a step's experiments apart: when marketing ends one and declares another on the same step (a new
 * id), the new one's counts are its own. Two experiments of one step share a tag by chance only about once in 16
 * million pairs; ids on different steps never meet (the keys name the step).
 */
export function experimentTag(experimentId: string): string {
  return createHash('sha256').update(experimentId).digest('base64url').slice(0, EXPERIMENT_TAG_LENGTH);
}

/** A number in [0, 1), uniform over lead ids, fixed for this lead in this experiment. */
export function bucket(experimentId: string, leadId: string): number {
  const digest = createHash('sha256').update(`${experimentId}:${leadId}`).digest();
  // 48 bits: exact in a double, and far more resolution than weights need.
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/** The variant the weights give this lead (the random assignment, before any decision). */
export function assign(experiment: StepExperiment, leadId: string): ArmId {
  const total = experiment.variants.reduce((sum, variant) => sum + variant.weight, 0);
  let point = bucket(experiment.id, leadId) * total;
  for (const variant of experiment.variants) {
    if (point < variant.weight) return variant.id;
    point -= variant.weight;
  }
  return experiment.variants[experiment.variants.length - 1]!.id;
}

/**
 * The variant this lead gets at the step: the winner or the control when the experiment was decided or stopped at or
 * before the step fell due (`dueAt`, the lead's `nextSendAt`), else its own assignment. Unknown due time: the state
 * as it is.
 */
export function armFor(
  experiment: StepExperiment,
  leadId: string,
  state: ExperimentState,
  dueAt: string | undefined,
): ArmId {
  if (state.status !== 'running' && (dueAt === undefined || Date.parse(state.at) <= Date.parse(dueAt)))
    return state.status === 'decided' ? state.winner : 'a';
  return assign(experiment, leadId);
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

const experimentSchema = z.object({
  id: z
    .string()
    .regex(ID, { error: 'an experiment id is 1-64 letters, digits, - or _, starting with a letter or digit' }),
  metric: z.enum(EXPERIMENT_METRICS, { error: `metric must be one of: ${EXPERIMENT_METRICS.join(', ')}` }).optional(),
  variants: z
    .array(
      z.object({
        id: z.enum(ARM_IDS, { error: `a variant id is one of: ${ARM_IDS.join(', ')}` }),
        weight: z.number({ error: 'a weight is a number' }).positive({ error: 'a weight is above 0' }).finite(),
      }),
    )
    .min(2, { error: 'an experiment has 2 to 4 variants' })
    .max(4, { error: 'an experiment has 2 to 4 variants' })
    .refine((variants) => variants.some((variant) => variant.id === 'a'), {
      error: 'variant a (the control) is missing',
    })
    .refine((variants) => new Set(variants.map((variant) => variant.id)).size === variants.length, {
      error: 'a variant id is used twice',
    }),
});

/**
 * What is wrong with the sequences' experiments, each as `<sequence>/<step>: <problem>`: only a marketing step has one
 * (a care email is not something to test on a patient's visit), its shape (`experimentSchema`), and ids unique.
 */
export function experimentProblems(
  sequences: Readonly<
    Record<string, { id: string; steps: readonly { id: string; class: string; experiment?: unknown }[] }>
  >,
): string[] {
  const problems: string[] = [];
  const owners = new Map<string, string>();
  for (const sequence of Object.values(sequences))
    for (const step of sequence.steps) {
      if (step.experiment === undefined) continue;
      const where = `${sequence.id}/${step.id}`;
      if (step.class !== 'marketing') problems.push(`${where}: only a marketing step may have an experiment`);
      const parsed = experimentSchema.safeParse(step.experiment);
      if (!parsed.success) {
        for (const issue of parsed.error.issues)
          problems.push(
            `${where} (experiment${issue.path.map((part) => `.${String(part)}`).join('')}): ${issue.message}`,
          );
        continue;
      }
      const owner = owners.get(parsed.data.id);
      if (owner) problems.push(`${where}: experiment id ${parsed.data.id} is also ${owner}'s`);
      owners.set(parsed.data.id, owner ?? where);
    }
  return problems;
}

/** What one variant is judged on: a trial per email delivered, a success per one a person clicked (or booked after). */
export interface ArmCounts {
  readonly id: ArmId;
  readonly sent: number;
  readonly delivered: number;
  readonly clicked: number;
  readonly booked: number;
  /** Delivered emails: a lead counts once, when its mail server accepted the email. */
  readonly trials: number;
  /** Of those, the emails a person clicked (`clicks`), or the leads who booked after it (`bookings`): at most `trials`. */
  readonly successes: number;
}

/**
 * Each declared variant's counts, in the declaration's order: those under the experiment's own tag (`armKey`), so a
 * step's earlier experiment (another id) adds nothing to them.
 */
export function armCounts(ref: ExperimentRef, counts: Readonly<Record<string, number>>): ArmCounts[] {
  const metric = ref.experiment.metric ?? 'clicks';
  const tag = experimentTag(ref.experiment.id);
  return ref.experiment.variants.map(({ id }) => {
    // Never below 0: a counter a rebuild has yet to repair must not stop the decision or the report.
    const [sent, delivered, clicked, booked] = ARM_METRICS.map((m) =>
      Math.max(0, counts[armKey(ref.sequenceId, ref.stepId, tag, id, m)] ?? 0),
    ) as [number, number, number, number];
    // A click or a booking can be counted before the Delivery event it follows arrives: never more than delivered.
    return {
      id,
      sent,
      delivered,
      clicked,
      booked,
      trials: delivered,
      successes: Math.min(delivered, metric === 'clicks' ? clicked : booked),
    };
  });
}

/** The automatic decision's reason, for a person reading the state item or `npm run experiments`: rule and numbers. */
export function decisionReason(
  ref: ExperimentRef,
  arms: readonly ArmCounts[],
  probabilities: readonly number[],
  rule: { threshold: number; minTrials: number },
  winner: string,
): string {
  const metric = ref.experiment.metric ?? 'clicks';
  const best = probabilities[arms.findIndex((arm) => arm.id === winner)] ?? 0;
  const numbers = arms
    .map((arm, i) => `${arm.id} ${arm.successes}/${arm.trials} (P best ${(probabilities[i] ?? 0).toFixed(3)})`)
    .join(', ');
  return (
    `P(${winner} is best) ${best.toFixed(3)} >= ${rule.threshold} with at least ${rule.minTrials} delivered per ` +
    `variant; ${metric === 'clicks' ? "a person's clicks" : 'bookings'} per delivered: ${numbers}`
  );
}
