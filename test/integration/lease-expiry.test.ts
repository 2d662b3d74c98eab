/**
 * A dispatcher that outlives its lease. Dispatcher A claims a lead and stalls; the (virtual) clock passes the lease;
 * dispatcher B, a second wiring on the same table and clock, reclaims the lead. Then A resumes, and every write A
 * makes (its claim on the lead as it read it, or with its old claim token the settlement and the release) must be
 * refused: the lead's record stays B's. Sends are counted at the fault endpoint in front of aws-ses-v2-local (what SES accepted).
 *
 * Where A stalls decides what B can do:
 * - after reading the lead, before its claim (which is its in-flight mark; its pacer turn held): B sends the step;
 *   A's claim is refused and A sends nothing.
 * - after A's mark, its SES request held and then throttled (SES never had it): B finds the mark and reports the
 *   step unconfirmed, not resending it (docs/guarantees.md); A's release is refused.
 * - after A's mark, its SES request accepted but the answer held: B reports it unconfirmed; A's settlement is refused.
 */
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamoClient } from '../../lambdas/adapters/clients.ts';
import { leadKey } from '../../lambdas/adapters/dynamo-keys.ts';
import { deliverNext, dispatchDue } from '../../lambdas/domain/dispatch.ts';
import { recordingLog, sesFaults, testEnv, type TestEnv } from './harness.ts';
import { seedDueLeads } from '../support/seed.ts';

const LEASE_MS = 120_000;

