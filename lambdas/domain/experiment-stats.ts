/**
 * When one variant of an email has won its experiment: each variant's click rate as a Beta–Binomial posterior, the
 * probability that each is the best, and the rule that turns those into a verdict. Pure: no I/O, no clock, no
 * randomness; the same counts always give the same numbers (docs/experiments.md explains them without statistics).
 *
 * The method:
 * - **Beta–Binomial conjugate posterior.** A variant delivered `trials` times and clicked by `successes` distinct
 *   leads has, from a uniform Beta(1, 1) prior, the posterior Beta(1 + successes, 1 + trials − successes) for its click
 *   rate (the conjugate update of a binomial likelihood; e.g. Gelman et al., "Bayesian Data Analysis", 3rd ed., §2.4).
 * - **Probability of being best** is P(arm i's rate is the highest) under those independent posteriors, the quantity
 *   Scott's randomized probability matching is built on (S. L. Scott, "A modern Bayesian look at the multi-armed
 *   bandit", Applied Stochastic Models in Business and Industry 26:639–658, 2010, DOI 10.1002/asmb.874).
 *   - For two arms it has a closed form (E. Miller, "Formulas for Bayesian A/B Testing", 2015,
 *     https://www.evanmiller.org/bayesian-ab-testing.html): with αX = 1 + successes, βX = 1 + failures,
 *     P(pB > pA) = Σ_{i=0}^{αB−1} B(αA+i, βA+βB) / ((βB+i) · B(1+i, βB) · B(αA, βA)). Its terms are summed in log
 *     space, each from the one before (the ratio of consecutive terms is rational), over the arm with fewer clicks.
 *   - For three or four arms, P(arm i best) = ∫ f_i(x) Π_{j≠i} F_j(x) dx (f the posterior density, F its CDF) by
 *     composite Gauss–Legendre quadrature over the window where arm i's density matters (its mean ± 12 standard
 *     deviations, clipped to [0, 1]), so a posterior from a million deliveries, a few thousandths wide, is integrated
 *     where it is and not lost between the nodes of [0, 1]. The densities are evaluated in log space.
 * - The Beta CDF is the regularized incomplete beta function I_x(a, b), by its continued fraction evaluated with the
 *   modified Lentz method (W. H. Press et al., "Numerical Recipes", 3rd ed., 2007, §6.4 `betai`/`betacf`, and §5.2);
 *   ln Γ by the Lanczos approximation (C. Lanczos, SIAM J. Numer. Anal. B 1:86–96, 1964) with g = 7 and the nine
 *   coefficients P. Godfrey published (the set most libraries use), accurate to about 1e-15.
 *
 * Why the numbers are deterministic integrals rather than Monte Carlo draws: the dispatcher asks every minute, and a
 * verdict that flickered with the random draws would promote on noise.
 */
export interface Arm {
  readonly id: string;
  readonly trials: number;
  readonly successes: number;
}

export interface DecisionRule {
  /** The probability of being best an arm must reach to win, in (0.5, 1). */
  readonly threshold: number;
  /** Deliveries every arm must have before any verdict other than `min-sample`. */
  readonly minTrials: number;
  /**
   * The experiment's length: once every arm has more than this many deliveries, no winner is declared any more
   * (`concluded` says so; the verdict stays `no-clear-best`: the difference, if any, is too small to conclude from
   * this many). Without an end, a threshold checked every minute is eventually crossed by chance alone.
   */
  readonly maxTrials?: number;
}

/**
 * The default rule: 99.8% after 1,000 deliveries per arm, for at most 5,000. Chosen with the simulation
 * (bench/experiments.ts; docs/experiments.md has the measured rates, their machine and date): the dispatcher checks
 * every minute, and a naive 95% checked that often promotes one of two equal variants in about 4 runs of 10. With this
 * rule, two equal 4% variants got a winner in 4.0% of 1,000 seeded runs (95% interval 3.0–5.4%), three in fewer, and
 * a 6% variant beat a 4% one in 98.4% of runs (the 4% one never), after a median 1,637 deliveries of each.
 */
export const DEFAULT_DECISION_RULE: DecisionRule = { threshold: 0.998, minTrials: 1000, maxTrials: 5000 };

/** Whether the experiment has run its length (`rule.maxTrials` on every arm): from then on it never names a winner. */
export function concluded(arms: readonly Arm[], rule: DecisionRule = DEFAULT_DECISION_RULE): boolean {
  return rule.maxTrials !== undefined && arms.every((arm) => arm.trials > rule.maxTrials!);
}

