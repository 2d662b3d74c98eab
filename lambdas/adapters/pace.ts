/**
 * A pacer shared by everything one process sends: each call resolves at the next free slot,
 * so sends never exceed `perSecond` on average or burst above it.
 */
export function pacer(perSecond: number): () => Promise<void> {
  const interval = 1000 / perSecond;
  let nextSlot = 0;
  return () => {
    const now = performance.now();
    const slot = Math.max(now, nextSlot);
    nextSlot = slot + interval;
    const wait = slot - now;
    return wait < 1 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, wait));
  };
}
