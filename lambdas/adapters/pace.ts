/**
 * One pacer per process, shared by everything that process sends, so sends keep to `perSecond`:
 *   - `turn()` is taken before a send is committed to (before the in-flight mark): turns come evenly, 1% under
 *     perSecond, in order, a welcome (`'first'`) ahead of the backlog. After a stall (a busy event loop, a GC
 *     pause) turns catch up, so the average holds, but never more than perSecond of them in any one second.
 *   - `admit()` is awaited right before the request leaves for SES: it holds a request only if it would make more
 *     than perSecond requests in the last second, which the variable time between a turn and its request
 *     (one DynamoDB write) could otherwise do. Normally it does not wait at all.
 */
export interface Pacer {
  turn(priority?: 'first'): Promise<void>;
  admit(): Promise<void>;
}

/** The times of the last `limit` events, to keep any window of `spanMs` at `limit` events or fewer. */
class SlidingWindow {
  private readonly times: number[] = [];
  constructor(
    private readonly limit: number,
    private readonly spanMs = 1000,
  ) {}

  /** The earliest time at or after `now` when one more event keeps every window within the limit. */
  opensAt(now: number): number {
    return this.times.length < this.limit ? now : Math.max(now, this.times[0]! + this.spanMs);
  }

  record(at: number): void {
    this.times.push(at);
    if (this.times.length > this.limit) this.times.shift();
  }
}

/** Waiters released one at a time, each no earlier than `earliest()` says, a `'first'` one ahead of the others. */
function releaseQueue({ earliest, onRelease, onWake }: { earliest: (now: number) => number; onRelease: (at: number) => void; onWake?: (now: number) => void }) {
  const first: (() => void)[] = [];
  const rest: (() => void)[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const pump = () => {
    timer = undefined;
    while (first.length + rest.length > 0) {
      const now = performance.now();
      const at = earliest(now);
      if (at > now) {
        timer = setTimeout(pump, Math.max(1, Math.ceil(at - now)));
        return;
      }
      onRelease(now);
      (first.shift() ?? rest.shift())!();
    }
  };
  return (priority?: 'first') =>
    new Promise<void>((resolve) => {
      const idle = first.length + rest.length === 0;
      if (idle) onWake?.(performance.now());
      (priority === 'first' ? first : rest).push(resolve);
      if (idle) pump();
    });
}

/** How far turns may catch up on a schedule they fell behind while there was a queue. */
const CATCH_UP_MS = 100;
/**
 * A little over a second, so a request that reaches the wire a moment after its admission still keeps any one
 * second within the limit. Turns keep to the same span, so they never come faster than requests are admitted and
 * admission only ever waits out that moment, never a queue.
 */
const SPAN_MS = 1010;

export function pacer(perSecond: number): Pacer {
  const limit = Math.max(1, Math.floor(perSecond));
  const interval = (SPAN_MS / 1000) * (1000 / perSecond);
  const turns = new SlidingWindow(limit, SPAN_MS);
  const requests = new SlidingWindow(limit, SPAN_MS);
  // The nominal time of the next turn. While there is a queue, turns follow this schedule rather than the last
  // release, so timer lateness does not lower the rate; a queue that forms after an idle spell starts from now.
  let nextSlot = 0;
  return {
    turn: releaseQueue({
      earliest: (now) => turns.opensAt(Math.max(now, nextSlot)),
      onRelease: (at) => {
        nextSlot = Math.max(nextSlot, at - CATCH_UP_MS) + interval;
        turns.record(at);
      },
      onWake: (now) => void (nextSlot = Math.max(nextSlot, now)),
    }),
    admit: releaseQueue({ earliest: (now) => requests.opensAt(now), onRelease: (at) => requests.record(at) }),
  };
}
