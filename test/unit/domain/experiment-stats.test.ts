/**
 * The experiment statistics against values derived by hand from the Beta densities, Miller's closed form against the
 * integral, a large sample against the normal approximation, and the properties any probability of being best must
 * have. The hand derivations use Beta(1,1) (density 1, CDF x), Beta(2,1) (density 2x, CDF x²) and Beta(1,2)
 * (density 2(1−x), CDF 1−(1−x)²): an arm with no deliveries, one delivered once and clicked, one delivered once and
 * not clicked.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  concluded,
  credibleInterval,
  decide,
  DEFAULT_DECISION_RULE,
  integratedProbabilityBest,
  logGamma,
  probabilityBBeatsA,
  probabilityBest,
  regularizedIncompleteBeta,
  type Arm,
} from '../../../lambdas/domain/experiment-stats.ts';

const arm = (id: string, trials: number, successes: number): Arm => ({ id, trials, successes });
const untried = (id: string) => arm(id, 0, 0);
const clicked = (id: string) => arm(id, 1, 1);
const ignored = (id: string) => arm(id, 1, 0);
const posterior = (a: Arm) => ({ a: 1 + a.successes, b: 1 + a.trials - a.successes });

/** The standard normal CDF (Abramowitz & Stegun 26.2.17, error < 7.5e-8): enough for a 1e-3 comparison. */
function normalCdf(z: number): number {
  const t = 1 / (1 + 0.2316419 * Math.abs(z));
  const poly = t * (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  const tail = (Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI)) * poly;
  return z >= 0 ? 1 - tail : tail;
}

