/**
 * The preference page's choices in the pure domain: what each writes on a lead, how planning holds the education
 * (marketing) emails and never the care ones, and what the page says the lead gets.
 */
import { describe, expect, it } from 'vitest';
import { followUpOutline, nurtureOutline, outlines } from '../../../emails/outline.ts';
import { planNext } from '../../../lambdas/domain/plan.ts';
import type { StoredLead } from '../../../lambdas/domain/ports.ts';
import { currentSetting, decidePace } from '../../../lambdas/domain/preferences.ts';
import { validateSequences, type Sequence } from '../../../lambdas/domain/sequence.ts';

const zone = 'America/New_York'; // EST (UTC-5) until 8 March 2026, EDT (UTC-4) after

/** A lead who signed up at 10:00 on 1 March (New York), got the welcome then, and waits for the second email. */
function lead(fields: Partial<StoredLead> = {}): StoredLead {
  return {
    leadId: 'L1',
    email: 'ana@example.com',
    firstName: 'Ana',
    timeZone: zone,
    consent: { at: '2026-03-01T15:00:00.000Z', textVersion: 'v1' },
    attribution: {},
    createdAt: '2026-03-01T15:00:00.000Z',
    status: 'active',
    sequenceId: 'nurture',
    sentSteps: ['welcome'],
    lastSentAt: '2026-03-01T15:00:00.000Z',
    lastSentOn: '2026-03-01',
    lastMarketingAt: '2026-03-01T15:00:00.000Z',
    nextStepId: 'how-it-works',
    nextSendAt: '2026-03-03T15:00:00.000Z', // two days on, 10:00 local
    dueAt: Date.parse('2026-03-03T15:00:00.000Z'),
    rev: 1,
    ...fields,
  };
}

const change = (decision: ReturnType<typeof decidePace>) => {
  if (!('change' in decision)) throw new Error(`expected a change, got ${JSON.stringify(decision)}`);
  return decision.change;
};

describe('pause the education emails for 30 days', () => {
  it('holds the next education email until 30 days from now, same local time across the DST change', () => {
    const now = new Date('2026-03-02T15:00:00Z'); // 10:00 EST
    const written = change(decidePace(lead(), 'pause', outlines, now));
    expect(written).toEqual({
      pausedUntil: '2026-04-01T14:00:00.000Z', // 10:00 EDT
      preference: { choice: 'pause', at: now.toISOString() },
      nextSendAt: new Date('2026-04-01T14:00:00.000Z'),
    });
  });

  it('a pause that ends at night moves the email to when the send window opens the next morning', () => {
    const now = new Date('2026-03-03T01:30:00Z'); // 20:30 EST on 2 March
    const written = change(decidePace(lead(), 'pause', outlines, now));
    expect(written.pausedUntil).toBe('2026-04-02T00:30:00.000Z'); // 20:30 EDT on 1 April
    expect(written.nextSendAt).toEqual(new Date('2026-04-02T13:00:00.000Z')); // 09:00 EDT on 2 April
  });

  it('a care email next (the reminder of a booked visit) keeps its time; only the pause is recorded', () => {
    const now = new Date('2026-03-02T15:00:00Z');
    const booked = lead({
      sequenceId: 'follow-up',
      sentSteps: ['welcome', 'confirmation'],
      appointmentAt: '2026-03-10T15:00:00.000Z',
      nextStepId: 'reminder',
      nextSendAt: '2026-03-09T14:00:00.000Z',
      dueAt: Date.parse('2026-03-09T14:00:00.000Z'),
    });
    const written = change(decidePace(booked, 'pause', outlines, now));
    expect(written.nextSendAt).toBeUndefined();
    expect(written.pausedUntil).toBe('2026-04-01T14:00:00.000Z');
  });

  it('planning never holds a care step, and holds a marketing step to the pause’s end inside the send window', () => {
    const now = new Date('2026-03-02T15:00:00Z');
    const pausedUntil = '2026-04-01T00:30:00.000Z';
    const care = planNext(
      followUpOutline,
      { sentSteps: [], timeZone: zone, pausedUntil, appointmentAt: '2026-03-10T15:00:00.000Z' },
      now,
      now,
    );
    expect(care.next).toEqual({ stepId: 'confirmation', at: now });
    const marketing = planNext(nurtureOutline, { sentSteps: ['welcome'], timeZone: zone, pausedUntil }, now, now);
    expect(marketing.next).toEqual({ stepId: 'how-it-works', at: new Date('2026-04-01T13:00:00.000Z') });
  });

  it('a pause already over holds nothing, and the page no longer shows it', () => {
    const now = new Date('2026-05-01T15:00:00Z'); // 11:00 EDT
    const over = { sentSteps: ['welcome'], timeZone: zone, pausedUntil: '2026-04-01T14:00:00.000Z' };
    expect(planNext(nurtureOutline, over, now, now).next?.at).toEqual(new Date('2026-05-03T15:00:00.000Z')); // two days on
    expect(currentSetting(lead(over), now)).toEqual({ receives: 'all', weekly: false });
  });
});

