import { DateTime } from 'luxon';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { DeleteCommand, DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoClient } from '../../lambdas/adapters/clients.ts';
import { leadKey } from '../../lambdas/adapters/dynamo-keys.ts';
import { bookingDeps } from '../../lambdas/compose.ts';
import { applyBooking, parseBooking, type BookingDeps } from '../../lambdas/domain/booking.ts';
import { deliverNext, dispatchDue } from '../../lambdas/domain/dispatch.ts';
import { makeBookingHandler } from '../../lambdas/handlers/booking.ts';
import { makeSesEventsRecorder } from '../../lambdas/handlers/ses-events.ts';
import { makeSignupHandler } from '../../lambdas/handlers/signup.ts';
import { makeUnsubscribeHandler } from '../../lambdas/handlers/unsubscribe.ts';
import { signUnsubscribeToken } from '../../lambdas/domain/unsubscribe-token.ts';
import { nurture } from '../../emails/sequences.ts';
import { sesEventFor } from '../../local/engagement-feed.ts';
import { oneByOne } from '../../local/sqs-batch.ts';
import { seedDueLeads } from '../support/seed.ts';
import {
  bookingEvent,
  httpEvent,
  inbox,
  manualClock,
  runningClock,
  sesFaults,
  testEnv,
  uniqueEmail,
  type TestEnv,
  heldUpdates,
} from './harness.ts';

const NY = 'America/New_York';
const DAY = 86_400_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

async function signUp(env: TestEnv, email: string): Promise<string> {
  const result = await makeSignupHandler(env)(
    httpEvent('POST', '/signup', { body: { email, firstName: 'Rosa', consent: true, timeZone: NY } }),
  );
  expect(result.statusCode).toBe(201);
  return JSON.parse(result.body!).leadId;
}

/** Live through `days`: move the clock to each next send time of these leads and run the dispatcher, as the schedule would. */
async function live(env: TestEnv, days: number, leadIds: string[]) {
  const end = env.clock.now().getTime() + days * DAY;
  for (;;) {
    await dispatchDue(env.dispatch);
    const due = (await Promise.all(leadIds.map((id) => env.store.get(id)))).flatMap((lead) =>
      lead?.nextSendAt ? [Date.parse(lead.nextSendAt)] : [],
    );
    const next = Math.max(env.clock.now().getTime() + 60_000, Math.min(end, ...due));
    if (next > end) return;
    env.clock.set(new Date(next));
  }
}

/**
 * A booking handler on its own DynamoDB client whose first write (the booking's, after it has read the lead and
 * planned) is held up on the network until the test lets it go.
 */
function heldBookingHandler(env: TestEnv) {
  const { dynamo, reached, letGo } = heldUpdates(env.config);
  const book = makeBookingHandler(bookingDeps(env.config, { clock: env.clock, dynamo, ses: env.ses }));
  return { book, reached, letGo };
}

const subjects = async (email: string) => (await inbox(email)).map((m) => m.subject);
const local = (at: Date) => DateTime.fromJSDate(at, { zone: NY }).toFormat("yyyy-MM-dd'T'HH:mm");

