/**
 * The experiments' error rates, measured: a seeded simulation on a virtual clock of one email's experiment, run many
 * times, with the decision rule the dispatcher uses (`decide` from lambdas/domain/experiment-stats.ts).
 *
 * One run: leads sign up over virtual days (a Poisson process at `signupsPerDay`); each is assigned a variant as the
 * service assigns one, by a SHA-256 of the experiment id and the lead id read as a number in [0, 1) and cut into
 * equal buckets; the email is due a day after sign-up, sent at the next dispatcher minute and delivered seconds later;
 * a lead clicks with its variant's true rate, hours after delivery (an exponential delay with a mean of
 * `clickDelayHours`, never under a minute: machine clicks, which come within seconds, are excluded by the counting
 * before any count reaches `decide`, so they are not simulated). Every virtual minute the dispatcher looks: the
 * deliveries and the leads who clicked so far, per variant, go to `decide`. A minute in which no count changed gives
 * the verdict of the minute before (`decide` is pure), so only minutes with a change are computed. A run ends at the
 * first `winner` (the promotion) or when the experiment has run its length: the first look at which every variant has
 * more than `rule.maxTrials` deliveries.
 *
 * Randomness: mulberry32 (T. Ettinger, 2017, public domain; https://gist.github.com/tommyettinger/46a874533244883189143505d203312c),
 * seeded per run from the scenario's seed, so a run is the same on every machine and every time.
 */
import { createHash } from 'node:crypto';
import { decide, DEFAULT_DECISION_RULE, type Arm, type DecisionRule } from '../lambdas/domain/experiment-stats.ts';

export interface Scenario {
  /** Each variant's true click rate among delivered emails, e.g. [0.04, 0.04] or [0.04, 0.06]. */
  readonly rates: readonly number[];
  readonly runs: number;
  /** Run r uses seed + r. */
  readonly seed: number;
  readonly rule?: DecisionRule;
  readonly signupsPerDay?: number;
  readonly clickDelayHours?: number;
}

