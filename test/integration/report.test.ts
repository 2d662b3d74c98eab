import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { describe, expect, inject, it } from 'vitest';
import { dynamoClient } from '../../lambdas/adapters/clients.ts';
import { adminPage } from '../../lambdas/adapters/report-page.tsx';
import { DynamoReportCounters } from '../../lambdas/adapters/dynamo-report-counters.ts';
import { leadKey } from '../../lambdas/adapters/dynamo-keys.ts';
import { dispatchDue } from '../../lambdas/domain/dispatch.ts';
import type { Report } from '../../lambdas/domain/report.ts';
import { makeAdminHandler } from '../../lambdas/handlers/admin.ts';
import { makeBookingHandler } from '../../lambdas/handlers/booking.ts';
import { makeSesEventsRecorder } from '../../lambdas/handlers/ses-events.ts';
import { oneByOne } from '../../local/sqs-batch.ts';
import { makeSignupHandler } from '../../lambdas/handlers/signup.ts';
import { makeUnsubscribeHandler } from '../../lambdas/handlers/unsubscribe.ts';
import { sesEventFor } from '../../local/engagement-feed.ts';
import { ensureTable } from '../../local/table.ts';
import { bookingEvent, httpEvent, testEnv, uniqueEmail } from './harness.ts';

const run = promisify(execFile);
const HOUR = 3_600_000;
const env = await testEnv();
const record = oneByOne(makeSesEventsRecorder(env));
const bookWebhook = makeBookingHandler(env);
const admin = makeAdminHandler({
  counters: new DynamoReportCounters(dynamoClient(env.config), { tableName: env.config.TABLE_NAME, retentionDays: 0 }),
  sequences: env.dispatch.sequences,
  clock: env.clock,
  page: adminPage,
});
const FIRST_NAME = 'Zebulon';
/** The leads' interest anywhere but inside the id of the welcome's variant for it (`welcome-status-migrainosus`). */
const NOT_A_VARIANT = /(?<!welcome-)status-migrainosus/;
const emails: string[] = [];

async function signUp(label: string) {
  const email = uniqueEmail(label);
  emails.push(email);
  const result = await makeSignupHandler(env)(
    httpEvent('POST', '/signup', {
      body: { email, firstName: FIRST_NAME, consent: true, interest: 'status-migrainosus' },
    }),
  );
  return JSON.parse(result.body!).leadId as string;
}

/** An SES event for the email of `stepId` actually sent to the lead, as EventBridge delivers it, at the clock's time. */
async function ses(
  leadId: string,
  stepId: string,
  type: 'Delivery' | 'Open' | 'Click' | 'Bounce' | 'Complaint',
  section: Record<string, unknown> = {},
) {
  const message = (await env.store.messages(leadId)).find((m) => m.stepId === stepId)!;
  expect(
    await record(
      sesEventFor(
        type,
        message.messageId!,
        { leadId, sequenceId: 'nurture', stepId },
        env.clock.now(),
        section,
        message.at,
      ),
    ),
  ).toBe('recorded');
}
const clickIn = (leadId: string, stepId: string) =>
  ses(leadId, stepId, 'Click', { link: 'https://clinic.example/consultation' });

/** The clinic's scheduling system reports a booking through the signed webhook: the lead leaves the nurture. */
async function book(leadId: string) {
  const answer = await bookWebhook(
    bookingEvent({ leadId, appointmentAt: '2026-03-20T10:00:00-06:00', status: 'booked' }),
  );
  expect(answer.statusCode).toBe(200);
}

// Eight people sign up. Day 0: the welcome; day 3: "how it works" to those still in the nurture.
const [a, b, c, d, e, f, g, h] = (await Promise.all(
  ['clicks-twice', 'clicks-welcome', 'unsubscribes', 'bounces', 'complains', 'phones-in', 'clicks-late', 'stays'].map(
    signUp,
  ),
)) as [string, string, string, string, string, string, string, string];
env.clock.advance(HOUR);
for (const lead of [a, b, c, e, f, g, h]) await ses(lead, 'welcome', 'Delivery');
await ses(d, 'welcome', 'Bounce', { bounceType: 'Permanent', bounceSubType: 'General' });
await ses(a, 'welcome', 'Open');
await ses(b, 'welcome', 'Open');
await clickIn(h, 'welcome'); // at the moment of delivery: a mail scanner's, not h's
env.clock.advance(5 * 60_000);
await clickIn(a, 'welcome');
await clickIn(b, 'welcome');
env.clock.advance(HOUR);
await book(b);
await book(f);
await book(g);
const unsubscribeUrl = new URL(env.dispatch.unsubscribeUrl(c));
await makeUnsubscribeHandler(env)(
  httpEvent('POST', `${unsubscribeUrl.pathname}${unsubscribeUrl.search}`, {
    body: 'List-Unsubscribe=One-Click',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  }),
);
env.clock.advance(HOUR);
await clickIn(g, 'welcome'); // after booking: a click, but not what moved g to book
env.clock.set('2026-03-05T15:00:00Z');
expect((await dispatchDue(env.dispatch)).sent).toBe(3); // a, e, h
env.clock.advance(HOUR);
for (const lead of [a, e, h]) await ses(lead, 'how-it-works', 'Delivery');
env.clock.advance(HOUR);
await clickIn(a, 'how-it-works');
await ses(e, 'how-it-works', 'Complaint');
env.clock.advance(HOUR);
await book(a);

