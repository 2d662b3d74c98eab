import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { parseBooking, planBooking } from '../../../lambdas/domain/booking.ts';
import type { Lead } from '../../../lambdas/domain/lead.ts';
import { planNext } from '../../../lambdas/domain/plan.ts';
import { deadlineFor } from '../../../lambdas/domain/schedule.ts';
import type { Sequence } from '../../../lambdas/domain/sequence.ts';
import { followUp, sequences } from '../../../emails/sequences.ts';

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

describe('parsing a booking', () => {
  it('names every bad field', () => {
    const parsed = parseBooking({
      appointmentAt: '2026-03-10 14:30',
      status: 'tentative',
      firstName: 'Eve\r\nBcc: x@y.z',
    });
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
    const parsed = parseBooking({
      email: ' Rosa@München.de ',
      appointmentAt: '2026-03-10T14:30:00-04:00',
      status: 'booked',
    });
    expect(parsed.ok && parsed.booking.email).toBe('rosa@xn--mnchen-3ya.de');
  });
});

describe('what a booking does to a lead', () => {
  const appointmentAt = '2026-03-10T14:30:00-04:00';

  it('takes a lead out of the nurture into the follow-up, confirmation first and at once', () => {
    const change = planBooking(lead(), { appointmentAt, status: 'booked' }, now, sequences);
    expect(change?.route).toMatchObject({
      sequenceId: 'follow-up',
      sentSteps: ['welcome', 'how-it-works'],
      next: { stepId: 'confirmation', at: now },
    });
  });

  it('the same news twice changes nothing', () => {
    const booked = lead({
      sequenceId: 'follow-up',
      appointmentAt: '2026-03-10T18:30:00.000Z',
      appointmentStatus: 'booked',
    });
    expect(planBooking(booked, { appointmentAt, status: 'booked' }, now, sequences)).toBeUndefined();
  });

  it('a new time keeps the confirmation sent and moves the reminder', () => {
    const booked = lead({
      sequenceId: 'follow-up',
      sentSteps: ['welcome', 'confirmation'],
      appointmentAt: '2026-03-10T18:30:00.000Z',
      appointmentStatus: 'booked',
    });
    const change = planBooking(
      booked,
      { appointmentAt: '2026-03-17T09:00:00-04:00', status: 'rescheduled' },
      now,
      sequences,
    );
    expect(change?.route).toMatchObject({
      sentSteps: ['welcome', 'confirmation'],
      next: { stepId: 'reminder', at: new Date('2026-03-16T14:00:00Z') },
    });
  });

  it('a booking for a second visit after the first is over starts the follow-up afresh', () => {
    const done = lead({
      status: 'completed',
      sequenceId: 'follow-up',
      sentSteps: ['welcome', 'confirmation', 'reminder', 'after-visit'],
      appointmentAt: '2026-03-03T15:00:00.000Z',
      appointmentStatus: 'attended',
    });
    const change = planBooking(done, { appointmentAt: '2026-03-17T09:00:00-04:00', status: 'booked' }, now, sequences);
    expect(change?.route).toMatchObject({ sentSteps: ['welcome'], next: { stepId: 'confirmation', at: now } });
  });

  it('a lead that stopped everything keeps its status: the booking is recorded, no email is planned', () => {
    for (const status of ['stopped', 'bounced', 'complained', 'rejected'] as const) {
      const change = planBooking(lead({ status }), { appointmentAt, status: 'booked' }, now, sequences);
      expect(change, status).toEqual({ appointment: { at: '2026-03-10T18:30:00.000Z', status: 'booked' } });
    }
  });

  it('a lead that unsubscribed from marketing gets the care emails about its visit, and no rebooking nudge', () => {
    const quiet = lead({ status: 'unsubscribed', optedOutAt: '2026-03-04T15:00:00.000Z' });
    const change = planBooking(quiet, { appointmentAt, status: 'booked' }, now, sequences);
    expect(change?.route).toMatchObject({ sequenceId: 'follow-up', next: { stepId: 'confirmation', at: now } });
    // A cancellation would start the nudge, which is marketing: nothing to send, so the lead stays unsubscribed.
    const cancelled = planBooking(quiet, { appointmentAt, status: 'cancelled' }, now, sequences);
    expect(cancelled).toEqual({ appointment: { at: '2026-03-10T18:30:00.000Z', status: 'cancelled' } });
  });

  it('attended takes a lead still in the nurture out of it, with only the note after the visit ahead', () => {
    const change = planBooking(
      lead(),
      { appointmentAt: '2026-03-05T09:00:00-05:00', status: 'attended' },
      now,
      sequences,
    );
    expect(change?.route).toMatchObject({
      sequenceId: 'follow-up',
      skippedSteps: ['confirmation', 'reminder'],
      next: { stepId: 'after-visit' },
    });
  });

  it('attended changes the record, not the emails, of a lead in the follow-up whose reminder has gone: the note stays where it was', () => {
    const booked = lead({
      sequenceId: 'follow-up',
      sentSteps: ['welcome', 'confirmation', 'reminder'],
      nextStepId: 'after-visit',
      appointmentAt: '2026-03-10T18:30:00.000Z',
      appointmentStatus: 'booked',
    });
    expect(planBooking(booked, { appointmentAt, status: 'attended' }, now, sequences)).toEqual({
      appointment: { at: '2026-03-10T18:30:00.000Z', status: 'attended' },
    });
  });

  it('attended while the reminder is still ahead (reported before the recorded time) drops the reminder: the note after the visit is next', () => {
    const booked = lead({
      sequenceId: 'follow-up',
      sentSteps: ['welcome', 'confirmation'],
      nextStepId: 'reminder',
      appointmentAt: '2026-03-10T18:30:00.000Z',
      appointmentStatus: 'booked',
    });
    const change = planBooking(booked, { appointmentAt, status: 'attended' }, now, sequences);
    expect(change?.route).toMatchObject({
      sequenceId: 'follow-up',
      sentSteps: ['welcome', 'confirmation'],
      skippedSteps: ['reminder'],
      next: { stepId: 'after-visit', at: new Date('2026-03-11T14:00:00Z') },
    });
  });
});