export type Verdict =
  | { readonly kind: 'winner'; readonly arm: string; readonly probabilities: readonly number[] }
  | {
      readonly kind: 'waiting';
      readonly reason: 'min-sample' | 'no-clear-best';
      readonly probabilities: readonly number[];
    };

/*
 * Validation by hand rather than with zod, which the rest of the domain uses: the dispatcher calls `decide` every
 * minute for every running experiment and the simulation millions of times, and a zod parse of these few numbers
 * measured 45–65 µs, several times the two-arm computation itself.
 */
function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function checkArm(arm: Arm, where: string): void {
  if (typeof arm !== 'object' || arm === null) throw new RangeError(`invalid ${where}: must be an object`);
  if (typeof arm.id !== 'string' || arm.id.length === 0) throw new RangeError(`invalid ${where}: needs a non-empty id`);
  if (!isCount(arm.trials)) throw new RangeError(`invalid ${where} (${arm.id}): trials must be a whole number ≥ 0`);
  if (!isCount(arm.successes)) {
    throw new RangeError(`invalid ${where} (${arm.id}): successes must be a whole number ≥ 0`);
  }
  if (arm.successes > arm.trials) {
    throw new RangeError(`invalid ${where} (${arm.id}): successes (${arm.successes}) exceed trials (${arm.trials})`);
  }
}

/** Throws a RangeError naming the first problem: 2–4 arms, distinct ids, whole-number counts, successes ≤ trials. */
export function validateArms(arms: readonly Arm[]): void {
  const given: unknown = arms;
  if (!Array.isArray(given) || arms.length < 2 || arms.length > 4) {
    throw new RangeError('invalid arms: an experiment compares 2 to 4 arms');
  }
  arms.forEach((arm, i) => checkArm(arm, `arm ${i}`));
  if (new Set(arms.map((arm) => arm.id)).size !== arms.length) {
    throw new RangeError('invalid arms: arm ids must be distinct');
  }
}

function validateRule(rule: DecisionRule): void {
  if (typeof rule?.threshold !== 'number' || !(rule.threshold > 0.5 && rule.threshold < 1)) {
    throw new RangeError('invalid decision rule: threshold must be above 0.5 and below 1');
  }
  if (!isCount(rule.minTrials)) throw new RangeError('invalid decision rule: minTrials must be a whole number ≥ 0');
  if (rule.maxTrials !== undefined && !(isCount(rule.maxTrials) && rule.maxTrials >= rule.minTrials)) {
    throw new RangeError('invalid decision rule: maxTrials must be a whole number ≥ minTrials');
  }
}

/** P(arm i has the highest rate), Beta(1+s, 1+t-s) posteriors (uniform prior), in the arms' order; sums to 1. */
export function probabilityBest(arms: readonly Arm[]): number[] {
  validateArms(arms);
  const posteriors = arms.map(posterior);
  if (posteriors.length === 2) {
    const [a, b] = posteriors as [Posterior, Posterior];
    const bBeatsA = probabilityBBeatsA(a, b);
    return [1 - bBeatsA, bBeatsA];
  }
  return integratedProbabilityBest(posteriors);
}

/**
 * The verdict for these counts: `min-sample` while any arm has fewer than `rule.minTrials` deliveries; then the arm
 * whose probability of being best reaches `rule.threshold`, or `no-clear-best` (for good once `concluded`). The probabilities are always given,
 * in the arms' order, for the report.
 */
export function decide(arms: readonly Arm[], rule: DecisionRule = DEFAULT_DECISION_RULE): Verdict {
  validateRule(rule);
  const probabilities = probabilityBest(arms);
  if (arms.some((arm) => arm.trials < rule.minTrials)) {
    return { kind: 'waiting', reason: 'min-sample', probabilities };
  }
  const best = probabilities.indexOf(Math.max(...probabilities));
  if (probabilities[best]! >= rule.threshold && !concluded(arms, rule))
    return { kind: 'winner', arm: arms[best]!.id, probabilities };
  return { kind: 'waiting', reason: 'no-clear-best', probabilities };
}

/**
 * The central `level` credible interval of an arm's click rate (equal tails), for the report's chart: the rate is in
 * it with that probability, given the counts and the uniform prior.
 */
export function credibleInterval(arm: Arm, level = 0.95): { readonly low: number; readonly high: number } {
  checkArm(arm, 'arm');
  if (!(level > 0 && level < 1)) throw new RangeError('invalid level: must be between 0 and 1');
  const p = posterior(arm);
  const tail = (1 - level) / 2;
  return { low: betaQuantile(p, tail), high: betaQuantile(p, 1 - tail) };
}

