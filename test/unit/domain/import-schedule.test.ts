import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { importSendTime, type ImportSpread } from '../../../lambdas/domain/import-schedule.ts';

const window = { start: '09:00', end: '18:00' };
const local = (at: Date, zone: string) => DateTime.fromJSDate(at, { zone });
const spread = (overrides: Partial<ImportSpread> = {}): ImportSpread => ({
  from: '2026-03-07',
  perDay: 500,
  window,
  now: new Date('2026-03-06T12:00:00Z'),
  ...overrides,
});

/** Every place's time, as the lead's local day and time of day. */
const plan = (places: number, zone: string, options: Partial<ImportSpread> = {}) =>
  Array.from({ length: places }, (_, place) => local(importSendTime(place, zone, spread(options)), zone));

describe('when an imported lead gets its first email', () => {
  for (const zone of ['America/New_York', 'America/Los_Angeles', 'Europe/London', 'Asia/Kolkata', 'Australia/Sydney']) {
    it(`1,200 leads at 500 a day in ${zone}: 500, 500 and 200 a day from the first day, all inside 09:00 to 18:00 local`, () => {
      const times = plan(1200, zone);
      const perDay = new Map<string, number>();
      for (const at of times) {
        perDay.set(at.toISODate()!, (perDay.get(at.toISODate()!) ?? 0) + 1);
        expect(at.toFormat('HH:mm:ss') >= '09:00:00' && at.toFormat('HH:mm:ss') < '18:00:00', at.toISO()!).toBe(true);
      }
      expect([...perDay]).toEqual([
        ['2026-03-07', 500],
        ['2026-03-08', 500],
        ['2026-03-09', 200],
      ]);
    });
  }

  it('spreads a day evenly across the window, never two at the same second', () => {
    const day = plan(500, 'America/Chicago').map((at) => at.toMillis());
    const gaps = day.slice(1).map((at, i) => at - day[i]!);
    // 9 hours over 500 leads: 64.8 s apart, rounded down to whole seconds.
    for (const gap of gaps) expect(gap / 1000).toBeGreaterThanOrEqual(64);
    for (const gap of gaps) expect(gap / 1000).toBeLessThanOrEqual(65);
  });

  it('keeps inside the window on the days DST starts (New York, 8 March 2026) and ends (Sydney, 5 April 2026)', () => {
    const newYork = plan(500, 'America/New_York', { from: '2026-03-08', perDay: 100 });
    expect(new Set(newYork.map((at) => at.toISODate()))).toEqual(
      new Set(['2026-03-08', '2026-03-09', '2026-03-10', '2026-03-11', '2026-03-12']),
    );
    const sydney = plan(300, 'Australia/Sydney', { from: '2026-04-05', perDay: 300, now: new Date('2026-04-01') });
    for (const at of [...newYork, ...sydney]) {
      expect(at.hour).toBeGreaterThanOrEqual(9);
      expect(at.hour).toBeLessThan(18);
    }
    expect(sydney[0]!.toISODate()).toBe('2026-04-05');
    // The same wall time of day either side of the change: the spread is in local time, not elapsed hours.
    const daily = spread({ from: '2026-03-07', perDay: 1 });
    const before = local(importSendTime(0, 'America/New_York', daily), 'America/New_York');
    const after = local(importSendTime(1, 'America/New_York', daily), 'America/New_York');
    expect(before.toFormat('HH:mm')).toBe(after.toFormat('HH:mm'));
    expect(after.toMillis() - before.toMillis()).toBe(23 * 3600_000);
  });

  it('a place already past today moves to the same time the next day, never into the past', () => {
    const now = new Date('2026-03-07T20:00:00Z'); // 15:00 in New York, 12:00 in Los Angeles
    const one = spread({ from: '2026-03-07', perDay: 1, now }); // one lead a day: the middle of the window, 13:30
    const newYork = local(importSendTime(0, 'America/New_York', one), 'America/New_York');
    const losAngeles = local(importSendTime(0, 'America/Los_Angeles', one), 'America/Los_Angeles');
    expect(newYork.toFormat("yyyy-MM-dd'T'HH:mm")).toBe('2026-03-08T13:30');
    expect(losAngeles.toFormat("yyyy-MM-dd'T'HH:mm")).toBe('2026-03-07T13:30');
  });
});