const expectedWelcome = {
  stepId: 'welcome',
  clicked: 3,
  machineClicked: 1,
  bookedAfter: 1,
  sent: 8,
  delivered: 7,
  opened: 2,
  bounced: 1,
  complained: 0,
  unsubscribed: 1,
};
const expectedHowItWorks = {
  stepId: 'how-it-works',
  clicked: 1,
  machineClicked: 0,
  bookedAfter: 1,
  sent: 3,
  delivered: 3,
  opened: 0,
  bounced: 0,
  complained: 1,
  unsubscribed: 0,
};

function expectTheFunnel(report: Report) {
  const nurture = report.sequences[0]!;
  expect(nurture.sequenceId).toBe('nurture');
  expect(nurture.steps[0]).toMatchObject({ ...expectedWelcome, clickRate: 3 / 7, bookingRate: 1 / 7 });
  expect(nurture.steps[1]).toMatchObject(expectedHowItWorks);
  expect(nurture.steps.slice(2).every((step) => step.sent === 0)).toBe(true);
  // Each booking's confirmation went out at once, in the follow-up.
  expect(report.sequences.map((sequence) => sequence.sequenceId)).toEqual(['nurture', 'follow-up', 'reschedule']);
  expect(report.sequences[1]!.steps[0]).toMatchObject({ stepId: 'confirmation', sent: 4 });
  expect(report.bookings).toEqual({ total: 4, afterClick: 2, withoutClick: 2 });
  expect(report.nurture).toEqual({
    sequenceId: 'nurture',
    leads: 8,
    left: {
      booked: 4,
      unsubscribed: 1,
      stopped: 0,
      bounced: 1,
      complained: 1,
      rejected: 0,
      completed: 0,
      sunset: 0,
      holdout: 0,
      active: 1,
    },
  });
  // No holdout ran (HOLDOUT_SHARE unset): no lead is in a group, and the report says how to turn it on.
  expect(report.holdout).toMatchObject({ verdict: 'off', nurture: { leads: 0 }, holdout: { leads: 0 } });
  // By class: the four confirmations are care; every other email sent is marketing. The one unsubscribe was one-click.
  const sentIn = (sequenceId: string) =>
    report.sequences.find((s) => s.sequenceId === sequenceId)!.steps.reduce((sum, step) => sum + step.sent, 0);
  expect(report.classes).toEqual({
    sent: { marketing: sentIn('nurture') + sentIn('reschedule'), care: 4 },
    unsubscribed: { marketing: 1, everything: 0 },
  });
}

