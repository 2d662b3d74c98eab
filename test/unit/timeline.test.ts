import { spawnSync } from 'node:child_process';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { timeline } from '#domain/timeline';
import type { Sequence } from '#domain/sequence';
import { followUp, nurture } from '../../emails/sequences.ts';
import { formatTimeline } from '../../local/timeline.ts';

const local = (at: Date, zone: string) => DateTime.fromJSDate(at, { zone }).toFormat("ccc yyyy-MM-dd'T'HH:mm");
const signup = DateTime.fromISO('2026-03-06T22:30', { zone: 'America/Denver' }).toJSDate();

describe('when each email reaches a lead', () => {
  it('a lead in Denver who signs up at 22:30 gets the welcome at once, then each email at 9:00 their time, across the DST change', () => {
    expect(timeline(nurture, signup, 'America/Denver').sends.map((send) => `${send.stepId} ${local(send.at, 'America/Denver')}`)).toEqual([
      'welcome Fri 2026-03-06T22:30',
      'how-it-works Mon 2026-03-09T09:00', // 2 days after 22:30 is outside the window: held for 9:00, on MDT now
      'who-it-helps Thu 2026-03-12T09:00',
      'side-effects Sun 2026-03-15T09:00', // risks before the routes, the research and the cost
      'iv-and-nasal Thu 2026-03-19T09:00',
      'the-research Mon 2026-03-23T09:00',
      'cost-and-financing Sat 2026-03-28T09:00',
      'last-invitation Sat 2026-04-04T09:00',
    ]);
  });

  it('two steps an hour apart go out on different days: at most one email a day', () => {
    const quick: Sequence = { id: 'quick', window: { start: '09:00', end: '18:00' }, onePerDay: true, steps: [{ id: 'a', immediate: true }, { id: 'b', after: { hours: 1 } }] };
    const at = DateTime.fromISO('2026-06-01T10:00', { zone: 'Europe/Berlin' }).toJSDate();
    expect(timeline(quick, at, 'Europe/Berlin').sends.map((send) => local(send.at, 'Europe/Berlin'))).toEqual(['Mon 2026-06-01T10:00', 'Tue 2026-06-02T09:00']);
  });

  it('after a booking, the confirmation goes at once, the reminder the day before the visit and a note the day after', () => {
    const booked = DateTime.fromISO('2026-03-09T12:00', { zone: 'America/Denver' }).toJSDate();
    const visit = DateTime.fromISO('2026-03-20T14:00', { zone: 'America/Denver' }).toJSDate();
    const { sends, skipped } = timeline(followUp, booked, 'America/Denver', visit);
    expect(sends.map((send) => `${send.stepId} ${local(send.at, 'America/Denver')}`)).toEqual(['confirmation Mon 2026-03-09T12:00', 'reminder Thu 2026-03-19T10:00', 'after-visit Sat 2026-03-21T10:00']);
    expect(skipped).toEqual([]);
  });

  it('a visit booked the evening before still gets its reminder, late: at 9:00 on the day, when the send window opens', () => {
    const booked = DateTime.fromISO('2026-03-19T20:00', { zone: 'America/Denver' }).toJSDate();
    const visit = DateTime.fromISO('2026-03-20T14:00', { zone: 'America/Denver' }).toJSDate();
    const { sends, late, skipped } = timeline(followUp, booked, 'America/Denver', visit);
    expect(sends.map((send) => `${send.stepId} ${local(send.at, 'America/Denver')}`)).toEqual(['confirmation Thu 2026-03-19T20:00', 'reminder Fri 2026-03-20T09:00', 'after-visit Sat 2026-03-21T10:00']);
    expect(late).toEqual(['reminder']);
    expect(skipped).toEqual([]);
  });

  it('a visit booked 3 hours ahead gets no reminder: the confirmation covers it', () => {
    const booked = DateTime.fromISO('2026-03-20T11:00', { zone: 'America/Denver' }).toJSDate();
    const visit = DateTime.fromISO('2026-03-20T14:00', { zone: 'America/Denver' }).toJSDate();
    const { sends, skipped } = timeline(followUp, booked, 'America/Denver', visit);
    expect(sends.map((send) => send.stepId)).toEqual(['confirmation', 'after-visit']);
    expect(skipped).toEqual(['reminder']);
  });

  it('the table shows every step in the lead’s and the clinic’s time zones, with the zone’s abbreviation', () => {
    const table = formatTimeline({ nurture }, { signup, zone: 'America/Denver', clinicZone: 'America/New_York' });
    expect(table).toContain('nurture, from sign-up, until the lead books: 8 emails, sent 09:00–18:00 in the lead\'s time zone, at most one a day');
    expect(table).toMatch(/1 +welcome +at once +Fri 06 Mar 2026, 22:30 MST +Sat 07 Mar 2026, 00:30 EST/);
    expect(table).toMatch(/2 +how-it-works +\+2 days +Mon 09 Mar 2026, 09:00 MDT +Mon 09 Mar 2026, 11:00 EDT/);
  });

  it('npm run timeline prints the table, and says what is wrong with a bad time zone or time', () => {
    const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'local/timeline.ts', ...args], { encoding: 'utf8' });
    const ok = run('--tz', 'America/Denver', '--signup', '2026-03-06T22:30');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('A lead in America/Denver who signs up Fri 06 Mar 2026, 22:30 MST');
    expect(ok.stdout).toMatch(/last-invitation +\+7 days +Sat 04 Apr 2026, 09:00 MDT/);

    expect(ok.stdout).toContain('follow-up: starts when the lead books; add --appointment');

    const booked = run('--tz', 'America/Denver', '--signup', '2026-03-06T22:30', '--appointment', '2026-03-07T14:00', '--booked', '2026-03-06T22:35');
    expect(booked.stdout).toMatch(/confirmation +at once +Fri 06 Mar 2026, 22:35 MST/);
    expect(booked.stdout).toMatch(/reminder +late \(usually 1 day before the visit, 10:00\) +Sat 07 Mar 2026, 09:00 MST/);
    expect(booked.stdout).toMatch(/after-visit +1 day after the visit, 10:00 +Sun 08 Mar 2026, 10:00 MDT/);
    expect(booked.stdout).not.toContain('not sent');
    expect(booked.stdout).toMatch(/reschedule-nudge +\+2 hours +Sat 07 Mar 2026, 16:00 MST/);

    const tooClose = run('--tz', 'America/Denver', '--signup', '2026-03-06T22:30', '--appointment', '2026-03-07T14:00', '--booked', '2026-03-07T11:00');
    expect(tooClose.stdout).toContain('not sent: reminder (timed from the visit, and too late by then)');

    const badZone = run('--tz', 'Denver');
    expect(badZone.status).toBe(2);
    expect(badZone.stderr).toContain('--tz: "Denver" is not a time zone');
    const badTime = run('--signup', 'tomorrow');
    expect(badTime.status).toBe(2);
    expect(badTime.stderr).toContain('Write it like 2026-03-06T22:30');
  });
});
