/**
 * A person's data through the IAM-authorised routes (POST /admin/api/privacy/export and /erase), called as API
 * Gateway calls the Lambda: with AWS's own sample event for an IAM-authorised HTTP API route
 * (test/fixtures/api-gateway/), its method, path and body set to ours and its `requestContext.authorizer.iam` kept as
 * AWS wrote it. Against dynalite, through the handler's own builder (`privacyDeps`), as its Lambda is built.
 */
import { readFileSync } from 'node:fs';
import { DynamoDBDocumentClient, paginateScan, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamoClient } from '../../lambdas/adapters/clients.ts';
import { auditPartition } from '../../lambdas/adapters/dynamo-keys.ts';
import { privacyDeps } from '../../lambdas/compose.ts';
import { ROUTES } from '../../lambdas/contract.ts';
import { addressHash, addressKey } from '../../lambdas/domain/privacy.ts';
import { stopLead } from '../../lambdas/domain/stop.ts';
import type { HttpEvent } from '../../lambdas/handlers/http.ts';
import { makePrivacyHandler } from '../../lambdas/handlers/privacy.ts';
import { makeSesEventsRecorder } from '../../lambdas/handlers/ses-events.ts';
import { sesEventFor } from '../../local/engagement-feed.ts';
import { oneByOne } from '../../local/sqs-batch.ts';
import { runNext, signUp, testEnv, uniqueEmail } from './harness.ts';

/** AWS's sample event, as read from the file: nothing of ours in it. */
const AWS_SAMPLE = JSON.parse(
  readFileSync(new URL('../fixtures/api-gateway/http-api-iam-request.json', import.meta.url), 'utf8'),
) as HttpEvent & { requestContext: { authorizer: { iam: { userArn: string; callerId: string } } } };
/** The principal AWS's sample names: the audit must name exactly this. */
const SAMPLE_ARN = AWS_SAMPLE.requestContext.authorizer.iam.userArn;

/** AWS's sample, re-aimed at one of our routes: method, path, route key, content type and body. */
function iamRequest(
  path: string,
  body: string | object | undefined,
  { method = 'POST', contentType = 'application/json' } = {},
): HttpEvent {
  const event = structuredClone(AWS_SAMPLE);
  event.routeKey = `${method} ${path}`;
  event.rawPath = path;
  event.rawQueryString = '';
  delete event.queryStringParameters;
  delete event.pathParameters;
  event.headers = { 'content-type': contentType };
  event.requestContext.routeKey = event.routeKey;
  event.requestContext.http = { ...event.requestContext.http, method, path };
  if (body === undefined) delete event.body;
  else event.body = typeof body === 'string' ? body : JSON.stringify(body);
  event.isBase64Encoded = false;
  return event;
}

const env = await testEnv();
const dynamo = dynamoClient(env.config);
const doc = DynamoDBDocumentClient.from(dynamo);
const privacy = makePrivacyHandler(privacyDeps(env.config, { dynamo, clock: env.clock }));

async function call(path: string, body: string | object | undefined, options?: Parameters<typeof iamRequest>[2]) {
  const result = await privacy(iamRequest(path, body, options));
  return { status: result.statusCode, headers: result.headers ?? {}, body: JSON.parse(result.body!) };
}

/** Every item in the table, as JSON text (string sets as lists). */
async function everyItem(): Promise<{ item: Record<string, unknown>; text: string }[]> {
  const items: { item: Record<string, unknown>; text: string }[] = [];
  for await (const page of paginateScan({ client: doc }, { TableName: env.config.TABLE_NAME, ConsistentRead: true }))
    for (const item of page.Items ?? [])
      items.push({
        item,
        text: JSON.stringify(item, (_key, value: unknown) => (value instanceof Set ? [...value] : value)),
      });
  return items;
}

/** The items that hold the address anywhere (a key, an attribute, a list), whatever its case. */
const itemsHolding = async (address: string) =>
  (await everyItem()).filter(({ text }) => text.toLowerCase().includes(address.toLowerCase())).map((e) => e.item);

async function auditItems() {
  const result = await doc.send(
    new QueryCommand({
      TableName: env.config.TABLE_NAME,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': auditPartition },
      ConsistentRead: true,
    }),
  );
  return result.Items ?? [];
}