describe('reporting', () => {
  it('real sign-ups, sends, SES events, an unsubscribe and bookings add up to the funnel marketing sees at /admin/report', async () => {
    const response = await admin(httpEvent('GET', '/admin/report'));
    expect(response.statusCode).toBe(200);
    expectTheFunnel(JSON.parse(response.body!));
  });

  it('/admin shows the chart and the numbers, clicks and bookings first, and no address, name or health interest', async () => {
    const page = await admin(httpEvent('GET', '/admin'));
    expect(page.statusCode).toBe(200);
    expect(page.headers?.['content-type']).toMatch(/text\/html/);
    const html = page.body!;
    expect(html).toMatch(/<svg[^>]*role="img"/);
    const welcomeRow = html.match(/<tr data-step="welcome">([\s\S]*?)<\/tr>/)![1]!;
    const cells = [...welcomeRow.matchAll(/data-column="(\w+)"[^>]*>([^<]*)</g)].map(([, column, value]) => [
      column,
      value,
    ]);
    expect(cells.slice(0, 4)).toEqual([
      ['clicked', '3 (43%)'],
      ['machineClicked', '1'],
      ['bookedAfter', '1 (14%)'],
      ['sent', '8'],
    ]);
    expect(html).toMatch(/Opens are unreliable/);
    for (const secret of [...emails, FIRST_NAME, '@']) expect(html).not.toContain(secret);
    for (const secret of [...emails, FIRST_NAME, '@'])
      expect((await admin(httpEvent('GET', '/admin/report'))).body).not.toContain(secret);
    // Every lead here gave that interest, so each got the welcome's variant for it: the variant's row counts them all
    // (an email's totals, never a row about one lead). The interest itself is named nowhere else.
    expect(html).toMatch(
      /<tr data-variant="welcome-status-migrainosus" data-variant-of="welcome">[^]*?data-column="sent"[^>]*>8</,
    );
    expect(html).not.toMatch(NOT_A_VARIANT);
    expect((await admin(httpEvent('GET', '/admin/report'))).body).not.toMatch(NOT_A_VARIANT);
  });

  it('in AWS the admin routes answer 403 to a caller IAM did not authorise', async () => {
    const guarded = makeAdminHandler(
      {
        counters: new DynamoReportCounters(dynamoClient(env.config), {
          tableName: env.config.TABLE_NAME,
          retentionDays: 0,
        }),
        sequences: env.dispatch.sequences,
        clock: env.clock,
        page: adminPage,
      },
      { requireIam: true },
    );
    const anonymous = await guarded(httpEvent('GET', '/admin/report'));
    expect(anonymous.statusCode).toBe(403);
    expect(anonymous.body).not.toContain('welcome');
    const signed = httpEvent('GET', '/admin/report') as { requestContext: Record<string, unknown> };
    signed.requestContext.authorizer = { iam: { userArn: 'arn:aws:iam::123456789012:user/marketing' } };
    expect((await guarded(signed as never)).statusCode).toBe(200);
  });

  it('npm run report -- --table <name> --region <region> prints the same funnel from a deployed table (here dynalite, by AWS_ENDPOINT_URL_DYNAMODB)', async () => {
    const awsEnv = {
      ...process.env,
      AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'),
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    };
    const json = await run(
      'node_modules/.bin/tsx',
      ['local/report.ts', '--table', env.config.TABLE_NAME, '--region', 'us-east-1', '--json'],
      { env: awsEnv },
    );
    expectTheFunnel(JSON.parse(json.stdout));

    const text = (
      await run(
        'node_modules/.bin/tsx',
        ['local/report.ts', '--table', env.config.TABLE_NAME, '--region', 'us-east-1'],
        { env: awsEnv },
      )
    ).stdout;
    expect(text).toMatch(/Opens are unreliable/);
    expect(text).toMatch(
      /^Email \(step\)\s+Clicked\s+Machine clicks\s+Booked after\s+Sent\s+Delivered\s+Opened\*\s+Bounced\s+Complained\s+Unsubscribed$/m,
    );
    // Clicks by people and by machines side by side; only people's count as clicked.
    expect(text).toMatch(/^welcome\s+3 \(43%\)\s+1\s+1 \(14%\)\s+8\s+7\s+2\s+1\s+0\s+1$/m);
    expect(text).toMatch(/^how-it-works\s+1 \(33%\)\s+0\s+1 \(33%\)\s+3\s+3\s+0\s+0\s+1\s+0$/m);
    expect(text).toMatch(/^Machine clicks: emails whose links a mail scanner clicked/m);
    expect(text).toMatch(/Booked without a click: 2/);
    for (const secret of [...emails, FIRST_NAME]) expect(text).not.toContain(secret);
    expect(text).toMatch(/^ {2}↳ welcome-status-migrainosus\s+3 \(43%\)\s+1\s+1 \(14%\)\s+8\s/m);
    expect(text).not.toMatch(NOT_A_VARIANT);
  });

  it('npm run report with npm start stopped reads the data it saved in .nurture/dynamodb', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nurture-report-'));
    try {
      const saved = dynalite({ path: join(dir, '.nurture', 'dynamodb') });
      await new Promise<void>((resolve) => saved.listen(0, '127.0.0.1', resolve));
      const client = new DynamoDBClient({
        endpoint: `http://127.0.0.1:${(saved.address() as { port: number }).port}`,
        region: 'us-east-1',
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      });
      await ensureTable(client, 'nurture-local');
      await DynamoDBDocumentClient.from(client).send(
        new PutCommand({
          TableName: 'nurture-local',
          Item: { ...leadKey('saved-lead'), type: 'lead', status: 'completed', sequenceId: 'nurture', sentSteps: [] },
        }),
      );
      client.destroy();
      await new Promise((resolve) => saved.close(resolve));

      const { stdout } = await run(
        join(process.cwd(), 'node_modules/.bin/tsx'),
        [join(process.cwd(), 'local/report.ts'), '--rebuild', '--json'],
        { cwd: dir, env: { ...process.env, DYNAMODB_PORT: String(await freePort()) } },
      );
      // The lead was written straight into the table, past the counters: the recount sees it, and says they differ.
      const rebuilt = JSON.parse(stdout);
      expect(rebuilt.report.nurture).toMatchObject({ leads: 1, left: { completed: 1 } });
      expect(rebuilt.differences).toContainEqual({ key: 'lead/nurture', counters: 0, recount: 1 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A port nothing listens on: as when `npm start` is not running. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
