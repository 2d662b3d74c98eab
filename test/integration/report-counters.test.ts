/**
 * The report's counters, kept at write time, against the recount from the raw items (the Scan that
 * `npm run report -- --rebuild` makes), after the fault and replay scenarios of ses-faults.test.ts and replays.test.ts:
 * duplicate and out-of-order SES events, racing sign-ups and bookings, unsubscribes, bounces and complaints, SES
 * throttling, 5xx, rejections and lost answers, a record that fails after SES accepted, and a dispatcher that dies.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { dynamoClient } from '../../lambdas/adapters/clients.ts';
import { sendingDeps, sesEventsDeps } from '../../lambdas/compose.ts';
import { DynamoReportCounters } from '../../lambdas/adapters/dynamo-report-counters.ts';
import { deliverNext, dispatchDue } from '../../lambdas/domain/dispatch.ts';
import { makeBookingHandler } from '../../lambdas/handlers/booking.ts';
import { makeSesEventsRecorder } from '../../lambdas/handlers/ses-events.ts';
import { oneByOne, sqsEvent, sqsRecord } from '../../local/sqs-batch.ts';
import { makeSignupHandler } from '../../lambdas/handlers/signup.ts';
import { makeUnsubscribeHandler } from '../../lambdas/handlers/unsubscribe.ts';
import { sesEventFor } from '../../local/engagement-feed.ts';
import { fix } from '../../local/report-rebuild.ts';
import { forwardChildOutput } from '../support/privacy.ts';
import { compareCounters } from '../support/report-compare.ts';
import { seedDueLeads } from '../support/seed.ts';
import { bookingEvent, httpEvent, sesFaults, testEnv, uniqueEmail, type TestEnv } from './harness.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function service(env: TestEnv) {
  const record = oneByOne(makeSesEventsRecorder(env));
  const booking = makeBookingHandler(env);
  const unsubscribe = makeUnsubscribeHandler(env);
  return {
    signUp: async (label: string) => {
      const result = await makeSignupHandler(env)(
        httpEvent('POST', '/signup', { body: { email: uniqueEmail(label), firstName: 'Ada', consent: true } }),
      );
      return JSON.parse(result.body!).leadId as string;
    },
    /** An SES event for the step the lead was sent, at `at`. */
    event: async (
      leadId: string,
      stepId: string,
      type: 'Delivery' | 'Open' | 'Click' | 'Bounce' | 'Complaint',
      at = env.clock.now(),
      section: Record<string, unknown> = {},
    ) => {
      const message = (await env.store.messages(leadId)).find((m) => m.stepId === stepId)!;
      const tags = { leadId, sequenceId: message.sequenceId, stepId };
      return record(sesEventFor(type, message.messageId!, tags, at, section, message.at));
    },
    book: (body: object) => booking(bookingEvent(body)),
    unsubscribe: (leadId: string) => {
      const url = new URL(env.dispatch.unsubscribeUrl(leadId));
      return unsubscribe(
        httpEvent('POST', `${url.pathname}${url.search}`, {
          body: 'List-Unsubscribe=One-Click',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        }),
      );
    },
  };
}

/** Dispatch a day at a time until nothing is due. */
async function runDays(env: TestEnv, days: number) {
  for (let day = 0; day < days; day++) {
    await dispatchDue(env.dispatch);
    env.clock.advance(DAY);
  }
}

