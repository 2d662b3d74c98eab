import { describe, expect, it } from 'vitest';
import { describeAppointment, parseBooking, planBooking, signBooking, verifyBooking, visitProps } from '#domain/booking';
import type { Lead } from '#domain/lead';
import { planNext } from '#domain/plan';
import { whileSendInFlight } from '#domain/stop';
import { followUp, sequences } from '../../emails/sequences.ts';

const secret = 'unit-booking-secret-unit-booking-secret';
const now = new Date('2026-03-05T15:00:00Z');

const lead = (fields: Partial<Lead> = {}): Lead => ({
  leadId: '01JZZZZZZZZZZZZZZZZZZZZZZZ',
  email: 'rosa@example.com',
  firstName: 'Rosa',
  timeZone: 'America/New_York',
  consent: { at: '2026-03-02T15:00:00Z', textVersion: 'v1' },
  attribution: {},
  createdAt: '2026-03-02T15:00:00.000Z',
  status: 'active',
  sequenceId: 'nurture',
  sentSteps: ['welcome', 'how-it-works'],
  nextStepId: 'who-it-helps',
  ...fields,
});

describe('the booking signature', () => {
  const body = Buffer.from('{"email":"rosa@example.com"}');
  const headers = (at: Date) => signBooking(body, secret, at);

  it('accepts what was signed with the secret within five minutes', () => {
    expect(verifyBooking(body, headers(new Date(now.getTime() - 4 * 60_000)), secret, now)).toBe('ok');
  });

  it('refuses another body, another secret, an old or future timestamp, and missing headers', () => {
    expect(verifyBooking(Buffer.from('{"email":"eve@example.com"}'), headers(now), secret, now)).toBe('invalid');
    expect(verifyBooking(body, signBooking(body, 'another-secret-another-secret-another', now), secret, now)).toBe('invalid');
    expect(verifyBooking(body, headers(new Date(now.getTime() - 6 * 60_000)), secret, now)).toBe('stale');
    expect(verifyBooking(body, headers(new Date(now.getTime() + 6 * 60_000)), secret, now)).toBe('stale');
    expect(verifyBooking(body, { timestamp: 'yesterday', signature: 'v1=00' }, secret, now)).toBe('stale');
    expect(verifyBooking(body, {}, secret, now)).toBe('missing');
  });
});

describe('parsing a booking', () => {
  it('names every bad field', () => {
    const parsed = parseBooking({ appointmentAt: '2026-03-10 14:30', status: 'tentative', firstName: 'Eve\r\nBcc: x@y.z' });
    expect(parsed).toEqual({
      ok: false,
      fields: {
        appointmentAt: expect.stringMatching(/offset/),
        status: expect.stringMatching(/one of/),
        firstName: 'firstName must not contain line breaks.',
        email: 'Send the lead’s email or its leadId.',
      },
    });
  });

  it('normalises the email as sign-up does', () => {
    const parsed = parseBooking({ email: ' Rosa@München.de ', appointmentAt: '2026-03-10T14:30:00-04:00', status: 'booked' });
    expect(parsed.ok && parsed.booking.email).toBe('rosa@xn--mnchen-3ya.de');
  });
});

