import { describe, expect, it } from 'vitest';
import { tokenBucket } from '../../../lambdas/adapters/token-bucket.ts';

/** A clock that moves only when the bucket sleeps, so the test reads when each request was let through. */
function virtualTime() {
  let now = 0;
  return { now: () => now, sleep: async (ms: number) => void (now += ms) };
}

describe('the import pace (a token bucket)', () => {
  it('lets a second of requests through at once, then keeps to the rate: no second ever holds more than rate + burst', async () => {
    const time = virtualTime();
    const take = tokenBucket(25, time);
    const times: number[] = [];
    for (let i = 0; i < 250; i++) {
      await take(1);
      times.push(time.now());
    }
    expect(times.filter((t) => t === 0)).toHaveLength(25);
    for (const start of times)
      expect(times.filter((t) => t >= start && t < start + 1000).length).toBeLessThanOrEqual(50);
    // 225 more at 25 a second: about 9 seconds.
    expect(times.at(-1)! / 1000).toBeGreaterThanOrEqual(8.9);
    expect(times.at(-1)! / 1000).toBeLessThanOrEqual(9.1);
  });

  it('counts requests taken together: 100 leads at 5 requests each, at 100 a second, take about 4 seconds', async () => {
    const time = virtualTime();
    const take = tokenBucket(100, time);
    for (let i = 0; i < 100; i++) await take(5);
    expect(time.now() / 1000).toBeGreaterThanOrEqual(3.9);
    expect(time.now() / 1000).toBeLessThanOrEqual(4.1);
  });

  it('gives turns in the order they were asked for, when many wait at once', async () => {
    const time = virtualTime();
    const take = tokenBucket(2, time);
    const order: number[] = [];
    await Promise.all(Array.from({ length: 6 }, (_, i) => take(1).then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