describe('the report counters agree with the recount from the raw items', () => {
  it('after replayed and out-of-order SES events, racing sign-ups and bookings, stops of every kind, and sequences run to their end', async () => {
    const env = await testEnv();
    const s = service(env);
    const click = { link: 'https://clinic.example/consultation' };

    // The same sign-up 50 times at once, and six more people.
    const twin = { email: uniqueEmail('twin'), firstName: 'Kai', consent: true };
    await Promise.all(
      Array.from({ length: 50 }, () => makeSignupHandler(env)(httpEvent('POST', '/signup', { body: twin }))),
    );
    const [booker, lateClick, bouncer, complainer, softBounce, quitter] = await Promise.all(
      ['booker', 'late-click', 'bouncer', 'complainer', 'soft', 'quitter'].map(s.signUp),
    );
    const welcomeAt = env.clock.now();

    // Events replayed (one three times, two of them at once) and out of order (an open before its delivery).
    env.clock.advance(HOUR);
    const delivery = sesEventFor(
      'Delivery',
      (await env.store.messages(booker!))[0]!.messageId!,
      { leadId: booker!, sequenceId: 'nurture', stepId: 'welcome' },
      env.clock.now(),
    );
    const record = oneByOne(makeSesEventsRecorder(env));
    await Promise.all([record(delivery), record(delivery)]);
    await record(delivery);
    await s.event(softBounce!, 'welcome', 'Open', new Date(welcomeAt.getTime() + 2 * HOUR));
    await s.event(softBounce!, 'welcome', 'Delivery', new Date(welcomeAt.getTime() + HOUR));
    await s.event(softBounce!, 'welcome', 'Bounce', env.clock.now(), { bounceType: 'Transient' });
    for (const lead of [lateClick, complainer, quitter]) await s.event(lead!, 'welcome', 'Delivery');
    await s.event(booker!, 'welcome', 'Click', env.clock.now(), click);
    await s.event(booker!, 'welcome', 'Click', new Date(env.clock.now().getTime() + 60_000), click);

    // A permanent bounce, replayed; a complaint; an unsubscribe racing a dispatcher run.
    await s.event(bouncer!, 'welcome', 'Bounce', env.clock.now(), { bounceType: 'Permanent' });
    await s.event(bouncer!, 'welcome', 'Bounce', env.clock.now(), { bounceType: 'Permanent' });
    await s.event(complainer!, 'welcome', 'Complaint', env.clock.now(), { complaintFeedbackType: 'abuse' });

    // Bookings: five deliveries of one at once, a late copy; a lead who booked before a click that arrives later.
    env.clock.advance(HOUR);
    const booked = { leadId: booker, appointmentAt: '2026-03-20T10:00:00-06:00', status: 'booked' };
    const once = bookingEvent(booked);
    const booking = makeBookingHandler(env);
    await Promise.all(Array.from({ length: 5 }, () => booking(once)));
    await booking(once);
    const clickedAt = env.clock.now();
    env.clock.advance(HOUR);
    await s.book({ leadId: lateClick, appointmentAt: '2026-03-21T10:00:00-06:00', status: 'booked' });
    await s.event(lateClick!, 'welcome', 'Click', clickedAt, click);
    // A walk-in: a lead created by its booking. A stopped lead that books.
    await s.book({
      email: uniqueEmail('walk-in'),
      firstName: 'Noa',
      consent: true,
      appointmentAt: '2026-03-22T10:00:00-06:00',
      status: 'booked',
    });
    await s.unsubscribe(quitter!);
    env.clock.advance(HOUR);
    await s.book({ leadId: quitter, appointmentAt: '2026-03-23T10:00:00-06:00', status: 'booked' });
    // The bounced lead unsubscribes too (it stays bounced: no email of any class goes to it), and a booker cancels
    // (the reschedule nudge).
    await s.unsubscribe(bouncer!);
    await s.book({ leadId: booker, appointmentAt: '2026-03-20T10:00:00-06:00', status: 'cancelled' });

    // Days pass: the nurture runs to its end for those still in it; an unsubscribe races a run.
    env.clock.set('2026-03-05T15:00:00Z');
    await Promise.all([dispatchDue(env.dispatch), s.unsubscribe(lateClick!)]);
    await runDays(env, 40);

    const { differences, leadsOff, recounted } = await compareCounters(env);
    expect(differences).toEqual([]);
    expect(leadsOff).toEqual([]);
    // What was counted is what happened, not an empty table agreeing with empty counters.
    expect(recounted).toMatchObject({
      'lead/nurture': 7,
      'lead/bookings': 4,
      'lead/afterClick': 2,
      'lead/left.booked': 2,
      'lead/left.unsubscribed': 1,
      'lead/left.bounced': 1,
      'lead/left.complained': 1,
      // The quitter (then booked: care goes to it) and the late clicker (booked, so care was next).
      'lead/unsubscribed.marketing': 2,
      // The twin and the soft bounce clicked nothing: their check-in went unanswered, and the nurture ended there.
      'lead/left.sunset': 2,
      'step/nurture/welcome/sent': 7,
      'step/nurture/welcome/delivered': 5,
      'step/nurture/welcome/clicked': 2,
      'step/nurture/welcome/bookedAfter': 2,
      'step/nurture/welcome/unsubscribed': 1,
      'step/nurture/welcome/complained': 1,
    });
  }, 120_000);

  it('after SES throttling and 5xx across four dispatchers, a rejection, lost and late answers, and a record that fails after SES accepted', async () => {
    const faults = await sesFaults({
      seed: 'counters',
      rates: { throttle: 0.2, 'server-error': 0.05 },
      rule: (request) =>
        request.to.some((to) => to.startsWith('rejected'))
          ? 'reject'
          : request.to.some((to) => to.startsWith('dropped')) && request.tags.stepId === 'how-it-works'
            ? 'drop'
            : undefined,
    });
    const env = await testEnv({ SES_ENDPOINT: faults.url, DUE_SHARDS: '4', LEASE_SECONDS: '60' });
    const others = await Promise.all(
      [1, 2, 3].map(() =>
        testEnv({ TABLE_NAME: env.config.TABLE_NAME, SES_ENDPOINT: faults.url, DUE_SHARDS: '4' }, env.clock),
      ),
    );
    const s = service(env);
    const leads = [];
    for (const label of ['rejected', 'dropped', 'after-send', ...Array.from({ length: 20 }, (_, i) => `lead${i}`)])
      leads.push(await s.signUp(label));
    const afterSend = leads[2]!;

    // Four dispatchers at once, day after day, with the faults; one lead's record fails after SES accepted its step.
    const throttled = Object.assign(Object.create(env.store), {
      recordMessage: () =>
        Promise.reject(Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' })),
    });
    for (let day = 0; day < 40; day++) {
      if (day === 3) await deliverNext({ ...env.dispatch, store: throttled }, afterSend);
      await Promise.all([env, ...others].map((each) => dispatchDue(each.dispatch)));
      for (const lead of leads.slice(3, 8)) {
        const sent = (await env.store.messages(lead)).at(-1);
        if (sent?.messageId) await s.event(lead, sent.stepId, 'Delivery');
      }
      env.clock.advance(DAY);
    }

    expect(faults.counts().throttle).toBeGreaterThan(10);
    expect(faults.counts().drop).toBe(1);
    const { differences, leadsOff, recounted } = await compareCounters(env);
    expect(differences).toEqual([]);
    expect(leadsOff).toEqual([]);
    expect(recounted).toMatchObject({ 'lead/nurture': 23, 'lead/left.rejected': 1 });
    // No lead clicked: each that got its check-in and was not stopped ended there (a sunset), or is still on its way.
    const left = (reason: string) => recounted[`lead/left.${reason}`] ?? 0;
    expect(left('sunset') + left('completed') + left('active')).toBe(22);
    expect(left('sunset')).toBeGreaterThan(0);
    // Every lead but the rejected one got its welcome. One that SES did not answer in time (a loaded machine can make the
    // client give up) is unconfirmed, never resent, and not counted as sent: the counters count what was recorded.
    const welcomes = (await Promise.all(leads.map((lead) => env.store.messages(lead))))
      .flat()
      .filter((message) => message.stepId === 'welcome');
    expect(welcomes.filter((message) => message.state === 'sent' || message.state === 'unconfirmed')).toHaveLength(22);
    expect(recounted['step/nurture/welcome/sent']).toBe(welcomes.filter((message) => message.state === 'sent').length);
  }, 120_000);

  it('after a dispatcher killed while SES held its send, found unconfirmed after the lease', async () => {
    const faults = await sesFaults({ rule: () => ({ slow: Infinity }) });
    const env = await testEnv({ SES_ENDPOINT: faults.url, LEASE_SECONDS: '120' });
    // Leads written past the counters, as before the counters existed: the rebuild's --fix counts them first.
    const [lead] = await seedDueLeads(env, 1, 'inflight');
    const before = await compareCounters(env);
    expect(before.differences).toContainEqual({ key: 'lead/nurture', counters: 0, recount: 1 });
    await fix(before.counters, before.input, before.recounted, 'nurture');
    expect((await compareCounters(env)).differences).toEqual([]);

    const child = spawnDispatcher(env);
    await faults.nextRequest();
    await child.kill();
    faults.setPlan({});
    env.clock.advance(121_000);
    expect(await dispatchDue(env.dispatch)).toMatchObject({ unconfirmed: 1 });
    // SES delivered it: the event names the message id SES gave it, which our record of the unconfirmed send lacks.
    const [accepted] = faults.acceptedFor(lead!.leadId);
    const tags = { leadId: lead!.leadId, sequenceId: 'nurture', stepId: 'welcome' };
    expect(
      await oneByOne(makeSesEventsRecorder(env))(sesEventFor('Delivery', accepted!.messageId, tags, env.clock.now())),
    ).toBe('recorded');
    await runDays(env, 30);

    const { differences, leadsOff, recounted } = await compareCounters(env);
    expect(differences).toEqual([]);
    expect(leadsOff).toEqual([]);
    // It clicked nothing: the nurture ended after its unanswered check-in.
    expect(recounted).toMatchObject({ 'lead/left.sunset': 1, 'step/nurture/welcome/delivered': 1 });
    expect(recounted['step/nurture/welcome/sent']).toBeUndefined();
  }, 60_000);

  it('after SQS batches across leads: a record that fails is retried alone and counted once, a batch delivered again counts nothing, a body that is not JSON is dropped', async () => {
    const env = await testEnv();
    const s = service(env);
    const [first, second, third, fourth] = await Promise.all(
      ['batch-1', 'batch-2', 'batch-3', 'batch-4'].map(s.signUp),
    );
    const event = async (leadId: string, type: 'Delivery' | 'Open' | 'Click' | 'Complaint') => {
      const message = (await env.store.messages(leadId))[0]!;
      const tags = { leadId, sequenceId: 'nurture', stepId: 'welcome' };
      // A person's click comes a while after the send (a click at once would be a mail scanner's).
      const at = new Date(env.clock.now().getTime() + (type === 'Click' ? HOUR : 0));
      return sesEventFor(
        type,
        message.messageId!,
        tags,
        at,
        { ...(type === 'Click' && { link: 'https://clinic.example/consultation' }) },
        message.at,
      );
    };
    // The table throttles two writes: the second lead's Delivery, before it is recorded; and the fourth lead's
    // suppression, after its Complaint is recorded (and counted).
    const throttled = { delivery: 1, suppression: 1 };
    const dynamo = dynamoClient(env.config);
    dynamo.middlewareStack.add(
      (next, context) => async (args) => {
        const key = (args.input as { Key?: Record<string, unknown> }).Key;
        const text = (value: unknown) =>
          typeof value === 'object' && value !== null && 'S' in value ? String(value.S) : String(value);
        const pk = key ? text(key.pk) : '';
        const fault =
          context.commandName === 'UpdateItemCommand' && pk === `LEAD#${second}` && text(key!.sk).startsWith('MSG#')
            ? 'delivery'
            : context.commandName === 'PutItemCommand' &&
                text((args.input as { Item?: Record<string, unknown> }).Item?.pk).startsWith('SUPPRESS#')
              ? 'suppression'
              : undefined;
        if (fault && throttled[fault]-- > 0)
          throw Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' });
        return next(args);
      },
      { step: 'initialize', name: 'throttleTwoWrites' },
    );
    const record = makeSesEventsRecorder(sesEventsDeps(env.config, { clock: env.clock, dynamo }));
    const counters = new DynamoReportCounters(dynamoClient(env.config), {
      tableName: env.config.TABLE_NAME,
      retentionDays: 0,
    });
    const welcome = (counts: Record<string, number>, metric: string) => counts[`step/nurture/welcome/${metric}`] ?? 0;

    const batch = sqsEvent([
      await event(first!, 'Delivery'),
      await event(second!, 'Delivery'),
      await event(third!, 'Delivery'),
      await event(first!, 'Open'),
      await event(third!, 'Click'),
      await event(fourth!, 'Complaint'),
    ]);
    batch.Records.push(sqsRecord('{"version":"0","source":"aws.ses","detail":'));
    const delivered = await record(batch);
    // SQS gets back exactly the two failed records; the others are not done again.
    expect(delivered.response).toEqual({
      batchItemFailures: [
        { itemIdentifier: batch.Records[1]!.messageId },
        { itemIdentifier: batch.Records[5]!.messageId },
      ],
    });
    expect(delivered.outcomes).toEqual(['recorded', 'failed', 'recorded', 'recorded', 'recorded', 'failed', 'skipped']);
    let counts = await counters.read();
    expect([welcome(counts, 'delivered'), welcome(counts, 'opened'), welcome(counts, 'clicked')]).toEqual([2, 1, 1]);
    // The complaint was recorded before its suppression failed: its count is written with the batch, not lost.
    expect(welcome(counts, 'complained')).toBe(1);

    expect(await env.store.get(fourth!)).toMatchObject({ status: 'active' });

    // SQS delivers the two failed records again, in a batch of their own. The complaint is recorded already: its retry
    // counts nothing, and finishes what failed (the stop and the suppression).
    const retried = await record({ Records: [batch.Records[1]!, batch.Records[5]!] });
    expect(retried).toEqual({ response: { batchItemFailures: [] }, outcomes: ['recorded', 'duplicate'] });
    counts = await counters.read();
    expect([welcome(counts, 'delivered'), welcome(counts, 'complained')]).toEqual([3, 1]);
    const complainer = await env.store.get(fourth!);
    expect(complainer).toMatchObject({ status: 'complained' });
    expect(await env.events.suppressedAs(complainer!.email)).toBe('complained');

    // The whole batch again (its invocation timed out after the writes, say): every event is there, nothing counts.
    const again = await record(batch);
    expect(again.response).toEqual({ batchItemFailures: [] });
    expect(again.outcomes).toEqual([
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
      'skipped',
    ]);
    expect(await counters.read()).toEqual(counts);

    const { differences, leadsOff } = await compareCounters(env);
    expect(differences).toEqual([]);
    expect(leadsOff).toEqual([]);
  }, 60_000);

  it('after a run that fails part-way (DynamoDB refuses every write to one lead): what it sent before is counted, and the run still fails', async () => {
    const env = await testEnv();
    const s = service(env);
    for (const label of ['fails-1', 'fails-2', 'fails-3']) await s.signUp(label);
    env.clock.advance(3 * DAY);
    // The run takes the due leads in the order the due index lists them (one worker): the last one listed fails.
    const shards = Array.from({ length: env.config.DUE_SHARDS }, (_, shard) => shard);
    const listed = (await Promise.all(shards.map((shard) => env.store.due(shard, env.clock.now(), 10)))).flat();
    expect(listed).toHaveLength(3);
    const failing = listed.at(-1)!.leadId;
    // The run's own DynamoDB client, which fails every write to that lead (its claim, then its deferral) as an outage
    // would: an error that is not a refused condition.
    const dynamo = dynamoClient(env.config);
    dynamo.middlewareStack.add(
      (next, context) => async (args) => {
        const pk = (args.input as { Key?: { pk?: unknown } }).Key?.pk;
        const key = typeof pk === 'object' && pk !== null && 'S' in pk ? String(pk.S) : String(pk);
        if (context.commandName === 'UpdateItemCommand' && key === `LEAD#${failing}`)
          throw Object.assign(new Error('Internal server error'), { name: 'InternalServerError' });
        return next(args);
      },
      { step: 'initialize', name: 'failOneLead' },
    );
    const run = sendingDeps(env.config, { clock: env.clock, dynamo, ses: env.ses, sendRate: 1000 });

    await expect(dispatchDue({ ...run, settings: { ...run.settings, concurrency: 1 } })).rejects.toThrow(
      'Internal server error',
    );
    const { differences, leadsOff, recounted } = await compareCounters(env);
    expect(differences).toEqual([]);
    expect(leadsOff).toEqual([]);
    expect(recounted).toMatchObject({ 'step/nurture/welcome/sent': 3, 'step/nurture/how-it-works/sent': 2 });
    expect((await env.store.get(failing))!.sentSteps).toEqual(['welcome']);
  });
});

/** A dispatcher in a child process on the same table and SES endpoint, to be killed with SIGKILL mid-send. */
function spawnDispatcher(env: TestEnv) {
  const keys = [
    'TABLE_NAME',
    'SES_CONFIGURATION_SET',
    'PUBLIC_BASE_URL',
    'UNSUBSCRIBE_SECRET',
    'DYNAMODB_ENDPOINT',
    'SES_ENDPOINT',
    'DUE_SHARDS',
    'LEASE_SECONDS',
    'RETRY_DELAY_SECONDS',
  ] as const;
  const config = Object.fromEntries(keys.map((key) => [key, String(env.config[key])]));
  const script = fileURLToPath(new URL('../support/dispatch-child.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, ...config, CLOCK_AT: env.clock.now().toISOString() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  void forwardChildOutput(child);
  const exited = once(child, 'exit');
  onTestFinished(() => void child.kill('SIGKILL'));
  return {
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