/** The audit item holds neither the address (any case) nor its keyed hash. */
function expectNoAddress(item: Record<string, unknown>, email: string) {
  const text = JSON.stringify(item).toLowerCase();
  expect(text).not.toContain(email.toLowerCase());
  expect(text).not.toContain(addressHash(addressKey(env.config.UNSUBSCRIBE_SECRET), email));
}

/** A lead with a delivered and clicked welcome and a second email sent: something in every part of an export. */
async function engagedLead(label: string) {
  const email = uniqueEmail(label);
  const leadId = await signUp(env, { email, firstName: 'Ana', lastName: 'Whitlock', interest: 'chronic-migraine' });
  env.clock.advance(60_000);
  const welcome = (await env.store.messages(leadId)).find((m) => m.stepId === 'welcome')!;
  const record = oneByOne(makeSesEventsRecorder(env));
  const tags = { leadId, sequenceId: welcome.sequenceId, stepId: 'welcome' };
  expect(await record(sesEventFor('Delivery', welcome.messageId!, tags, env.clock.now()))).toBe('recorded');
  expect(
    await record(sesEventFor('Click', welcome.messageId!, tags, env.clock.now(), { link: 'https://clinic.example/' })),
  ).toBe('recorded');
  await runNext(env, leadId);
  return { email, leadId };
}

