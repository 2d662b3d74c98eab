import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { pacer } from '../../../lambdas/adapters/pace.ts';

// A fake clock: these tests check the pacer's rules, not how fast anything runs. `stalled` is time that passed
// while no timer could fire, as when the event loop is busy.
let stalled = 0;
beforeEach(() => {
  stalled = 0;
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  vi.spyOn(performance, 'now').mockImplementation(() => Date.now() + stalled);
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** Take `count` turns at once and return when each was granted (fake milliseconds). */
function takeTurns(take: () => Promise<unknown>, count: number): number[] {
  const times: number[] = [];
  for (let i = 0; i < count; i++) void take().then(() => times.push(performance.now()));
  return times;
}

/** True when no window of `spanMs` holds more than `limit` of `times`. */
const withinLimit = (times: number[], limit: number, spanMs = 1000) =>
  times.slice(limit).every((t, i) => t - times[i]! >= spanMs);

describe('the send pacer', () => {
  it('queued sends take turns evenly at the rate, never more than the rate in any second', async () => {
    const pace = pacer(10);
    const times = takeTurns(() => pace.turn(), 35);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(times).toHaveLength(35);
    expect(withinLimit(times, 10)).toBe(true);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(99);
    expect(times.at(-1)! - times[0]!).toBeLessThan(3_500);
  });

  it('after a stall it catches up a little, still never more than the rate in any second', async () => {
    const pace = pacer(10);
    const times = takeTurns(() => pace.turn(), 40);
    await vi.advanceTimersByTimeAsync(450);
    stalled = 700; // the event loop was busy: no timer fired for 700 ms
    await vi.advanceTimersByTimeAsync(5_000);
    expect(times).toHaveLength(40);
    expect(withinLimit(times, 10)).toBe(true);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(Math.min(...gaps)).toBeLessThan(100); // some turns came sooner to make up lost time
  });

  it('a welcome takes the next turn, ahead of the backlog already waiting', async () => {
    const pace = pacer(10);
    const order: string[] = [];
    for (let i = 0; i < 5; i++) void pace.turn().then(() => order.push(`backlog ${i}`));
    await vi.advanceTimersByTimeAsync(50);
    void pace.turn('first').then(() => order.push('welcome'));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(order).toEqual(['backlog 0', 'welcome', 'backlog 1', 'backlog 2', 'backlog 3', 'backlog 4']);
  });

  it('a send that takes its turn is admitted to SES without waiting, however long the backlog', async () => {
    const pace = pacer(10);
    const waits: number[] = [];
    for (let i = 0; i < 60; i++) {
      void pace.turn().then(async () => {
        const turned = performance.now();
        await pace.admit();
        waits.push(performance.now() - turned);
      });
    }
    await vi.advanceTimersByTimeAsync(10_000);
    expect(waits).toHaveLength(60);
    expect(Math.max(...waits)).toBe(0);
  });

  it('one send slow to reach SES after its turn holds up a few sends once, not every send after it', async () => {
    const pace = pacer(10);
    const waits: number[] = [];
    for (let i = 0; i < 60; i++) {
      void pace.turn().then(async () => {
        // Between turn and request: a DynamoDB write, 5 ms, except once when it takes 600 ms.
        await new Promise((resolve) => setTimeout(resolve, i === 3 ? 600 : 5));
        const arrived = performance.now();
        await pace.admit();
        waits.push(performance.now() - arrived);
      });
    }
    await vi.advanceTimersByTimeAsync(12_000);
    expect(waits).toHaveLength(60);
    expect(waits.filter((wait) => wait > 0).length).toBeLessThanOrEqual(3);
    expect(waits.slice(-40).every((wait) => wait === 0)).toBe(true);
  });

  it('admits requests at once until one more would exceed the rate within a second, then holds it', async () => {
    const pace = pacer(10);
    const times = takeTurns(() => pace.admit(), 25);
    await vi.advanceTimersByTimeAsync(0);
    expect(times).toHaveLength(10);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(times).toHaveLength(25);
    expect(withinLimit(times, 10, 1000)).toBe(true);
  });

  it('a request held up after its admission counts from when it left, so no second holds more than the rate', async () => {
    const pace = pacer(2);
    const left: number[] = [];
    // The second request leaves 400 ms after its admission: work already queued on the event loop held it.
    const send = async (heldMs: number) => {
      const leaving = await pace.admit();
      if (heldMs > 0) await new Promise((resolve) => setTimeout(resolve, heldMs));
      leaving();
      left.push(performance.now());
    };
    for (const heldMs of [0, 400, 0, 0]) void send(heldMs);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(left).toHaveLength(4);
    expect(withinLimit(left, 2)).toBe(true);
  });
});
