/**
 * The same request or event arriving more than once, or two requests racing, changes nothing a person would notice.
 * Emails are counted at the SES endpoint (what SES accepted), not in our own records.
 */
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamoClient } from '../../lambdas/adapters/clients.ts';
import { unsubscribeDeps } from '../../lambdas/compose.ts';
import { messageKey } from '../../lambdas/adapters/dynamo-keys.ts';
import { DynamoReportSource } from '../../lambdas/adapters/dynamo-report-source.ts';
import { buildReport } from '../../lambdas/domain/report.ts';
import { deliverNext, dispatchDue } from '../../lambdas/domain/dispatch.ts';
import { makeBookingHandler } from '../../lambdas/handlers/booking.ts';
import { makeSesEventsRecorder } from '../../lambdas/handlers/ses-events.ts';
import { oneByOne } from '../../local/sqs-batch.ts';
import { makeSignupHandler } from '../../lambdas/handlers/signup.ts';
import { makeUnsubscribeHandler } from '../../lambdas/handlers/unsubscribe.ts';
import { sesEventFor } from '../../local/engagement-feed.ts';
import {
  bookingEvent,
  httpEvent,
  runningClock,
  sesFaults,
  testEnv,
  uniqueEmail,
  heldUpdates,
  type TestEnv,
} from './harness.ts';
import { seedDueLeads } from '../support/seed.ts';

const DAY = 86_400_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
const documents = (env: TestEnv) => DynamoDBDocumentClient.from(dynamoClient(env.config));

describe('replays', () => {
  it('the same sign-up submitted 50 times at once creates one lead and SES gets one welcome', async () => {
    const faults = await sesFaults();
    const env = await testEnv({ SES_ENDPOINT: faults.url });
    const signup = makeSignupHandler(env);
    const email = uniqueEmail('fifty');
    const body = { email, firstName: 'Kai', consent: true, interest: 'chronic-migraine' };

    const answers = await Promise.all(Array.from({ length: 50 }, () => signup(httpEvent('POST', '/signup', { body }))));

    expect(answers.filter((a) => a.statusCode === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.statusCode === 200).map((a) => a.body)).toEqual(
      Array(49).fill(JSON.stringify({ created: false })),
    );
    const leads = await documents(env).send(
      new ScanCommand({
        TableName: env.config.TABLE_NAME,
        FilterExpression: '#type = :lead',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ':lead': 'lead' },
      }),
    );
    expect(leads.Items?.map((item) => item.email)).toEqual([email]);
    expect(faults.accepted.map((m) => [m.to, m.tags.stepId])).toEqual([[[email], 'welcome']]);
  });

  it('the same SES event delivered three times, two of them at once, is counted once', async () => {
    const faults = await sesFaults();
    const env = await testEnv({ SES_ENDPOINT: faults.url });
    const record = oneByOne(makeSesEventsRecorder(env));
    const [lead] = await seedDueLeads(env, 1, 'event-replay');
    await dispatchDue(env.dispatch);
    const [sent] = faults.acceptedFor(lead!.leadId);
    const open = sesEventFor(
      'Open',
      sent!.messageId,
      { leadId: lead!.leadId, sequenceId: 'nurture', stepId: 'welcome' },
      new Date('2026-03-02T16:00:00Z'),
    );

    const results = [
      ...(await Promise.all([record(open), record({ ...open, id: 'another-eventbridge-id' })])),
      await record(open),
    ];

    expect(results.sort()).toEqual(['duplicate', 'duplicate', 'recorded']);
    // The message keeps the open once, and the report counts it once.
    const message = await documents(env).send(
      new GetCommand({
        TableName: env.config.TABLE_NAME,
        Key: messageKey(lead!.leadId, 'nurture', 'welcome'),
        ConsistentRead: true,
      }),
    );
    expect(message.Item).toMatchObject({ messageId: sent!.messageId, firstOpenAt: '2026-03-02T16:00:00.000Z' });
    const input = await new DynamoReportSource(dynamoClient(env.config), env.config.TABLE_NAME).read();
    const report = buildReport(input, { now: env.clock.now(), sequences: env.dispatch.sequences });
    const welcome = report.sequences.find((s) => s.sequenceId === 'nurture')!.steps.find((s) => s.stepId === 'welcome');
    expect(welcome).toMatchObject({ sent: 1, opened: 1 });
  });
});