describe('POST /admin/api/privacy/export and /erase, IAM-authorised', () => {
  it('export answers the lead, its consent, its messages and their SES events; the audit names the IAM principal and holds no address', async () => {
    const { email, leadId } = await engagedLead('route-export');
    const before = (await auditItems()).length;

    const answer = await call(ROUTES.adminPrivacyExport, { email: email.toUpperCase() });
    expect(answer.status).toBe(200);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.body).toMatchObject({
      found: true,
      email,
      leadId,
      lead: { email, firstName: 'Ana', lastName: 'Whitlock', interest: 'chronic-migraine', status: 'active' },
      consent: { textVersion: expect.any(String), at: expect.any(String) },
    });
    expect(answer.body.messages.map((m: { stepId: string }) => m.stepId)).toEqual(['welcome', 'how-it-works']);
    expect(answer.body.events).toEqual([
      expect.objectContaining({
        stepId: 'welcome',
        firstDeliveryAt: expect.any(String),
        clicks: [expect.any(String)],
      }),
    ]);

    const audit = await auditItems();
    expect(audit).toHaveLength(before + 1);
    const entry = audit.find((item) => item.leadId === leadId)!;
    expect(entry).toMatchObject({ who: SAMPLE_ARN, action: 'export', at: env.clock.now().toISOString(), found: true });
    expectNoAddress(entry, email);
  });

  it('erase leaves no item holding the address, answers the counts, and the audit names the IAM principal and holds no address', async () => {
    const { email, leadId } = await engagedLead('route-erase');
    // The check below can fail: before erasure the lead item and its index item hold the address.
    expect((await itemsHolding(email)).length).toBeGreaterThanOrEqual(2);

    const answer = await call(ROUTES.adminPrivacyErase, { email });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      found: true,
      leadId,
      deleted: { lead: 1, addressIndex: 1, suppression: 0, events: 1, other: expect.any(Number) },
    });
    expect(JSON.stringify(answer.body)).not.toContain(email);
    expect(await itemsHolding(email)).toEqual([]);

    const entry = (await auditItems()).find((item) => item.leadId === leadId && item.action === 'erase')!;
    expect(entry).toMatchObject({ who: SAMPLE_ARN, found: true, deleted: { lead: 1, addressIndex: 1 } });
    expectNoAddress(entry, email);

    // Nothing left to export: 404, and that look is audited too.
    const again = await call(ROUTES.adminPrivacyExport, { email });
    expect(again).toMatchObject({
      status: 404,
      body: { error: 'not_found', message: 'Nothing is stored for this address.' },
    });
  });

  it('erasing an unsubscribed person keeps only the keyed hash; export then answers 404 saying so, without the address', async () => {
    const email = uniqueEmail('route-unsubscribed');
    const leadId = await signUp(env, { email, firstName: 'Cai' });
    await stopLead({ store: env.store, clock: env.clock, sendTimeoutMs: 15_000 }, leadId, 'stopped');

    expect(await call(ROUTES.adminPrivacyErase, { email })).toMatchObject({
      status: 200,
      body: { found: true, keptHash: 'unsubscribed' },
    });
    expect(await itemsHolding(email)).toEqual([]);
    const answer = await call(ROUTES.adminPrivacyExport, { email });
    expect(answer).toMatchObject({ status: 404, body: { error: 'not_found', erased: { reason: 'unsubscribed' } } });
    expect(answer.body.message).toMatch(/erased \(unsubscribed\).*keyed hash/);
    expect(JSON.stringify(answer.body)).not.toContain(email);
  });

  it('export of an address never stored answers 404 with a message, and is audited without a lead id', async () => {
    const before = (await auditItems()).length;
    const answer = await call(ROUTES.adminPrivacyExport, { email: uniqueEmail('route-stranger') });
    expect(answer).toEqual({
      status: 404,
      headers: expect.anything(),
      body: { error: 'not_found', message: 'Nothing is stored for this address.' },
    });
    const audit = await auditItems();
    expect(audit).toHaveLength(before + 1);
    expect(audit.at(-1)).toMatchObject({ who: SAMPLE_ARN, action: 'export', found: false });
    expect(audit.at(-1)!.leadId).toBeUndefined();
  });

  const SHAPE = 'Send a JSON object: { "email": "..." }.';
  it.each([
    { bad: 'no body', body: undefined, status: 400, message: SHAPE },
    { bad: 'no email', body: {}, status: 400, message: 'Email is required.' },
    {
      bad: 'an email that is not an address',
      body: { email: 'ana at example.com' },
      status: 400,
      message: 'Enter a valid email address, like name@example.com.',
    },
    { bad: 'an email that is not text', body: { email: 42 }, status: 400, message: 'Email must be text.' },
    { bad: 'a misspelt field', body: { emial: 'ana@example.com' }, status: 400, message: 'Email is required.' },
    {
      bad: 'an extra field',
      body: { email: 'ana@example.com', all: true },
      status: 400,
      message: 'Unexpected field "all": send only "email".',
    },
    { bad: 'a list', body: [{ email: 'ana@example.com' }], status: 400, message: SHAPE },
    { bad: 'broken JSON', body: '{"email": ', status: 400, message: 'The body is not valid JSON.' },
    {
      bad: 'plain text',
      body: 'ana@example.com',
      contentType: 'text/plain',
      status: 415,
      message: expect.stringContaining('application/json'),
    },
    {
      bad: 'a body over 16 KB',
      body: { email: `${'a'.repeat(17_000)}@example.com` },
      status: 413,
      message: expect.stringContaining('16 KB'),
    },
  ])('$bad answers $status with a message, and nothing is read or audited', async (bad) => {
    const before = (await auditItems()).length;
    for (const path of [ROUTES.adminPrivacyExport, ROUTES.adminPrivacyErase]) {
      const answer = await call(path, bad.body, { contentType: bad.contentType });
      expect(answer.status, path).toBe(bad.status);
      expect(answer.body, path).toMatchObject({ error: 'invalid_request', message: bad.message });
    }
    expect(await auditItems()).toHaveLength(before);
  });

  it('a request without an IAM caller (a route wired without its authorizer) answers 403 and erases nothing', async () => {
    const email = uniqueEmail('route-unauthorised');
    await signUp(env, { email, firstName: 'Dov' });
    const before = (await auditItems()).length;
    const event = iamRequest(ROUTES.adminPrivacyErase, { email });
    delete (event.requestContext as { authorizer?: unknown }).authorizer;
    const result = await privacy(event);
    expect(result.statusCode).toBe(403);
    expect(JSON.parse(result.body!).message).toMatch(/AWS IAM credentials/);
    expect((await itemsHolding(email)).length).toBeGreaterThanOrEqual(2);
    expect(await auditItems()).toHaveLength(before);
  });

  it('another method answers 405 naming POST', async () => {
    const answer = await call(ROUTES.adminPrivacyExport, undefined, { method: 'GET' });
    expect(answer).toMatchObject({ status: 405, headers: { allow: 'POST' } });
  });
});
