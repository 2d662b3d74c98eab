import { afterEach, describe, expect, it, vi } from 'vitest';
import { elapsed, progress } from '../../../local/progress.ts';

/** A stream that keeps what is written, and a clock the test moves. */
function setup(isTTY: boolean) {
  const written: string[] = [];
  let now = 0;
  const stream = { isTTY, write: (text: string) => written.push(text) };
  return { written, stream, clock: () => now, advance: (ms: number) => void (now += ms) };
}

afterEach(() => void vi.useRealTimers());

describe('progress', () => {
  it('off a terminal: one line a step, with the time since the start, and a count at most every few seconds (a new one at once)', () => {
    const { written, stream, clock, advance } = setup(false);
    const say = progress('bench', { stream, now: clock, every: 5000 });
    say.step('due: started');
    for (let done = 1000; done <= 100_000; done += 1000) {
      advance(500);
      say.count('due: seeding leads', done, 100_000);
    }
    advance(1000);
    say.count('due: collection runs', 1, 41);
    advance(61_000);
    say.done('done');
    expect(written).toEqual([
      '[bench 0:00] due: started\n',
      '[bench 0:00] due: seeding leads: 1,000 of 100,000\n',
      ...[11, 21, 31, 41, 51, 61, 71, 81, 91].map(
        (n) =>
          `[bench 0:${String(Math.floor((n * 500) / 1000)).padStart(2, '0')}] due: seeding leads: ${n},000 of 100,000\n`,
      ),
      '[bench 0:50] due: seeding leads: 100,000 of 100,000\n',
      '[bench 0:51] due: collection runs: 1 of 41\n',
      '[bench 1:52] done\n',
    ]);
  });

  it('on a terminal: a count rewrites its own line, and the next step starts a new one', () => {
    const { written, stream, clock, advance } = setup(true);
    const say = progress('bench', { stream, now: clock });
    say.count('speed: sign-ups', 1, 3);
    advance(200);
    say.count('speed: sign-ups', 2, 3);
    advance(200);
    say.count('speed: sign-ups', 3, 3);
    say.step('speed: done');
    expect(written.join('')).toBe(
      '[bench 0:00] speed: sign-ups: 1 of 3\r\x1b[K[bench 0:00] speed: sign-ups: 2 of 3\r\x1b[K[bench 0:00] speed: sign-ups: 3 of 3\n[bench 0:00] speed: done\n',
    );
  });

  it('with quietFor, says nothing when the work ends in time', () => {
    vi.useFakeTimers();
    const { written, stream } = setup(false);
    const say = progress('report', { stream, quietFor: 2000 });
    say.step('scanning table nurture-local');
    say.count('items scanned', 500);
    vi.advanceTimersByTime(1500);
    say.done('scanned 500 items');
    vi.advanceTimersByTime(5000);
    expect(written).toEqual([]);
  });

  it('with quietFor, says what it is doing once the work outlasts it, and how it ended', () => {
    vi.useFakeTimers();
    const { written, stream } = setup(false);
    const say = progress('report', { stream, quietFor: 2000, now: Date.now });
    say.step('scanning table nurture-local');
    say.count('items scanned', 500);
    vi.advanceTimersByTime(2000);
    say.count('items scanned', 1500);
    say.done('scanned 1,500 items');
    expect(written).toEqual([
      '[report 0:02] items scanned: 500\n',
      '[report 0:02] items scanned: 1,500\n',
      '[report 0:02] scanned 1,500 items\n',
    ]);
  });

  it('elapsed time reads m:ss, or h:mm:ss past an hour', () => {
    expect(elapsed(0)).toBe('0:00');
    expect(elapsed(65_400)).toBe('1:05');
    expect(elapsed(3_725_000)).toBe('1:02:05');
  });
});
