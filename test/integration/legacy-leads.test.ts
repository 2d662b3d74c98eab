/**
 * The lead store's last open rows of issue #19, on the real emulators.
 *
 * Leads stored before `rev` existed: nothing has written a lead without `rev` since f844ddc, but an item stored before
 * it has none. Such an item is made here as the service stores a lead (sign-up, a booking), then `rev` removed with a
 * raw UpdateItem, and the store's branches for it (`claim`, `unclaimedAsSeen`, `optOut`, `setPreferences`) are shown
 * needed: the due step goes out once, a reschedule read after it is not sent stale, a failed attempt is retried, and an
 * unsubscribe or a pause on such a lead holds.
 *
 * The due index past 1 MB: DynamoDB (and both emulators) ends a Query page at 1 MB whatever its Limit; `due` reads on.
 */
import { QueryCommand, UpdateCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { seedLeads } from '../../bench/seed.ts';
import { dynamoClient } from '../../lambdas/adapters/clients.ts';
import { leadKey } from '../../lambdas/adapters/dynamo-keys.ts';
import { bookingDeps, sendingDeps } from '../../lambdas/compose.ts';
import { DUE_INDEX } from '../../lambdas/contract.ts';
import { deliverNext, dispatchDue } from '../../lambdas/domain/dispatch.ts';
import { makeBookingHandler } from '../../lambdas/handlers/booking.ts';
import { makeUnsubscribeHandler } from '../../lambdas/handlers/unsubscribe.ts';
import {
  bookingEvent,
  heldUpdates,
  httpEvent,
  inbox,
  manualClock,
  signUp,
  testEnv,
  uniqueEmail,
  type TestEnv,
} from './harness.ts';

const DAY = 86_400_000;
const NY = 'America/New_York';

/** The lead's item as it was stored before `rev`: the same item, without it (a raw UpdateItem, as no code path does). */
async function storedBeforeRev(env: TestEnv, leadId: string) {
  const doc = DynamoDBDocumentClient.from(dynamoClient(env.config));
  await doc.send(
    new UpdateCommand({
      TableName: env.config.TABLE_NAME,
      Key: leadKey(leadId),
      UpdateExpression: 'REMOVE rev',
      ConditionExpression: 'attribute_exists(rev)',
    }),
  );
  expect((await env.store.get(leadId))?.rev).toBeUndefined();
}

/** The path and query of the unsubscribe link in the lead's first email (its List-Unsubscribe header). */
function unsubscribeLink(env: TestEnv, leadId: string): string {
  const request = env.sesRequests.find((r) => r.Tags?.some((t) => t.Name === 'leadId' && t.Value === leadId))!;
  const raw = Buffer.from(request.RawMessage!.Data!)
    .toString('utf8')
    .replace(/\r\n[ \t]+/g, ' ');
  const url = new URL(raw.match(/^List-Unsubscribe: <([^>]+)>/m)![1]!);
  return `${url.pathname}${url.search}`;
}

const form = (body: string) => ({ body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });

async function days(env: TestEnv, count: number) {
  for (let day = 0; day < count; day++) {
    env.clock.advance(DAY);
    await dispatchDue(env.dispatch);
  }
}

describe('a lead stored before `rev`', () => {
  it('gets its due step from the dispatcher once, and carries `rev` from then on', async () => {
    const env = await testEnv();
    const email = uniqueEmail('legacy-due');
    const leadId = await signUp(env, { email, timeZone: NY });
    await storedBeforeRev(env, leadId);

    env.clock.advance(3 * DAY);
    expect(await dispatchDue(env.dispatch)).toMatchObject({ sent: 1 });
    await dispatchDue(env.dispatch);
    expect((await inbox(email)).length).toBe(2);
    const lead = (await env.store.get(leadId))!;
    expect(lead.sentSteps).toEqual(['welcome', 'how-it-works']);
    expect(lead.rev).toEqual(expect.any(Number));
  });

  it('read with its reminder due, then rescheduled to later that day: the reminder read before is not sent, the new time is, once', async () => {
    const env = await testEnv({}, manualClock('2026-03-02T15:00:00Z'));
    const email = uniqueEmail('legacy-moved');
    const leadId = await signUp(env, { email, timeZone: NY });
    await makeBookingHandler(env)(
      bookingEvent({ email, appointmentAt: '2026-03-20T10:00:00-04:00', status: 'booked' }),
    );
    env.clock.set('2026-03-19T14:00:00Z'); // the reminder is due (10:00 the day before, New York)
    await storedBeforeRev(env, leadId);
    const read = (await env.store.get(leadId))!; // a dispatcher's read, before the reschedule
    expect(read).toMatchObject({ nextStepId: 'reminder' });

    // The visit moves to 3 PM the same day: the reminder's time (and so `dueAt`) and the step stay as they were. The
    // booking sends the due reminder itself; its claim is held up on the network until the older read has tried.
    const { dynamo, reached, letGo } = heldUpdates(env.config, {
      when: (input) => String(input.UpdateExpression).startsWith('SET claimToken'),
    });
    const book = makeBookingHandler(bookingDeps(env.config, { clock: env.clock, dynamo, ses: env.ses }));
    const pending = book(bookingEvent({ email, appointmentAt: '2026-03-20T15:00:00-04:00', status: 'rescheduled' }));
    await reached;
    expect(await env.store.get(leadId)).toMatchObject({ nextStepId: 'reminder', dueAt: read.dueAt });
    expect(await deliverNext(env.dispatch, read)).toBe('skipped');
    letGo();
    expect((await pending).statusCode).toBe(200);

    await dispatchDue(env.dispatch);
    const reminders = (await inbox(email)).filter((m) => m.subject.startsWith('Reminder'));
    expect(reminders).toHaveLength(1);
    expect(reminders[0]!.body.html).toContain('3:00 PM');
    expect(reminders[0]!.body.html).not.toContain('10:00 AM');
  });

  it('whose claim fails (DynamoDB down for that write) is deferred by the retry delay, then sent once', async () => {
    const env = await testEnv();
    const email = uniqueEmail('legacy-deferred');
    const leadId = await signUp(env, { email, timeZone: NY });
    await storedBeforeRev(env, leadId);
    env.clock.advance(3 * DAY);

    // A dispatcher whose DynamoDB client fails the claim, as an outage would (not a refused condition).
    const dynamo = dynamoClient(env.config);
    dynamo.middlewareStack.add(
      (next, context) => async (args) => {
        const expression = String((args.input as { UpdateExpression?: unknown }).UpdateExpression);
        if (context.commandName === 'UpdateItemCommand' && expression.startsWith('SET claimToken'))
          throw Object.assign(new Error('Internal server error'), { name: 'InternalServerError' });
        return next(args);
      },
      { step: 'initialize', name: 'failTheClaim' },
    );
    const failing = sendingDeps(env.config, { clock: env.clock, dynamo, ses: env.ses, sendRate: 1000 });
    expect(await deliverNext(failing, leadId)).toBe('retry');
    const deferred = (await env.store.get(leadId))!;
    expect(deferred.dueAt).toBe(env.clock.now().getTime() + env.config.RETRY_DELAY_SECONDS * 1000);
    expect(deferred.rev).toEqual(expect.any(Number));
    expect((await inbox(email)).length).toBe(1);

    env.clock.advance(env.config.RETRY_DELAY_SECONDS * 1000);
    await dispatchDue(env.dispatch);
    await dispatchDue(env.dispatch);
    expect((await inbox(email)).length).toBe(2);
    expect((await env.store.get(leadId))?.sentSteps).toEqual(['welcome', 'how-it-works']);
  });

  it('unsubscribes with one click: the write holds and no email follows', async () => {
    const env = await testEnv();
    const email = uniqueEmail('legacy-unsub');
    const leadId = await signUp(env, { email, timeZone: NY });
    await storedBeforeRev(env, leadId);

    const answer = await makeUnsubscribeHandler(env)(
      httpEvent('POST', unsubscribeLink(env, leadId), form('List-Unsubscribe=One-Click')),
    );
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toContain('You are unsubscribed');
    expect(await env.store.get(leadId)).toMatchObject({ status: 'unsubscribed', rev: expect.any(Number) });
    await days(env, 40);
    expect((await inbox(email)).length).toBe(1);
  });

  it('pauses the education emails from the page: the pause holds for 30 days, then they go on', async () => {
    const env = await testEnv();
    const email = uniqueEmail('legacy-pause');
    const leadId = await signUp(env, { email, timeZone: NY });
    await storedBeforeRev(env, leadId);

    const answer = await makeUnsubscribeHandler(env)(
      httpEvent('POST', unsubscribeLink(env, leadId), form('choice=pause')),
    );
    expect(answer.statusCode).toBe(200);
    expect(await env.store.get(leadId)).toMatchObject({ pausedUntil: expect.any(String), rev: expect.any(Number) });
    await days(env, 29);
    expect((await inbox(email)).length).toBe(1);
    await days(env, 3);
    expect((await inbox(email)).length).toBe(2);
  });
});

describe('the due index past 1 MB', () => {
  it('a shard holding more than a 1 MB page of due leads: `due` reads on across the cut, in due order, each once', async () => {
    const env = await testEnv({ DUE_SHARDS: '1' });
    const count = 6_000;
    const now = env.clock.now().getTime();
    await seedLeads(env.config.TABLE_NAME, dynamoClient(env.config), count, (i) => now - (count - i) * 1000, 1);

    // The emulator cuts the page at 1 MB, well before the Limit.
    const doc = DynamoDBDocumentClient.from(dynamoClient(env.config));
    const page = await doc.send(
      new QueryCommand({
        TableName: env.config.TABLE_NAME,
        IndexName: DUE_INDEX,
        KeyConditionExpression: 'dueShard = :shard AND dueAt <= :now',
        ExpressionAttributeValues: { ':shard': 0, ':now': now },
        Limit: count,
      }),
    );
    expect(page.LastEvaluatedKey).toBeDefined();
    const cut = page.Items!.length;
    expect(cut).toBeLessThan(count - 200);

    const limit = cut + 100;
    const leads = await env.store.due(0, env.clock.now(), limit);
    expect(leads).toHaveLength(limit);
    expect(new Set(leads.map((lead) => lead.leadId)).size).toBe(limit);
    const dueAts = leads.map((lead) => lead.dueAt!);
    expect(dueAts).toEqual(Array.from({ length: limit }, (_, i) => now - (count - i) * 1000));
  }, 120_000);
});