describe('steps timed from the appointment', () => {
  it('a reminder whose moment has passed goes at once, inside the send window, for a visit more than 3 hours off', () => {
    // 16:00 in Berlin on the 5th, for a visit at 09:00 on the 6th: 10:00 the day before has passed.
    const plan = planNext(
      followUp,
      { sentSteps: ['confirmation'], timeZone: 'Europe/Berlin', appointmentAt: '2026-03-06T08:00:00Z' },
      now,
      now,
    );
    expect(plan).toEqual({ skipped: [], late: true, next: { stepId: 'reminder', at: now } });
  });
});

describe('the reminder for a visit booked after its usual time (10:00 the day before)', () => {
  const NY = 'America/New_York';
  const ny = (local: string) => DateTime.fromISO(local, { zone: NY }).toJSDate();
  /** The follow-up after the confirmation went out at `bookedAt`, for a visit at `visit` (both on the lead's clock). */
  const after = (bookedAt: string, visit: string) =>
    planNext(
      followUp,
      { sentSteps: ['confirmation'], timeZone: NY, appointmentAt: ny(visit).toISOString() },
      ny(bookedAt),
      ny(bookedAt),
    );

  it('booked at 14:00 for 9:30 the next morning: the reminder goes at once, after the confirmation', () => {
    expect(after('2026-03-09T14:00', '2026-03-10T09:30')).toEqual({
      late: true,
      skipped: [],
      next: { stepId: 'reminder', at: ny('2026-03-09T14:00') },
    });
  });

  it('booked at 20:30 for 14:00 the next day: the reminder waits for the send window, 9:00 on the day of the visit', () => {
    expect(after('2026-03-09T20:30', '2026-03-10T14:00')).toEqual({
      late: true,
      skipped: [],
      next: { stepId: 'reminder', at: ny('2026-03-10T09:00') },
    });
  });

  it('booked at 20:30 for 11:00 the next day: 9:00 would be within 3 hours of the visit, so the reminder goes at once, evening or not', () => {
    expect(after('2026-03-09T20:30', '2026-03-10T11:00').next).toEqual({
      stepId: 'reminder',
      at: ny('2026-03-09T20:30'),
    });
  });

  it('booked 3 hours before the visit: no reminder, the note after the visit is next; 3 hours and a minute before: a reminder at once', () => {
    expect(after('2026-03-10T06:00', '2026-03-10T09:00')).toEqual({
      skipped: ['reminder'],
      next: { stepId: 'after-visit', at: ny('2026-03-11T10:00') },
    });
    expect(after('2026-03-10T05:59', '2026-03-10T09:00')).toEqual({
      late: true,
      skipped: [],
      next: { stepId: 'reminder', at: ny('2026-03-10T05:59') },
    });
  });

  it('booked a day ahead: the reminder keeps its usual time, 10:00 the day before', () => {
    expect(after('2026-03-08T21:00', '2026-03-10T09:00')).toEqual({
      skipped: [],
      next: { stepId: 'reminder', at: ny('2026-03-09T10:00') },
    });
  });

  it('a visit moved closer re-plans the reminder: at once when its usual time has passed, none within 3 hours', () => {
    const booked = lead({
      sequenceId: 'follow-up',
      sentSteps: ['welcome', 'confirmation'],
      appointmentAt: '2026-03-20T14:00:00.000Z',
      appointmentStatus: 'booked',
      nextStepId: 'reminder',
    });
    // now is 10:00 in New York on 5 March.
    const tomorrow = planBooking(
      booked,
      { appointmentAt: '2026-03-06T09:00:00-05:00', status: 'rescheduled' },
      now,
      sequences,
    );
    expect(tomorrow?.route).toMatchObject({
      sentSteps: ['welcome', 'confirmation'],
      skippedSteps: [],
      next: { stepId: 'reminder', at: now },
    });
    const soon = planBooking(
      booked,
      { appointmentAt: '2026-03-05T12:30:00-05:00', status: 'rescheduled' },
      now,
      sequences,
    );
    expect(soon?.route).toMatchObject({
      skippedSteps: ['reminder'],
      next: { stepId: 'after-visit', at: ny('2026-03-06T10:00') },
    });
  });

  it('a step without lateUntilBefore whose moment has passed is still skipped', () => {
    const strict: Sequence = {
      ...followUp,
      steps: followUp.steps.map(({ id, class: kind, appointment, immediate }) => ({
        id,
        class: kind,
        ...(immediate && { immediate }),
        ...(appointment && { appointment: { days: appointment.days, at: appointment.at } }),
      })),
    };
    expect(
      planNext(
        strict,
        { sentSteps: ['confirmation'], timeZone: NY, appointmentAt: ny('2026-03-10T09:30').toISOString() },
        ny('2026-03-09T14:00'),
        ny('2026-03-09T14:00'),
      ).skipped,
    ).toEqual(['reminder']);
  });

  it('the dispatcher drops the reminder from 3 hours before the visit, as planning does; the note after the visit has no deadline', () => {
    const [, reminder, afterVisit] = followUp.steps;
    expect(deadlineFor(reminder!, ny('2026-03-10T09:00'), NY)).toEqual(ny('2026-03-10T06:00'));
    expect(deadlineFor(afterVisit!, ny('2026-03-10T09:00'), NY)).toBeUndefined();
  });
});
