import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  backlogFrom,
  backlogProbe,
  concurrencyFor,
  mergeReports,
  planWorkers,
  workerEvent,
  workerEvents,
  type FanOutSettings,
} from '../../../lambdas/domain/fan-out.ts';

const settings = (over: Partial<FanOutSettings> = {}): FanOutSettings => ({
  shards: 8,
  maxWorkers: 8,
  workerRate: 100,
  runBudgetMs: 50_000,
  ...over,
});

const anySettings = fc.record({
  shards: fc.integer({ min: 1, max: 64 }),
  maxWorkers: fc.integer({ min: 1, max: 64 }),
  workerRate: fc.integer({ min: 1, max: 1000 }),
  runBudgetMs: fc.integer({ min: 0, max: 60_000 }),
});
const anyRate = fc.double({ min: 0.01, max: 20_000, noNaN: true });
const anyDue = fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: undefined });

describe('splitting a run across workers', () => {
  it('every shard goes to exactly one worker, whatever the rate, settings and backlog', () => {
    fc.assert(
      fc.property(anySettings, anyRate, anyDue, (s, rate, due) => {
        const shards = planWorkers(s, rate, due).flatMap((worker) => worker.shards);
        expect(shards.toSorted((a, b) => a - b)).toEqual(Array.from({ length: s.shards }, (_, i) => i));
      }),
    );
  });

  it('all workers together never send faster than the run’s rate, and none is idle or paced at zero', () => {
    fc.assert(
      fc.property(anySettings, anyRate, anyDue, (s, rate, due) => {
        const workers = planWorkers(s, rate, due);
        expect(workers.reduce((sum, worker) => sum + worker.rate, 0)).toBeLessThanOrEqual(rate);
        for (const worker of workers) {
          expect(worker.rate).toBeGreaterThan(0);
          expect(worker.shards.length).toBeGreaterThan(0);
        }
        expect(workers.length).toBeLessThanOrEqual(Math.max(1, Math.min(s.maxWorkers, s.shards)));
      }),
    );
  });

  it('uses all of the rate, to within a thousandth of an email a second per worker', () => {
    fc.assert(
      fc.property(anySettings, anyRate, anyDue, (s, rate, due) => {
        const workers = planWorkers(s, rate, due);
        expect(workers.reduce((sum, worker) => sum + worker.rate, 0)).toBeGreaterThanOrEqual(
          rate - workers.length * 0.001,
        );
      }),
    );
  });

  it('keeps every worker within what one worker sustains whenever enough workers are allowed', () => {
    fc.assert(
      fc.property(anySettings, anyRate, (s, rate) => {
        fc.pre(rate / s.shards <= s.workerRate && s.maxWorkers >= s.shards);
        for (const worker of planWorkers(s, rate)) expect(worker.rate).toBeLessThanOrEqual(s.workerRate);
      }),
    );
  });

  it('one worker with every shard at the whole rate when one keeps up, when fan-out is off, or when little is due', () => {
    expect(planWorkers(settings(), 14)).toEqual([{ shards: [0, 1, 2, 3, 4, 5, 6, 7], rate: 14 }]);
    expect(planWorkers(settings({ maxWorkers: 1 }), 500)).toEqual([{ shards: [0, 1, 2, 3, 4, 5, 6, 7], rate: 500 }]);
    // One worker sends 100 a second for 50 s: 4,999 due leads are one worker's run.
    expect(planWorkers(settings(), 500, 4_999)).toHaveLength(1);
    expect(planWorkers(settings(), 500, 5_000)).toHaveLength(8);
  });

  it('as few workers as keep the busiest within the worker rate, shards split evenly', () => {
    // 200 a second over 8 shards: two workers of 4 shards at 100 each.
    expect(planWorkers(settings(), 200)).toEqual([
      { shards: [0, 2, 4, 6], rate: 100 },
      { shards: [1, 3, 5, 7], rate: 100 },
    ]);
    // 500 a second: 5 workers would give one of them 2 shards (125 a second), so 8 of 62.5.
    expect(planWorkers(settings(), 500).map((worker) => worker.rate)).toEqual(Array(8).fill(62.5));
    // At most maxWorkers, even when each must then go faster than the worker rate.
    expect(planWorkers(settings({ maxWorkers: 2 }), 500).map((worker) => worker.rate)).toEqual([250, 250]);
    // A rate a third of which is not a whole number of thousandths: rounded down, never over.
    expect(planWorkers(settings({ shards: 3, workerRate: 1 }), 1).map((worker) => worker.rate)).toEqual([1]);
    expect(planWorkers(settings({ shards: 3, workerRate: 4 }), 10).map((worker) => worker.rate)).toEqual([
      3.333, 3.333, 3.333,
    ]);
  });

  it('reads enough of each shard to tell one worker’s run from more', () => {
    // 100 a second for 50 s over 8 shards: 625 each, and one more to see past it.
    expect(backlogProbe(settings(), 500)).toBe(626);
    expect(backlogProbe(settings(), 40)).toBe(251);
  });

  it('counts the backlog from the probe, reading a full shard as one of many about as full', () => {
    expect(backlogFrom([3, 0, 2], 626)).toBe(5);
    expect(backlogFrom([626, 580, 600, 610], 626)).toBe(2504);
    expect(backlogFrom([], 626)).toBe(0);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => planWorkers(settings(), 0)).toThrow('must be positive');
  });
});

describe("a worker's event", () => {
  const event = workerEvents([{ shards: [1, 3], rate: 62.5 }], 1_800_000_000_000)[0]!;

  it('round-trips: what the scheduled run sends is what a worker accepts', () => {
    expect(workerEvent(JSON.parse(JSON.stringify(event)))).toEqual(event);
    expect(event).toEqual({
      kind: 'dispatch-worker',
      shards: [1, 3],
      rate: 62.5,
      stopAt: 1_800_000_000_000,
      worker: 0,
      of: 1,
    });
  });

  it('anything else is a scheduled run', () => {
    expect(workerEvent(undefined)).toBeUndefined();
    expect(workerEvent({ source: 'aws.events', 'detail-type': 'Scheduled Event' })).toBeUndefined();
  });

  it.each([
    ['no shard', { shards: [] }, 'shards'],
    ['a shard twice', { shards: [1, 1] }, 'must not repeat a shard'],
    ['a shard out of range', { shards: [64] }, 'shards.0'],
    ['a rate of zero', { rate: 0 }, 'rate'],
    ['an unknown field', { extra: true }, 'extra'],
  ])('a worker event with %s is refused, never taken for a scheduled run', (_, change, named) => {
    expect(() => workerEvent({ ...event, ...change })).toThrow(named);
  });
});

describe('a worker’s concurrency and the run’s report', () => {
  it('enough leads at once for the rate at a quarter of a second each, never under the setting or over 256', () => {
    expect(concurrencyFor(14, 8)).toBe(8);
    expect(concurrencyFor(100, 8)).toBe(25);
    expect(concurrencyFor(500, 8)).toBe(125);
    expect(concurrencyFor(5_000, 8)).toBe(256);
  });

  it('sums the workers’ counts and keeps the first account pause', () => {
    const base = mergeReports([]);
    const paused = { reason: 'MessageRejected', cause: 'identity-not-verified' };
    const merged = mergeReports([
      { ...base, due: 3, sent: 2, retry: 1 },
      { ...base, due: 4, paused: 1, untried: 3, pausedBy: paused },
    ]);
    expect(merged).toEqual({ ...base, due: 7, sent: 2, retry: 1, paused: 1, untried: 3, pausedBy: paused, workers: 2 });
  });
});
