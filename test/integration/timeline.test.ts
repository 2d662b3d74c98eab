import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { timeline } from '../../lambdas/domain/timeline.ts';
import { makeBookingHandler } from '../../lambdas/handlers/booking.ts';
import { followUp, nurture } from '../../emails/sequences.ts';
import { bookingEvent, manualClock, runUntilDone, signUp, testEnv, uniqueEmail } from './harness.ts';

const ZONE = 'America/New_York';

describe('npm run timeline', () => {
  it('matches what the dispatcher sends, to the minute, for a lead who signs up late at night before a DST change', async () => {
    const env = await testEnv(
      {},
      manualClock(DateTime.fromISO('2026-03-06T22:30', { zone: 'America/Denver' }).toJSDate()),
    );
    const leadId = await signUp(env, { email: uniqueEmail('timeline'), timeZone: 'America/Denver' });
    await runUntilDone(env, leadId);

    const sent = (await env.store.messages(leadId)).map((message) => ({ stepId: message.stepId, at: message.at }));
    expect(sent).toEqual(timeline(nurture, new Date('2026-03-07T05:30:00Z'), 'America/Denver').sends);
  });

  it('matches what the dispatcher sends after a booking: confirmation, reminder the day before, note the day after', async () => {
    const env = await testEnv({}, manualClock('2026-03-02T15:00:00Z'));
    const email = uniqueEmail('timeline-booked');
    const leadId = await signUp(env, { email, timeZone: ZONE });
    env.clock.set('2026-03-03T17:00:00Z');
    const visit = new Date('2026-03-10T18:30:00Z');
    expect(
      (await makeBookingHandler(env)(bookingEvent({ email, appointmentAt: visit.toISOString(), status: 'booked' })))
        .statusCode,
    ).toBe(200);
    await runUntilDone(env, leadId);

    const sent = (await env.store.messages(leadId))
      .filter((message) => message.sequenceId === followUp.id)
      .map((message) => ({ stepId: message.stepId, at: message.at }));
    const planned = timeline(followUp, new Date('2026-03-03T17:00:00Z'), ZONE, visit);
    expect(planned.sends.map((send) => send.stepId)).toEqual(['confirmation', 'reminder', 'after-visit']);
    expect(sent).toEqual(planned.sends);
  });

  it.each([
    [
      'in the evening for the next afternoon: the reminder late, when the window opens on the day',
      '2026-03-09T20:30',
      '2026-03-10T14:00',
      ['confirmation', 'reminder', 'after-visit'],
    ],
    [
      'in the evening for the next morning: the reminder late, at once',
      '2026-03-09T20:30',
      '2026-03-10T09:30',
      ['confirmation', 'reminder', 'after-visit'],
    ],
    ['3 hours before the visit: no reminder', '2026-03-10T06:30', '2026-03-10T09:30', ['confirmation', 'after-visit']],
  ])('matches what the dispatcher sends after a booking %s', async (_case, bookedAt, visitAt, steps) => {
    const env = await testEnv({}, manualClock('2026-03-02T15:00:00Z'));
    const email = uniqueEmail('timeline-late');
    const leadId = await signUp(env, { email, timeZone: ZONE });
    const booked = DateTime.fromISO(bookedAt, { zone: ZONE }).toJSDate();
    const visit = DateTime.fromISO(visitAt, { zone: ZONE }).toJSDate();
    env.clock.set(booked);
    expect(
      (await makeBookingHandler(env)(bookingEvent({ email, appointmentAt: visit.toISOString(), status: 'booked' })))
        .statusCode,
    ).toBe(200);
    await runUntilDone(env, leadId);

    const sent = (await env.store.messages(leadId))
      .filter((message) => message.sequenceId === followUp.id)
      .map((message) => ({ stepId: message.stepId, at: message.at }));
    const planned = timeline(followUp, booked, ZONE, visit);
    expect(planned.sends.map((send) => send.stepId)).toEqual(steps);
    expect(sent).toEqual(planned.sends);
  });
});
