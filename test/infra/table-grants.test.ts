/**
 * Each Lambda's DynamoDB grant (`table` in lib/handlers.ts, which the stack turns into its role's statements) is
 * exactly what its code calls: every handler is built by its own builder in `lambdas/compose.ts`, as its Lambda is,
 * over a DynamoDB client that records each call, and taken through what it does in service (on the shared dynalite).
 * A call missing from the grant would be AccessDenied in AWS; a grant no call uses is privilege nobody needs.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamoClient } from '../../lambdas/adapters/clients.ts';
import {
  adminDeps,
  bookingDeps,
  confirmDeps,
  dispatcherDeps,
  privacyDeps,
  sesEventsDeps,
  signupDeps,
  unsubscribeDeps,
} from '../../lambdas/compose.ts';
import { DUE_INDEX, ROUTES } from '../../lambdas/contract.ts';
import { signUnsubscribeToken } from '../../lambdas/domain/unsubscribe-token.ts';
import { makeAdminHandler } from '../../lambdas/handlers/admin.ts';
import { makeBookingHandler } from '../../lambdas/handlers/booking.ts';
import { makeConfirmHandler } from '../../lambdas/handlers/confirm.ts';
import { makeDispatchHandler } from '../../lambdas/handlers/dispatch.ts';
import { makePrivacyHandler } from '../../lambdas/handlers/privacy.ts';
import { makeSesEventsRecorder } from '../../lambdas/handlers/ses-events.ts';
import { oneByOne } from '../../local/sqs-batch.ts';
import { makeSignupHandler } from '../../lambdas/handlers/signup.ts';
import { makeUnsubscribeHandler } from '../../lambdas/handlers/unsubscribe.ts';
import { HANDLERS } from '../../lib/handlers.ts';
import { sesEventFor } from '../../local/engagement-feed.ts';
import { bookingEvent, httpEvent, testEnv, uniqueEmail } from '../integration/harness.ts';

const env = await testEnv();
const { config, clock, ses } = env;
/** Fast enough that pacing never holds a test up. */
const sendRate = 1000;

/** What each handler called, as IAM names it: `GetItem` on the table, `Query@due` on the due index. */
const calls: Record<string, Set<string>> = {};

/** A DynamoDB client for one handler's builder that records each call it makes. */
function recordingClient(handler: string): DynamoDBClient {
  const client = dynamoClient(config);
  const seen = (calls[handler] ??= new Set());
  client.middlewareStack.add(
    (next, context) => async (args) => {
      // The document client's commands reach the client as DynamoDB's own (GetCommand as GetItemCommand).
      const action = context.commandName!.replace(/Command$/, '');
      const index = (args.input as { IndexName?: string }).IndexName;
      seen.add(index ? `${action}@${index}` : action);
      return next(args);
    },
    { step: 'initialize', name: 'recordTableCalls' },
  );
  return client;
}

/** The calls a handler's grant allows, in the same form. */
function granted(handler: string): string[] {
  const { table } = HANDLERS.find((spec) => spec.handler === handler)!;
  return [...table.actions, ...(table.dueIndex ? [`Query@${DUE_INDEX}`] : [])].sort();
}

const signup = makeSignupHandler(signupDeps(config, { dynamo: recordingClient('signup'), ses, sendRate, clock }));
// The same Lambda in a stage with double opt-in, and the confirmation link's.
const optInConfig = { ...config, DOUBLE_OPT_IN: true };
const signupOptIn = makeSignupHandler(
  signupDeps(optInConfig, { dynamo: recordingClient('signup'), ses, sendRate, clock }),
);
const confirm = makeConfirmHandler(
  confirmDeps(optInConfig, { dynamo: recordingClient('confirm'), ses, sendRate, clock }),
);
// Without the quota report, which calls SES only (aws-ses-v2-local has no GetSendQuota, and the SDK waits out its
// timeout on it).
const { dispatch: dispatchParts } = await dispatcherDeps(config, {
  dynamo: recordingClient('dispatch'),
  ses,
  sendRate,
  clock,
});
const dispatch = makeDispatchHandler({ dispatch: dispatchParts });
const unsubscribe = makeUnsubscribeHandler(unsubscribeDeps(config, { dynamo: recordingClient('unsubscribe'), clock }));
const sesEvents = oneByOne(
  makeSesEventsRecorder(sesEventsDeps(config, { dynamo: recordingClient('ses-events'), clock })),
);
const booking = makeBookingHandler(bookingDeps(config, { dynamo: recordingClient('booking'), ses, sendRate, clock }));
const admin = makeAdminHandler(adminDeps(config, { dynamo: recordingClient('admin'), clock }));
const privacy = makePrivacyHandler(privacyDeps(config, { dynamo: recordingClient('privacy'), clock }), {
  caller: () => 'arn:aws:iam::123456789012:user/ops',
});

async function signUp(email: string): Promise<string> {
  const result = await signup(httpEvent('POST', '/signup', { body: { email, firstName: 'Noa', consent: true } }));
  expect(result.statusCode).toBeLessThan(300);
  return JSON.parse(result.body!).leadId as string;
}

/** The welcome's SES message id and tags, as SES events name them. */
async function welcome(leadId: string) {
  const message = (await env.store.messages(leadId)).find((m) => m.stepId === 'welcome')!;
  return { messageId: message.messageId!, tags: { leadId, sequenceId: message.sequenceId, stepId: 'welcome' } };
}

