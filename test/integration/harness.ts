/**
 * Real parts for integration tests: a fresh table on the shared dynalite, the shared aws-ses-v2-local,
 * and the same parts the Lambdas are built from (`composeService`), on a clock the test moves by hand.
 */
import { randomUUID } from 'node:crypto';
import { SendRawEmailCommand, type SendRawEmailCommandInput, type SESClient } from '@aws-sdk/client-ses';
import { inject, onTestFinished } from 'vitest';
import { loadConfig } from '../../lambdas/config.ts';
import { resolveSecrets } from '../../lambdas/adapters/secrets.ts';
import { dynamoClient, sesClient } from '../../lambdas/adapters/clients.ts';
import { composeService, type Service } from '../../lambdas/compose.ts';
import { signBooking } from '../../lambdas/domain/booking-signature.ts';
import type { Clock, Log } from '../../lambdas/domain/ports.ts';
import { dispatchDue } from '../../lambdas/domain/dispatch.ts';
import { makeConfirmHandler, type ConfirmHandlerDeps } from '../../lambdas/handlers/confirm.ts';
import { makeSignupHandler } from '../../lambdas/handlers/signup.ts';
import { ensureTable } from '../../local/table.ts';
import { startFaultEndpoint, type FaultEndpoint, type FaultPlan } from '../support/ses-fault-endpoint.ts';

export interface ManualClock extends Clock {
  set(at: Date | string): void;
  advance(ms: number): void;
}

export function manualClock(start: Date | string = '2026-03-02T15:00:00Z'): ManualClock {
  let current = new Date(start);
  return {
    now: () => new Date(current),
    set: (at) => (current = new Date(at)),
    advance: (ms) => (current = new Date(current.getTime() + ms)),
  };
}

/** A clock that runs in real time from `start`, and can still be moved by hand: for races judged by wall-clock times. */
export function runningClock(start?: Date | string): ManualClock {
  let offset = start === undefined ? 0 : new Date(start).getTime() - Date.now();
  return {
    now: () => new Date(Date.now() + offset),
    set: (at) => (offset = new Date(at).getTime() - Date.now()),
    advance: (ms) => (offset += ms),
  };
}

/** A Log that keeps every line for the test to read, and still writes it through the real logger. */
export function recordingLog(
  real: Log,
): Log & { lines: { level: 'info' | 'warn' | 'error'; message: string; fields: Record<string, unknown> }[] } {
  const lines: { level: 'info' | 'warn' | 'error'; message: string; fields: Record<string, unknown> }[] = [];
  const at =
    (level: 'info' | 'warn' | 'error') =>
    (message: string, fields: Record<string, unknown> = {}) => {
      lines.push({ level, message, fields });
      real[level](message, fields);
    };
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

export interface TestEnv extends Service {
  clock: ManualClock;
  /** The SES client the service sends with. */
  ses: SESClient;
  /** Every SendRawEmail input that left this service, as the SDK sent it (observed, not replaced). */
  sesRequests: SendRawEmailCommandInput[];
}

export const TEST_BOOKING_SECRET = 'test-booking-secret-test-booking-secret';

/**
 * A DynamoDB client of its own whose UpdateItem requests wait, as on a slow network, until the test calls `letGo`:
 * `reached` resolves when the first one arrives. `every: false` holds the first alone and lets later ones through.
 * `command` holds another kind of request instead (`'PutItemCommand'`), and `when` only those whose input it picks.
 */
export function heldUpdates(
  config: Parameters<typeof dynamoClient>[0],
  {
    every = false,
    command = 'UpdateItemCommand',
    when = () => true,
  }: { every?: boolean; command?: string; when?: (input: Record<string, unknown>) => boolean } = {},
) {
  const dynamo = dynamoClient(config);
  let arrived!: () => void;
  let letGo!: () => void;
  const reached = new Promise<void>((resolve) => (arrived = resolve));
  const gate = new Promise<void>((resolve) => (letGo = resolve));
  let held = false;
  dynamo.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === command && (every || !held) && when(args.input as Record<string, unknown>)) {
        held = true;
        arrived();
        await gate;
      }
      return next(args);
    },
    { step: 'finalizeRequest', name: 'heldUpNetwork' },
  );
  return { dynamo, reached, letGo };
}

/** A booking webhook as the clinic's scheduling system sends it: JSON, signed now (or at `at`). */
export function bookingEvent(
  body: object | string,
  { secret = TEST_BOOKING_SECRET, at = new Date() }: { secret?: string; at?: Date } = {},
) {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const { timestamp, signature } = signBooking(raw, secret, at);
  return httpEvent('POST', '/booking', {
    body: raw,
    headers: { 'content-type': 'application/json', 'x-nurture-timestamp': timestamp, 'x-nurture-signature': signature },
  });
}