describe('a booking', () => {
  it('stops the nurture for good, confirms at once, reminds the day before and follows up the day after', async () => {
    const env = await testEnv({}, manualClock('2026-03-02T15:00:00Z'));
    const book = makeBookingHandler(env);
    const email = uniqueEmail('booked');
    const leadId = await signUp(env, email);
    await live(env, 3, [leadId]);
    expect(await subjects(email)).toHaveLength(2);

    const answer = await book(
      bookingEvent({ email, appointmentAt: '2026-03-10T14:30:00-04:00', status: 'booked', bookingId: 'cal-123' }),
    );
    expect(answer.statusCode).toBe(200);
    expect(JSON.parse(answer.body!)).toMatchObject({ leadId, created: false, changed: true, sequence: 'follow-up' });
    const mail = await inbox(email);
    expect(mail).toHaveLength(3);
    expect(mail[2]!.subject).toBe("You're booked, Rosa: what to expect and what to bring");
    expect(mail[2]!.body.html).toContain('Tuesday, March 10 at 2:30 PM EDT');

    await live(env, 40, [leadId]);
    const names = (await env.store.messages(leadId)).map((m) => m.stepId);
    expect(names).toEqual(['welcome', 'how-it-works', 'confirmation', 'reminder', 'after-visit']);
    const at = Object.fromEntries((await env.store.messages(leadId)).map((m) => [m.stepId, local(m.at)]));
    expect(at.reminder).toBe('2026-03-09T10:00');
    expect(at['after-visit']).toBe('2026-03-11T10:00');
    expect(await env.store.get(leadId)).toMatchObject({
      status: 'completed',
      sequenceId: 'follow-up',
      bookedAt: '2026-03-05T15:00:00.000Z',
      bookingId: 'cal-123',
    });
  });

  it('rescheduling moves the reminder and the note after the visit, and each still goes out once', async () => {
    const env = await testEnv({}, manualClock('2026-03-02T15:00:00Z'));
    const book = makeBookingHandler(env);
    const email = uniqueEmail('moved');
    const leadId = await signUp(env, email);
    env.clock.advance(60_000);
    await book(bookingEvent({ email, appointmentAt: '2026-03-20T10:00:00-04:00', status: 'booked' }));
    expect(await env.store.get(leadId)).toMatchObject({
      nextStepId: 'reminder',
      nextSendAt: '2026-03-19T14:00:00.000Z',
    });
    await live(env, 2, [leadId]);

    const moved = await book(
      bookingEvent({ email, appointmentAt: '2026-03-25T15:00:00-04:00', status: 'rescheduled' }),
    );
    expect(moved.statusCode).toBe(200);
    expect(await env.store.get(leadId)).toMatchObject({
      nextStepId: 'reminder',
      nextSendAt: '2026-03-24T14:00:00.000Z',
      appointmentStatus: 'rescheduled',
    });

    await live(env, 40, [leadId]);
    const sent = await env.store.messages(leadId);
    expect(sent.map((m) => m.stepId)).toEqual(['welcome', 'confirmation', 'reminder', 'after-visit']);
    expect(local(sent[2]!.at)).toBe('2026-03-24T10:00');
    expect(local(sent[3]!.at)).toBe('2026-03-26T10:00');
    expect((await inbox(email)).filter((m) => m.subject.startsWith('Reminder'))).toHaveLength(1);
  });

  it('a reschedule whose write is held up on the network while the reminder goes out does not send the reminder again', async () => {
    const env = await testEnv({}, manualClock('2026-03-02T15:00:00Z'));
    const email = uniqueEmail('held-move');
    const leadId = await signUp(env, email);
    env.clock.advance(60_000);
    await makeBookingHandler(env)(
      bookingEvent({ email, appointmentAt: '2026-03-20T10:00:00-04:00', status: 'booked' }),
    );
    env.clock.set('2026-03-19T14:00:00Z'); // the reminder is due

    // The reschedule has read the lead, reminder not yet sent, and planned from that; its write is held up.
    const { book, reached, letGo } = heldBookingHandler(env);
    const pending = book(bookingEvent({ email, appointmentAt: '2026-03-25T15:00:00-04:00', status: 'rescheduled' }));
    await reached;
    expect(await deliverNext(env.dispatch, leadId)).toBe('sent'); // the reminder goes out meanwhile
    letGo();
    expect((await pending).statusCode).toBe(200);

    await live(env, 40, [leadId]);
    expect((await env.store.get(leadId))?.sentSteps).toEqual(['welcome', 'confirmation', 'reminder', 'after-visit']);
    expect((await inbox(email)).filter((m) => m.subject.startsWith('Reminder'))).toHaveLength(1);
  });

  it('a cancellation sends one nudge to rebook instead of the reminder; booking again confirms the new time', async () => {
    const env = await testEnv({}, manualClock('2026-03-02T15:00:00Z'));
    const book = makeBookingHandler(env);
    const email = uniqueEmail('cancel');
    const leadId = await signUp(env, email);
    await book(bookingEvent({ email, appointmentAt: '2026-03-12T11:00:00-04:00', status: 'booked' }));
    await book(bookingEvent({ email, appointmentAt: '2026-03-12T11:00:00-04:00', status: 'cancelled' }));
    expect(await env.store.get(leadId)).toMatchObject({ sequenceId: 'reschedule', nextStepId: 'reschedule-nudge' });

    await live(env, 20, [leadId]);
    expect(await subjects(email)).toEqual([
      'Welcome, Rosa: here is what happens next',
      "You're booked, Rosa: what to expect and what to bring",
      "Rosa, let's find a time that works for you",
    ]);

    await book(bookingEvent({ email, appointmentAt: '2026-04-02T11:00:00-04:00', status: 'booked' }));
    const confirmations = (await inbox(email)).filter((m) => m.subject.startsWith("You're booked"));
    expect(confirmations).toHaveLength(2);
    expect(confirmations[1]!.body.html).toContain('Thursday, April 2 at 11:00 AM EDT');
  });

  describe('booked after 10:00 the day before the visit, when the reminder usually goes', () => {
    /** A lead signs up a week earlier, then books at `bookedAt` for `visit` (New York times); the dispatcher runs on. */
    async function bookLate(label: string, bookedAt: string, visit: string) {
      const env = await testEnv({}, manualClock(DateTime.fromISO('2026-05-25T12:00', { zone: NY }).toJSDate()));
      const email = uniqueEmail(label);
      const leadId = await signUp(env, email);
      env.clock.set(DateTime.fromISO(bookedAt, { zone: NY }).toJSDate());
      const answer = await makeBookingHandler(env)(
        bookingEvent({ email, appointmentAt: DateTime.fromISO(visit, { zone: NY }).toISO(), status: 'booked' }),
      );
      expect(answer.statusCode).toBe(200);
      await live(env, 5, [leadId]);
      const sent = (await env.store.messages(leadId)).filter((m) => m.sequenceId === 'follow-up');
      return {
        env,
        leadId,
        email,
        sent: sent.map((m) => `${m.stepId} ${local(m.at)}`),
        reminder: (await inbox(email)).find((m) => m.subject.startsWith('Reminder')),
      };
    }

    it('at 14:00 for 9:30 the next morning: the reminder follows the confirmation at once, and says "tomorrow"', async () => {
      const { sent, reminder } = await bookLate('afternoon', '2026-06-01T14:00', '2026-06-02T09:30');
      expect(sent).toEqual([
        'confirmation 2026-06-01T14:00',
        'reminder 2026-06-01T14:00',
        'after-visit 2026-06-03T10:00',
      ]);
      expect(reminder?.subject).toBe('Reminder: your appointment tomorrow, Rosa');
      expect(reminder?.body.html).toContain('See you tomorrow');
      expect(reminder?.body.html).toContain('tomorrow, Tuesday, June 2 at 9:30 AM EDT');
    });

    it('at 20:30 for 14:00 the next day: the reminder waits for the send window, 9:00 on the day, and says "today"', async () => {
      const { sent, reminder } = await bookLate('evening', '2026-06-01T20:30', '2026-06-02T14:00');
      expect(sent).toEqual([
        'confirmation 2026-06-01T20:30',
        'reminder 2026-06-02T09:00',
        'after-visit 2026-06-03T10:00',
      ]);
      expect(reminder?.subject).toBe('Reminder: your appointment today, Rosa');
      expect(reminder?.body.html).toContain('See you today');
      expect(reminder?.body.html).not.toContain('tomorrow');
    });

    it('at 20:30 for 9:30 the next morning: 9:00 would be within 3 hours of the visit, so the reminder goes at once, after the confirmation', async () => {
      const { sent, reminder } = await bookLate('night', '2026-05-31T20:30', '2026-06-01T09:30');
      expect(sent).toEqual([
        'confirmation 2026-05-31T20:30',
        'reminder 2026-05-31T20:30',
        'after-visit 2026-06-02T10:00',
      ]);
      expect(reminder?.subject).toBe('Reminder: your appointment tomorrow, Rosa');
    });

    it('3 hours before the visit: no reminder, the confirmation covers it', async () => {
      const { env, leadId, sent } = await bookLate('close', '2026-06-02T06:30', '2026-06-02T09:30');
      expect(sent).toEqual(['confirmation 2026-06-02T06:30', 'after-visit 2026-06-03T10:00']);
      expect((await env.store.get(leadId))?.skippedSteps).toEqual(['reminder']);
    });
  });

  it('a visit moved closer re-plans the reminder: it goes at once with the new time, and only once', async () => {
    const env = await testEnv({}, manualClock('2026-03-02T15:00:00Z'));
    const book = makeBookingHandler(env);
    const email = uniqueEmail('moved-closer');
    const leadId = await signUp(env, email);
    env.clock.advance(60_000);
    await book(bookingEvent({ email, appointmentAt: '2026-03-20T10:00:00-04:00', status: 'booked' }));
    env.clock.set('2026-03-11T19:00:00Z'); // 15:00 on the 11th: the clinic moves the visit to 11:00 tomorrow
    await book(bookingEvent({ email, appointmentAt: '2026-03-12T11:00:00-04:00', status: 'rescheduled' }));
    await live(env, 10, [leadId]);

    const sent = (await env.store.messages(leadId)).map((m) => `${m.stepId} ${local(m.at)}`);
    expect(sent).toEqual([
      'welcome 2026-03-02T10:00',
      'confirmation 2026-03-02T10:01',
      'reminder 2026-03-11T15:00',
      'after-visit 2026-03-13T10:00',
    ]);
    const reminders = (await inbox(email)).filter((m) => m.subject.startsWith('Reminder'));
    expect(reminders).toHaveLength(1);
    expect(reminders[0]!.body.html).toContain('tomorrow, Thursday, March 12 at 11:00 AM EDT');
  });

  it('a late reminder the dispatcher only gets to within 3 hours of the visit is dropped, not sent', async () => {
    const env = await testEnv({}, manualClock('2026-03-02T15:00:00Z'));
    const email = uniqueEmail('late-late');
    const leadId = await signUp(env, email);
    env.clock.set('2026-03-09T18:00:00Z'); // 14:00, for 9:30 tomorrow: the reminder is due at once
    await makeBookingHandler(env)(
      bookingEvent({ email, appointmentAt: '2026-03-10T09:30:00-04:00', status: 'booked' }),
    );
    expect(await env.store.get(leadId)).toMatchObject({
      nextStepId: 'reminder',
      nextSendAt: '2026-03-09T18:00:00.000Z',
    });
    env.clock.set('2026-03-10T11:00:00Z'); // no dispatcher ran until 7:00 on the day (an outage): 2.5 hours before the visit
    await live(env, 3, [leadId]);
    expect((await env.store.messages(leadId)).map((m) => m.stepId)).toEqual(['welcome', 'confirmation', 'after-visit']);
    expect((await env.store.get(leadId))?.skippedSteps).toEqual(['reminder']);
  });

  it('a late reminder the dispatcher gets to exactly 3 hours before the visit is dropped too: it goes late only when more than 3 hours remain', async () => {
    const env = await testEnv({}, manualClock('2026-03-02T15:00:00Z'));
    const email = uniqueEmail('late-edge');
    const leadId = await signUp(env, email);
    env.clock.set('2026-03-09T18:00:00Z'); // 14:00, for 9:30 tomorrow: the reminder is due at once
    await makeBookingHandler(env)(
      bookingEvent({ email, appointmentAt: '2026-03-10T09:30:00-04:00', status: 'booked' }),
    );
    env.clock.set('2026-03-10T10:30:00Z'); // 6:30 on the day: exactly 3 hours before the visit
    await dispatchDue(env.dispatch);
    expect((await env.store.messages(leadId)).map((m) => m.stepId)).toEqual(['welcome', 'confirmation']);
    expect(await env.store.get(leadId)).toMatchObject({ skippedSteps: ['reminder'], nextStepId: 'after-visit' });
  });

  it('stops the nurture even when a dispatch runs at the same moment: over 40 races, the nurture email went out before the booking was recorded, or not at all', async ({
    skip,
  }) => {
    skip(process.env.MUTATION_RUN === '1', 'timing decides each race: npm run mutate relies on the in-flight tests');
    // SES takes 0–15 ms to answer, varying by lead, so the booking lands before, during and after nurture sends.
    const faults = await sesFaults({ rule: (request) => ({ slow: (request.tags.leadId!.charCodeAt(25) % 4) * 5 }) });
    const env = await testEnv({ SES_ENDPOINT: faults.url }, runningClock()); // wall-clock time, to compare with SES's
    const book = makeBookingHandler(env);
    const leads = await seedDueLeads(env, 40, 'book-race');
    const outcomes = { sentBefore: 0, notSent: 0 };
    const nurtureSteps = new Set(nurture.steps.map((s) => s.id));

    for (const [i, lead] of leads.entries()) {
      const offset = ((i * 7) % 40) - 10; // ms from the dispatch to the booking: -10 (booking first) to +29
      const booking = bookingEvent({
        leadId: lead.leadId,
        appointmentAt: '2027-03-20T10:00:00-04:00',
        status: 'booked',
      });
      const [, answer] = await Promise.all([
        sleep(-offset).then(() => deliverNext(env.dispatch, lead.leadId)),
        sleep(offset).then(() => book(booking)),
      ]);
      expect(answer.statusCode).toBe(200);

      // The switch is recorded at `enteredSequenceAt`; every nurture email SES accepted came before it.
      const stored = await env.store.get(lead.leadId);
      expect(stored).toMatchObject({ sequenceId: 'follow-up' });
      const nurtureSent = faults.acceptedFor(lead.leadId).filter((m) => nurtureSteps.has(m.tags.stepId!));
      expect(nurtureSent.length).toBeLessThanOrEqual(1);
      if (nurtureSent[0]) expect(nurtureSent[0].at).toBeLessThanOrEqual(Date.parse(stored!.enteredSequenceAt!));
      expect(faults.acceptedFor(lead.leadId).filter((m) => m.tags.stepId === 'confirmation')).toHaveLength(1);
      outcomes[nurtureSent.length ? 'sentBefore' : 'notSent']++;
    }

    expect(outcomes.sentBefore).toBeGreaterThan(0); // the races really went both ways
    expect(outcomes.notSent).toBeGreaterThan(0);
    // Months later, when the nurture would have run its course: none of it went out.
    env.clock.advance(60 * DAY);
    await dispatchDue(env.dispatch);
    const nurtureAfter = leads
      .flatMap((lead) => faults.acceptedFor(lead.leadId))
      .filter((m) => nurtureSteps.has(m.tags.stepId!));
    expect(nurtureAfter.length).toBe(outcomes.sentBefore);
  });

  it('a booking for an unknown address with consent creates the lead straight into the follow-up, with no welcome', async () => {
    const env = await testEnv();
    const email = uniqueEmail('walkin');
    const answer = await makeBookingHandler(env)(
      bookingEvent({
        email,
        firstName: 'Sam',
        consent: true,
        timeZone: 'America/Chicago',
        appointmentAt: '2026-03-09T09:00:00-05:00',
        status: 'booked',
      }),
    );
    expect(answer.statusCode).toBe(201);
    const { leadId } = JSON.parse(answer.body!);
    expect(await subjects(email)).toEqual(["You're booked, Sam: what to expect and what to bring"]);
    expect(await env.store.get(leadId)).toMatchObject({
      sequenceId: 'follow-up',
      timeZone: 'America/Chicago',
      attribution: { source: 'booking' },
      nextStepId: 'reminder',
    });
  });

  it('a lead created by a booking holds what the booking said: name, consent wording, booking id, booked now', async () => {
    const env = await testEnv({}, manualClock('2026-03-02T15:00:00Z'));
    const email = uniqueEmail('walkin-full');
    const answer = await makeBookingHandler(env)(
      bookingEvent({
        email,
        firstName: 'Sam',
        lastName: 'Okafor',
        consent: true,
        consentVersion: 'front-desk-2026-01',
        bookingId: 'cal-991',
        timeZone: 'America/Chicago',
        appointmentAt: '2026-03-09T09:00:00-05:00',
        status: 'booked',
      }),
    );
    expect(answer.statusCode).toBe(201);
    const { leadId } = JSON.parse(answer.body!);
    const lead = await env.store.get(leadId);
    expect(lead).toMatchObject({
      email,
      firstName: 'Sam',
      lastName: 'Okafor',
      consent: { at: '2026-03-02T15:00:00.000Z', textVersion: 'front-desk-2026-01' },
      status: 'active',
      sequenceId: 'follow-up',
      bookingId: 'cal-991',
      bookedAt: '2026-03-02T15:00:00.000Z',
      appointmentAt: '2026-03-09T14:00:00.000Z',
      appointmentStatus: 'booked',
      sentSteps: ['confirmation'],
      nextStepId: 'reminder',
    });
    expect(lead!.skippedSteps ?? []).toEqual([]);
  });

  it('a booking that creates a lead for a new address while a sign-up of that address lands: one lead, the welcome once, and the care emails', async () => {
    const env = await testEnv();
    const email = uniqueEmail('create-race');
    // The booking, on a client of its own, has found no lead for the address and is creating one: its claim on the
    // address (the address's Put) is held up on the network while the sign-up lands.
    const { dynamo, reached, letGo } = heldUpdates(env.config, {
      command: 'PutItemCommand',
      when: (input) => JSON.stringify((input.Item as { type?: unknown } | undefined)?.type ?? '').includes('email'),
    });
    const bookingsId = ulid();
    const book = makeBookingHandler({
      ...bookingDeps(env.config, { clock: env.clock, dynamo, ses: env.ses }),
      newId: () => bookingsId,
    });
    const pending = book(
      bookingEvent({
        email,
        firstName: 'Sam',
        consent: true,
        timeZone: NY,
        appointmentAt: '2026-03-09T09:00:00-05:00',
        status: 'booked',
      }),
    );
    await reached;
    const leadId = await signUp(env, email);
    letGo();

    // The booking finds the address taken and books the sign-up's lead: no second lead.
    const answer = await pending;
    expect(answer.statusCode).toBe(200);
    expect(JSON.parse(answer.body!)).toMatchObject({ leadId, created: false, changed: true, sequence: 'follow-up' });
    expect(await env.store.leadIdForEmail(email)).toBe(leadId);
    expect(await env.store.get(bookingsId)).toBeUndefined();
    await live(env, 10, [leadId]);
    // The welcome the sign-up sent, once; then the visit's confirmation (to the name the sign-up gave), reminder and
    // note; no nurture email after.
    expect(await inbox(email)).toHaveLength(4);
    expect((await subjects(email))[1]).toBe("You're booked, Rosa: what to expect and what to bring");
    expect((await env.store.messages(leadId)).map((m) => m.stepId)).toEqual([
      'welcome',
      'confirmation',
      'reminder',
      'after-visit',
    ]);
    expect(await env.store.get(leadId)).toMatchObject({
      status: 'completed',
      sequenceId: 'follow-up',
      sentSteps: ['welcome', 'confirmation', 'reminder', 'after-visit'],
    });
  });

  it('a booking that would create a lead without a first name: 400 naming firstName, and no lead', async () => {
    const env = await testEnv();
    const email = uniqueEmail('nameless');
    const answer = await makeBookingHandler(env)(
      bookingEvent({ email, consent: true, appointmentAt: '2026-03-09T09:00:00-05:00', status: 'booked' }),
    );
    expect(answer.statusCode).toBe(400);
    expect(JSON.parse(answer.body!)).toMatchObject({
      error: 'invalid_booking',
      fields: { firstName: 'firstName is required to create a lead from a booking.' },
    });
    expect(await env.store.leadIdForEmail(email)).toBeUndefined();
    expect(await inbox(email)).toHaveLength(0);
  });

  it('a booking naming a leadId we do not hold answers 404 and stores nothing', async () => {
    const env = await testEnv();
    const leadId = '01HZZZZZZZZZZZZZZZZZZZZZZZ';
    const answer = await makeBookingHandler(env)(
      bookingEvent({ leadId, appointmentAt: '2026-03-09T09:00:00-05:00', status: 'booked' }),
    );
    expect(answer.statusCode).toBe(404);
    expect(JSON.parse(answer.body!)).toMatchObject({ error: 'unknown_lead' });
    expect(await env.store.get(leadId)).toBeUndefined();
  });

  it('a booking for an unknown address without consent answers 404 and stores nothing', async () => {
    const env = await testEnv();
    const email = uniqueEmail('stranger');
    const answer = await makeBookingHandler(env)(
      bookingEvent({ email, appointmentAt: '2026-03-09T09:00:00-05:00', status: 'booked' }),
    );
    expect(answer.statusCode).toBe(404);
    expect(JSON.parse(answer.body!)).toMatchObject({ error: 'unknown_lead' });
    expect(await env.store.leadIdForEmail(email)).toBeUndefined();
    expect(await inbox(email)).toHaveLength(0);
  });

  it('a visit reported as attended ends the nurture too: no confirmation or reminder, just the note the day after', async () => {
    const env = await testEnv({}, manualClock('2026-03-02T15:00:00Z'));
    const email = uniqueEmail('walked-in');
    const leadId = await signUp(env, email);
    env.clock.advance(60_000);
    await makeBookingHandler(env)(
      bookingEvent({ email, appointmentAt: '2026-03-02T14:00:00-05:00', status: 'attended' }),
    );
    await live(env, 30, [leadId]);
    expect((await env.store.messages(leadId)).map((m) => m.stepId)).toEqual(['welcome', 'after-visit']);
    expect(await env.store.get(leadId)).toMatchObject({
      sequenceId: 'follow-up',
      status: 'completed',
      skippedSteps: ['confirmation', 'reminder'],
    });
    expect((await inbox(email)).at(-1)!.body.html).toContain('Thank you for coming in to');
  });

  it('a reminder the dispatcher only gets to after the visit has begun is skipped, not sent late', async () => {
    const env = await testEnv({}, manualClock('2026-03-02T15:00:00Z'));
    const email = uniqueEmail('late-reminder');
    const leadId = await signUp(env, email);
    env.clock.advance(60_000);
    await makeBookingHandler(env)(
      bookingEvent({ email, appointmentAt: '2026-03-06T09:00:00-05:00', status: 'booked' }),
    );
    env.clock.set('2026-03-06T15:00:00Z'); // no dispatcher ran for four days (an outage): the visit was this morning
    await live(env, 5, [leadId]);
    expect((await env.store.messages(leadId)).map((m) => m.stepId)).toEqual(['welcome', 'confirmation', 'after-visit']);
    expect((await env.store.get(leadId))?.skippedSteps).toEqual(['reminder']);
  });

  it('the note after the visit thanks the lead for coming only when the visit was reported attended; otherwise it offers another time', async () => {
    const env = await testEnv({}, manualClock('2026-03-02T15:00:00Z'));
    const book = makeBookingHandler(env);
    const [came, unknown] = [uniqueEmail('came'), uniqueEmail('unknown')];
    const leadIds = [await signUp(env, came), await signUp(env, unknown)];
    env.clock.advance(60_000);
    for (const email of [came, unknown])
      await book(bookingEvent({ email, appointmentAt: '2026-03-10T14:30:00-04:00', status: 'booked' }));
    await live(env, 8, leadIds); // the reminders have gone
    env.clock.set('2026-03-10T21:00:00Z'); // 17:00 on the day of the visit: the clinic reports one of them came
    expect(
      await book(bookingEvent({ email: came, appointmentAt: '2026-03-10T14:30:00-04:00', status: 'attended' })),
    ).toMatchObject({ statusCode: 200 });
    await live(env, 5, leadIds); // one dispatcher, one renderer: both versions of the note from the same cache

    const note = async (email: string) => (await inbox(email)).find((m) => m.subject.startsWith('How'))!;
    const thanks = await note(came);
    expect(thanks.subject).toBe('How are you feeling, Rosa?');
    expect(thanks.body.html).toContain('Thank you for coming in to');
    expect(thanks.body.html).not.toContain('If you could not make it');
    const neutral = await note(unknown);
    expect(neutral.subject).toBe('How did your visit go, Rosa?');
    expect(neutral.body.html).not.toMatch(/thank you for coming/i);
    expect(neutral.body.html).toContain('If you could not make it, reply to this email or call us at');
    for (const leadId of leadIds)
      expect(local((await env.store.messages(leadId)).find((m) => m.stepId === 'after-visit')!.at)).toBe(
        '2026-03-11T10:00',
      );
  });

  it('a nurture send left unconfirmed when the booking switched the lead is recorded under the nurture, and the confirmation still goes', async () => {
    const env = await testEnv({}, manualClock('2026-03-02T15:00:00Z'));
    const email = uniqueEmail('stale-mark');
    const leadId = await signUp(env, email);
    env.clock.advance(3 * DAY);
    // A dispatcher handed how-it-works to SES and died; its lease has not run out when the booking arrives.
    const step = { sequenceId: 'nurture', stepId: 'how-it-works', class: 'marketing' as const };
    expect(await env.store.claim((await env.store.get(leadId))!, step, env.clock.now())).toEqual(expect.any(String));
    env.clock.advance(60_000);
    await makeBookingHandler(env)(
      bookingEvent({ email, appointmentAt: '2026-03-20T10:00:00-04:00', status: 'booked' }),
    );

    env.clock.advance(10 * 60_000);
    await dispatchDue(env.dispatch); // finds the stale mark: reported, never resent
    await live(env, 1, [leadId]);
    const messages = await env.store.messages(leadId);
    expect(messages.map((m) => [m.sequenceId, m.stepId, m.state])).toEqual([
      ['nurture', 'welcome', 'sent'],
      ['nurture', 'how-it-works', 'unconfirmed'],
      ['follow-up', 'confirmation', 'sent'],
    ]);
  });

  it('a booking for an address that bounced creates the lead stopped: no confirmation, and no email after a later change either', async () => {
    const env = await testEnv();
    const book = makeBookingHandler(env);
    const email = uniqueEmail('bounced');
    await env.events.suppress(email, 'bounced', env.clock.now());
    const created = await book(
      bookingEvent({
        email,
        firstName: 'Ari',
        consent: true,
        appointmentAt: '2026-03-09T09:00:00-05:00',
        status: 'booked',
      }),
    );
    expect(created.statusCode).toBe(201);
    const { leadId } = JSON.parse(created.body!);
    await book(bookingEvent({ email, appointmentAt: '2026-03-12T09:00:00-05:00', status: 'rescheduled' }));
    await book(bookingEvent({ email, appointmentAt: '2026-03-12T09:00:00-05:00', status: 'cancelled' }));
    await live(env, 20, [leadId]);
    expect(await inbox(email)).toHaveLength(0);
    expect(await env.store.get(leadId)).toMatchObject({ status: 'bounced', appointmentStatus: 'cancelled' });
  });

  it('a lead that unsubscribed from the nurture and then books gets the care emails about its visit, and no more nurture', async () => {
    const env = await testEnv();
    const email = uniqueEmail('quiet');
    const leadId = await signUp(env, email);
    const token = encodeURIComponent(signUnsubscribeToken(leadId, env.config.UNSUBSCRIBE_SECRET));
    await makeUnsubscribeHandler(env)(
      httpEvent('POST', `/unsubscribe?token=${token}`, {
        body: 'List-Unsubscribe=One-Click',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
    );
    expect(await env.store.get(leadId)).toMatchObject({ status: 'unsubscribed' });

    const answer = await makeBookingHandler(env)(
      bookingEvent({ leadId, appointmentAt: '2026-03-09T09:00:00-05:00', status: 'booked' }),
    );
    expect(JSON.parse(answer.body!)).toMatchObject({ changed: true, sequence: 'follow-up' });
    await live(env, 10, [leadId]);
    expect((await inbox(email)).map((m) => m.subject)).toEqual([
      expect.stringContaining('Welcome'),
      expect.stringContaining('booked'),
      expect.any(String), // the reminder
      expect.any(String), // the note after the visit
    ]);
    expect(await env.store.get(leadId)).toMatchObject({
      status: 'completed',
      optedOutAt: expect.any(String),
      sentSteps: ['welcome', 'confirmation', 'reminder', 'after-visit'],
    });
    // A cancellation after that would start the rebooking nudge: marketing, so not for this lead.
    await makeBookingHandler(env)(
      bookingEvent({ leadId, appointmentAt: '2026-03-20T09:00:00-04:00', status: 'cancelled' }),
    );
    await live(env, 5, [leadId]);
    expect(await inbox(email)).toHaveLength(4);
  });

  it('a lead that stopped everything and then books has the booking recorded and gets no email', async () => {
    const env = await testEnv();
    const email = uniqueEmail('stopped');
    const leadId = await signUp(env, email);
    const token = encodeURIComponent(signUnsubscribeToken(leadId, env.config.UNSUBSCRIBE_SECRET));
    await makeUnsubscribeHandler(env)(
      httpEvent('POST', `/unsubscribe?token=${token}`, {
        body: 'stop=everything',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
    );

    const answer = await makeBookingHandler(env)(
      bookingEvent({ leadId, appointmentAt: '2026-03-09T09:00:00-05:00', status: 'booked' }),
    );
    expect(JSON.parse(answer.body!)).toMatchObject({ changed: true, sequence: null });
    await live(env, 10, [leadId]);
    expect(await inbox(email)).toHaveLength(1);
    expect(await env.store.get(leadId)).toMatchObject({
      status: 'stopped',
      appointmentAt: '2026-03-09T14:00:00.000Z',
    });
  });

  it('a booking whose write is held up on the network while the lead unsubscribes from marketing still sends the care emails', async () => {
    const env = await testEnv();
    const email = uniqueEmail('quiet-race');
    const leadId = await signUp(env, email);
    // The booking has read the lead, still in the nurture, and planned the follow-up; its write is held up.
    const { book, reached, letGo } = heldBookingHandler(env);
    const pending = book(bookingEvent({ leadId, appointmentAt: '2026-03-09T09:00:00-05:00', status: 'booked' }));
    await reached;
    const token = encodeURIComponent(signUnsubscribeToken(leadId, env.config.UNSUBSCRIBE_SECRET));
    const unsubscribed = await makeUnsubscribeHandler(env)(
      httpEvent('POST', `/unsubscribe?token=${token}`, {
        body: 'List-Unsubscribe=One-Click',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
    );
    expect(unsubscribed.statusCode).toBe(200);
    letGo();

    expect(JSON.parse((await pending).body!)).toMatchObject({ changed: true, sequence: 'follow-up' });
    await live(env, 10, [leadId]);
    // The welcome, then the visit's confirmation, reminder and note; no nurture email after the unsubscribe.
    expect(await inbox(email)).toHaveLength(4);
    expect(await env.store.get(leadId)).toMatchObject({
      status: 'completed',
      optedOutAt: expect.any(String),
      sentSteps: ['welcome', 'confirmation', 'reminder', 'after-visit'],
    });
  });

  it('a booking whose write is held up on the network while the lead stops everything is recorded, and sends nothing', async () => {
    const env = await testEnv();
    const email = uniqueEmail('stop-race');
    const leadId = await signUp(env, email);
    const { book, reached, letGo } = heldBookingHandler(env);
    const pending = book(bookingEvent({ leadId, appointmentAt: '2026-03-09T09:00:00-05:00', status: 'booked' }));
    await reached;
    const token = encodeURIComponent(signUnsubscribeToken(leadId, env.config.UNSUBSCRIBE_SECRET));
    const stopped = await makeUnsubscribeHandler(env)(
      httpEvent('POST', `/unsubscribe?token=${token}`, {
        body: 'stop=everything',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
    );
    expect(stopped.statusCode).toBe(200);
    letGo();

    expect(JSON.parse((await pending).body!)).toMatchObject({ changed: true, sequence: null });
    await live(env, 10, [leadId]);
    expect(await inbox(email)).toHaveLength(1); // the welcome
    expect(await env.store.get(leadId)).toMatchObject({ status: 'stopped', appointmentAt: '2026-03-09T14:00:00.000Z' });
  });

  it('a booking that arrives while a send is in flight waits for it, even one marked exactly the longest send ago: the booking is recorded once SES has answered', async () => {
    const env = await testEnv();
    const email = uniqueEmail('booking-waits');
    const leadId = await signUp(env, email);
    env.clock.advance(3 * DAY);
    // A dispatcher has claimed the lead and handed how-it-works to SES; SES has not answered yet.
    const step = { sequenceId: 'nurture', stepId: 'how-it-works', class: 'marketing' as const };
    const token = (await env.store.claim((await env.store.get(leadId))!, step, env.clock.now()))!;
    // The longest send (the SES timeout and the pacer's margin) since the mark: the send may still be waiting on SES.
    env.clock.advance(env.config.SES_TIMEOUT_SECONDS * 1000 + 2_000);
    const waits: string[] = [];
    const deps: BookingDeps = {
      store: env.store,
      events: env.events,
      clock: env.clock,
      newId: () => crypto.randomUUID(),
      sequences: env.dispatch.sequences,
      sendTimeoutMs: env.config.SES_TIMEOUT_SECONDS * 1000,
      defaultTimeZone: NY,
      consentTextVersion: env.config.CONSENT_TEXT_VERSION,
      // While the booking waits, SES answers and the dispatcher settles the send.
      sleep: async () => {
        waits.push((await env.store.get(leadId))!.sequenceId);
        if (waits.length === 1) {
          const settled = await env.store.settle(
            leadId,
            { token },
            {
              settledStepId: 'how-it-works',
              sentAt: env.clock.now(),
              next: { stepId: 'who-it-helps', at: env.clock.now() },
            },
          );
          expect(settled).toBe(true);
        }
      },
    };
    const parsed = parseBooking({ leadId, appointmentAt: '2026-03-20T10:00:00-04:00', status: 'booked' });
    if (!parsed.ok) throw new Error('bad booking');

    expect(await applyBooking(deps, parsed.booking)).toMatchObject({ outcome: 'updated' });
    expect(waits).toEqual(['nurture']); // it waited once, with the lead still in the nurture
    expect(await env.store.get(leadId)).toMatchObject({
      sequenceId: 'follow-up',
      sentSteps: expect.arrayContaining(['how-it-works']),
    });
  });

  it('a booking whose write is held up on the network while the lead is erased answers 404 and writes nothing back', async () => {
    const env = await testEnv();
    const leadId = await signUp(env, uniqueEmail('erased-mid-booking'));
    const { book, reached, letGo } = heldBookingHandler(env);
    const pending = book(bookingEvent({ leadId, appointmentAt: '2026-03-09T09:00:00-05:00', status: 'booked' }));
    await reached;
    const doc = DynamoDBDocumentClient.from(dynamoClient(env.config));
    await doc.send(new DeleteCommand({ TableName: env.config.TABLE_NAME, Key: leadKey(leadId) }));
    letGo();

    expect((await pending).statusCode).toBe(404);
    expect(await env.store.get(leadId)).toBeUndefined();
  });

  it('a hard bounce or a complaint on a care email stops the rest of the care emails', async () => {
    for (const [type, detail] of [
      ['Bounce', { bounceType: 'Permanent' }],
      ['Complaint', { complaintFeedbackType: 'abuse' }],
    ] as const) {
      const env = await testEnv();
      const email = uniqueEmail(`care-${type.toLowerCase()}`);
      const leadId = await signUp(env, email);
      await makeBookingHandler(env)(
        bookingEvent({ leadId, appointmentAt: '2026-03-09T09:00:00-05:00', status: 'booked' }),
      );
      const confirmation = (await env.store.messages(leadId)).find((m) => m.stepId === 'confirmation')!;
      const tags = { leadId, sequenceId: 'follow-up', stepId: 'confirmation' };
      expect(
        await oneByOne(makeSesEventsRecorder(env))(
          sesEventFor(type, confirmation.messageId!, tags, env.clock.now(), detail),
        ),
        type,
      ).toBe('recorded');
      await live(env, 10, [leadId]);
      expect(await inbox(email), type).toHaveLength(2); // the welcome and the confirmation; no reminder, no note
      expect(await env.store.get(leadId), type).toMatchObject({ status: type === 'Bounce' ? 'bounced' : 'complained' });
    }
  });
});

describe('the booking webhook refuses', () => {
  const booking = (email: string) => ({ email, appointmentAt: '2026-03-09T09:00:00-05:00', status: 'booked' });

  it('a bad signature, a tampered body, a missing signature and an old timestamp: 401, and the lead stays in the nurture', async () => {
    const env = await testEnv();
    const book = makeBookingHandler(env);
    const email = uniqueEmail('forged');
    const leadId = await signUp(env, email);

    const wrongKey = await book(
      bookingEvent(booking(email), { secret: 'not-the-clinic-secret-not-the-clinic-secret' }),
    );
    const signed = bookingEvent(booking(email)) as { headers: Record<string, string>; body: string };
    const tampered = await book({ ...signed, body: signed.body.replace('2026-03-09', '2026-03-10') } as never);
    const unsigned = await book(httpEvent('POST', '/booking', { body: booking(email) }));
    const old = await book(bookingEvent(booking(email), { at: new Date(Date.now() - 6 * 60_000) }));

    for (const answer of [wrongKey, tampered, unsigned, old]) {
      expect(answer.statusCode).toBe(401);
      expect(JSON.parse(answer.body!).message).toMatch(/X-Nurture-/);
    }
    expect(JSON.parse(old.body!).message).toMatch(/5 minutes/);
    expect(await env.store.get(leadId)).toMatchObject({ sequenceId: 'nurture', nextStepId: 'how-it-works' });
    expect((await env.store.get(leadId))?.bookedAt).toBeUndefined();
  });

  it('a replay of the same delivery changes nothing the second time', async () => {
    const env = await testEnv();
    const book = makeBookingHandler(env);
    const email = uniqueEmail('replay');
    await signUp(env, email);
    const delivery = bookingEvent({ email, appointmentAt: '2026-03-12T11:00:00-04:00', status: 'cancelled' });
    await book(bookingEvent({ email, appointmentAt: '2026-03-12T11:00:00-04:00', status: 'booked' }));
    expect((await book(delivery)).statusCode).toBe(200);
    const before = await env.store.get((await env.store.leadIdForEmail(email))!);

    const again = await book(delivery);
    expect(again.statusCode).toBe(200);
    expect(JSON.parse(again.body!)).toMatchObject({ duplicate: true });
    expect(await env.store.get(before!.leadId)).toEqual(before);

    // Each delivery is remembered (its item's TTL) for longer than its signature stays valid, 5 minutes, so a replay
    // is always caught; and for no more than a day, so the table does not keep them.
    const doc = DynamoDBDocumentClient.from(dynamoClient(env.config));
    const remembered = await doc.send(
      new ScanCommand({
        TableName: env.config.TABLE_NAME,
        FilterExpression: '#type = :delivery',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ':delivery': 'delivery' },
      }),
    );
    const now = env.clock.now().getTime() / 1000;
    expect(remembered.Items).toHaveLength(2);
    for (const item of remembered.Items!) {
      expect(item.expiresAt).toBeGreaterThan(now + 5 * 60);
      expect(item.expiresAt).toBeLessThanOrEqual(now + 86_400);
    }
  });

  it('an invalid body: 400 naming each bad field, and nothing changes', async () => {
    const env = await testEnv();
    const email = uniqueEmail('sloppy');
    const leadId = await signUp(env, email);
    const answer = await makeBookingHandler(env)(
      bookingEvent({ email, appointmentAt: 'next tuesday', status: 'maybe' }),
    );
    expect(answer.statusCode).toBe(400);
    expect(JSON.parse(answer.body!)).toMatchObject({
      error: 'invalid_booking',
      fields: {
        appointmentAt: expect.stringMatching(/ISO 8601/),
        status: expect.stringMatching(/booked, rescheduled/),
      },
    });
    expect(await env.store.get(leadId)).toMatchObject({ sequenceId: 'nurture' });
  });
});
