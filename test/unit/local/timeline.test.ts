import { spawnSync } from 'node:child_process';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { nurture } from '../../../emails/sequences.ts';
import { formatTimeline } from '../../../local/timeline.ts';

const signup = DateTime.fromISO('2026-03-06T22:30', { zone: 'America/Denver' }).toJSDate();

describe('the timeline table', () => {
  it('the table shows every step in the lead’s and the clinic’s time zones, with the zone’s abbreviation', () => {
    const table = formatTimeline({ nurture }, { signup, zone: 'America/Denver', clinicZone: 'America/New_York' });
    expect(table).toContain(
      "nurture, from sign-up, until the lead books: 5 emails, sent 09:00–18:00 in the lead's time zone, at most one a day",
    );
    expect(table).toMatch(/1 +welcome +at once +Fri 06 Mar 2026, 22:30 MST +Sat 07 Mar 2026, 00:30 EST/);
    expect(table).toMatch(/2 +how-it-works +\+2 days +Mon 09 Mar 2026, 09:00 MDT +Mon 09 Mar 2026, 11:00 EDT/);
    expect(table).toContain(
      '  then the series ends, Sat 21 Mar 2026, 09:00 MDT: the check-in got no click (sunset, no engagement)',
    );
  });

  it('with --clicked, the table shows what the click changes, and what the lead would have got without it', () => {
    const clicked = ['how-it-works:cost', 'who-it-helps'];
    const table = formatTimeline(
      { nurture },
      { signup, zone: 'America/Denver', clinicZone: 'America/New_York', clicked },
    );
    expect(table).toContain(
      'nurture, from sign-up, until the lead books, clicking how-it-works:cost, who-it-helps: 8 emails',
    );
    expect(table).toMatch(
      /3 +cost-and-financing +brought forward, at the time of the step due \(a click\) +Thu 12 Mar 2026/,
    );
    expect(table).not.toContain('then the series ends,');
    expect(table).toContain(
      '  without the clicks: welcome, how-it-works, who-it-helps, side-effects, check-in, then the series ends (sunset)',
    );
  });

  it('with an interest, each step with a variant for it shows the variant, at the step’s place and time', () => {
    // The lead clicks its welcome, so the series runs past the check-in to the research email.
    const request = { signup, zone: 'America/Denver', clinicZone: 'America/New_York', clicked: ['welcome'] };
    const aura = formatTimeline({ nurture }, { ...request, interest: 'migraine-with-aura' });
    expect(aura).toMatch(/6 +the-research-aura \(variant of the-research\) +\+4 days +Mon 23 Mar 2026, 09:00 MDT/);
    expect(aura).toMatch(/1 +welcome +at once/);
    expect(aura).toMatch(/3 +who-it-helps +\+3 days/);
    const chronic = formatTimeline({ nurture }, { ...request, interest: 'chronic-migraine' });
    expect(chronic).toMatch(
      /3 +who-it-helps-chronic \(variant of who-it-helps\) +\+3 days +Thu 12 Mar 2026, 09:00 MDT/,
    );
    expect(chronic).toMatch(/6 +the-research +\+4 days/);
    for (const general of [
      formatTimeline({ nurture }, request),
      formatTimeline({ nurture }, { ...request, interest: 'other' }),
    ])
      expect(general).not.toContain('variant');
  });

  it('npm run timeline prints the table, and says what is wrong with a bad time zone or time', () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'local/timeline.ts', ...args], { encoding: 'utf8' });
    const ok = run('--tz', 'America/Denver', '--signup', '2026-03-06T22:30');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('A lead in America/Denver who signs up Fri 06 Mar 2026, 22:30 MST');
    expect(ok.stdout).toMatch(/check-in +\+2 days +Tue 17 Mar 2026, 09:00 MDT/);
    const clicked = run('--tz', 'America/Denver', '--signup', '2026-03-06T22:30', '--clicked', 'check-in:keep');
    expect(clicked.status).toBe(0);
    expect(clicked.stdout).toMatch(/last-invitation +\+7 days +Mon 06 Apr 2026, 09:00 MDT/);
    const badClick = run('--clicked', 'no-such-email:cost');
    expect(badClick.status).toBe(2);
    expect(badClick.stderr).toContain('--clicked: "no-such-email:cost" names no step');

    expect(ok.stdout).toContain('follow-up: starts when the lead books; add --appointment');

    const booked = run(
      '--tz',
      'America/Denver',
      '--signup',
      '2026-03-06T22:30',
      '--appointment',
      '2026-03-07T14:00',
      '--booked',
      '2026-03-06T22:35',
    );
    expect(booked.stdout).toMatch(/confirmation +at once +Fri 06 Mar 2026, 22:35 MST/);
    expect(booked.stdout).toMatch(
      /reminder +late \(usually 1 day before the visit, 10:00\) +Sat 07 Mar 2026, 09:00 MST/,
    );
    expect(booked.stdout).toMatch(/after-visit +1 day after the visit, 10:00 +Sun 08 Mar 2026, 10:00 MDT/);
    expect(booked.stdout).not.toContain('not sent');
    expect(booked.stdout).toMatch(/reschedule-nudge +\+2 hours +Sat 07 Mar 2026, 16:00 MST/);

    const tooClose = run(
      '--tz',
      'America/Denver',
      '--signup',
      '2026-03-06T22:30',
      '--appointment',
      '2026-03-07T14:00',
      '--booked',
      '2026-03-07T11:00',
    );
    expect(tooClose.stdout).toContain('not sent: reminder (timed from the visit, and too late by then)');

    const badZone = run('--tz', 'Denver');
    expect(badZone.status).toBe(2);
    expect(badZone.stderr).toContain('--tz: "Denver" is not a time zone');
    const badTime = run('--signup', 'tomorrow');
    expect(badTime.status).toBe(2);
    expect(badTime.stderr).toContain('Write it like 2026-03-06T22:30');
    const status = run('--tz', 'America/Denver', '--signup', '2026-03-06T22:30', '--interest', 'status-migrainosus');
    expect(status.stdout).toMatch(/1 +welcome-status-migrainosus \(variant of welcome\) +at once/);
    const badInterest = run('--interest', 'aura');
    expect(badInterest.status).toBe(2);
    expect(badInterest.stderr).toContain('--interest: "aura" is not an interest. Use one of: chronic-migraine,');
  });
});