describe('a booking webhook replayed', () => {
  it('five deliveries of one booking at once, a late copy, then the same booking signed anew: one confirmation at SES, and nothing changes after the first', async () => {
    const faults = await sesFaults();
    const env = await testEnv({ SES_ENDPOINT: faults.url });
    const email = uniqueEmail('booked');
    const signup = await makeSignupHandler(env)(
      httpEvent('POST', '/signup', { body: { email, firstName: 'Rosa', consent: true } }),
    );
    const { leadId } = JSON.parse(signup.body!);
    const book = makeBookingHandler(env);
    const booking = { email, appointmentAt: '2026-03-12T11:00:00-04:00', status: 'booked', bookingId: 'appt-7' };

    const delivery = bookingEvent(booking);
    const answers = (await Promise.all(Array.from({ length: 5 }, () => book(delivery)))).map((answer) => [
      answer.statusCode,
      JSON.parse(answer.body!),
    ]);
    // Copies that race each other all reach the lead's conditional write; exactly one changes anything.
    expect(answers.filter(([, body]) => body.changed)).toEqual([
      [200, { leadId, created: false, changed: true, sequence: 'follow-up' }],
    ]);
    for (const [status, body] of answers.filter(([, body]) => !body.changed)) {
      expect(status).toBe(200);
      expect(body.duplicate === true || body.changed === false).toBe(true);
    }
    const after = await env.store.get(leadId);
    // A copy that arrives once the first was acted on is known as a duplicate before anything is read.
    expect(JSON.parse((await book(delivery)).body!)).toMatchObject({ duplicate: true });

    // The scheduling system retries the same booking with a fresh timestamp and signature: not a duplicate delivery,
    // but the same facts, so nothing changes and nothing is sent.
    const resent = await book(bookingEvent(booking, { at: new Date(Date.now() + 2_000) }));
    expect([resent.statusCode, JSON.parse(resent.body!)]).toEqual([
      200,
      { leadId, created: false, changed: false, sequence: 'follow-up' },
    ]);
    expect(await env.store.get(leadId)).toEqual(after);
    expect(faults.acceptedFor(leadId).map((m) => m.tags.stepId)).toEqual(['welcome', 'confirmation']);
  });
});