/** The posterior's mean click rate: (1 + successes) / (2 + trials). */
export function posteriorMean(arm: Arm): number {
  return (1 + arm.successes) / (2 + arm.trials);
}

// ---------------------------------------------------------------------------------------------------------------
// Numerics. Exported for the tests that hold them against known values; not part of the experiments' contract.

export interface Posterior {
  readonly a: number;
  readonly b: number;
}

function posterior(arm: Arm): Posterior {
  return { a: 1 + arm.successes, b: 1 + arm.trials - arm.successes };
}

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x ≥ 0.5 (all this module needs: Beta parameters are at least 1). */
export function logGamma(x: number): number {
  const y = x - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (y + i);
  const t = y + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(sum);
}

export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/**
 * Miller's closed form for P(pB > pA). The sum runs over αB terms, so it is taken over the arm with fewer clicks
 * (P(pB > pA) = 1 − P(pA > pB): ties have probability zero). Term i+1 is term i times
 * (αA+i)(βB+i) / ((αA+βA+βB+i)(1+i)), which follows from B(x+1, y) = B(x, y)·x/(x+y); term 0 is B(αA, βA+βB) / B(αA, βA).
 */
export function probabilityBBeatsA(a: Posterior, b: Posterior): number {
  if (b.a > a.a) return 1 - probabilityBBeatsA(b, a);
  let logTerm = logBeta(a.a, a.b + b.b) - logBeta(a.a, a.b);
  // Streaming log-sum-exp: `max` is the largest log term so far, `scaled` the sum divided by e^max.
  let max = logTerm;
  let scaled = 1;
  for (let i = 0; i < b.a - 1; i++) {
    logTerm += Math.log(((a.a + i) * (b.b + i)) / ((a.a + a.b + b.b + i) * (1 + i)));
    if (logTerm > max) {
      scaled = scaled * Math.exp(max - logTerm) + 1;
      max = logTerm;
    } else {
      scaled += Math.exp(logTerm - max);
    }
  }
  return Math.min(1, Math.max(0, Math.exp(max + Math.log(scaled))));
}

/** ln of the Beta(a, b) density at x in (0, 1). */
function logDensity(p: Posterior, x: number, logNorm: number): number {
  return (p.a - 1) * Math.log(x) + (p.b - 1) * Math.log1p(-x) - logNorm;
}

const CF_EPSILON = 1e-15;
const CF_TINY = 1e-300;
const CF_MAX_ITERATIONS = 100_000;

/**
 * The continued fraction for I_x(a, b) by the modified Lentz method (Numerical Recipes §6.4 `betacf`). It converges
 * quickly for x < (a+1)/(a+b+2), in about O(√max(a, b)) iterations at worst.
 */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < CF_TINY) d = CF_TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= CF_MAX_ITERATIONS; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < CF_TINY) d = CF_TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < CF_TINY) c = CF_TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < CF_TINY) d = CF_TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < CF_TINY) c = CF_TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < CF_EPSILON) return h;
  }
  throw new Error(`incomplete beta did not converge for a=${a}, b=${b}, x=${x}`);
}