export interface RunOutcome {
  /** The promoted variant's index, or undefined when the experiment ran its length without a winner. */
  readonly winner: number | undefined;
  /** Deliveries per variant (their mean) at the promotion, or at the end. */
  readonly deliveriesPerVariant: number;
  readonly days: number;
  /** Looks at which a count had changed: the minutes `decide` computed. */
  readonly looks: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** mulberry32: a 32-bit state, period 2^32; uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * The variant a lead gets: SHA-256 of `experimentId:leadId`, its first 32 bits as a fraction of 2^32, in equal buckets.
 * The same scheme as the service's assignment (deterministic, no stored state, independent across experiments).
 */
export function assignVariant(experimentId: string, leadId: string, variants: number): number {
  const digest = createHash('sha256').update(`${experimentId}:${leadId}`).digest();
  return Math.min(variants - 1, Math.floor((digest.readUInt32BE(0) / 4_294_967_296) * variants));
}

interface Timed {
  readonly at: number;
  readonly variant: number;
}

/** One experiment, from its first sign-up to its promotion or its end. */
export function simulateRun(scenario: Scenario, run: number): RunOutcome {
  const rule = scenario.rule ?? DEFAULT_DECISION_RULE;
  const maxTrials = rule.maxTrials ?? Number.POSITIVE_INFINITY;
  if (!Number.isFinite(maxTrials)) throw new RangeError('the simulation needs a rule with maxTrials: its length');
  const variants = scenario.rates.length;
  const random = mulberry32(scenario.seed + run);
  const experimentId = `experiment-${scenario.seed + run}`;
  const perDay = scenario.signupsPerDay ?? 500;
  const clickMean = (scenario.clickDelayHours ?? 6) * HOUR;

  // Every lead the experiment can need: sign-ups until each variant has one more than maxTrials.
  const deliveries: Timed[] = [];
  const clicks: Timed[] = [];
  const assigned = new Array<number>(variants).fill(0);
  let signedUpAt = 0;
  for (let lead = 0; assigned.some((n) => n <= maxTrials); lead++) {
    signedUpAt += (-Math.log(1 - random()) / perDay) * DAY;
    const variant = assignVariant(experimentId, `lead-${lead}`, variants);
    assigned[variant]! += 1;
    const sentAt = Math.ceil((signedUpAt + DAY) / MINUTE) * MINUTE;
    const deliveredAt = sentAt + 2_000 + random() * 58_000;
    deliveries.push({ at: deliveredAt, variant });
    if (random() < scenario.rates[variant]!) {
      clicks.push({ at: deliveredAt + Math.max(MINUTE, -Math.log(1 - random()) * clickMean), variant });
    }
  }
  deliveries.sort((x, y) => x.at - y.at);
  clicks.sort((x, y) => x.at - y.at);

  const trials = new Array<number>(variants).fill(0);
  const successes = new Array<number>(variants).fill(0);
  const ids = scenario.rates.map((_, i) => `variant-${i}`);
  let nextDelivery = 0;
  let nextClick = 0;
  let looks = 0;
  const firstLook = Math.ceil(deliveries[0]!.at / MINUTE) * MINUTE;
  for (let now = firstLook; ; now += MINUTE) {
    let changed = false;
    while (nextDelivery < deliveries.length && deliveries[nextDelivery]!.at <= now) {
      trials[deliveries[nextDelivery++]!.variant]! += 1;
      changed = true;
    }
    while (nextClick < clicks.length && clicks[nextClick]!.at <= now) {
      successes[clicks[nextClick++]!.variant]! += 1;
      changed = true;
    }
    if (!changed) continue;
    const outcome = (winner: number | undefined) => ({
      winner,
      deliveriesPerVariant: trials.reduce((s, n) => s + n, 0) / variants,
      days: now / DAY,
      looks,
    });
    if (Math.min(...trials) > maxTrials) return outcome(undefined);
    looks++;
    const arms: Arm[] = ids.map((id, i) => ({ id, trials: trials[i]!, successes: successes[i]! }));
    const verdict = decide(arms, rule);
    if (verdict.kind === 'winner') return outcome(ids.indexOf(verdict.arm));
  }
}

/** Wilson's score interval for a binomial proportion (E. B. Wilson, JASA 22:209–212, 1927), 95% by default. */
export function wilsonInterval(hits: number, n: number, z = 1.959964): { low: number; high: number } {
  const p = hits / n;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return { low: hits === 0 ? 0 : Math.max(0, centre - half), high: hits === n ? 1 : Math.min(1, centre + half) };
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface ScenarioResult {
  readonly rates: readonly number[];
  readonly runs: number;
  readonly seed: number;
  readonly rule: DecisionRule;
  readonly signupsPerDay: number;
  /** Share of runs that promoted each variant, in order. */
  readonly promotedShare: readonly number[];
  readonly noWinnerShare: number;
  /**
   * Share of runs that promoted a variant that is not truly the best (with equal rates: any promotion), and its 95%
   * Wilson interval.
   */
  readonly wrongWinner: { readonly share: number; readonly low: number; readonly high: number; readonly count: number };
  /** Of the runs that promoted: the median deliveries per variant and virtual days at the promotion. */
  readonly medianDeliveriesPerVariantAtPromotion: number | undefined;
  readonly medianDaysAtPromotion: number | undefined;
  readonly medianLooks: number | undefined;
}

/** Many seeded runs of one scenario, summarised. `onRun` is told after each (for progress). */
export function simulate(scenario: Scenario, onRun?: (done: number) => void): ScenarioResult {
  const outcomes: RunOutcome[] = [];
  for (let run = 0; run < scenario.runs; run++) {
    outcomes.push(simulateRun(scenario, run));
    onRun?.(run + 1);
  }
  return summarize(scenario, outcomes);
}

/** The summary of a scenario's runs, in run order (`simulateRun(scenario, 0 … runs − 1)`, however they were run). */
export function summarize(scenario: Scenario, outcomes: readonly RunOutcome[]): ScenarioResult {
  // A promotion is wrong when the variant is not truly the best; with equal rates, every promotion is.
  const best = Math.max(...scenario.rates);
  const equal = scenario.rates.every((rate) => rate === best);
  const wrong = outcomes.filter((o) => o.winner !== undefined && (equal || scenario.rates[o.winner]! < best)).length;
  const promoted = outcomes.filter((o) => o.winner !== undefined);
  return {
    rates: scenario.rates,
    runs: outcomes.length,
    seed: scenario.seed,
    rule: scenario.rule ?? DEFAULT_DECISION_RULE,
    signupsPerDay: scenario.signupsPerDay ?? 500,
    promotedShare: scenario.rates.map((_, i) => outcomes.filter((o) => o.winner === i).length / outcomes.length),
    noWinnerShare: outcomes.filter((o) => o.winner === undefined).length / outcomes.length,
    wrongWinner: { share: wrong / outcomes.length, count: wrong, ...wilsonInterval(wrong, outcomes.length) },
    medianDeliveriesPerVariantAtPromotion: median(promoted.map((o) => o.deliveriesPerVariant)),
    medianDaysAtPromotion: median(promoted.map((o) => o.days)),
    medianLooks: median(outcomes.map((o) => o.looks)),
  };
}

/** The bench's scenarios: their seeds are fixed, so their numbers are too. */
export const BENCH_SCENARIOS: readonly { name: string; rates: number[]; seed: number }[] = [
  { name: 'two equal variants, 4%', rates: [0.04, 0.04], seed: 1_000_000 },
  { name: 'three equal variants, 4%', rates: [0.04, 0.04, 0.04], seed: 2_000_000 },
  { name: 'planted: 4% vs 6%', rates: [0.04, 0.06], seed: 3_000_000 },
  { name: 'planted: 4%, 4% vs 6%', rates: [0.04, 0.04, 0.06], seed: 4_000_000 },
];

/**
 * `npm run bench -- --only experiments`: with the default rule, two and three equal variants (the false-winner rate)
 * and a planted better variant among two and three (how often it is promoted, how often the wrong one is, and how
 * many deliveries it takes). `runs` per scenario (BENCH_EXPERIMENT_RUNS, 1,000 by default); the seeds are fixed, so
 * the numbers are the same on every machine, only the time they take differs.
 */
export function experimentRates(runs: number, say?: (message: string) => void) {
  const started = performance.now();
  const results = BENCH_SCENARIOS.map(({ name, rates, seed }) => {
    const result = simulate({ rates, runs, seed }, (done) => {
      if (done % 100 === 0) say?.(`experiments: ${name}: ${done} of ${runs} runs`);
    });
    return { name, ...result };
  });
  return { rule: DEFAULT_DECISION_RULE, runs, scenarios: results, seconds: (performance.now() - started) / 1000 };
}