describe('an unsubscribe racing a dispatch', () => {
  it('over 40 races with varied timing, the email went out before the unsubscribe was recorded, or not at all', async ({
    skip,
  }) => {
    skip(process.env.MUTATION_RUN === '1', 'timing decides each race: npm run mutate relies on the in-flight tests');
    // SES takes 0–15 ms to answer, varying by lead, so the unsubscribe lands before, during and after sends.
    const faults = await sesFaults({ rule: (request) => ({ slow: (request.tags.leadId!.charCodeAt(25) % 4) * 5 }) });
    const env = await testEnv({ SES_ENDPOINT: faults.url }, runningClock()); // wall-clock time, to compare with SES's
    const unsubscribe = makeUnsubscribeHandler(env);
    const leads = await seedDueLeads(env, 40, 'race');
    const outcomes = { sentBefore: 0, notSent: 0 };

    for (const [i, lead] of leads.entries()) {
      const url = new URL(env.dispatch.unsubscribeUrl(lead.leadId));
      const oneClick = httpEvent('POST', `${url.pathname}${url.search}`, {
        body: 'List-Unsubscribe=One-Click',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      const offset = ((i * 7) % 40) - 10; // ms from the dispatch to the unsubscribe: -10 (unsubscribe first) to +29
      const [, answer] = await Promise.all([
        sleep(-offset).then(() => deliverNext(env.dispatch, lead.leadId)),
        sleep(offset).then(() => unsubscribe(oneClick)),
      ]);
      expect(answer.statusCode).toBe(200);

      const stored = (await env.store.get(lead.leadId)) as { status: string; stoppedAt: string } | undefined;
      expect(stored?.status).toBe('unsubscribed');
      const sent = faults.acceptedFor(lead.leadId);
      expect(sent.length).toBeLessThanOrEqual(1);
      if (sent[0]) expect(sent[0].at).toBeLessThanOrEqual(Date.parse(stored!.stoppedAt));
      outcomes[sent.length ? 'sentBefore' : 'notSent']++;
    }

    expect(outcomes.sentBefore).toBeGreaterThan(0); // the races really went both ways
    expect(outcomes.notSent).toBeGreaterThan(0);
    const before = faults.accepted.length;
    env.clock.advance(30 * DAY);
    expect(await dispatchDue(env.dispatch)).toMatchObject({ due: 0 });
    expect(faults.accepted).toHaveLength(before);
  });

  it('an unsubscribe whose write is held up on the network while a whole send completes is recorded after that send', async () => {
    const faults = await sesFaults();
    const env = await testEnv({ SES_ENDPOINT: faults.url }, runningClock());
    const [lead] = await seedDueLeads(env, 1, 'held-up');
    // The unsubscribe runs on its own DynamoDB client whose writes are held until the test lets them go (it reads
    // the lead first, to see which class of email is next).
    const { dynamo, reached, letGo } = heldUpdates(env.config, { every: true });
    const unsubscribe = makeUnsubscribeHandler(unsubscribeDeps(env.config, { clock: env.clock, dynamo }));

    const url = new URL(env.dispatch.unsubscribeUrl(lead!.leadId));
    const pending = unsubscribe(
      httpEvent('POST', `${url.pathname}${url.search}`, {
        body: 'List-Unsubscribe=One-Click',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
    );
    await reached; // the unsubscribe's write has left, with its time...
    expect(await deliverNext(env.dispatch, lead!.leadId)).toBe('sent'); // ...and a send completes before it lands
    letGo();
    expect((await pending).statusCode).toBe(200);

    const stored = (await env.store.get(lead!.leadId)) as { status: string; stoppedAt: string } | undefined;
    expect(stored?.status).toBe('unsubscribed');
    expect(faults.acceptedFor(lead!.leadId)[0]!.at).toBeLessThanOrEqual(Date.parse(stored!.stoppedAt));
  });
});

describe('unsubscribes racing a care email', () => {
  it('over 40 races with varied timing: a marketing unsubscribe never stops the reminder, stopping everything lets it go only before it is recorded', async ({
    skip,
  }) => {
    skip(process.env.MUTATION_RUN === '1', 'timing decides each race: npm run mutate relies on the in-flight tests');
    const faults = await sesFaults({ rule: (request) => ({ slow: (request.tags.leadId!.charCodeAt(25) % 4) * 5 }) });
    const env = await testEnv({ SES_ENDPOINT: faults.url }, runningClock());
    const unsubscribe = makeUnsubscribeHandler(env);
    const book = makeBookingHandler(env);
    const signup = makeSignupHandler(env);
    // 40 leads who booked a visit three days out: the welcome and the confirmation are sent, the reminder is next.
    const leadIds: string[] = [];
    for (let i = 0; i < 40; i++) {
      const body = { email: uniqueEmail(`care-race-${i}`), firstName: 'Ida', consent: true };
      const { leadId } = JSON.parse((await signup(httpEvent('POST', '/signup', { body }))).body!) as { leadId: string };
      const appointmentAt = new Date(env.clock.now().getTime() + 3 * DAY).toISOString();
      await book(bookingEvent({ leadId, appointmentAt, status: 'booked' }));
      leadIds.push(leadId);
    }
    const due = await Promise.all(leadIds.map((id) => env.store.get(id)));
    expect(due.map((lead) => lead?.nextStepId)).toEqual(Array(40).fill('reminder'));
    env.clock.set(new Date(Math.max(...due.map((lead) => Date.parse(lead!.nextSendAt!)))));

    const reminders = (leadId: string) => faults.acceptedFor(leadId).filter((m) => m.tags.stepId === 'reminder');
    const stopOutcomes = { sentBefore: 0, notSent: 0 };
    for (const [i, leadId] of leadIds.entries()) {
      const everything = i % 2 === 1;
      const url = new URL(env.dispatch.unsubscribeUrl(leadId));
      const request = httpEvent('POST', `${url.pathname}${url.search}`, {
        body: everything ? 'stop=everything' : 'List-Unsubscribe=One-Click',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      const offset = ((i * 7) % 40) - 10; // ms from the dispatch to the unsubscribe: -10 (unsubscribe first) to +29
      const [, answer] = await Promise.all([
        sleep(-offset).then(() => deliverNext(env.dispatch, leadId)),
        sleep(offset).then(() => unsubscribe(request)),
      ]);
      expect(answer.statusCode).toBe(200);
      // The next dispatcher run: a reminder the race kept back goes now, unless everything was stopped.
      await deliverNext(env.dispatch, leadId);

      const stored = (await env.store.get(leadId)) as { status: string; stoppedAt?: string; nextStepId?: string };
      if (everything) {
        expect(stored.status).toBe('stopped');
        const sent = reminders(leadId);
        expect(sent.length).toBeLessThanOrEqual(1);
        if (sent[0]) expect(sent[0].at).toBeLessThanOrEqual(Date.parse(stored.stoppedAt!));
        stopOutcomes[sent.length ? 'sentBefore' : 'notSent']++;
      } else {
        expect(stored).toMatchObject({ status: 'active', nextStepId: 'after-visit', optedOutAt: expect.any(String) });
        expect(reminders(leadId)).toHaveLength(1);
      }
    }
    expect(stopOutcomes.sentBefore).toBeGreaterThan(0); // the races really went both ways
    expect(stopOutcomes.notSent).toBeGreaterThan(0);

    // After the visit: the note goes to every lead that unsubscribed from marketing, to none that stopped everything.
    env.clock.advance(5 * DAY);
    await dispatchDue(env.dispatch);
    for (const [i, leadId] of leadIds.entries()) {
      const steps = faults.acceptedFor(leadId).map((m) => m.tags.stepId);
      expect(
        steps.filter((step) => step === 'after-visit'),
        leadId,
      ).toHaveLength(i % 2 === 1 ? 0 : 1);
      expect(
        steps.filter(
          (step) => step !== 'welcome' && step !== 'confirmation' && step !== 'reminder' && step !== 'after-visit',
        ),
      ).toEqual([]);
    }
  });
});
