import { describe, expect, it } from 'vitest';
import { describeAppointment, visitProps } from '../../../lambdas/domain/visit.ts';

const now = new Date('2026-03-05T15:00:00Z');

describe('what an email says about the visit', () => {
  it('the appointment is shown in the lead’s own zone', () => {
    expect(describeAppointment(new Date('2026-03-10T18:30:00Z'), 'America/Los_Angeles')).toBe(
      'Tuesday, March 10 at 11:30 AM PDT',
    );
  });

  const booked = {
    timeZone: 'America/New_York',
    appointmentAt: '2026-03-10T18:30:00.000Z',
    appointmentStatus: 'booked' as const,
  };

  it('today or tomorrow by the lead’s own calendar, and neither further off or after the visit', () => {
    // 23:30 on the 9th in New York is already the 10th in UTC: still "tomorrow" for the lead.
    expect(visitProps(booked, new Date('2026-03-10T03:30:00Z'))).toEqual({
      appointment: 'Tuesday, March 10 at 2:30 PM EDT',
      visitDay: 'tomorrow',
      attended: false,
    });
    expect(visitProps(booked, new Date('2026-03-10T12:00:00Z')).visitDay).toBe('today');
    expect(visitProps(booked, new Date('2026-03-08T15:00:00Z')).visitDay).toBeUndefined();
    expect(visitProps(booked, new Date('2026-03-11T14:00:00Z')).visitDay).toBeUndefined();
  });

  it('attended only when the scheduling system said so; nothing without an appointment', () => {
    expect(visitProps({ ...booked, appointmentStatus: 'attended' }, now).attended).toBe(true);
    for (const status of ['booked', 'rescheduled'] as const)
      expect(visitProps({ ...booked, appointmentStatus: status }, now).attended).toBe(false);
    expect(visitProps({ timeZone: 'America/New_York' }, now)).toEqual({});
  });
});