describe("each handler's DynamoDB grant", () => {
  it('is exactly the calls it makes in service', async () => {
    // Sign-up: a new lead and its welcome, then the same address again.
    const email = uniqueEmail('grants');
    const leadId = await signUp(email);
    await signUp(email);

    // SES events for the welcome: delivered, opened; a second lead complains (stopped and suppressed).
    const sent = await welcome(leadId);
    await sesEvents(sesEventFor('Delivery', sent.messageId, sent.tags, clock.now()));
    await sesEvents(sesEventFor('Open', sent.messageId, sent.tags, clock.now()));
    const complaining = await signUp(uniqueEmail('complains'));
    const complained = await welcome(complaining);
    await sesEvents(
      sesEventFor('Complaint', complained.messageId, complained.tags, clock.now(), { complaintFeedbackType: 'abuse' }),
    );

    // The dispatcher, once the lead's next step is due.
    clock.set((await env.store.get(leadId))!.nextSendAt!);
    expect((await dispatch()).sent).toBe(1);

    // A booking for the lead, the same delivery again, and one that creates a lead for a new address.
    const booked = bookingEvent({
      email,
      appointmentAt: '2026-03-20T10:00:00-04:00',
      status: 'booked',
      bookingId: 'grants-1',
    });
    expect((await booking(booked)).statusCode).toBeLessThan(300);
    expect((await booking(booked)).statusCode).toBeLessThan(300);
    const stranger = bookingEvent({
      email: uniqueEmail('walk-in'),
      firstName: 'Kai',
      consent: true,
      appointmentAt: '2026-03-21T10:00:00-04:00',
      status: 'booked',
      bookingId: 'grants-2',
    });
    expect((await booking(stranger)).statusCode).toBeLessThan(300);

    // Unsubscribe: the page, the one-click POST, and a link for a lead that does not exist.
    const token = encodeURIComponent(signUnsubscribeToken(leadId, config.UNSUBSCRIBE_SECRET));
    expect((await unsubscribe(httpEvent('GET', `/unsubscribe?token=${token}`))).statusCode).toBe(200);
    expect((await unsubscribe(httpEvent('POST', `/unsubscribe?token=${token}`))).statusCode).toBe(200);
    const nobody = encodeURIComponent(signUnsubscribeToken('01J0000000000000000000NONE', config.UNSUBSCRIBE_SECRET));
    await unsubscribe(httpEvent('POST', `/unsubscribe?token=${nobody}`));

    // The report.
    expect((await admin(httpEvent('GET', '/admin/report'))).statusCode).toBe(200);

    // A person's data: the booked lead exported, then erased (it unsubscribed: its hash is kept).
    const asked = (path: string) => privacy(httpEvent('POST', path, { body: { email } }));
    expect((await asked(ROUTES.adminPrivacyExport)).statusCode).toBe(200);
    expect((await asked(ROUTES.adminPrivacyErase)).statusCode).toBe(200);
    // Double opt-in: a pending sign-up, the same address again, its link opened and clicked; then one that lapses and
    // signs up again.
    const pending = uniqueEmail('opt-in');
    const optIn = (address: string) =>
      signupOptIn(httpEvent('POST', '/signup', { body: { email: address, firstName: 'Noa', consent: true } }));
    expect((await optIn(pending)).statusCode).toBe(202);
    expect((await optIn(pending)).statusCode).toBe(202);
    const pendingId = (await env.store.leadIdForEmail(pending))!;
    const confirmUrl = new URL(env.confirmUrl(pendingId, new Date(clock.now().getTime() + 86_400_000)));
    const path = `${confirmUrl.pathname}${confirmUrl.search}`;
    expect((await confirm(httpEvent('GET', path))).statusCode).toBe(200);
    expect((await confirm(httpEvent('POST', path))).statusCode).toBe(200);
    const lapsing = uniqueEmail('opt-in-lapses');
    await optIn(lapsing);
    clock.advance(8 * 86_400_000);
    await optIn(lapsing);

    const used = Object.fromEntries(Object.entries(calls).map(([handler, seen]) => [handler, [...seen].sort()]));
    const grants = Object.fromEntries(HANDLERS.map((spec) => [spec.handler, granted(spec.handler)]));
    expect(used).toEqual(grants);
    // And what that is, so a change to either side is seen in review.
    expect(used).toEqual({
      signup: ['GetItem', 'PutItem', 'UpdateItem'],
      dispatch: ['GetItem', 'Query@due', 'UpdateItem'],
      'ses-events': ['GetItem', 'PutItem', 'Query', 'UpdateItem'],
      // The report's counters: a Query of the lead's items recounts it after a booking or a stop; the admin page
      // reads the counters with a Query, never a Scan (#14 item 3).
      booking: ['GetItem', 'PutItem', 'Query', 'UpdateItem'],
      unsubscribe: ['GetItem', 'Query', 'UpdateItem'],
      admin: ['Query'],
      // Export reads the address's items and the lead's partition; erasure puts the hash, deletes, and queries the
      // partition again until empty; both put an audit item.
      privacy: ['DeleteItem', 'GetItem', 'PutItem', 'Query'],
      // Double opt-in's link: reads and confirms the lead, recounts it (a Query of its items), sends the welcome.
      confirm: ['GetItem', 'Query', 'UpdateItem'],
    });
  });
});