export async function testEnv(overrides: Record<string, string> = {}, clock = manualClock()): Promise<TestEnv> {
  const config = await resolveSecrets(
    loadConfig({
      TABLE_NAME: `t-${randomUUID()}`,
      SES_CONFIGURATION_SET: 'nurture-test',
      PUBLIC_BASE_URL: 'https://nurture.clinic.example',
      UNSUBSCRIBE_SECRET: 'test-secret-test-secret-test-secret!',
      BOOKING_SECRET: TEST_BOOKING_SECRET,
      DYNAMODB_ENDPOINT: inject('dynamoEndpoint'),
      SES_ENDPOINT: inject('sesEndpoint'),
      RETRY_DELAY_SECONDS: '60',
      ...overrides,
    }),
  );
  const dynamo = dynamoClient(config);
  await ensureTable(dynamo, config.TABLE_NAME);
  const ses = sesClient(config);
  const sesRequests: SendRawEmailCommandInput[] = [];
  ses.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === SendRawEmailCommand.name) sesRequests.push(args.input as SendRawEmailCommandInput);
      return next(args);
    },
    { step: 'initialize', name: 'observeSends' },
  );
  // Paced at MAX_SEND_RATE when a test sets it (the pacing test), else fast enough not to slow the rest down.
  const service = composeService(config, { clock, sendRate: config.MAX_SEND_RATE ?? 1000, dynamo, ses });
  return { ...service, clock, ses, sesRequests };
}

/** A fault-injecting SES endpoint in front of the shared aws-ses-v2-local, closed when the test ends. */
export async function sesFaults(plan: FaultPlan = {}): Promise<FaultEndpoint> {
  const endpoint = await startFaultEndpoint(inject('sesEndpoint'), plan);
  onTestFinished(() => endpoint.close());
  return endpoint;
}

/** A unique address per test, so parallel test files never see each other's mail. */
export const uniqueEmail = (label = 'lead') => `${label}-${randomUUID().slice(0, 8)}@example.com`;

export interface InboxEmail {
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
  at: number;
}

/** What aws-ses-v2-local accepted for one recipient, in the order it arrived. */
export async function inbox(address: string): Promise<InboxEmail[]> {
  const response = await fetch(`${inject('sesEndpoint')}/store`);
  const { emails } = (await response.json()) as { emails: InboxEmail[] };
  return emails.filter((email) => email.destination.to.some((to) => to.toLowerCase().includes(address.toLowerCase())));
}

/** An API Gateway v2 event, as API Gateway (or the local runtime) hands it to a handler. */
export function httpEvent(
  method: string,
  path: string,
  { body, headers = {} }: { body?: string | object; headers?: Record<string, string> } = {},
) {
  const raw = typeof body === 'string' ? body : body === undefined ? undefined : JSON.stringify(body);
  const contentType = typeof body === 'object' ? { 'content-type': 'application/json' } : {};
  const query = path.indexOf('?');
  const [rawPath, rawQueryString] = query < 0 ? [path, ''] : [path.slice(0, query), path.slice(query + 1)];
  return {
    version: '2.0',
    routeKey: `${method} ${rawPath}`,
    rawPath,
    rawQueryString,
    headers: { ...contentType, ...headers },
    requestContext: { http: { method, path: rawPath } },
    ...(raw !== undefined && { body: raw, isBase64Encoded: false }),
  } as never;
}

/** The path and query of the confirmation link in the newest email to `email`, as the lead would open it. */
export async function confirmationLink(email: string): Promise<string> {
  const mail = (await inbox(email)).at(-1);
  const match = /https:\/\/nurture\.clinic\.example(\/confirm\?token=[A-Za-z0-9._~%-]+)/.exec(mail?.body.text ?? '');
  if (!match) throw new Error('no confirmation link in the newest email');
  return match[1]!;
}

/** The lead clicks the button behind the confirmation link of its newest email: the confirm page's POST. */
export async function confirmFromInbox(env: ConfirmHandlerDeps, email: string) {
  return makeConfirmHandler(env)(
    httpEvent('POST', await confirmationLink(email), {
      body: '',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    }),
  );
}

/** Sign a lead up through the real handler (the welcome goes out at once) and return its id. */
export async function signUp(env: TestEnv, fields: Record<string, unknown>): Promise<string> {
  const result = await makeSignupHandler(env)(
    httpEvent('POST', '/signup', { body: { consent: true, firstName: 'Jamie', ...fields } }),
  );
  if (result.statusCode !== 201) throw new Error(`sign-up failed: ${result.statusCode} ${result.body}`);
  return JSON.parse(result.body!).leadId;
}

/** Move the clock to the lead's next send time and run the dispatcher once, as the schedule would. */
export async function runNext(env: TestEnv, leadId: string) {
  const lead = await env.store.get(leadId);
  if (!lead?.nextSendAt) return lead;
  env.clock.set(new Date(Math.max(env.clock.now().getTime(), Date.parse(lead.nextSendAt))));
  await dispatchDue(env.dispatch);
  return env.store.get(leadId);
}

/** Run the dispatcher, step by step, until the lead's sequence is over. */
export async function runUntilDone(env: TestEnv, leadId: string, maxRuns = 40) {
  for (let run = 0; run < maxRuns; run++) {
    const lead = await runNext(env, leadId);
    if (!lead?.nextSendAt) return lead;
  }
  throw new Error('sequence did not finish');
}