describe('the numerical building blocks', () => {
  it('ln Γ matches factorials and Γ(1/2) = √π', () => {
    expect(logGamma(1)).toBeCloseTo(0, 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    expect(logGamma(10)).toBeCloseTo(Math.log(362_880), 10);
    expect(logGamma(101) / Math.log(10)).toBeCloseTo(157.9700036547, 8); // log10(100!)
  });

  it('the incomplete beta function is the Beta CDF: I_x(1,1) = x, I_x(2,1) = x², I_½(2,3) = 11/16', () => {
    expect(regularizedIncompleteBeta(0.3, 1, 1)).toBeCloseTo(0.3, 12);
    expect(regularizedIncompleteBeta(0.7, 2, 1)).toBeCloseTo(0.49, 12);
    expect(regularizedIncompleteBeta(0.5, 2, 3)).toBeCloseTo(11 / 16, 12);
    expect(regularizedIncompleteBeta(0.5, 500, 500)).toBeCloseTo(0.5, 12);
    expect(regularizedIncompleteBeta(0, 3, 4)).toBe(0);
    expect(regularizedIncompleteBeta(1, 3, 4)).toBe(1);
  });
});

describe('probabilityBest: known values', () => {
  it('two arms with no deliveries: 0.5 each', () => {
    expect(probabilityBest([untried('a'), untried('b')])).toEqual([0.5, 0.5].map((p) => expect.closeTo(p, 12)));
  });

  it('Beta(2,1) against Beta(1,1): ∫ 2x · x dx = 2/3', () => {
    const [a, b] = probabilityBest([clicked('a'), untried('b')]);
    expect(a).toBeCloseTo(2 / 3, 12);
    expect(b).toBeCloseTo(1 / 3, 12);
  });

  it('Beta(2,1) against Beta(1,2): ∫ 2x (1 − (1−x)²) dx = 5/6', () => {
    expect(probabilityBest([clicked('a'), ignored('b')])[0]).toBeCloseTo(5 / 6, 12);
  });

  it('three arms with no deliveries: 1/3 each; four: 1/4 each', () => {
    for (const p of probabilityBest([untried('a'), untried('b'), untried('c')])) expect(p).toBeCloseTo(1 / 3, 6);
    for (const p of probabilityBest(['a', 'b', 'c', 'd'].map(untried))) expect(p).toBeCloseTo(1 / 4, 6);
  });

  it('Beta(2,1) against two Beta(1,1): ∫ 2x · x² dx = 1/2, the others 1/4', () => {
    const [a, b, c] = probabilityBest([clicked('a'), untried('b'), untried('c')]);
    expect(a).toBeCloseTo(1 / 2, 6);
    expect(b).toBeCloseTo(1 / 4, 6);
    expect(c).toBeCloseTo(1 / 4, 6);
  });

  it('Beta(2,1) against three Beta(1,1): ∫ 2x · x³ dx = 2/5, the others 1/5', () => {
    const [a, ...rest] = probabilityBest([clicked('a'), untried('b'), untried('c'), untried('d')]);
    expect(a).toBeCloseTo(2 / 5, 6);
    for (const p of rest) expect(p).toBeCloseTo(1 / 5, 6);
  });

  it('Beta(1,2) against two Beta(1,1): ∫ 2(1−x) · x² dx = 1/6, the others 5/12', () => {
    const [a, b, c] = probabilityBest([ignored('a'), untried('b'), untried('c')]);
    expect(a).toBeCloseTo(1 / 6, 6);
    expect(b).toBeCloseTo(5 / 12, 6);
    expect(c).toBeCloseTo(5 / 12, 6);
  });

  it("Miller's formula summed by hand: 2 of 3 clicked beats 1 of 3 with P = 2/5 + 8/35 + 9/70 = 53/70", () => {
    // αA=2, βA=3, αB=3, βB=2: P(pB > pA) = Σ_{i=0}^{2} B(2+i, 5) / ((2+i) · B(1+i, 2) · B(2, 3)), with
    // B(x, y) = (x−1)!(y−1)!/(x+y−1)!: the terms are 2/5, 8/35 and 9/70 (worked in exact fractions).
    const [a, b] = probabilityBest([arm('a', 3, 1), arm('b', 3, 2)]);
    expect(b).toBeCloseTo(53 / 70, 12);
    expect(a).toBeCloseTo(17 / 70, 12);
    const integral = integratedProbabilityBest([posterior(arm('a', 3, 1)), posterior(arm('b', 3, 2))]);
    expect(integral[1]).toBeCloseTo(53 / 70, 6);
  });

  it('symmetric arms are equal, in either order', () => {
    const [a, b] = probabilityBest([arm('a', 5000, 200), arm('b', 5000, 200)]);
    expect(a).toBeCloseTo(0.5, 9);
    expect(b).toBeCloseTo(0.5, 9);
    const three = probabilityBest([arm('a', 800, 30), arm('b', 800, 30), arm('c', 800, 30)]);
    for (const p of three) expect(p).toBeCloseTo(1 / 3, 5);
  });

  it('the two-arm closed form and the integral agree to 1e-5 from one delivery to a million', () => {
    const cases: [Arm, Arm][] = [
      [arm('a', 10, 2), arm('b', 12, 5)],
      [arm('a', 100, 10), arm('b', 100, 15)],
      [arm('a', 5000, 200), arm('b', 5000, 230)],
      [arm('a', 300, 0), arm('b', 20_000, 3)],
      [arm('a', 1_000_000, 40_000), arm('b', 1_000_000, 40_300)],
      [arm('a', 1_000_000, 500_000), arm('b', 900_000, 450_900)],
      [arm('a', 50, 40), arm('b', 1_000_000, 800_000)],
    ];
    for (const [a, b] of cases) {
      const closed = probabilityBBeatsA(posterior(a), posterior(b));
      const integral = integratedProbabilityBest([posterior(a), posterior(b)])[1]!;
      expect(Math.abs(closed - integral), `${JSON.stringify([a, b])}`).toBeLessThan(1e-5);
    }
  });

  it('a million deliveries each agrees with the normal approximation to 1e-3', () => {
    const a = arm('a', 1_000_000, 40_000);
    const b = arm('b', 1_000_000, 40_300);
    const moments = (x: Arm) => {
      const { a: al, b: be } = posterior(x);
      return { mean: al / (al + be), variance: (al * be) / ((al + be) ** 2 * (al + be + 1)) };
    };
    const [ma, mb] = [moments(a), moments(b)];
    const normal = normalCdf((mb.mean - ma.mean) / Math.sqrt(ma.variance + mb.variance));
    expect(probabilityBest([a, b])[1]).toBeCloseTo(normal, 3);
    expect(normal).toBeGreaterThan(0.8); // a case where the answer is not trivially 0.5 or 1
    const four = probabilityBest([a, b, arm('c', 1_000_000, 40_100), arm('d', 1_000_000, 39_000)]);
    expect(four.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 9);
    expect(four[3]).toBeLessThan(1e-6);
    expect(four[1]).toBeGreaterThan(four[2]!);
    expect(four[2]).toBeGreaterThan(four[0]!);
  });
});

describe('probabilityBest: properties', () => {
  const armCounts = fc
    .tuple(fc.integer({ min: 0, max: 20_000 }), fc.double({ min: 0, max: 1, noNaN: true }))
    .map(([trials, rate]) => ({ trials, successes: Math.floor(trials * rate) }));
  const arms = fc
    .array(armCounts, { minLength: 2, maxLength: 4 })
    .map((counts) => counts.map((c, i) => arm(`v${i}`, c.trials, c.successes)));

  it('sums to 1 and lies in [0, 1]', () => {
    fc.assert(
      fc.property(arms, (list) => {
        const ps = probabilityBest(list);
        expect(ps.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 9);
        for (const p of ps) expect(p).toBeGreaterThanOrEqual(0);
        for (const p of ps) expect(p).toBeLessThanOrEqual(1 + 1e-12);
      }),
      { numRuns: 150 },
    );
  });

  it('one more click never lowers an arm’s probability; one more unclicked delivery never raises it', () => {
    fc.assert(
      fc.property(arms, fc.nat(), (list, pick) => {
        const i = pick % list.length;
        const before = probabilityBest(list)[i]!;
        const withClick = list.map((a, j) => (j === i ? arm(a.id, a.trials + 1, a.successes + 1) : a));
        const withMiss = list.map((a, j) => (j === i ? arm(a.id, a.trials + 1, a.successes) : a));
        expect(probabilityBest(withClick)[i]!).toBeGreaterThanOrEqual(before - 1e-5);
        expect(probabilityBest(withMiss)[i]!).toBeLessThanOrEqual(before + 1e-5);
      }),
      { numRuns: 100 },
    );
  });

  it('does not depend on the order of the arms', () => {
    fc.assert(
      fc.property(arms, (list) => {
        const reversed = [...list].reverse();
        const forward = probabilityBest(list);
        const backward = probabilityBest(reversed).reverse();
        forward.forEach((p, i) => expect(backward[i]).toBeCloseTo(p, 5));
      }),
      { numRuns: 100 },
    );
  });
});

describe('decide', () => {
  const rule = { threshold: 0.95, minTrials: 100 };

  it('waits for the minimum sample on every arm, however clear the lead, and still gives the probabilities', () => {
    const verdict = decide([arm('a', 99, 0), arm('b', 500, 250)], rule);
    expect(verdict).toMatchObject({ kind: 'waiting', reason: 'min-sample' });
    expect(verdict.probabilities[1]).toBeGreaterThan(0.999);
  });

  it('names the arm whose probability of being best reaches the threshold', () => {
    expect(decide([arm('a', 1000, 40), arm('b', 1000, 80)], rule)).toMatchObject({ kind: 'winner', arm: 'b' });
    expect(decide([arm('a', 1000, 80), arm('b', 1000, 40), arm('c', 1000, 41)], rule)).toMatchObject({
      kind: 'winner',
      arm: 'a',
    });
  });

  it('waits with no clear best when the leader is below the threshold', () => {
    const verdict = decide([arm('a', 1000, 40), arm('b', 1000, 45)], rule);
    expect(verdict).toMatchObject({ kind: 'waiting', reason: 'no-clear-best' });
    expect(verdict.probabilities[1]).toBeGreaterThan(0.5);
    expect(verdict.probabilities[1]).toBeLessThan(0.95);
  });

  it('names no winner once every arm has run the experiment’s length, however clear: it is concluded', () => {
    const capped = { ...rule, maxTrials: 1000 };
    const atLength = [arm('a', 1000, 40), arm('b', 1000, 80)];
    expect(decide(atLength, capped)).toMatchObject({ kind: 'winner', arm: 'b' });
    expect(concluded(atLength, capped)).toBe(false);
    const past = [arm('a', 1001, 40), arm('b', 1001, 80)];
    const verdict = decide(past, capped);
    expect(verdict).toMatchObject({ kind: 'waiting', reason: 'no-clear-best' });
    expect(verdict.probabilities[1]).toBeGreaterThan(0.99);
    expect(concluded(past, capped)).toBe(true);
    // One arm still short of the length: the experiment goes on.
    expect(concluded([arm('a', 1001, 40), arm('b', 999, 80)], capped)).toBe(false);
    expect(concluded(past, rule)).toBe(false);
  });

  it('the default rule: 99.8% after 1,000 deliveries of each arm, for at most 5,000', () => {
    expect(DEFAULT_DECISION_RULE).toEqual({ threshold: 0.998, minTrials: 1000, maxTrials: 5000 });
  });

  it('uses the default rule when none is given', () => {
    const small = DEFAULT_DECISION_RULE.minTrials - 1;
    expect(decide([arm('a', small, 0), arm('b', small, small)])).toMatchObject({ reason: 'min-sample' });
  });

  it('refuses counts that cannot be, with a message naming the problem', () => {
    expect(() => probabilityBest([arm('a', 10, 1)])).toThrow(/2 to 4 arms/);
    expect(() => probabilityBest(['a', 'b', 'c', 'd', 'e'].map(untried))).toThrow(/2 to 4 arms/);
    expect(() => probabilityBest([arm('a', 10, 11), untried('b')])).toThrow(/successes \(11\) exceed trials \(10\)/);
    expect(() => probabilityBest([arm('a', 10.5, 1), untried('b')])).toThrow(/trials must be a whole number/);
    expect(() => probabilityBest([arm('a', 10, -1), untried('b')])).toThrow(/successes must be a whole number/);
    expect(() => probabilityBest([arm('a', Number.NaN, 1), untried('b')])).toThrow(/trials/);
    expect(() => probabilityBest([untried('a'), untried('a')])).toThrow(/distinct/);
    expect(() => probabilityBest([untried(''), untried('b')])).toThrow(/id/);
    expect(() => decide([untried('a'), untried('b')], { threshold: 0.5, minTrials: 1 })).toThrow(/threshold/);
    expect(() => decide([untried('a'), untried('b')], { threshold: 1, minTrials: 1 })).toThrow(/threshold/);
    expect(() => decide([untried('a'), untried('b')], { threshold: 0.9, minTrials: -1 })).toThrow(/minTrials/);
    expect(() => decide([untried('a'), untried('b')], { threshold: 0.9, minTrials: 10, maxTrials: 5 })).toThrow(
      /maxTrials/,
    );
  });
});

describe('credibleInterval', () => {
  it('is the equal-tailed quantiles: Beta(1,1) → [0.025, 0.975], Beta(2,1) → [√0.025, √0.975]', () => {
    const flat = credibleInterval(untried('a'));
    expect(flat.low).toBeCloseTo(0.025, 9);
    expect(flat.high).toBeCloseTo(0.975, 9);
    const once = credibleInterval(clicked('a'));
    expect(once.low).toBeCloseTo(Math.sqrt(0.025), 9);
    expect(once.high).toBeCloseTo(Math.sqrt(0.975), 9);
  });

  it('narrows around the observed rate as deliveries grow', () => {
    const small = credibleInterval(arm('a', 100, 4));
    const large = credibleInterval(arm('a', 100_000, 4_000));
    expect(large.high - large.low).toBeLessThan((small.high - small.low) / 10);
    expect(large.low).toBeLessThan(0.04);
    expect(large.high).toBeGreaterThan(0.04);
  });
});
