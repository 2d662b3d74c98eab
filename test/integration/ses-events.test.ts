import { DeleteCommand, DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamoClient } from '../../lambdas/adapters/clients.ts';
import { sesEventsDeps } from '../../lambdas/compose.ts';
import { emailKey, leadKey, messageKey } from '../../lambdas/adapters/dynamo-keys.ts';
import { dispatchDue } from '../../lambdas/domain/dispatch.ts';
import { makeSesEventsRecorder } from '../../lambdas/handlers/ses-events.ts';
import { oneByOne } from '../../local/sqs-batch.ts';
import { makeSignupHandler } from '../../lambdas/handlers/signup.ts';
import { makeBookingHandler } from '../../lambdas/handlers/booking.ts';
import { linkKey } from '../../lambdas/domain/machine-clicks.ts';
import { parseSesEvent } from '../../lambdas/domain/ses-event.ts';
import { sesEventFor, withEngagementFeed } from '../../local/engagement-feed.ts';
import { bookingEvent, httpEvent, inbox, sesFaults, testEnv, uniqueEmail } from './harness.ts';

const env = await testEnv();
const record = oneByOne(makeSesEventsRecorder(env));
const doc = DynamoDBDocumentClient.from(dynamoClient(env.config));
const item = async (key: Record<string, string>) =>
  (await doc.send(new GetCommand({ TableName: env.config.TABLE_NAME, Key: key, ConsistentRead: true }))).Item;

/** How many of the lead's messages have SES events recorded (each on its MSG# item, made by its first event). */
const eventCount = async (leadId: string) =>
  (
    await doc.send(
      new QueryCommand({
        TableName: env.config.TABLE_NAME,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :msg)',
        ExpressionAttributeValues: { ':pk': leadKey(leadId).pk, ':msg': 'MSG#' },
        ConsistentRead: true,
      }),
    )
  ).Count;

async function signUp(email: string) {
  const result = await makeSignupHandler(env)(
    httpEvent('POST', '/signup', { body: { email, firstName: 'Ira', consent: true } }),
  );
  return JSON.parse(result.body!).leadId as string;
}

/** An SES event as EventBridge delivers it, for the welcome actually sent to this lead. */
async function sesEvent(leadId: string, eventType: string, at: string, extra: Record<string, unknown> = {}) {
  const message = (await env.store.messages(leadId)).find((m) => m.stepId === 'welcome')!;
  const section = eventType.charAt(0).toLowerCase() + eventType.slice(1);
  return {
    version: '0',
    id: crypto.randomUUID(),
    'detail-type': `Email ${eventType}`,
    source: 'aws.ses',
    detail: {
      eventType,
      mail: {
        messageId: message.messageId,
        timestamp: message.at.toISOString(),
        tags: {
          leadId: [leadId],
          sequenceId: ['nurture'],
          stepId: ['welcome'],
          'ses:configuration-set': ['nurture-test'],
        },
      },
      [section]: { timestamp: at, ...extra },
    },
  };
}

