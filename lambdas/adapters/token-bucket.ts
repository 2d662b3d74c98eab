/**
 * A token bucket: `perSecond` tokens a second, up to a second's worth saved. `take(n)` resolves once n tokens are
 * there, in the order asked; more than a second's worth at once waits for a full bucket and leaves it in debt.
 * `npm run import` takes one token per table request, so an import keeps to `--rate` whatever the table's latency.
 */
export interface TokenBucketOptions {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export function tokenBucket(
  perSecond: number,
  { now = Date.now, sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)) }: TokenBucketOptions = {},
): (tokens: number) => Promise<void> {
  let tokens = perSecond;
  let at = now();
  let queue: Promise<void> = Promise.resolve();
  const refill = () => {
    const t = now();
    tokens = Math.min(perSecond, tokens + ((t - at) / 1000) * perSecond);
    at = t;
  };
  return (wanted) => {
    const turn = queue.then(async () => {
      refill();
      const needed = Math.min(wanted, perSecond);
      // A hair under a whole token is float rounding of the refill, not a reason to wait another millisecond.
      while (tokens < needed - 1e-9) {
        await sleep(Math.ceil(((needed - tokens) / perSecond) * 1000));
        refill();
      }
      tokens -= wanted;
    });
    queue = turn;
    return turn;
  };
}
