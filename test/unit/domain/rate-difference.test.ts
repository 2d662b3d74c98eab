import { describe, expect, it } from 'vitest';
import { newcombe, wilson } from '../../../lambdas/domain/rate-difference.ts';

const rounded = (values: { lower: number; upper: number } | undefined) =>
  values && [Number(values.lower.toFixed(4)), Number(values.upper.toFixed(4))];

describe("Wilson's interval for one rate", () => {
  // By hand: p = 0.9, z² = 3.8415; centre = (0.9 + 3.8415/100) / (1 + 3.8415/50) = 0.93841 / 1.07683 = 0.87146;
  // half = 1.96 × √(0.09/50 + 3.8415/10000) / 1.07683 = 1.96 × 0.046735 / 1.07683 = 0.08506.
  it('45/50: 0.7864 to 0.9565', () => {
    expect(rounded(wilson(45, 50))).toEqual([0.7864, 0.9565]);
  });

  it('0/n starts at 0 and n/n ends at 1, neither zero-width', () => {
    expect(wilson(0, 20).lower).toBe(0);
    expect(wilson(0, 20).upper).toBeGreaterThan(0.1);
    expect(wilson(20, 20).upper).toBe(1);
    expect(wilson(20, 20).lower).toBeLessThan(0.9);
  });

  it('with no trials, anything is possible', () => {
    expect(wilson(0, 0)).toEqual({ lower: 0, upper: 1 });
  });
});

describe("Newcombe's hybrid score interval for a difference (method 10)", () => {
  // Newcombe 1998 (doi:10.1002/(SICI)1097-0258(19980430)17:8<873::AID-SIM779>3.0.CO;2-I), table II, method 10. The
  // paper itself could not be opened here; (a) and (b) are as another package's tests quote them from it
  // (propint, "ci.two.indep.props produces the results reported in Newcombe1998"), and (a) by hand:
  //   56/70 = 0.8, Wilson (0.6918, 0.8770); 48/80 = 0.6, Wilson (0.4905, 0.7004)
  //   lower = 0.2 − √((0.8 − 0.6918)² + (0.7004 − 0.6)²) = 0.2 − √(0.011706 + 0.010080) = 0.2 − 0.1476 = 0.0524
  //   upper = 0.2 + √((0.8770 − 0.8)² + (0.6 − 0.4905)²) = 0.2 + √(0.005929 + 0.011990) = 0.2 + 0.1339 = 0.3339
  // The others are table II's remaining examples as this implementation computes them; they agree with the values
  // commonly quoted from it, but were not checked against the paper.
  it.each([
    [56, 70, 48, 80, 0.0524, 0.3339],
    [9, 10, 3, 10, 0.1705, 0.809],
    [5, 56, 0, 29, -0.0381, 0.1926],
    [0, 10, 0, 20, -0.1611, 0.2775],
    [0, 10, 0, 10, -0.2775, 0.2775],
    [10, 10, 0, 20, 0.6791, 1],
    [10, 10, 0, 10, 0.6075, 1],
  ])('%i/%i − %i/%i: %s to %s', (x1, n1, x2, n2, lower, upper) => {
    const result = newcombe(x1, n1, x2, n2);
    expect(result?.difference).toBeCloseTo(x1 / n1 - x2 / n2, 10);
    expect(rounded(result)).toEqual([lower, upper]);
  });

  it('is mirrored when the groups swap', () => {
    const ab = newcombe(12, 40, 5, 35)!;
    const ba = newcombe(5, 35, 12, 40)!;
    expect(ba.lower).toBeCloseTo(-ab.upper, 12);
    expect(ba.upper).toBeCloseTo(-ab.lower, 12);
  });

  it('never leaves [−1, 1], even for 1 of 1 against 0 of 1', () => {
    const tiny = newcombe(1, 1, 0, 1)!;
    expect(tiny.lower).toBeGreaterThanOrEqual(-1);
    expect(tiny.upper).toBeLessThanOrEqual(1);
    expect(tiny.lower).toBeLessThan(0); // one lead each says nothing
  });

  it('gives nothing when a group is empty', () => {
    expect(newcombe(3, 10, 0, 0)).toBeUndefined();
    expect(newcombe(0, 0, 3, 10)).toBeUndefined();
  });
});
