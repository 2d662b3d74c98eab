/**
 * One pacer per process, shared by everything that process sends, so sends keep to `perSecond`:
 *   - `turn()` is taken before a send is committed to (before the in-flight mark): turns come evenly, 1% under
 *     perSecond, in order, a welcome (`'first'`) ahead of the backlog, never more than perSecond in any second,
 *     and never before admission would let one more request through.
 *   - `admit()` is awaited right before the request leaves for SES: it holds a request only if it would make more
 *     than perSecond requests in the last second, which the variable time between a turn and its request
 *     (one DynamoDB write) could otherwise do. While it holds one, no turns are given. So the waiting happens at
 *     the turn, before anything is marked in flight, and a slow request shifts the schedule once instead of
 *     holding up every send after it. The request's second counts from when it leaves (`leaving()`), which can
 *     be a while after its admission when other work (a render, say) is already queued on the event loop.
 */
export interface Pacer {
  turn: (priority?: 'first') => Promise<void>;
  /**
   * Resolves when one more request keeps every second within the rate, with `leaving`: call it as the request
   * leaves, so its second counts from then. Work already queued on the event loop can hold a request for a while
   * after its admission, and the next admissions must not count from the earlier time.
   */
  admit: () => Promise<Leaving>;
}

/** Marks the admitted request as leaving now. */
export type Leaving = () => void;

/**
 * A little over a second, so a request that reaches the wire a moment after its admission still keeps any one
 * second within the limit. Turns keep to the same span, so they do not come faster than requests are admitted.
 */
const SPAN_MS = 1010;

/** The times of the last `limit` events, to keep any window of SPAN_MS at `limit` events or fewer. */
class SlidingWindow {
  private readonly times: { at: number }[] = [];
  constructor(private readonly limit: number) {}

  /** The earliest time at or after `now` when one more event keeps every window within the limit. */
  opensAt(now: number): number {
    return this.times.length < this.limit ? now : Math.max(now, this.times[0]!.at + SPAN_MS);
  }

  /** Record an event at `at`; the returned function moves it later, to `later`, if it is still kept. */
  record(at: number): (later: number) => void {
    const event = { at };
    this.times.push(event);
    if (this.times.length > this.limit) this.times.shift();
    return (later) => {
      if (later <= event.at) return;
      event.at = later;
      this.times.sort((a, b) => a.at - b.at);
    };
  }
}

export function pacer(perSecond: number): Pacer {
  const limit = Math.max(1, Math.floor(perSecond));
  const interval = SPAN_MS / perSecond;
  // How far turns may catch up on a schedule they fell behind while there was a queue: timer lateness, never so
  // much that two turns come at once (both would be let through by the same state of admission).
  const catchUpMs = interval / 2;
  const turnTimes = new SlidingWindow(limit);
  const requestTimes = new SlidingWindow(limit);
  const firstTurns: (() => void)[] = [];
  const turns: (() => void)[] = [];
  const admissions: ((leaving: Leaving) => void)[] = [];
  // The nominal time of the next turn. While turns are queued they follow this schedule rather than the last
  // release, so timer lateness does not lower the rate; a queue that forms after an idle spell starts from now.
  let nextSlot = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const pump = () => {
    timer = undefined;
    for (;;) {
      const now = performance.now();
      if (admissions.length > 0) {
        const at = requestTimes.opensAt(now);
        if (at <= now) {
          const moveTo = requestTimes.record(now);
          admissions.shift()!(() => moveTo(performance.now()));
          continue;
        }
        timer = setTimeout(pump, Math.max(1, Math.ceil(at - now)));
        return;
      }
      if (firstTurns.length + turns.length > 0) {
        // Not before admission would let a request through, so turns follow the requests SES actually saw.
        const at = Math.max(turnTimes.opensAt(Math.max(now, nextSlot)), requestTimes.opensAt(now));
        if (at <= now) {
          nextSlot = Math.max(nextSlot, now - catchUpMs) + interval;
          turnTimes.record(now);
          (firstTurns.shift() ?? turns.shift())!();
          continue;
        }
        timer = setTimeout(pump, Math.max(1, Math.ceil(at - now)));
      }
      return;
    }
  };
  const wake = () => {
    if (timer) clearTimeout(timer);
    pump();
  };

  return {
    turn: (priority) =>
      new Promise<void>((resolve) => {
        if (firstTurns.length + turns.length === 0) nextSlot = Math.max(nextSlot, performance.now());
        (priority === 'first' ? firstTurns : turns).push(resolve);
        wake();
      }),
    admit: () =>
      new Promise<Leaving>((resolve) => {
        admissions.push(resolve);
        wake();
      }),
  };
}
