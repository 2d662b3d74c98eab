import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { localDate, sendTimeFor } from '../../../lambdas/domain/schedule.ts';
import type { Sequence, SequenceStep } from '../../../lambdas/domain/sequence.ts';

const sequence: Pick<Sequence, 'window' | 'onePerDay'> = { window: { start: '09:00', end: '18:00' }, onePerDay: true };
const inZone = (iso: string, zone: string) => DateTime.fromISO(iso, { zone }).toJSDate();
const local = (at: Date, zone: string) => DateTime.fromJSDate(at, { zone }).toFormat("yyyy-MM-dd'T'HH:mm");
const step = (after: SequenceStep['after'], immediate = false): SequenceStep => ({
  id: 's',
  class: 'marketing',
  after,
  ...(immediate && { immediate }),
});

describe('when a step is sent', () => {
  it('the welcome goes out at sign-up time, even at night', () => {
    const signup = inZone('2026-03-06T22:30', 'America/Denver');
    expect(sendTimeFor({ step: step(undefined, true), sequence, previousAt: signup, zone: 'America/Denver' })).toEqual(
      signup,
    );
  });

  it('a step two days later keeps the local time of day when it falls inside the window', () => {
    const at = sendTimeFor({
      step: step({ days: 2 }),
      sequence,
      previousAt: inZone('2026-05-04T10:15', 'Europe/London'),
      zone: 'Europe/London',
    });
    expect(local(at, 'Europe/London')).toBe('2026-05-06T10:15');
  });

  it('a step that would land in the evening waits for 9:00 the next morning, in the lead’s zone', () => {
    const at = sendTimeFor({
      step: step({ days: 2 }),
      sequence,
      previousAt: inZone('2026-03-06T22:30', 'America/Denver'),
      zone: 'America/Denver',
    });
    expect(local(at, 'America/Denver')).toBe('2026-03-09T09:00');
  });

  it('a step that would land before the window opens is sent when it opens that day', () => {
    const at = sendTimeFor({
      step: step({ days: 1 }),
      sequence,
      previousAt: inZone('2026-07-01T06:10', 'Asia/Tokyo'),
      zone: 'Asia/Tokyo',
    });
    expect(local(at, 'Asia/Tokyo')).toBe('2026-07-02T09:00');
  });

  it('calendar days across the US spring-forward change keep the wall-clock time', () => {
    // 2026-03-08 is the US DST change: 48 elapsed hours would give 11:00, not 10:00.
    const at = sendTimeFor({
      step: step({ days: 2 }),
      sequence,
      previousAt: inZone('2026-03-07T10:00', 'America/New_York'),
      zone: 'America/New_York',
    });
    expect(local(at, 'America/New_York')).toBe('2026-03-09T10:00');
    expect(at.getTime() - inZone('2026-03-07T10:00', 'America/New_York').getTime()).toBe(47 * 3600_000);
  });

  it('calendar days across the EU autumn change keep the wall-clock time', () => {
    const at = sendTimeFor({
      step: step({ days: 3 }),
      sequence,
      previousAt: inZone('2026-10-23T16:45', 'Europe/Berlin'),
      zone: 'Europe/Berlin',
    });
    expect(local(at, 'Europe/Berlin')).toBe('2026-10-26T16:45');
  });

  it('a window opening inside a DST gap moves to the first real minute after it', () => {
    const gapWindow = { window: { start: '02:30', end: '18:00' }, onePerDay: true };
    const at = sendTimeFor({
      step: step({ hours: 1 }),
      sequence: gapWindow,
      previousAt: inZone('2026-03-07T23:30', 'America/Chicago'),
      zone: 'America/Chicago',
    });
    // 02:30 does not exist on 2026-03-08 in Chicago; the clock jumps from 02:00 to 03:00.
    expect(local(at, 'America/Chicago')).toBe('2026-03-08T03:30');
  });

  it('never sends two emails on the same local day: an hour-later step waits for the next morning', () => {
    const previous = inZone('2026-04-14T09:05', 'Australia/Sydney');
    const at = sendTimeFor({
      step: step({ hours: 1 }),
      sequence,
      previousAt: previous,
      zone: 'Australia/Sydney',
      lastSentOn: localDate(previous, 'Australia/Sydney'),
    });
    expect(local(at, 'Australia/Sydney')).toBe('2026-04-15T09:00');
  });

  it('a lead in India on a half-hour offset gets the email inside their own window', () => {
    const at = sendTimeFor({
      step: step({ days: 2 }),
      sequence,
      previousAt: new Date('2026-09-01T14:00:00Z'),
      zone: 'Asia/Kolkata',
    });
    // 14:00Z is 19:30 in Kolkata: past the window, so 09:00 on the day after.
    expect(local(at, 'Asia/Kolkata')).toBe('2026-09-04T09:00');
  });

  it('the local date of a send is the lead’s calendar date, not UTC’s', () => {
    expect(localDate(new Date('2026-01-01T03:00:00Z'), 'America/Los_Angeles')).toBe('2025-12-31');
  });
});