describe('SES events', () => {
  it('delivery, opens and clicks are recorded on the message', async () => {
    const leadId = await signUp(uniqueEmail('engaged'));
    expect(await record(await sesEvent(leadId, 'Delivery', '2026-03-02T15:00:01Z'))).toBe('recorded');
    await record(await sesEvent(leadId, 'Open', '2026-03-02T16:00:00Z'));
    await record(
      await sesEvent(leadId, 'Click', '2026-03-02T16:01:00Z', { link: 'https://clinic.example/consultation' }),
    );

    const [sent] = await env.store.messages(leadId);
    expect(sent).toMatchObject({ stepId: 'welcome', state: 'sent' });
    expect(await item(messageKey(leadId, 'nurture', 'welcome'))).toMatchObject({
      messageId: sent!.messageId,
      firstDeliveryAt: '2026-03-02T15:00:01.000Z',
      firstOpenAt: '2026-03-02T16:00:00.000Z',
      // The click as kept: its time, its link's fingerprint (never the URL), no scanner's mark, no link name.
      clicks: new Set([`2026-03-02T16:01:00.000Z|${linkKey('https://clinic.example/consultation')}||`]),
      sentAt: sent!.at.toISOString(),
    });
    expect(await env.store.get(leadId)).toMatchObject({ humanClicks: ['welcome'] });
  });

  it('events out of order keep the earliest time as the first', async () => {
    const leadId = await signUp(uniqueEmail('unordered'));
    await record(await sesEvent(leadId, 'Open', '2026-03-03T10:00:00Z'));
    await record(await sesEvent(leadId, 'Open', '2026-03-02T18:00:00Z'));
    expect(await item(messageKey(leadId, 'nurture', 'welcome'))).toMatchObject({
      firstOpenAt: '2026-03-02T18:00:00.000Z',
    });
  });

  it("the write that records an event says whether it is the first of its type on the message (the report's counters count that)", async () => {
    const leadId = await signUp(uniqueEmail('first'));
    const parsed = async (type: string, at: string, extra: Record<string, unknown> = {}) => {
      const result = parseSesEvent(await sesEvent(leadId, type, at, extra));
      if (!result.ok) throw new Error(result.reason);
      return result.event;
    };
    const link = { link: 'https://clinic.example/consultation' };
    const laterOpen = await parsed('Open', '2026-03-03T10:00:00Z');
    expect(await env.events.recordEvent(laterOpen)).toEqual({ first: true });
    expect(await env.events.recordEvent(laterOpen)).toBe(false); // redelivered
    // An earlier Open arriving second is kept as the first time, but it is not the first Open recorded.
    expect(await env.events.recordEvent(await parsed('Open', '2026-03-02T18:00:00Z'))).toEqual({ first: false });
    expect(await env.events.recordEvent(await parsed('Open', '2026-03-04T10:00:00Z'))).toBe(false);
    expect(await env.events.recordEvent(await parsed('Click', '2026-03-03T10:01:00Z', link))).toMatchObject({
      first: true,
    });
    expect(await env.events.recordEvent(await parsed('Click', '2026-03-03T10:02:00Z', link))).toMatchObject({
      first: false,
    });
    expect(await env.events.recordEvent(await parsed('Click', '2026-03-03T10:02:00Z', link))).toBe(false);
    expect(await env.events.recordEvent(await parsed('Delivery', '2026-03-02T15:00:01Z'))).toMatchObject({
      first: true,
    });
  });

  it('a hard bounce stops the lead and suppresses the address; signing it up again sends nothing', async () => {
    const email = uniqueEmail('hard');
    const leadId = await signUp(email);
    await record(
      await sesEvent(leadId, 'Bounce', '2026-03-02T15:00:05Z', { bounceType: 'Permanent', bounceSubType: 'General' }),
    );
    expect(await env.store.get(leadId)).toMatchObject({ status: 'bounced' });
    expect(await env.events.suppressedAs(email)).toBe('bounced');

    env.clock.advance(30 * 86_400_000);
    await dispatchDue(env.dispatch);
    expect(await inbox(email)).toHaveLength(1);

    // Even once retention has removed the lead and its email record, the address stays suppressed.
    await doc.send(new DeleteCommand({ TableName: env.config.TABLE_NAME, Key: emailKey(email) }));
    await doc.send(new DeleteCommand({ TableName: env.config.TABLE_NAME, Key: leadKey(leadId) }));
    const again = await makeSignupHandler(env)(
      httpEvent('POST', '/signup', { body: { email, firstName: 'Ira', consent: true } }),
    );
    expect(again.statusCode).toBe(200);
    expect(await inbox(email)).toHaveLength(1);
  });

  it('a soft bounce is recorded and sending goes on', async () => {
    const email = uniqueEmail('soft');
    const leadId = await signUp(email);
    expect(
      await record(
        await sesEvent(leadId, 'Bounce', '2026-03-02T15:00:05Z', {
          bounceType: 'Transient',
          bounceSubType: 'MailboxFull',
        }),
      ),
    ).toBe('recorded');
    expect(await env.store.get(leadId)).toMatchObject({ status: 'active', nextStepId: 'how-it-works' });
    expect(await env.events.suppressedAs(email)).toBeUndefined();
    expect(await item(messageKey(leadId, 'nurture', 'welcome'))).toMatchObject({
      firstBounceAt: '2026-03-02T15:00:05.000Z',
    });
  });

  it('a hard bounce after a soft one (the message keeps the soft one as its first bounce) still stops the lead and suppresses the address', async () => {
    const email = uniqueEmail('soft-then-hard');
    const leadId = await signUp(email);
    const bounce = (at: string, bounceType: string) => sesEvent(leadId, 'Bounce', at, { bounceType });
    expect(await record(await bounce('2026-03-02T15:00:05Z', 'Transient'))).toBe('recorded');
    expect(await record(await bounce('2026-03-04T15:00:05Z', 'Permanent'))).toBe('duplicate');
    expect(await env.store.get(leadId)).toMatchObject({ status: 'bounced' });
    expect(await env.events.suppressedAs(email)).toBe('bounced');
    expect(await item(messageKey(leadId, 'nurture', 'welcome'))).toMatchObject({
      firstBounceAt: '2026-03-02T15:00:05.000Z',
    });
    // Delivered again, it changes nothing more.
    const stopped = await env.store.get(leadId);
    expect(await record(await bounce('2026-03-04T15:00:05Z', 'Permanent'))).toBe('duplicate');
    expect(await env.store.get(leadId)).toEqual(stopped);
  });

  it('a complaint stops the lead and suppresses the address', async () => {
    const email = uniqueEmail('complaint');
    const leadId = await signUp(email);
    await record(await sesEvent(leadId, 'Complaint', '2026-03-02T17:00:00Z'));
    expect(await env.store.get(leadId)).toMatchObject({ status: 'complained' });
    expect(await env.events.suppressedAs(email)).toBe('complained');
  });

  it.each([
    ['a hard bounce', 'Bounce', { bounceType: 'Permanent', bounceSubType: 'General' }, 'bounced'],
    ['a complaint', 'Complaint', {}, 'complained'],
  ] as const)(
    '%s whose stop of the lead fails after the event is recorded is finished by its redelivery: the lead ends stopped, the address suppressed, and no email follows',
    async (_, type, extra, status) => {
      const email = uniqueEmail(`unfinished-${type.toLowerCase()}`);
      const leadId = await signUp(email);
      // The recorder's own DynamoDB client: it wraps the real client and fails one write, the lead's stop (the update
      // that sets its status and stoppedAt), as an outage would. No emulator fails a write on demand.
      const dynamo = dynamoClient(env.config);
      let failures = 1;
      dynamo.middlewareStack.add(
        (next, context) => async (args) => {
          const update = (args.input as { UpdateExpression?: string }).UpdateExpression ?? '';
          if (context.commandName === 'UpdateItemCommand' && update.includes('stoppedAt = :now') && failures-- > 0)
            throw Object.assign(new Error('Internal server error'), { name: 'InternalServerError' });
          return next(args);
        },
        { step: 'initialize', name: 'failTheStopOnce' },
      );
      const recordWith = oneByOne(makeSesEventsRecorder(sesEventsDeps(env.config, { clock: env.clock, dynamo })));
      const event = await sesEvent(leadId, type, '2026-03-02T17:00:00Z', extra);

      // The event is recorded (and the address suppressed) before the stop fails: the batch, this one record, fails
      // back to SQS.
      await expect(recordWith(event)).rejects.toThrow('All records failed processing');
      expect(failures).toBe(0);
      expect(await env.store.get(leadId)).toMatchObject({ status: 'active' });
      // SQS delivers it again: the event is a duplicate now, but the stop it did not finish is made.
      expect(await recordWith(event)).toBe('duplicate');
      expect(await env.store.get(leadId)).toMatchObject({ status, stoppedAt: expect.any(String) });
      expect(await env.store.get(leadId)).not.toHaveProperty('nextSendAt');
      expect(await env.events.suppressedAs(email)).toBe(status);

      env.clock.advance(30 * 86_400_000);
      await dispatchDue(env.dispatch);
      expect(await inbox(email)).toHaveLength(1); // the welcome alone
    },
  );

  it('a click on a 2,000-character link is recorded once, like any other', async () => {
    const leadId = await signUp(uniqueEmail('longlink'));
    const link = `https://clinic.example/consultation?utm_content=${'x'.repeat(1950)}`;
    const click = await sesEvent(leadId, 'Click', '2026-03-02T16:01:00Z', { link });
    expect(await record(click)).toBe('recorded');
    expect(await record(click)).toBe('duplicate');
    expect(await item(messageKey(leadId, 'nurture', 'welcome'))).toMatchObject({
      clicks: new Set([`2026-03-02T16:01:00.000Z|${linkKey(link)}||`]),
    });
  });

  it('an event whose tags are not our ids is skipped, whatever they hold', async () => {
    const leadId = await signUp(uniqueEmail('foreign'));
    const open = await sesEvent(leadId, 'Open', '2026-03-02T16:00:00Z');
    expect(
      await record({
        ...open,
        detail: {
          ...open.detail,
          mail: {
            ...open.detail.mail,
            tags: { leadId: ['例'.repeat(256)], sequenceId: ['nurture'], stepId: ['welcome'] },
          },
        },
      }),
    ).toBe('skipped');
  });

  it('an event about a message the lead was not sent (another message id on its step, a step it was not sent, a lead we do not have) is skipped and changes nothing', async () => {
    const email = uniqueEmail('not-sent');
    const leadId = await signUp(email);
    const [lead, welcome] = [await item(leadKey(leadId)), await item(messageKey(leadId, 'nurture', 'welcome'))];
    const complaint = await sesEvent(leadId, 'Complaint', '2026-03-02T17:00:00Z');
    const { mail } = complaint.detail;
    const about = (changes: Partial<typeof mail>) => ({
      ...complaint,
      detail: { ...complaint.detail, mail: { ...mail, ...changes } },
    });

    expect(await record(about({ messageId: 'ses-0000000000-not-ours' }))).toBe('skipped');
    expect(await record(about({ tags: { ...mail.tags, stepId: ['how-it-works'] } }))).toBe('skipped');
    // Its message id and step, but tagged with another sequence: not the message we sent either.
    expect(await record(about({ tags: { ...mail.tags, sequenceId: ['follow-up'] } }))).toBe('skipped');
    expect(await record(about({ tags: { ...mail.tags, leadId: ['01JNOSUCHLEAD0000000000000'] } }))).toBe('skipped');
    expect(await item(leadKey(leadId))).toEqual(lead);
    expect(await item(messageKey(leadId, 'nurture', 'welcome'))).toEqual(welcome);
    expect(await item(messageKey(leadId, 'nurture', 'how-it-works'))).toBeUndefined();
    expect(await item(messageKey('01JNOSUCHLEAD0000000000000', 'nurture', 'welcome'))).toBeUndefined();
    expect(await eventCount(leadId)).toBe(0);
    expect(await env.events.suppressedAs(email)).toBeUndefined();

    // The same complaint about the welcome the lead was sent is its own.
    expect(await record(complaint)).toBe('recorded');
    expect(await env.events.suppressedAs(email)).toBe('complained');
  });

  it('an event that overtakes our record of the send (SES publishes before the dispatcher writes) is recorded', async () => {
    const own = await testEnv();
    const recordOwn = makeSesEventsRecorder(own);
    const result = await makeSignupHandler(own)(
      httpEvent('POST', '/signup', { body: { email: uniqueEmail('overtaken'), firstName: 'Ira', consent: true } }),
    );
    const leadId = JSON.parse(result.body!).leadId as string;
    const results: unknown[] = [];
    // The local runtime's feed: Send and Delivery recorded as SES accepts the message, before the dispatcher records it.
    const mailer = withEngagementFeed(
      own.dispatch.mailer,
      async (event) => results.push(...(await recordOwn(event)).outcomes),
      own.clock,
    );
    own.clock.advance(3 * 86_400_000);
    expect(await dispatchDue({ ...own.dispatch, mailer })).toMatchObject({ sent: 1 });
    expect(results).toEqual(['recorded', 'recorded']);
    expect(await own.store.messages(leadId)).toEqual([
      expect.objectContaining({ stepId: 'welcome' }),
      expect.objectContaining({ stepId: 'how-it-works', state: 'sent' }),
    ]);
    const howItWorks = await doc.send(
      new GetCommand({
        TableName: own.config.TABLE_NAME,
        Key: messageKey(leadId, 'nurture', 'how-it-works'),
        ConsistentRead: true,
      }),
    );
    expect(howItWorks.Item).toMatchObject({ firstDeliveryAt: expect.any(String) });
  });

  it('an event for another step of the sequence, arriving while the lead is sending this one, is skipped', async () => {
    const own = await testEnv();
    const recordOwn = oneByOne(makeSesEventsRecorder(own));
    const result = await makeSignupHandler(own)(
      httpEvent('POST', '/signup', { body: { email: uniqueEmail('in-flight'), firstName: 'Ira', consent: true } }),
    );
    const leadId = JSON.parse(result.body!).leadId as string;
    const strays: unknown[] = [];
    // While SES has the how-it-works email (the lead carries its in-flight mark), a complaint tagged with a later step
    // of the same sequence, which the lead was never sent, arrives.
    const mailer = {
      async send(email: Parameters<typeof own.dispatch.mailer.send>[0]) {
        const tags = { ...email.tags, stepId: 'who-it-helps' };
        strays.push(await recordOwn(sesEventFor('Complaint', 'ses-0000000000-not-sent', tags, own.clock.now())));
        return own.dispatch.mailer.send(email);
      },
    };
    own.clock.advance(3 * 86_400_000);
    expect(await dispatchDue({ ...own.dispatch, mailer })).toMatchObject({ sent: 1 });
    expect(strays).toEqual(['skipped']);
    expect(await own.store.get(leadId)).toMatchObject({ status: 'active' });
    expect(await eventCount(leadId)).toBe(0);
  });

  it('an event for a nurture step still in flight after a booking moved the lead to the follow-up is recorded; the same step tagged with the follow-up is skipped', async () => {
    const own = await testEnv();
    const recordOwn = oneByOne(makeSesEventsRecorder(own));
    const email = uniqueEmail('in-flight-booked');
    const result = await makeSignupHandler(own)(
      httpEvent('POST', '/signup', { body: { email, firstName: 'Ira', consent: true } }),
    );
    const leadId = JSON.parse(result.body!).leadId as string;
    own.clock.advance(3 * 86_400_000);
    // A dispatcher handed how-it-works to SES and died; a booking then moved the lead to the follow-up, and the
    // in-flight mark still names the nurture.
    const step = { sequenceId: 'nurture', stepId: 'how-it-works', class: 'marketing' as const };
    expect(await own.store.claim((await own.store.get(leadId))!, step, own.clock.now())).toEqual(expect.any(String));
    own.clock.advance(60_000);
    await makeBookingHandler(own)(
      bookingEvent({ email, appointmentAt: '2026-03-20T10:00:00-04:00', status: 'booked' }),
    );
    expect(await own.store.get(leadId)).toMatchObject({
      sequenceId: 'follow-up',
      sending: expect.objectContaining({ stepId: 'how-it-works' }),
    });

    const ownItem = async (key: Record<string, string>) =>
      (await doc.send(new GetCommand({ TableName: own.config.TABLE_NAME, Key: key, ConsistentRead: true }))).Item;
    const at = own.clock.now();
    const tags = { leadId, sequenceId: 'follow-up', stepId: 'how-it-works' };
    expect(await recordOwn(sesEventFor('Delivery', 'ses-0000000000-in-flight', tags, at))).toBe('skipped');
    expect(await ownItem(messageKey(leadId, 'follow-up', 'how-it-works'))).toBeUndefined();
    expect(
      await recordOwn(sesEventFor('Delivery', 'ses-0000000000-in-flight', { ...tags, sequenceId: 'nurture' }, at)),
    ).toBe('recorded');
    expect(await ownItem(messageKey(leadId, 'nurture', 'how-it-works'))).toMatchObject({
      messageId: 'ses-0000000000-in-flight',
    });
  });

  it('a complaint that comes after retention removed the lead (its message record outlives it) is recorded, not failed', async () => {
    const email = uniqueEmail('expired');
    const leadId = await signUp(email);
    const complaint = await sesEvent(leadId, 'Complaint', '2026-03-30T17:00:00Z');
    expect(await record(await sesEvent(leadId, 'Delivery', '2026-03-02T15:00:01Z'))).toBe('recorded');
    // Retention removes each item on its own schedule (TTL); here the lead's item went first. The message's item,
    // which its Delivery made, holds its id.
    await doc.send(new DeleteCommand({ TableName: env.config.TABLE_NAME, Key: leadKey(leadId) }));

    expect(await record(complaint)).toBe('recorded');
    expect(await item(messageKey(leadId, 'nurture', 'welcome'))).toMatchObject({
      firstComplaintAt: '2026-03-30T17:00:00.000Z',
    });
    expect(await env.store.get(leadId)).toBeUndefined();
    expect(await env.store.messages(leadId)).toEqual([]); // no lead: no messages of its own to list
  });

  it('an event for a send whose SES answer was lost (recorded as unconfirmed, no message id) is recorded, and then that message id is the one', async () => {
    const faults = await sesFaults({ rule: (request) => (request.tags.stepId === 'welcome' ? 'drop' : undefined) });
    const lossy = await testEnv({ SES_ENDPOINT: faults.url });
    const result = await makeSignupHandler(lossy)(
      httpEvent('POST', '/signup', { body: { email: uniqueEmail('lost-answer'), firstName: 'Ira', consent: true } }),
    );
    const leadId = JSON.parse(result.body!).leadId as string;
    expect(await lossy.store.messages(leadId)).toEqual([
      expect.objectContaining({ stepId: 'welcome', state: 'unconfirmed' }),
    ]);
    expect((await lossy.store.messages(leadId))[0]!.messageId).toBeUndefined();
    const [accepted] = faults.acceptedFor(leadId);
    const tags = { leadId, sequenceId: 'nurture', stepId: 'welcome' };

    const recordLossy = oneByOne(makeSesEventsRecorder(lossy));
    expect(
      await recordLossy(sesEventFor('Delivery', accepted!.messageId, tags, new Date('2026-03-02T15:00:02Z'))),
    ).toBe('recorded');
    expect(await lossy.store.messages(leadId)).toEqual([
      expect.objectContaining({ state: 'unconfirmed', messageId: accepted!.messageId }),
    ]);
    expect(
      await recordLossy(sesEventFor('Open', 'ses-0000000000-not-ours', tags, new Date('2026-03-02T16:00:00Z'))),
    ).toBe('skipped');
  });

  it('an event whose time, once in UTC, falls outside the years 0000 to 9999 is skipped, so it never counts as the first', async () => {
    const leadId = await signUp(uniqueEmail('out-of-range'));
    expect(await record(await sesEvent(leadId, 'Open', '2026-03-02T16:00:00Z'))).toBe('recorded');
    expect(await record(await sesEvent(leadId, 'Open', '9999-12-31T23:59:59-12:00'))).toBe('skipped'); // +010000-01-01T11:59:59Z
    expect(await record(await sesEvent(leadId, 'Open', '0000-01-01T00:00:00+01:00'))).toBe('skipped'); // -000001-12-31T23:00:00Z
    // A valid time, later than the first open: kept as nothing new (only the first time of each type is kept).
    expect(await record(await sesEvent(leadId, 'Open', '9999-12-31T23:59:59Z'))).toBe('duplicate');
    expect(await item(messageKey(leadId, 'nurture', 'welcome'))).toMatchObject({
      firstOpenAt: '2026-03-02T16:00:00.000Z',
    });
  });

  it('a malformed or unknown event is skipped without failing', async () => {
    expect(await record({ source: 'aws.ses', detail: { eventType: 'Teleport' } })).toBe('skipped');
    expect(
      await record({
        source: 'aws.ses',
        detail: { eventType: 'Open', mail: { messageId: 'x', timestamp: 'yesterday', tags: {} } },
      }),
    ).toBe('skipped');
    expect(await record(null)).toBe('skipped');
    expect(await record('{}')).toBe('skipped');
  });
});
