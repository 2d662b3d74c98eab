import { describe, expect, it } from 'vitest';
import { whileSendInFlight } from '../../../lambdas/domain/stop.ts';

describe('waiting out a send in flight', () => {
  it('on a clock running 2,000 times faster, a mark a virtual minute old still counts as in flight', async () => {
    const clock = { now: () => new Date('2026-03-05T15:00:00Z'), speed: 2000 };
    const seen: Date[] = [];
    await whileSendInFlight(
      { store: undefined as never, clock, sendTimeoutMs: 15_000 },
      async (since) => (seen.push(since), 'done'),
    );
    const markAMinuteAgo = clock.now().getTime() - 60_000;
    expect(seen[0]!.getTime()).toBeLessThan(markAMinuteAgo);
  });

  it('a lead that keeps changing under the write is given up on with an error, not retried forever', async () => {
    let attempts = 0;
    const write = whileSendInFlight(
      { store: undefined as never, clock: { now: () => new Date() }, sendTimeoutMs: 15_000 },
      async () => {
        attempts++;
        return 'conflict' as const;
      },
    );
    await expect(write).rejects.toThrow(/kept changing/);
    expect(attempts).toBeGreaterThan(1); // a conflict is tried again at once, for a while
  });
});
