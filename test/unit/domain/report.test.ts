import { describe, expect, it } from 'vitest';
import {
  buildReport,
  type ReportClick,
  type ReportInput,
  type ReportLead,
  type ReportMessage,
} from '../../../lambdas/domain/report.ts';
import type { Sequence } from '../../../lambdas/domain/sequence.ts';

const seq = (id: string, ...steps: string[]): Sequence => ({
  id,
  window: { start: '09:00', end: '18:00' },
  onePerDay: true,
  steps: steps.map((s) => ({ id: s, class: 'marketing' as const })),
});
const sequences = {
  nurture: seq('nurture', 'welcome', 'how-it-works', 'who-it-helps'),
  'follow-up': seq('follow-up', 'confirmation', 'reminder'),
};

const lead = (leadId: string, status: ReportLead['status'], extra: Partial<ReportLead> = {}): ReportLead => ({
  leadId,
  status,
  sequenceId: 'nurture',
  ...extra,
});
/** A lead the booking webhook moved into the follow-up. */
const booked = (leadId: string, bookedAt: string, extra: Partial<ReportLead> = {}) =>
  lead(leadId, 'active', { sequenceId: 'follow-up', bookedAt, ...extra });
const sent = (
  leadId: string,
  stepId: string,
  at: string,
  counts: ReportMessage['counts'] = { Send: 1, Delivery: 1 },
  extra: Partial<ReportMessage> = {},
): ReportMessage => ({
  leadId,
  sequenceId: 'nurture',
  stepId,
  state: 'sent',
  at,
  counts,
  ...extra,
});
const click = (leadId: string, stepId: string, at: string, sequenceId = 'nurture'): ReportClick => ({
  leadId,
  sequenceId,
  stepId,
  at,
});

const report = (input: Partial<ReportInput>) =>
  buildReport({ leads: [], messages: [], clicks: [], ...input }, { now: new Date('2026-03-20T00:00:00Z'), sequences });
const step = (r: ReturnType<typeof report>, stepId: string, sequenceId = 'nurture') =>
  r.sequences.find((s) => s.sequenceId === sequenceId)!.steps.find((s) => s.stepId === stepId)!;

