/**
 * The experiments simulation (bench/experiments.ts) with the default decision rule, over a few hundred seeded runs:
 * a planted better variant is promoted in most runs (200), equal variants rarely are, and a naive 95% threshold looked at
 * every minute promotes equal variants far more often (why the default is not that). The seeds are fixed, so every
 * number here is the same on every run of the test: the bounds are loose only so that a deliberate change of the rule
 * or the simulation is judged by what it does, not by a number copied from its last run. `npm run bench -- --only
 * experiments` measures the same over 1,000 runs a scenario (docs/experiments.md).
 */
import { describe, expect, it } from 'vitest';
import { assignVariant, mulberry32, simulate, simulateRun, wilsonInterval } from '../../../bench/experiments.ts';
import { DEFAULT_DECISION_RULE } from '../../../lambdas/domain/experiment-stats.ts';

const SLOW = { timeout: 300_000 };

describe('the simulation with the default rule', () => {
  it('promotes a planted 6% variant over a 4% one in most of 200 runs, and the 4% one almost never', SLOW, () => {
    const result = simulate({ rates: [0.04, 0.06], runs: 200, seed: 17 });
    expect(result.promotedShare[1]).toBeGreaterThan(0.85);
    expect(result.wrongWinner.count).toBeLessThanOrEqual(4);
    // It waits for the minimum sample: no promotion before 1,000 deliveries of each variant.
    expect(result.medianDeliveriesPerVariantAtPromotion).toBeGreaterThanOrEqual(DEFAULT_DECISION_RULE.minTrials);
  });

  it('promotes one of two equal variants in few of 100 runs', SLOW, () => {
    const result = simulate({ rates: [0.04, 0.04], runs: 100, seed: 29 });
    expect(result.wrongWinner.count).toBeLessThanOrEqual(10);
    expect(result.noWinnerShare).toBeGreaterThanOrEqual(0.9);
  });

  it('a naive 95% threshold, looked at every minute, promotes equal variants far more often', SLOW, () => {
    const naive = { threshold: 0.95, minTrials: 100, maxTrials: 5000 };
    const result = simulate({ rates: [0.04, 0.04], runs: 50, seed: 29, rule: naive });
    expect(result.wrongWinner.count).toBeGreaterThan(10);
  });
});

describe('the simulation is deterministic and assigns like the service', () => {
  it('the same seed gives the same run', () => {
    const scenario = { rates: [0.04, 0.06], runs: 1, seed: 5 };
    expect(simulateRun(scenario, 0)).toEqual(simulateRun(scenario, 0));
    expect(simulateRun(scenario, 0)).not.toEqual(simulateRun(scenario, 1));
  });

  it('assignment is a function of the experiment and the lead, and splits leads evenly', () => {
    expect(assignVariant('experiment-1', 'lead-1', 2)).toBe(assignVariant('experiment-1', 'lead-1', 2));
    const counts = [0, 0, 0];
    for (let lead = 0; lead < 3000; lead++) counts[assignVariant('experiment-1', `lead-${lead}`, 3)]! += 1;
    for (const count of counts) expect(count).toBeGreaterThan(900);
    const other = Array.from({ length: 200 }, (_, lead) => assignVariant('experiment-2', `lead-${lead}`, 3));
    const first = Array.from({ length: 200 }, (_, lead) => assignVariant('experiment-1', `lead-${lead}`, 3));
    expect(other).not.toEqual(first);
  });

  it('mulberry32 repeats for a seed and stays in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const draws = Array.from({ length: 1000 }, () => a());
    expect(draws).toEqual(Array.from({ length: 1000 }, () => b()));
    for (const x of draws) expect(x >= 0 && x < 1).toBe(true);
    expect(draws.reduce((s, x) => s + x, 0) / draws.length).toBeCloseTo(0.5, 1);
  });

  it("Wilson's interval: 0 of 10 is [0, 0.278], 5 of 10 is [0.237, 0.763]", () => {
    const none = wilsonInterval(0, 10);
    expect(none.low).toBe(0);
    expect(none.high).toBeCloseTo(0.2775, 3);
    const half = wilsonInterval(5, 10);
    expect(half.low).toBeCloseTo(0.2366, 3);
    expect(half.high).toBeCloseTo(0.7634, 3);
  });
});
