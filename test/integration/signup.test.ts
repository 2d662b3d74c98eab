import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamoClient } from '../../lambdas/adapters/clients.ts';
import { emailKey, leadKey } from '../../lambdas/adapters/dynamo-keys.ts';
import { signupDeps } from '../../lambdas/compose/signup.ts';
import { makeSignupHandler } from '../../lambdas/handlers/signup.ts';
import { httpEvent, inbox, testEnv, uniqueEmail } from './harness.ts';

const env = await testEnv();
const signup = makeSignupHandler(env);
const doc = DynamoDBDocumentClient.from(dynamoClient(env.config));

const post = (body: string | object, headers: Record<string, string> = {}) =>
  signup(httpEvent('POST', '/signup', { body, headers }));
const bodyOf = (result: { body?: string }) => JSON.parse(result.body ?? '{}');
const storedEmail = async (email: string) =>
  (await doc.send(new GetCommand({ TableName: env.config.TABLE_NAME, Key: emailKey(email) }))).Item;

describe('POST /signup', () => {
  it('a new sign-up gets 201 with its lead id, and the welcome is already in the inbox when the answer arrives', async () => {
    const email = uniqueEmail('new');
    const result = await post({
      email,
      firstName: 'Avery',
      consent: true,
      timeZone: 'America/Denver',
      interest: 'chronic-migraine',
      page: 'https://clinic.example/migraine',
    });

    expect(result.statusCode).toBe(201);
    const { leadId, created } = bodyOf(result);
    expect(created).toBe(true);
    expect(leadId).toMatch(/^[0-9A-Z]{26}$/);

    const mail = await inbox(email);
    expect(mail).toHaveLength(1);
    expect(mail[0]!.subject).toBe('Welcome, Avery: here is what happens next');
    const raw = Buffer.from(env.sesRequests.at(-1)!.RawMessage!.Data!).toString('utf8');
    expect(raw).toMatch(new RegExp(`^To: Avery <${email}>$`, 'm')); // addressed by name, the first name alone

    const lead = await env.store.get(leadId);
    expect(lead).toMatchObject({
      email,
      firstName: 'Avery',
      timeZone: 'America/Denver',
      interest: 'chronic-migraine',
      status: 'active',
      sentSteps: ['welcome'],
      nextStepId: 'how-it-works',
    });
    expect(lead?.consent).toEqual({
      at: env.clock.now().toISOString(),
      textVersion: env.config.CONSENT_TEXT_VERSION,
      page: 'https://clinic.example/migraine',
    });
  });

  it('the welcome carries a one-click unsubscribe link, the configuration set, and message tags holding ids only', async () => {
    const email = uniqueEmail('headers');
    const { leadId } = bodyOf(
      await post({
        email,
        firstName: 'Robin',
        lastName: 'Okafor',
        consent: true,
        phone: '+1 555 0100',
        interest: 'status-migrainosus',
      }),
    );
    const request = env.sesRequests.at(-1)!;
    const raw = Buffer.from(request.RawMessage!.Data!).toString('utf8');
    const headers = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');

    expect(headers).toMatch(/^List-Unsubscribe: <https:\/\/nurture\.clinic\.example\/unsubscribe\?token=[^>]+>/m);
    expect(headers).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
    expect(headers).toMatch(new RegExp(`^To: Robin Okafor <${email}>$`, 'm'));
    expect(request.ConfigurationSetName).toBe('nurture-test');
    expect(request.Tags).toEqual([
      { Name: 'leadId', Value: leadId },
      { Name: 'sequenceId', Value: 'nurture' },
      { Name: 'stepId', Value: 'welcome' },
    ]);
    const tagText = JSON.stringify(request.Tags);
    for (const personal of [email, 'Robin', 'Okafor', '555', 'status-migrainosus'])
      expect(tagText).not.toContain(personal);
  });

  it('a second sign-up with the same email, in other letter case, starts no second sequence', async () => {
    const email = uniqueEmail('twice');
    const first = await post({ email, firstName: 'Sam', consent: true });
    const second = await post({ email: `  ${email.toUpperCase()} `, firstName: 'Samuel', consent: true });

    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(200);
    expect(bodyOf(second)).toEqual({ created: false });
    expect(await inbox(email)).toHaveLength(1);
    expect((await env.store.get(bodyOf(first).leadId))?.firstName).toBe('Sam');
  });

  it('a sign-up again whose address is erased between its refused write and its read of the address starts over: a new lead, welcomed once', async () => {
    const email = uniqueEmail('erased-mid-signup');
    const first = bodyOf(await post({ email, firstName: 'Avery', consent: true })).leadId as string;
    // This sign-up's own client: when it reads the address's item (its write was refused, the address being taken),
    // erasure has just deleted the person's lead and address items.
    const dynamo = dynamoClient(env.config);
    let erased = false;
    dynamo.middlewareStack.add(
      (next, context) => async (args) => {
        const key = (args.input as { Key?: { pk?: { S?: string } } }).Key?.pk?.S;
        if (context.commandName === 'GetItemCommand' && key === emailKey(email).pk && !erased) {
          erased = true;
          await doc.send(new DeleteCommand({ TableName: env.config.TABLE_NAME, Key: leadKey(first) }));
          await doc.send(new DeleteCommand({ TableName: env.config.TABLE_NAME, Key: emailKey(email) }));
        }
        return next(args);
      },
      { step: 'finalizeRequest', name: 'erasedMeanwhile' },
    );
    const again = await makeSignupHandler(signupDeps(env.config, { clock: env.clock, dynamo, ses: env.ses }))(
      httpEvent('POST', '/signup', { body: { email, firstName: 'Avery', consent: true } }),
    );

    expect(erased).toBe(true);
    expect(again.statusCode).toBe(201);
    const second = bodyOf(again).leadId as string;
    expect(second).toMatch(/^[0-9A-Z]{26}$/);
    expect(second).not.toBe(first);
    expect((await storedEmail(email))?.leadId).toBe(second);
    expect(await env.store.get(second)).toMatchObject({ email, status: 'active', sentSteps: ['welcome'] });
    expect(await inbox(email)).toHaveLength(2); // a welcome to the erased lead, and one to the new
  });

  it('a plain HTML form post works and gets a thank-you page', async () => {
    const email = uniqueEmail('form');
    const form = new URLSearchParams({
      email,
      firstName: 'Dana',
      consent: 'on',
      timeZone: 'Europe/Lisbon',
      website: '',
    }).toString();
    const result = await post(form, {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'text/html,application/xhtml+xml',
    });

    expect(result.statusCode).toBe(200);
    expect(result.headers?.['content-type']).toMatch(/text\/html/);
    expect(result.body).toContain('Thank you');
    expect(await inbox(email)).toHaveLength(1);
  });

  it('a form post from fetch (no HTML accepted) gets JSON', async () => {
    const email = uniqueEmail('formjson');
    const result = await post(new URLSearchParams({ email, firstName: 'Lee', consent: 'true' }).toString(), {
      'content-type': 'application/x-www-form-urlencoded; charset=UTF-8',
    });
    expect(result.statusCode).toBe(201);
    expect(bodyOf(result).created).toBe(true);
  });

  it('a filled honeypot gets a normal-looking answer, and nothing is stored or sent', async () => {
    const email = uniqueEmail('bot');
    const result = await post({ email, firstName: 'Bot', consent: true, website: 'http://spam.example' });
    expect(result.statusCode).toBe(201);
    expect(bodyOf(result)).toMatchObject({ created: true, leadId: expect.any(String) });
    expect(await storedEmail(email)).toBeUndefined();
    expect(await env.store.get(bodyOf(result).leadId)).toBeUndefined();
    expect(await inbox(email)).toHaveLength(0);
  });
});