describe('the report', () => {
  it('a booking is credited to the email of the last click before booking, not an earlier or later one', () => {
    const r = report({
      leads: [lead('a', 'active', { sequenceId: 'follow-up', bookedAt: '2026-03-06T10:00:00Z' })],
      messages: [
        sent('a', 'welcome', '2026-03-02T15:00:00Z', { Delivery: 1, Click: 1 }),
        sent('a', 'how-it-works', '2026-03-04T15:00:00Z', { Delivery: 1, Click: 2 }),
        sent('a', 'who-it-helps', '2026-03-07T15:00:00Z', { Delivery: 1, Click: 1 }),
      ],
      clicks: [
        click('a', 'welcome', '2026-03-02T16:00:00Z'),
        click('a', 'how-it-works', '2026-03-05T09:00:00Z'),
        click('a', 'how-it-works', '2026-03-04T16:00:00Z'),
        click('a', 'who-it-helps', '2026-03-07T16:00:00Z'),
      ],
    });
    expect(step(r, 'how-it-works')).toMatchObject({ clicked: 1, bookedAfter: 1, bookingRate: 1 });
    expect(step(r, 'welcome').bookedAfter).toBe(0);
    expect(step(r, 'who-it-helps').bookedAfter).toBe(0);
    expect(r.bookings).toEqual({ total: 1, afterClick: 1, withoutClick: 0 });
  });

  it('a lead who booked without clicking first is counted on the "booked without a click" line, not on any email', () => {
    const r = report({
      leads: [booked('phoned', '2026-03-03T10:00:00Z'), booked('late-click', '2026-03-03T10:00:00Z')],
      messages: [
        sent('phoned', 'welcome', '2026-03-02T15:00:00Z'),
        sent('late-click', 'welcome', '2026-03-02T15:00:00Z', { Delivery: 1, Click: 1 }),
      ],
      clicks: [click('late-click', 'welcome', '2026-03-04T08:00:00Z')],
    });
    expect(r.bookings).toEqual({ total: 2, afterClick: 0, withoutClick: 2 });
    expect(r.sequences.flatMap((s) => s.steps).every((s) => s.bookedAfter === 0)).toBe(true);
    // The click after booking is still a click on that email.
    expect(step(r, 'welcome').clicked).toBe(1);
  });

  it('an unsubscribe is counted after the last email the lead was sent before stopping', () => {
    const r = report({
      leads: [lead('u', 'unsubscribed', { stoppedAt: '2026-03-05T12:00:00Z' })],
      messages: [sent('u', 'welcome', '2026-03-02T15:00:00Z'), sent('u', 'how-it-works', '2026-03-04T15:00:00Z')],
    });
    expect(step(r, 'how-it-works').unsubscribed).toBe(1);
    expect(step(r, 'welcome').unsubscribed).toBe(0);
    expect(r.nurture.left.unsubscribed).toBe(1);
  });

  it('a permanent bounce counts on the email that bounced; a soft bounce on an active lead does not', () => {
    const r = report({
      leads: [lead('hard', 'bounced', { stoppedAt: '2026-03-04T16:00:00Z' }), lead('soft', 'active')],
      messages: [
        sent('hard', 'welcome', '2026-03-02T15:00:00Z', { Send: 1, Bounce: 1 }),
        sent('hard', 'how-it-works', '2026-03-04T15:00:00Z', { Send: 1, Bounce: 1 }),
        sent('soft', 'welcome', '2026-03-02T15:00:00Z', { Send: 1, Bounce: 1 }),
      ],
    });
    expect(step(r, 'how-it-works').bounced).toBe(1);
    expect(step(r, 'welcome').bounced).toBe(0);
    expect(step(r, 'welcome').delivered).toBe(0);
  });

  it('each lead counts once per email, however often it opened or clicked', () => {
    const r = report({
      leads: [lead('a', 'active'), lead('b', 'active'), lead('c', 'complained')],
      messages: [
        sent('a', 'welcome', '2026-03-02T15:00:00Z', { Delivery: 1, Open: 7, Click: 3 }),
        sent('b', 'welcome', '2026-03-02T15:00:00Z', { Delivery: 1, Open: 1 }),
        sent('c', 'welcome', '2026-03-02T15:00:00Z', { Delivery: 1, Complaint: 1 }),
      ],
    });
    expect(step(r, 'welcome')).toMatchObject({
      sent: 3,
      delivered: 3,
      opened: 2,
      clicked: 1,
      complained: 1,
      clickRate: 1 / 3,
    });
  });

  // Sent is SES's answer as the dispatcher recorded it, counted when it settles the step: never SES's own Send event
  // (#14 may stop storing it), and not a Delivery on an unconfirmed send, which arrives before the dispatcher that
  // finds the unconfirmed send could count it. Such a send shows under Delivered.
  it('what was sent: what SES accepted, as the dispatcher recorded it; not a rejected, unconfirmed or not-yet-recorded message, even once SES reports it', () => {
    const r = report({
      leads: [lead('r', 'rejected'), lead('u1', 'active'), lead('u2', 'active'), lead('early', 'active')],
      messages: [
        sent('r', 'welcome', '2026-03-02T15:00:00Z', {}, { state: 'rejected' }),
        sent('u1', 'welcome', '2026-03-02T15:00:00Z', {}, { state: 'unconfirmed' }),
        sent('u2', 'welcome', '2026-03-02T15:00:00Z', { Delivery: 1 }, { state: 'unconfirmed' }),
        { leadId: 'early', sequenceId: 'nurture', stepId: 'welcome', counts: { Send: 1 } },
      ],
    });
    expect(step(r, 'welcome')).toMatchObject({ sent: 0, delivered: 1 });
  });

  it('why each lead left the nurture: whichever came first of a booking and a stop; leads that never entered it are not counted', () => {
    const r = report({
      leads: [
        booked('b', '2026-03-03T00:00:00Z', { status: 'unsubscribed', stoppedAt: '2026-03-04T00:00:00Z' }),
        lead('u', 'unsubscribed', { stoppedAt: '2026-03-03T00:00:00Z', bookedAt: '2026-03-08T00:00:00Z' }),
        lead('x', 'bounced'),
        lead('c', 'complained'),
        lead('r', 'rejected'),
        lead('done', 'completed'),
        lead('quiet', 'sunset'),
        lead('on', 'active'),
        booked('walk-in', '2026-03-03T00:00:00Z', { status: 'completed' }),
      ],
      messages: [
        sent('b', 'welcome', '2026-03-02T15:00:00Z'),
        sent('b', 'confirmation', '2026-03-03T00:00:00Z', { Delivery: 1 }, { sequenceId: 'follow-up' }),
      ],
    });
    expect(r.nurture).toEqual({
      sequenceId: 'nurture',
      leads: 8,
      left: {
        booked: 1,
        unsubscribed: 1,
        stopped: 0,
        bounced: 1,
        complained: 1,
        rejected: 1,
        completed: 1,
        sunset: 1,
        holdout: 0,
        active: 1,
      },
    });
    // u booked after unsubscribing, and the walk-in never got an email: both still bookings, with no click before.
    expect(r.bookings).toEqual({ total: 3, afterClick: 0, withoutClick: 3 });
    // b unsubscribed from the follow-up, after its confirmation.
    expect(step(r, 'confirmation', 'follow-up').unsubscribed).toBe(1);
  });

  it('the nurture comes first with its steps in sequence order; a step no longer configured still shows, after them', () => {
    const r = report({
      leads: [lead('a', 'active')],
      messages: [sent('a', 'retired-step', '2026-03-01T15:00:00Z'), sent('a', 'welcome', '2026-03-02T15:00:00Z')],
    });
    expect(r.sequences.map((s) => s.sequenceId)).toEqual(['nurture', 'follow-up']);
    expect(r.sequences[0]!.steps.map((s) => s.stepId)).toEqual([
      'welcome',
      'how-it-works',
      'who-it-helps',
      'retired-step',
    ]);
    expect(step(r, 'how-it-works')).toMatchObject({ sent: 0, clickRate: null, bookingRate: null });
  });

  it('says that opens are unreliable and clicks and bookings are the signals', () => {
    expect(report({}).note).toMatch(/opens are unreliable.*apple mail privacy protection/i);
    expect(report({}).note).toMatch(/clicks and bookings/i);
  });

  it('the holdout: leads by group and those that booked, whatever else happened to them; a held-out lead that completed left as held out; leads without a group are in neither', () => {
    const r = report({
      leads: [
        lead('h1', 'completed', { grp: 'h' }),
        lead('h2', 'unsubscribed', { grp: 'h', stoppedAt: '2026-03-03T00:00:00Z', bookedAt: '2026-03-08T00:00:00Z' }),
        booked('h3', '2026-03-03T00:00:00Z', { grp: 'h', status: 'active', sequenceId: 'follow-up' }),
        lead('n1', 'sunset', { grp: 'n' }),
        booked('n2', '2026-03-03T00:00:00Z', { grp: 'n', status: 'completed', sequenceId: 'follow-up' }),
        lead('p', 'pending', { grp: 'n' }),
        lead('old', 'completed'),
      ],
      messages: [sent('h3', 'welcome', '2026-03-02T15:00:00Z'), sent('n2', 'welcome', '2026-03-02T15:00:00Z')],
    });
    expect(r.nurture.left).toMatchObject({ holdout: 1, completed: 1, unsubscribed: 1, sunset: 1, booked: 2 });
    // A pending lead (double opt-in) has not entered the nurture: it is in no group until it confirms.
    expect(r.holdout).toMatchObject({ nurture: { leads: 2, booked: 1 }, holdout: { leads: 3, booked: 2 } });
  });
});