describe('at most one education email a week', () => {
  it('the next education email waits 7 days after the last one, at that local time', () => {
    const now = new Date('2026-03-02T15:00:00Z');
    const written = change(decidePace(lead(), 'weekly', outlines, now));
    expect(written).toEqual({
      cadence: 'weekly',
      preference: { choice: 'weekly', at: now.toISOString() },
      nextSendAt: new Date('2026-03-08T14:00:00.000Z'), // 10:00 EDT, 7 days after 10:00 EST on 1 March
    });
  });

  it('an email already due more than a week after the last one keeps its time', () => {
    const now = new Date('2026-03-02T15:00:00Z');
    const later = lead({ nextSendAt: '2026-03-12T14:00:00.000Z', dueAt: Date.parse('2026-03-12T14:00:00.000Z') });
    expect(change(decidePace(later, 'weekly', outlines, now)).nextSendAt).toBeUndefined();
  });

  it('planning spaces every later marketing step a week from the one before', () => {
    const position = {
      sentSteps: ['welcome', 'how-it-works'],
      timeZone: zone,
      cadence: 'weekly' as const,
      lastMarketingAt: '2026-03-03T15:00:00.000Z',
      lastSentOn: '2026-03-03',
    };
    const sent = new Date('2026-03-03T15:00:00.000Z');
    // who-it-helps is 3 days on; the weekly cadence makes it 7.
    expect(planNext(nurtureOutline, position, sent, sent).next).toEqual({
      stepId: 'who-it-helps',
      at: new Date('2026-03-10T14:00:00.000Z'),
    });
  });
});

describe('back to the usual pace', () => {
  it('a paused lead’s held email is due at its usual time again: at once when that has passed, inside the window', () => {
    const paused = lead({
      pausedUntil: '2026-04-01T14:00:00.000Z',
      cadence: 'weekly',
      nextSendAt: '2026-04-01T14:00:00.000Z',
      dueAt: Date.parse('2026-04-01T14:00:00.000Z'),
    });
    const afternoon = new Date('2026-03-05T20:00:00Z'); // 15:00 EST: the usual time (3 March) has passed
    expect(change(decidePace(paused, 'resume', outlines, afternoon))).toEqual({
      pausedUntil: null,
      cadence: null,
      preference: { choice: 'resume', at: afternoon.toISOString() },
      nextSendAt: afternoon,
    });
    const night = new Date('2026-03-05T03:00:00Z'); // 22:00 EST on 4 March
    expect(change(decidePace(paused, 'resume', outlines, night)).nextSendAt).toEqual(
      new Date('2026-03-05T14:00:00.000Z'), // 09:00 EST
    );
    const early = new Date('2026-03-02T15:00:00Z'); // before the usual time: back to it
    expect(change(decidePace(paused, 'resume', outlines, early)).nextSendAt).toEqual(
      new Date('2026-03-03T15:00:00.000Z'),
    );
  });

  it('a lead nothing held keeps its next email’s time: resume only records the choice', () => {
    const now = new Date('2026-03-02T15:00:00Z');
    const later = lead({ nextSendAt: '2026-03-20T15:00:00.000Z', dueAt: Date.parse('2026-03-20T15:00:00.000Z') });
    expect(change(decidePace(later, 'resume', outlines, now))).toEqual({
      pausedUntil: null,
      cadence: null,
      preference: { choice: 'resume', at: now.toISOString() },
    });
  });
});

describe('what a lead who stopped emails can choose', () => {
  it('a pause, the weekly cadence or resume changes nothing once the education emails or all emails are stopped', () => {
    const now = new Date('2026-03-02T15:00:00Z');
    const optedOut = lead({ optedOutAt: '2026-03-02T12:00:00.000Z' });
    expect(decidePace(optedOut, 'pause', outlines, now)).toEqual({ moot: 'care-only' });
    expect(decidePace(lead({ status: 'unsubscribed' }), 'weekly', outlines, now)).toEqual({ moot: 'care-only' });
    for (const status of ['stopped', 'bounced', 'complained'] as const)
      expect(decidePace(lead({ status }), 'resume', outlines, now)).toEqual({ moot: 'nothing' });
  });

  it('the page shows what the lead gets, no more', () => {
    const now = new Date('2026-03-02T15:00:00Z');
    expect(currentSetting(lead({ pausedUntil: '2026-04-01T14:00:00.000Z', cadence: 'weekly' }), now)).toEqual({
      receives: 'all',
      weekly: true,
      pausedUntil: '2026-04-01T14:00:00.000Z',
      timeZone: zone,
    });
    expect(currentSetting(lead({ optedOutAt: now.toISOString(), cadence: 'weekly' }), now)).toEqual({
      receives: 'care-only',
      weekly: false,
    });
    expect(currentSetting(lead({ status: 'stopped' }), now)).toEqual({ receives: 'nothing', weekly: false });
    expect(currentSetting(undefined, now)).toEqual({ receives: 'nothing', weekly: false });
  });
});

describe('the sequences checked at start', () => {
  it('a marketing step timed from an appointment is refused: a pause could not push it back', () => {
    const broken = {
      a: {
        ...followUpOutline,
        id: 'a',
        steps: [{ id: 'nudge', class: 'marketing', appointment: { days: 1, at: '10:00' } }],
      },
    } as unknown as Record<string, Sequence>;
    expect(() => validateSequences(broken)).toThrow(/a\/nudge: a marketing step is timed by delay/);
  });
});
