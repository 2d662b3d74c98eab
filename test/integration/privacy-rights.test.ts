/**
 * A person's data on request (`npm run privacy`): export holds everything stored about the address, and erasure
 * leaves no item anywhere in the table that holds it (a Scan of the whole table, every attribute, any case), keeping
 * only a keyed hash of the address for a person who unsubscribed or was suppressed, which sign-up then refuses.
 * An erasure while a send is in flight leaves no lead item behind: the send's settle is refused and writes nothing.
 */
import { DynamoDBDocumentClient, paginateScan, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamoClient } from '../../lambdas/adapters/clients.ts';
import { DynamoPrivacy } from '../../lambdas/adapters/dynamo-privacy.ts';
import { auditPartition, erasedKey, leadKey } from '../../lambdas/adapters/dynamo-keys.ts';
import { deliverNext } from '../../lambdas/domain/dispatch.ts';
import { addressHash, addressKey, erasePerson, exportPerson, type PrivacyDeps } from '../../lambdas/domain/privacy.ts';
import { stopLead } from '../../lambdas/domain/stop.ts';
import { makeSesEventsRecorder } from '../../lambdas/handlers/ses-events.ts';
import { makeSignupHandler } from '../../lambdas/handlers/signup.ts';
import { sesEventFor } from '../../local/engagement-feed.ts';
import { oneByOne } from '../../local/sqs-batch.ts';
import {
  httpEvent,
  inbox,
  recordingLog,
  runNext,
  sesFaults,
  signUp,
  testEnv,
  uniqueEmail,
  type TestEnv,
} from './harness.ts';

const env = await testEnv();

function privacyOf(on: TestEnv): PrivacyDeps {
  const people = new DynamoPrivacy(dynamoClient(on.config), {
    tableName: on.config.TABLE_NAME,
    addressKey: addressKey(on.config.UNSUBSCRIBE_SECRET),
  });
  return { people, now: () => on.clock.now(), who: 'local:privacy-test' };
}

/** Every item in the table, each attribute's value as text (string sets included). */
async function everyItem(on: TestEnv): Promise<{ item: Record<string, unknown>; text: string }[]> {
  const doc = DynamoDBDocumentClient.from(dynamoClient(on.config));
  const items: { item: Record<string, unknown>; text: string }[] = [];
  for await (const page of paginateScan({ client: doc }, { TableName: on.config.TABLE_NAME, ConsistentRead: true }))
    for (const item of page.Items ?? [])
      items.push({
        item,
        text: JSON.stringify(item, (_key, value: unknown) => (value instanceof Set ? [...value] : value)),
      });
  return items;
}

/** The items that hold the address anywhere (a key, an attribute, a list), whatever its case. */
async function itemsHolding(on: TestEnv, address: string) {
  const wanted = address.toLowerCase();
  return (await everyItem(on)).filter(({ text }) => text.toLowerCase().includes(wanted)).map(({ item }) => item);
}

async function leadPartition(on: TestEnv, leadId: string) {
  const doc = DynamoDBDocumentClient.from(dynamoClient(on.config));
  const result = await doc.send(
    new QueryCommand({
      TableName: on.config.TABLE_NAME,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': leadKey(leadId).pk },
      ConsistentRead: true,
    }),
  );
  return result.Items ?? [];
}

async function auditItems(on: TestEnv) {
  const doc = DynamoDBDocumentClient.from(dynamoClient(on.config));
  const result = await doc.send(
    new QueryCommand({
      TableName: on.config.TABLE_NAME,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': auditPartition },
      ConsistentRead: true,
    }),
  );
  return result.Items ?? [];
}

/** A sign-up through the real handler, as the form posts it: its status and answer. */
async function signUpAgain(on: TestEnv, email: string) {
  const result = await makeSignupHandler(on)(
    httpEvent('POST', '/signup', { body: { email, firstName: 'Ana', consent: true } }),
  );
  return { status: result.statusCode, body: JSON.parse(result.body!) as Record<string, unknown> };
}

/** Record an SES event of `type` for the lead's message of `stepId`, as EventBridge would deliver it. */
async function sesEvent(
  on: TestEnv,
  leadId: string,
  stepId: string,
  type: 'Delivery' | 'Open' | 'Click' | 'Bounce',
  extra = {},
) {
  const message = (await on.store.messages(leadId)).find((m) => m.stepId === stepId)!;
  const event = sesEventFor(
    type,
    message.messageId!,
    { leadId, sequenceId: message.sequenceId, stepId },
    on.clock.now(),
    extra,
  );
  return oneByOne(makeSesEventsRecorder(on))(event);
}