/** The regularized incomplete beta function I_x(a, b): the Beta(a, b) CDF at x. */
export function regularizedIncompleteBeta(x: number, a: number, b: number, logNorm = logBeta(a, b)): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const logFront = a * Math.log(x) + b * Math.log1p(-x) - logNorm;
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(logFront) * betaContinuedFraction(a, b, x)) / a;
  return 1 - (Math.exp(logFront) * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** Half-width of the window, in standard deviations, outside which a posterior's density is taken as zero. */
const WINDOW_SDS = 12;

interface Window {
  readonly low: number;
  readonly high: number;
}

function windowOf(p: Posterior): Window {
  const n = p.a + p.b;
  const mean = p.a / n;
  const sd = Math.sqrt((p.a * p.b) / (n * n * (n + 1)));
  return { low: Math.max(0, mean - WINDOW_SDS * sd), high: Math.min(1, mean + WINDOW_SDS * sd) };
}

/** Gauss–Legendre nodes and weights on [-1, 1] (Newton's method on P_n, as in Numerical Recipes §4.6 `gauleg`). */
function gaussLegendre(n: number): { nodes: number[]; weights: number[] } {
  const nodes: number[] = new Array<number>(n).fill(0);
  const weights: number[] = new Array<number>(n).fill(0);
  for (let i = 0; i < Math.ceil(n / 2); i++) {
    let z = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let derivative = 0;
    for (let iteration = 0; iteration < 100; iteration++) {
      let p1 = 1;
      let p2 = 0;
      for (let j = 1; j <= n; j++) {
        const p3 = p2;
        p2 = p1;
        p1 = ((2 * j - 1) * z * p2 - (j - 1) * p3) / j;
      }
      derivative = (n * (z * p1 - p2)) / (z * z - 1);
      const previous = z;
      z = previous - p1 / derivative;
      if (Math.abs(z - previous) < 1e-15) break;
    }
    nodes[i] = -z;
    nodes[n - 1 - i] = z;
    weights[i] = weights[n - 1 - i] = 2 / ((1 - z * z) * derivative * derivative);
  }
  return { nodes, weights };
}

/** Panels per window: each panel spans at most a third of the narrowest window it meets. */
const PANELS = 3;
const RULE = gaussLegendre(12);

/**
 * P(arm i best) = ∫ f_i(x) Π_{j≠i} F_j(x) dx for every arm at once. The axis is cut at the windows' ends (ends closer
 * than a panel of the narrowest window are merged, so near-equal arms do not cost slivers); each piece is integrated
 * by 12-point Gauss–Legendre panels no wider than a third of the narrowest window meeting it, so a narrow
 * posterior's CDF, a step on the scale of a wide one, is resolved wherever it rises. Within a piece every arm whose
 * window meets it is evaluated exactly (its CDF once per node, shared by the arms); an arm whose window lies wholly
 * below the piece has CDF 1 there, one wholly above makes every other arm's integrand 0, and its own density is 0.
 * The results are divided by their sum, which differs from 1 by the quadrature's error alone (about 1e-5 at worst
 * in the tests' sweep, from the tails beyond 12 standard deviations).
 */
export function integratedProbabilityBest(posteriors: readonly Posterior[]): number[] {
  const n = posteriors.length;
  const windows = posteriors.map(windowOf);
  const norms = posteriors.map((p) => logBeta(p.a, p.b));
  const narrowestOverall = Math.min(...windows.map((w) => w.high - w.low));
  const edges: number[] = [];
  for (const edge of windows.flatMap((w) => [w.low, w.high]).sort((x, y) => x - y)) {
    if (edges.length === 0 || edge - edges[edges.length - 1]! > narrowestOverall / PANELS) edges.push(edge);
    else if (edge === Math.max(...windows.map((w) => w.high))) edges[edges.length - 1] = edge;
  }
  const raw = new Array<number>(n).fill(0);
  const logCdf = new Array<number>(n).fill(0);
  const meets = new Array<boolean>(n).fill(false);
  for (let e = 0; e + 1 < edges.length; e++) {
    const low = edges[e]!;
    const high = edges[e + 1]!;
    let narrowest = Infinity;
    let blocked = false;
    for (let j = 0; j < n; j++) {
      const w = windows[j]!;
      meets[j] = w.low < high && w.high > low;
      if (meets[j]) narrowest = Math.min(narrowest, w.high - w.low);
      else if (w.low >= high) blocked = true;
    }
    if (narrowest === Infinity || blocked) continue;
    const panels = Math.max(1, Math.ceil((PANELS * (high - low)) / narrowest - 1e-9));
    const width = (high - low) / panels;
    for (let panel = 0; panel < panels; panel++) {
      const mid = low + (panel + 0.5) * width;
      for (let k = 0; k < RULE.nodes.length; k++) {
        const x = mid + (RULE.nodes[k]! * width) / 2;
        const w = (RULE.weights[k]! * width) / 2;
        if (x <= 0 || x >= 1) continue;
        for (let j = 0; j < n; j++) {
          const p = posteriors[j]!;
          logCdf[j] = meets[j] ? Math.log(regularizedIncompleteBeta(x, p.a, p.b, norms[j])) : 0;
        }
        for (let i = 0; i < n; i++) {
          if (!meets[i]) continue;
          let logIntegrand = logDensity(posteriors[i]!, x, norms[i]!);
          for (let j = 0; j < n; j++) if (j !== i) logIntegrand += logCdf[j]!;
          raw[i] = raw[i]! + w * Math.exp(logIntegrand);
        }
      }
    }
  }
  const sum = raw.reduce((s, v) => s + v, 0);
  return raw.map((v) => v / sum);
}

/** The q-quantile of Beta(a, b), by bisection on the CDF (to 1e-12: the report needs three digits). */
function betaQuantile(p: Posterior, q: number): number {
  const norm = logBeta(p.a, p.b);
  let low = 0;
  let high = 1;
  while (high - low > 1e-12) {
    const mid = (low + high) / 2;
    if (regularizedIncompleteBeta(mid, p.a, p.b, norm) < q) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}