describe('POST /signup with bad input', () => {
  const rejects = async (body: string | object, status: number, headers: Record<string, string> = {}) => {
    const result = await post(body, headers);
    expect(result.statusCode).toBe(status);
    return bodyOf(result) as { error: string; message: string; fields: Record<string, string> };
  };

  it('names every missing or invalid field in one answer, and stores nothing', async () => {
    const email = 'not-an-email';
    const answer = await rejects(
      { email, firstName: '', timeZone: 'Mars/Olympus_Mons', interest: 'hangover', phone: 'call me' },
      400,
    );
    expect(Object.keys(answer.fields).sort()).toEqual([
      'consent',
      'email',
      'firstName',
      'interest',
      'phone',
      'timeZone',
    ]);
    expect(answer.fields.email).toMatch(/valid email/i);
    expect(answer.fields.consent).toMatch(/agree/i);
    expect(await storedEmail(email)).toBeUndefined();
  });

  it('consent that is absent or false is refused', async () => {
    const email = uniqueEmail('noconsent');
    expect((await rejects({ email, firstName: 'Ana' }, 400)).fields).toHaveProperty('consent');
    expect((await rejects({ email, firstName: 'Ana', consent: false }, 400)).fields).toHaveProperty('consent');
    expect(await storedEmail(email)).toBeUndefined();
    expect(await inbox(email)).toHaveLength(0);
  });

  it('a line break in any field that reaches a header is refused by name', async () => {
    const email = uniqueEmail('crlf');
    const answer = await rejects(
      {
        email: `${email}\r\nBcc: victim@example.com`,
        firstName: 'Eve\r\nBcc: victim@example.com',
        lastName: 'X\nY',
        consent: true,
      },
      400,
    );
    expect(answer.fields.email).toMatch(/line break/i);
    expect(answer.fields.firstName).toMatch(/line break/i);
    expect(answer.fields.lastName).toMatch(/line break/i);
    expect(await storedEmail(email)).toBeUndefined();
  });

  it('an email over 254 characters or a first name over 80 is refused', async () => {
    const answer = await rejects(
      { email: `${'a'.repeat(250)}@example.com`, firstName: 'n'.repeat(81), consent: true },
      400,
    );
    expect(answer.fields.email).toMatch(/254/);
    expect(answer.fields.firstName).toMatch(/80/);
  });

  it('a body over 16 KB gets 413', async () => {
    const answer = await rejects(
      { email: uniqueEmail(), firstName: 'Big', consent: true, source: 'x'.repeat(17_000) },
      413,
    );
    expect(answer.fields.body).toMatch(/16 KB/);
  });

  it('another content type gets 415', async () => {
    const answer = await rejects('email=a@b.co', 415, { 'content-type': 'text/plain' });
    expect(answer.fields.body).toMatch(/application\/json/);
  });

  it('broken JSON, or JSON that is not an object, gets 400', async () => {
    await rejects('{"email": ', 400, { 'content-type': 'application/json' });
    await rejects('[1,2]', 400, { 'content-type': 'application/json' });
  });

  it('a browser form with errors gets a readable page listing them', async () => {
    const result = await post('email=nope&firstName=', {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'text/html',
    });
    expect(result.statusCode).toBe(400);
    expect(result.body).toContain('Enter a valid email address');
    expect(result.body).toContain('First name is required');
  });
});