describe('export and erasure of a person’s data', () => {
  it('export holds the lead, its consent, its messages and their SES events; erasure then leaves no item holding the address', async () => {
    const email = uniqueEmail('Ana.Export').replace('example.com', 'Example.COM');
    const leadId = await signUp(env, {
      email,
      firstName: 'Ana',
      lastName: 'Whitlock',
      phone: '+1 555 0100',
      interest: 'chronic-migraine',
    });
    env.clock.advance(60_000);
    expect(await sesEvent(env, leadId, 'welcome', 'Delivery')).toBe('recorded');
    expect(await sesEvent(env, leadId, 'welcome', 'Click', { link: 'https://clinic.example/book' })).toBe('recorded');
    await runNext(env, leadId);
    const deps = privacyOf(env);

    const exported = await exportPerson(deps, email.toUpperCase());
    expect(exported).toMatchObject({
      found: true,
      email: email.toLowerCase(),
      leadId,
      lead: {
        email: email.toLowerCase(),
        firstName: 'Ana',
        lastName: 'Whitlock',
        phone: '+1 555 0100',
        interest: 'chronic-migraine',
        status: 'active',
      },
      consent: { textVersion: expect.any(String), at: expect.any(String) },
    });
    expect(exported.messages.map((m) => [m.stepId, m.state])).toEqual([
      ['welcome', 'sent'],
      ['how-it-works', 'sent'],
    ]);
    expect(exported.events).toEqual([
      expect.objectContaining({
        stepId: 'welcome',
        messageId: exported.messages[0]!.messageId,
        firstDeliveryAt: expect.any(String),
        clicks: [expect.any(String)],
      }),
    ]);
    // The check below can fail: before erasure, the address is in the lead item and its index item.
    expect((await itemsHolding(env, email)).length).toBeGreaterThanOrEqual(2);

    const erased = await erasePerson(deps, email);
    expect(erased).toEqual({
      found: true,
      leadId,
      deleted: { lead: 1, addressIndex: 1, suppression: 0, events: 1, other: expect.any(Number) },
    });
    expect(await itemsHolding(env, email)).toEqual([]);
    expect(await leadPartition(env, leadId)).toEqual([]);
    expect(await exportPerson(deps, email)).toMatchObject({ found: false, messages: [], events: [] });

    // Nothing kept: the same person signing up again is a new lead, welcomed like any other.
    const again = await signUpAgain(env, email);
    expect(again).toMatchObject({ status: 201, body: { created: true } });
    expect(again.body.leadId).not.toBe(leadId);
  });

  it('each export and erasure leaves an audit item: who, what, when and the lead id, never the address', async () => {
    const email = uniqueEmail('audited');
    const leadId = await signUp(env, { email, firstName: 'Bea' });
    const deps = privacyOf(env);
    await exportPerson(deps, email);
    await erasePerson(deps, email);

    const audit = (await auditItems(env)).filter((item) => item.leadId === leadId);
    expect(audit.map((item) => item.action)).toEqual(['export', 'erase']);
    for (const item of audit) {
      expect(item).toMatchObject({ who: 'local:privacy-test', at: env.clock.now().toISOString(), found: true });
      expect(JSON.stringify(item).toLowerCase()).not.toContain(email.toLowerCase());
      expect(JSON.stringify(item)).not.toContain('Bea');
    }
    expect(audit[1]).toMatchObject({ deleted: { lead: 1, addressIndex: 1 } });

    // An address never stored: nothing found, nothing deleted, and still audited (without a lead id).
    const before = (await auditItems(env)).length;
    expect(await erasePerson(deps, uniqueEmail('stranger'))).toMatchObject({
      found: false,
      deleted: { lead: 0, addressIndex: 0, suppression: 0, events: 0, other: 0 },
    });
    expect(await auditItems(env)).toHaveLength(before + 1);
  });

  it('a person who unsubscribed, erased, leaves only the keyed hash, and signing up again is refused without an email', async () => {
    const email = uniqueEmail('unsubscribed');
    const leadId = await signUp(env, { email, firstName: 'Cai' });
    await stopLead({ store: env.store, clock: env.clock, sendTimeoutMs: 15_000 }, leadId, 'stopped'); // "Stop everything"
    const deps = privacyOf(env);

    expect(await erasePerson(deps, email)).toMatchObject({ found: true, keptHash: 'unsubscribed' });
    expect(await itemsHolding(env, email)).toEqual([]);
    const hashKey = erasedKey(addressHash(addressKey(env.config.UNSUBSCRIBE_SECRET), email));
    const kept = (await everyItem(env)).map(({ item }) => item).filter((item) => item.pk === hashKey.pk);
    expect(kept).toEqual([{ ...hashKey, type: 'erased', reason: 'unsubscribed', at: expect.any(String) }]);

    // Refused as a repeat sign-up is: the same polite answer, no lead, no email.
    expect(await signUpAgain(env, ` ${email.toUpperCase()} `)).toEqual({ status: 200, body: { created: false } });
    expect(await inbox(email)).toHaveLength(1); // the welcome, from before
    expect(await itemsHolding(env, email)).toEqual([]);
    expect(await exportPerson(deps, email)).toMatchObject({ found: false, erased: { reason: 'unsubscribed' } });
  });

  it('a suppressed (bounced) person, erased: the suppression item that held the address goes, its hash stays, a new sign-up is refused', async () => {
    const email = uniqueEmail('bounced');
    const leadId = await signUp(env, { email, firstName: 'Dov' });
    await sesEvent(env, leadId, 'welcome', 'Bounce', { bounceType: 'Permanent', bounceSubType: 'General' });
    expect(await env.events.suppressedAs(email)).toBe('bounced');
    const deps = privacyOf(env);

    expect(await erasePerson(deps, email)).toMatchObject({
      keptHash: 'bounced',
      deleted: { lead: 1, addressIndex: 1, suppression: 1 },
    });
    expect(await itemsHolding(env, email)).toEqual([]);
    expect(await env.events.suppressedAs(email)).toBe('bounced');
    expect(await signUpAgain(env, email)).toEqual({ status: 200, body: { created: false } });
    expect(await inbox(email)).toHaveLength(1);
  });

  it('erasure while a send is in flight: the lead item is gone, the send’s settle is refused and writes nothing back, and its SES events are skipped', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const faults = await sesFaults({
      rule: (request) => (request.tags.stepId === 'how-it-works' ? { held } : undefined),
    });
    const sending = await testEnv({ SES_ENDPOINT: faults.url });
    const email = uniqueEmail('in-flight');
    const leadId = await signUp(sending, { email, firstName: 'Eli' });
    const lead = await sending.store.get(leadId);
    sending.clock.set(lead!.nextSendAt!);
    const log = recordingLog(sending.dispatch.log);

    const send = deliverNext({ ...sending.dispatch, log }, leadId);
    await faults.nextRequest((request) => request.tags.leadId === leadId && request.tags.stepId === 'how-it-works');
    // SES has the message; the lead carries its claim and in-flight mark.
    expect((await sending.store.get(leadId))?.sending).toMatchObject({ stepId: 'how-it-works' });

    const erased = await erasePerson(privacyOf(sending), email);
    expect(erased).toMatchObject({ found: true, deleted: { lead: 1, addressIndex: 1 } });
    release();
    expect(await send).toBe('sent');

    expect(log.lines).toContainEqual({
      level: 'warn',
      message: 'claim lost before settling; the next claim will see the send',
      fields: { leadId, stepId: 'how-it-works' },
    });
    expect(await leadPartition(sending, leadId)).toEqual([]);
    expect(await itemsHolding(sending, email)).toEqual([]);

    // The message SES accepted before the erasure reports back: not a message of any lead now; nothing is written.
    const [, inFlight] = faults.acceptedFor(leadId);
    expect(inFlight?.tags.stepId).toBe('how-it-works');
    const delivery = sesEventFor(
      'Delivery',
      inFlight!.messageId,
      { leadId, sequenceId: 'nurture', stepId: 'how-it-works' },
      sending.clock.now(),
    );
    expect(await oneByOne(makeSesEventsRecorder(sending))(delivery)).toBe('skipped');
    expect(await leadPartition(sending, leadId)).toEqual([]);
  });
});