/** The lead's item exactly as stored (claim token, due index and in-flight mark included). */
async function leadItem(env: TestEnv, leadId: string) {
  const doc = DynamoDBDocumentClient.from(dynamoClient(env.config));
  return (
    await doc.send(new GetCommand({ TableName: env.config.TABLE_NAME, Key: leadKey(leadId), ConsistentRead: true }))
  ).Item;
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

/** A and B: two independent wirings (own clients, own pacer) on one table, one clock, one SES endpoint. */
async function twoDispatchers(sesEndpoint: string) {
  const a = await testEnv({ SES_ENDPOINT: sesEndpoint, LEASE_SECONDS: String(LEASE_MS / 1000) });
  const b = await testEnv(
    { TABLE_NAME: a.config.TABLE_NAME, SES_ENDPOINT: sesEndpoint, LEASE_SECONDS: String(LEASE_MS / 1000) },
    a.clock,
  );
  return { a, b };
}

describe('a dispatcher that outlives its lease', () => {
  it('stalled after reading the lead, before its claim and in-flight mark: B sends, A’s claim is refused, SES accepted the step once and the record is B’s', async () => {
    const faults = await sesFaults();
    const { a, b } = await twoDispatchers(faults.url);
    const [lead] = await seedDueLeads(a, 1, 'lease-mark');
    const leadId = lead!.leadId;

    // A's own pacer, its turn held: A has read and rendered the lead, and stalls before its claim, which is also its
    // in-flight mark (one write, just before SES).
    const stalled = deferred();
    const resume = deferred();
    const aRun = deliverNext(
      {
        ...a.dispatch,
        pace: async (priority) => {
          stalled.resolve();
          await resume.promise;
          return a.dispatch.pace(priority);
        },
      },
      leadId,
    );
    await stalled.promise;
    expect(await leadItem(a, leadId)).not.toHaveProperty('claimToken'); // A holds nothing yet

    a.clock.advance(LEASE_MS + 1_000);
    expect(await dispatchDue(b.dispatch)).toMatchObject({ due: 1, sent: 1 });
    const bRecord = await leadItem(b, leadId);
    expect(bRecord).toMatchObject({ status: 'active', sentSteps: ['welcome'], nextStepId: 'how-it-works' });
    expect(bRecord).not.toHaveProperty('claimToken');
    // Reaching the lead again (a stale read of the due index) changes nothing: the claim is checked on the lead itself.
    expect(await deliverNext(b.dispatch, leadId)).toBe('skipped');

    resume.resolve();
    expect(await aRun).toBe('skipped'); // A's claim is refused: the lead is no longer as A read it
    expect(await leadItem(a, leadId)).toEqual(bRecord);
    expect(faults.requests.filter((request) => request.tags.leadId === leadId)).toHaveLength(1); // A never asked SES
    expect(faults.acceptedFor(leadId).map((message) => message.tags.stepId)).toEqual(['welcome']);
  });

  it('its SES request held past the lease, then throttled (SES never had it): B reports the step unconfirmed and does not resend, A’s release is refused', async () => {
    const hold = deferred();
    const faults = await sesFaults({
      rule: (request) => (request.attempt === 0 ? { held: hold.promise, answer: 'throttle' } : undefined),
    });
    const { a, b } = await twoDispatchers(faults.url);
    const [lead] = await seedDueLeads(a, 1, 'lease-release');
    const leadId = lead!.leadId;
    const bLog = recordingLog(b.dispatch.log);

    const aRun = deliverNext(a.dispatch, leadId);
    await faults.nextRequest((request) => request.tags.leadId === leadId); // A marked the lead in flight, and waits on SES
    a.clock.advance(LEASE_MS + 1_000);
    expect(await dispatchDue({ ...b.dispatch, log: bLog })).toMatchObject({ due: 1, sent: 0, unconfirmed: 1 });
    expect(bLog.lines).toContainEqual({
      level: 'error',
      message: 'unconfirmed send found: not resending',
      fields: expect.objectContaining({ leadId, stepId: 'welcome' }),
    });
    const bRecord = await leadItem(b, leadId);
    expect(bRecord).toMatchObject({ status: 'active', sentSteps: ['welcome'], nextStepId: 'how-it-works' });
    expect(bRecord).not.toHaveProperty('claimToken');

    hold.resolve();
    expect(await aRun).toBe('retry'); // throttled: A tries to release the lead for a retry, with its lost token
    expect(await leadItem(a, leadId)).toEqual(bRecord);
    expect(
      faults.requests.filter((request) => request.tags.leadId === leadId).map((request) => request.outcome),
    ).toEqual(['throttle']);
    expect(faults.acceptedFor(leadId)).toEqual([]);
    expect((await a.store.messages(leadId)).map((message) => [message.stepId, message.state, message.reason])).toEqual([
      ['welcome', 'unconfirmed', 'claim-expired-mid-send'],
    ]);

    // Nothing is due again before the next step's time: a release by A would have made the lead due after the retry delay.
    a.clock.advance(61_000);
    expect(await dispatchDue(a.dispatch)).toMatchObject({ due: 0 });
  });

  it('its SES request accepted but the answer held past the lease: B reports it unconfirmed, A’s settlement is refused, SES accepted the step once', async () => {
    const hold = deferred();
    const faults = await sesFaults({ rule: (request) => (request.attempt === 0 ? { held: hold.promise } : undefined) });
    const { a, b } = await twoDispatchers(faults.url);
    const [lead] = await seedDueLeads(a, 1, 'lease-settle');
    const leadId = lead!.leadId;
    const aLog = recordingLog(a.dispatch.log);

    const aRun = deliverNext({ ...a.dispatch, log: aLog }, leadId);
    await faults.nextRequest((request) => request.tags.leadId === leadId);
    a.clock.advance(LEASE_MS + 1_000);
    expect(await dispatchDue(b.dispatch)).toMatchObject({ due: 1, sent: 0, unconfirmed: 1 });
    const bRecord = await leadItem(b, leadId);
    expect(bRecord).toMatchObject({ status: 'active', sentSteps: ['welcome'], nextStepId: 'how-it-works' });
    expect(bRecord).not.toHaveProperty('claimToken');

    hold.resolve();
    expect(await aRun).toBe('sent');
    expect(aLog.lines).toContainEqual({
      level: 'warn',
      message: 'claim lost before settling; the next claim will see the send',
      fields: { leadId, stepId: 'welcome' },
    });
    expect(await leadItem(a, leadId)).toEqual(bRecord);
    expect(faults.acceptedFor(leadId).map((message) => message.tags.stepId)).toEqual(['welcome']);

    // The sequence goes on from B's record; SES holds the welcome exactly once.
    a.clock.advance(4 * 86_400_000);
    expect(await dispatchDue(a.dispatch)).toMatchObject({ sent: 1 });
    expect(faults.acceptedFor(leadId).map((message) => message.tags.stepId)).toEqual(['welcome', 'how-it-works']);
  });
  it('a stale mark two dispatchers find at once: B reports it unconfirmed, A’s take-over is refused and A writes and sends nothing', async () => {
    const faults = await sesFaults();
    const { a, b } = await twoDispatchers(faults.url);
    const [lead] = await seedDueLeads(a, 1, 'lease-takeover');
    const leadId = lead!.leadId;
    // A dispatcher that died after its mark: the mark is all it left, and the lease has passed.
    const shards = Array.from({ length: a.config.DUE_SHARDS }, (_, shard) => shard);
    const [listed] = (await Promise.all(shards.map((shard) => a.store.due(shard, a.clock.now(), 10)))).flat();
    const step = { sequenceId: 'nurture', stepId: 'welcome', class: 'marketing' } as const;
    expect(await a.store.claim(listed!, step, a.clock.now())).toBeDefined();
    a.clock.advance(LEASE_MS + 1_000);

    // A reads the lead and finds the stale mark; B takes it over first, just before A tries to.
    let bOutcome: string | undefined;
    const aStore = Object.assign(Object.create(a.store) as typeof a.store, {
      takeOver: async (id: string, mark: Parameters<typeof a.store.takeOver>[1]) => {
        bOutcome = await deliverNext(b.dispatch, id);
        return a.store.takeOver(id, mark);
      },
    });
    expect(await deliverNext({ ...a.dispatch, store: aStore }, leadId)).toBe('skipped');
    expect(bOutcome).toBe('unconfirmed');
    expect(await a.store.messages(leadId)).toEqual([
      expect.objectContaining({ stepId: 'welcome', state: 'unconfirmed' }),
    ]);
    expect(await leadItem(b, leadId)).toMatchObject({
      status: 'active',
      sentSteps: ['welcome'],
      nextStepId: 'how-it-works',
    });
    expect(faults.acceptedFor(leadId)).toEqual([]);
  });

  it('its SES request accepted, the answer held but within the lease, on a lead due for longer than the lease: B finds the live mark and leaves it, and A records the step as sent', async () => {
    const hold = deferred();
    const faults = await sesFaults({ rule: (request) => (request.attempt === 0 ? { held: hold.promise } : undefined) });
    const { a, b } = await twoDispatchers(faults.url);
    const [lead] = await seedDueLeads(a, 1, 'lease-live');
    const leadId = lead!.leadId;
    // Due for longer than the lease when A claims it: B, refused its own claim, reads the lead and finds A's mark.
    a.clock.advance(2 * LEASE_MS);

    const aRun = deliverNext(a.dispatch, leadId);
    await faults.nextRequest((request) => request.tags.leadId === leadId);
    a.clock.advance(LEASE_MS - 1_000);
    expect(await dispatchDue(b.dispatch)).toMatchObject({ due: 1, skipped: 1, sent: 0, unconfirmed: 0 });

    hold.resolve();
    expect(await aRun).toBe('sent');
    expect(await a.store.messages(leadId)).toEqual([expect.objectContaining({ stepId: 'welcome', state: 'sent' })]);
    expect(faults.acceptedFor(leadId).map((message) => message.tags.stepId)).toEqual(['welcome']);
  });
});