describe('what a booking does to a lead', () => {
  const appointmentAt = '2026-03-10T14:30:00-04:00';

  it('takes a lead out of the nurture into the follow-up, confirmation first and at once', () => {
    const change = planBooking(lead(), { appointmentAt, status: 'booked' }, now, sequences);
    expect(change?.route).toMatchObject({ sequenceId: 'follow-up', sentSteps: ['welcome', 'how-it-works'], next: { stepId: 'confirmation', at: now } });
  });

  it('the same news twice changes nothing', () => {
    const booked = lead({ sequenceId: 'follow-up', appointmentAt: '2026-03-10T18:30:00.000Z', appointmentStatus: 'booked' });
    expect(planBooking(booked, { appointmentAt, status: 'booked' }, now, sequences)).toBeUndefined();
  });

  it('a new time keeps the confirmation sent and moves the reminder', () => {
    const booked = lead({ sequenceId: 'follow-up', sentSteps: ['welcome', 'confirmation'], appointmentAt: '2026-03-10T18:30:00.000Z', appointmentStatus: 'booked' });
    const change = planBooking(booked, { appointmentAt: '2026-03-17T09:00:00-04:00', status: 'rescheduled' }, now, sequences);
    expect(change?.route).toMatchObject({ sentSteps: ['welcome', 'confirmation'], next: { stepId: 'reminder', at: new Date('2026-03-16T14:00:00Z') } });
  });

  it('a booking for a second visit after the first is over starts the follow-up afresh', () => {
    const done = lead({ status: 'completed', sequenceId: 'follow-up', sentSteps: ['welcome', 'confirmation', 'reminder', 'after-visit'], appointmentAt: '2026-03-03T15:00:00.000Z', appointmentStatus: 'attended' });
    const change = planBooking(done, { appointmentAt: '2026-03-17T09:00:00-04:00', status: 'booked' }, now, sequences);
    expect(change?.route).toMatchObject({ sentSteps: ['welcome'], next: { stepId: 'confirmation', at: now } });
  });

  it('a lead that unsubscribed keeps its status: the booking is recorded, no email is planned', () => {
    const change = planBooking(lead({ status: 'unsubscribed' }), { appointmentAt, status: 'booked' }, now, sequences);
    expect(change).toEqual({ appointment: { at: '2026-03-10T18:30:00.000Z', status: 'booked' } });
  });

  it('attended takes a lead still in the nurture out of it, with only the note after the visit ahead', () => {
    const change = planBooking(lead(), { appointmentAt: '2026-03-05T09:00:00-05:00', status: 'attended' }, now, sequences);
    expect(change?.route).toMatchObject({ sequenceId: 'follow-up', skippedSteps: ['confirmation', 'reminder'], next: { stepId: 'after-visit' } });
  });

  it('attended changes the record, not the emails, of a lead already in the follow-up', () => {
    const booked = lead({ sequenceId: 'follow-up', appointmentAt: '2026-03-10T18:30:00.000Z', appointmentStatus: 'booked' });
    expect(planBooking(booked, { appointmentAt, status: 'attended' }, now, sequences)).toEqual({ appointment: { at: '2026-03-10T18:30:00.000Z', status: 'attended' } });
  });
});

describe('steps timed from the appointment', () => {
  it('a reminder whose moment has passed is skipped, and the note after the visit is next', () => {
    const plan = planNext(followUp, { sentSteps: ['confirmation'], timeZone: 'Europe/Berlin', appointmentAt: '2026-03-06T08:00:00Z' }, now, now);
    expect(plan).toEqual({ skipped: ['reminder'], next: { stepId: 'after-visit', at: new Date('2026-03-07T09:00:00Z') } });
  });

  it('the appointment is shown in the lead’s own zone', () => {
    expect(describeAppointment(new Date('2026-03-10T18:30:00Z'), 'America/Los_Angeles')).toBe('Tuesday, March 10 at 11:30 AM PDT');
  });
});

describe('what an email says about the visit', () => {
  const booked = { timeZone: 'America/New_York', appointmentAt: '2026-03-10T18:30:00.000Z', appointmentStatus: 'booked' as const };

  it('today or tomorrow by the lead’s own calendar, and neither further off or after the visit', () => {
    // 23:30 on the 9th in New York is already the 10th in UTC: still "tomorrow" for the lead.
    expect(visitProps(booked, new Date('2026-03-10T03:30:00Z'))).toEqual({ appointment: 'Tuesday, March 10 at 2:30 PM EDT', visitDay: 'tomorrow', attended: false });
    expect(visitProps(booked, new Date('2026-03-10T12:00:00Z')).visitDay).toBe('today');
    expect(visitProps(booked, new Date('2026-03-08T15:00:00Z')).visitDay).toBeUndefined();
    expect(visitProps(booked, new Date('2026-03-11T14:00:00Z')).visitDay).toBeUndefined();
  });

  it('attended only when the scheduling system said so; nothing without an appointment', () => {
    expect(visitProps({ ...booked, appointmentStatus: 'attended' }, now).attended).toBe(true);
    for (const status of ['booked', 'rescheduled'] as const) expect(visitProps({ ...booked, appointmentStatus: status }, now).attended).toBe(false);
    expect(visitProps({ timeZone: 'America/New_York' }, now)).toEqual({});
  });
});

describe('waiting out a send in flight', () => {
  it('on a clock running 2,000 times faster, a mark a virtual minute old still counts as in flight', async () => {
    const clock = { now: () => new Date('2026-03-05T15:00:00Z'), speed: 2000 };
    const seen: Date[] = [];
    await whileSendInFlight({ store: undefined as never, clock, sendTimeoutMs: 15_000 }, async (since) => (seen.push(since), 'done'));
    const markAMinuteAgo = clock.now().getTime() - 60_000;
    expect(seen[0]!.getTime()).toBeLessThan(markAMinuteAgo);
  });
});
