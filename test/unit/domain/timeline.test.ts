import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { timeline } from '../../../lambdas/domain/timeline.ts';
import type { Sequence } from '../../../lambdas/domain/sequence.ts';
import { followUp, nurture } from '../../../emails/sequences.ts';

const local = (at: Date, zone: string) => DateTime.fromJSDate(at, { zone }).toFormat("ccc yyyy-MM-dd'T'HH:mm");
const signup = DateTime.fromISO('2026-03-06T22:30', { zone: 'America/Denver' }).toJSDate();

describe('when each email reaches a lead', () => {
  it('a lead in Denver who signs up at 22:30 gets the welcome at once, then each email at 9:00 their time, across the DST change', () => {
    // Clicks on the first emails: no check-in, and the whole series.
    expect(
      timeline(nurture, signup, 'America/Denver', undefined, ['how-it-works']).sends.map(
        (send) => `${send.stepId} ${local(send.at, 'America/Denver')}`,
      ),
    ).toEqual([
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

  it('a lead who clicks nothing gets the check-in after the side effects, and the series ends when the next email was due', () => {
    const { sends, sunsetAt } = timeline(nurture, signup, 'America/Denver');
    expect(sends.map((send) => `${send.stepId} ${local(send.at, 'America/Denver')}`)).toEqual([
      'welcome Fri 2026-03-06T22:30',
      'how-it-works Mon 2026-03-09T09:00',
      'who-it-helps Thu 2026-03-12T09:00',
      'side-effects Sun 2026-03-15T09:00',
      'check-in Tue 2026-03-17T09:00',
    ]);
    expect(sunsetAt && local(sunsetAt, 'America/Denver')).toBe('Sat 2026-03-21T09:00');
  });

  it('a click on the check-in keeps the series going; a click on the cost link brings the cost email next, at the next email’s time', () => {
    const kept = timeline(nurture, signup, 'America/Denver', undefined, ['check-in:keep']);
    expect(kept.sunsetAt).toBeUndefined();
    expect(kept.sends.map((send) => send.stepId).slice(4)).toEqual([
      'check-in',
      'iv-and-nasal',
      'the-research',
      'cost-and-financing',
      'last-invitation',
    ]);
    const cost = timeline(nurture, signup, 'America/Denver', undefined, ['how-it-works:cost', 'who-it-helps']);
    expect(cost.sends.map((send) => `${send.stepId} ${local(send.at, 'America/Denver')}`).slice(1, 4)).toEqual([
      'how-it-works Mon 2026-03-09T09:00',
      'cost-and-financing Thu 2026-03-12T09:00', // who-it-helps' 3 days, in its place
      'who-it-helps Sun 2026-03-15T09:00',
    ]);
    expect(cost.sends.filter((send) => send.stepId === 'cost-and-financing')).toHaveLength(1);
  });

  it('two steps an hour apart go out on different days: at most one email a day', () => {
    const quick: Sequence = {
      id: 'quick',
      window: { start: '09:00', end: '18:00' },
      onePerDay: true,
      steps: [
        { id: 'a', class: 'marketing', immediate: true },
        { id: 'b', class: 'marketing', after: { hours: 1 } },
      ],
    };
    const at = DateTime.fromISO('2026-06-01T10:00', { zone: 'Europe/Berlin' }).toJSDate();
    expect(timeline(quick, at, 'Europe/Berlin').sends.map((send) => local(send.at, 'Europe/Berlin'))).toEqual([
      'Mon 2026-06-01T10:00',
      'Tue 2026-06-02T09:00',
    ]);
  });

  it('after a booking, the confirmation goes at once, the reminder the day before the visit and a note the day after', () => {
    const booked = DateTime.fromISO('2026-03-09T12:00', { zone: 'America/Denver' }).toJSDate();
    const visit = DateTime.fromISO('2026-03-20T14:00', { zone: 'America/Denver' }).toJSDate();
    const { sends, skipped } = timeline(followUp, booked, 'America/Denver', visit);
    expect(sends.map((send) => `${send.stepId} ${local(send.at, 'America/Denver')}`)).toEqual([
      'confirmation Mon 2026-03-09T12:00',
      'reminder Thu 2026-03-19T10:00',
      'after-visit Sat 2026-03-21T10:00',
    ]);
    expect(skipped).toEqual([]);
  });

  it('a visit booked the evening before still gets its reminder, late: at 9:00 on the day, when the send window opens', () => {
    const booked = DateTime.fromISO('2026-03-19T20:00', { zone: 'America/Denver' }).toJSDate();
    const visit = DateTime.fromISO('2026-03-20T14:00', { zone: 'America/Denver' }).toJSDate();
    const { sends, late, skipped } = timeline(followUp, booked, 'America/Denver', visit);
    expect(sends.map((send) => `${send.stepId} ${local(send.at, 'America/Denver')}`)).toEqual([
      'confirmation Thu 2026-03-19T20:00',
      'reminder Fri 2026-03-20T09:00',
      'after-visit Sat 2026-03-21T10:00',
    ]);
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
});
