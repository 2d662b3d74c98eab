import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { timeline } from '#domain/timeline';
import { makeBookingHandler } from '#handlers/booking';
import { followUp, nurture } from '../../emails/sequences.ts';
import { bookingEvent, manualClock, runUntilDone, signUp, testEnv, uniqueEmail } from './harness.ts';

const ZONE = 'America/New_York';

describe('npm run timeline', () => {
  it('matches what the dispatcher sends, to the minute, for a lead who signs up late at night before a DST change', async () => {
    const env = await testEnv({}, manualClock(DateTime.fromISO('2026-03-06T22:30', { zone: 'America/Denver' }).toJSDate()));
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
    expect((await makeBookingHandler(env)(bookingEvent({ email, appointmentAt: visit.toISOString(), status: 'booked' }))).statusCode).toBe(200);
    await runUntilDone(env, leadId);

    const sent = (await env.store.messages(leadId)).filter((message) => message.sequenceId === followUp.id).map((message) => ({ stepId: message.stepId, at: message.at }));
    const planned = timeline(followUp, new Date('2026-03-03T17:00:00Z'), ZONE, visit);
    expect(planned.sends.map((send) => send.stepId)).toEqual(['confirmation', 'reminder', 'after-visit']);
    expect(sent).toEqual(planned.sends);
  });
});
