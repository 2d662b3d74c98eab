import type { Clock } from '../domain/ports.ts';

export const systemClock: Clock = { now: () => new Date() };

/**
 * Time that runs `speed` times faster than the wall clock, from `start`.
 * The local runtime uses it so a month-long sequence plays out in minutes.
 */
export function virtualClock(speed: number, start: Date = new Date()): Clock & { speed: number } {
  const realStart = Date.now();
  return { speed, now: () => new Date(start.getTime() + (Date.now() - realStart) * speed) };
}
