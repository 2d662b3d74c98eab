import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { DeleteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoClient } from '../../lambdas/adapters/clients.ts';
import { leadKey } from '../../lambdas/adapters/dynamo-keys.ts';
import { shardFor } from '../../lambdas/domain/lead.ts';
import { deliverNext, dispatchDue } from '../../lambdas/domain/dispatch.ts';
import { nurture } from '../../emails/sequences.ts';
import { experimentEmail } from '../../emails/_shared/experiment.ts';
import { assign } from '../../lambdas/domain/experiments.ts';
import { seedHumanClicks } from '../support/human-clicks.ts';
import { seedDueLeads } from '../support/seed.ts';
import { inbox, manualClock, runNext, runUntilDone, signUp, testEnv, uniqueEmail, type TestEnv } from './harness.ts';

describe('the nurture sequence, end to end in virtual time', () => {
  it('a lead gets every email once, in order, inside 9:00–18:00 of their own zone, never two on one day', async () => {
    const env = await testEnv({}, manualClock('2026-03-06T05:30:00Z')); // 22:30 on 5 March in Denver, before a DST change
    const email = uniqueEmail('journey');
    const leadId = await signUp(env, { email, timeZone: 'America/Denver' });

    // The four emails before the check-in go unclicked; the lead clicks "Keep them coming" in it.
    for (let i = 0; i < 4; i++) await runNext(env, leadId);
    await seedHumanClicks(env, leadId, 'check-in:keep');
    const lead = await runUntilDone(env, leadId);
    expect(lead?.status).toBe('completed');

    const mail = await inbox(email);
    // Each step's own email, in the subject-line variant this lead is assigned where the step runs an experiment.
    const expected = nurture.steps.map((step) => {
      const template = experimentEmail(step.template, step.experiment && assign(step.experiment, leadId));
      return template.subject({ ...template.PreviewProps, firstName: 'Jamie' });
    });
    expect(mail.map((m) => m.subject)).toEqual(expected);

    const messages = await env.store.messages(leadId);
    expect(messages.map((m) => m.stepId)).toEqual(nurture.steps.map((s) => s.id));
    const local = messages.map((m) => DateTime.fromJSDate(m.at, { zone: 'America/Denver' }));
    // The welcome goes out at sign-up, at night; every later email inside the window.
    expect(local[0]!.hour).toBe(22);
    for (const at of local.slice(1)) {
      expect(at.hour).toBeGreaterThanOrEqual(9);
      expect(at.hour).toBeLessThan(18);
    }
    expect(new Set(local.map((at) => at.toISODate())).size).toBe(local.length);
  });

  it('a run whose time budget is spent takes no more leads: they stay due, and the next run sends them', async () => {
    const env = await testEnv();
    const email = uniqueEmail('budget');
    await signUp(env, { email });
    env.clock.advance(3 * 24 * 3600_000);
    const spent = { ...env.dispatch, settings: { ...env.dispatch.settings, runBudgetMs: 0 } };
    expect(await dispatchDue(spent)).toMatchObject({ due: 1, sent: 0 });
    expect(await dispatchDue(env.dispatch)).toMatchObject({ due: 1, sent: 1 });
    expect(await inbox(email)).toHaveLength(2);
  });

  it('nothing is sent before it is due', async () => {
    const env = await testEnv();
    const email = uniqueEmail('early');
    const leadId = await signUp(env, { email });
    env.clock.advance(24 * 3600_000); // the second email waits two days
    const report = await dispatchDue(env.dispatch);
    expect(report.sent).toBe(0);
    expect(await inbox(email)).toHaveLength(1);
    expect((await env.store.get(leadId))?.nextStepId).toBe('how-it-works');
  });
  it('a lead asked for by id that is not there (erased just after its sign-up or booking) is skipped, not failed', async () => {
    const env = await testEnv();
    expect(await deliverNext(env.dispatch, '01JNOSUCHLEAD0000000000000')).toBe('skipped');
  });

  it('a lead another run has just sent, offered again from an older read of the due index, is skipped: one email', async () => {
    const env = await testEnv();
    const [lead] = await seedDueLeads(env, 1, 'stale-page');
    const [listed] = await env.store.due(shardFor(lead!.leadId, env.config.DUE_SHARDS), env.clock.now(), 10);

    expect(await deliverNext(env.dispatch, lead!.leadId)).toBe('sent');
    expect(await deliverNext(env.dispatch, listed!)).toBe('skipped');
    expect(env.sesRequests).toHaveLength(1);
    expect((await env.store.get(lead!.leadId))?.sentSteps).toEqual(['welcome']);
  });

  it('a lead erased after the due index listed it, due for longer than the lease, is skipped: not retried, nothing written back', async () => {
    const env = await testEnv();
    const [lead] = await seedDueLeads(env, 1, 'erased');
    env.clock.advance(env.config.LEASE_SECONDS * 1000 + 60_000);
    const [listed] = await env.store.due(shardFor(lead!.leadId, env.config.DUE_SHARDS), env.clock.now(), 10);
    expect(listed?.leadId).toBe(lead!.leadId);
    // Erasure deletes the lead item first (lambdas/adapters/dynamo-privacy.ts).
    const doc = DynamoDBDocumentClient.from(dynamoClient(env.config));
    await doc.send(new DeleteCommand({ TableName: env.config.TABLE_NAME, Key: leadKey(lead!.leadId) }));

    expect(await deliverNext(env.dispatch, listed!)).toBe('skipped');
    expect(await env.store.get(lead!.leadId)).toBeUndefined();
    expect(env.sesRequests).toHaveLength(0);
  });
});

describe('one run’s report', () => {
  it('counts each lead by what became of it: sent, skipped behind another dispatcher’s live claim, unconfirmed for a stale mark, rescheduled by a pause, completed by an opt-out', async () => {
    const env = await testEnv({ DISPATCH_CONCURRENCY: '1' });
    const welcome = { sequenceId: 'nurture', stepId: 'welcome', class: 'marketing' } as const;
    const [plain, stale, paused, optedOut] = await seedDueLeads(env, 4, 'run-report');
    // A dispatcher died after marking `stale` in flight, and its lease has passed.
    expect(await env.store.claim((await env.store.get(stale!.leadId))!, welcome, env.clock.now())).toBeDefined();
    env.clock.advance(env.config.LEASE_SECONDS * 1000 + 1_000);
    const now = env.clock.now();
    // A pause and a marketing opt-out, each recorded with the welcome still due.
    const pausedUntil = new Date(now.getTime() + 30 * 86_400_000).toISOString();
    const pause = { pausedUntil, preference: { choice: 'pause' as const, at: now.toISOString() } };
    expect(
      await env.store.setPreferences(paused!.leadId, (await env.store.get(paused!.leadId))!, pause, now, now),
    ).toBe('applied');
    expect(await env.store.optOut(optedOut!.leadId, (await env.store.get(optedOut!.leadId))!, false, now, now)).toBe(
      'opted-out',
    );
    // Another dispatcher is sending a lead that has just come due: its claim is live.
    const [busy] = await seedDueLeads(env, 1, 'run-report-busy', 4);
    expect(await env.store.claim((await env.store.get(busy!.leadId))!, welcome, now)).toBeDefined();

    expect(await dispatchDue(env.dispatch)).toEqual({
      due: 5,
      sent: 1,
      skipped: 1,
      unconfirmed: 1,
      rescheduled: 1,
      completed: 1,
      retry: 0,
      rejected: 0,
      paused: 0,
      untried: 0,
    });
    // SES was asked for the plain lead's welcome alone.
    expect(env.sesRequests.map((request) => request.Tags?.find((tag) => tag.Name === 'leadId')?.Value)).toEqual([
      plain!.leadId,
    ]);
  });
});

describe('one run: its reads of the due index and its time budget', () => {
  /** Leads the due index still lists as due now, on every shard. */
  const stillDue = async (env: TestEnv) => {
    const shards = Array.from({ length: env.config.DUE_SHARDS }, (_, shard) => shard);
    return (await Promise.all(shards.map((shard) => env.store.due(shard, env.clock.now(), 100)))).flat();
  };

  it('sends every due lead in one run when some shards hold more than one read of the index and the rest run dry', async () => {
    // 12 due over 8 shards, read 1 per shard at a time: three shards hold two or three (the seeded ids are fixed), the
    // rest one, and are empty after the first read.
    // One lead at a time: with more, a read made while a shard's only listed lead is in flight finds nothing new, and
    // a queue that is empty then ends the run, leaving that shard's other leads to the next run (see the due queue).
    const env = await testEnv({ BATCH_PER_SHARD: '1', DISPATCH_CONCURRENCY: '1' });
    await seedDueLeads(env, 12, 'shard');

    expect(await dispatchDue(env.dispatch)).toMatchObject({ due: 12, sent: 12, untried: 0 });
    expect(env.sesRequests).toHaveLength(12);
    expect(await stillDue(env)).toEqual([]);
  });

  it('on the local runtime’s fast clock the budget is real time: at 100×, five sends of a clock second each fit one second', async () => {
    const runWith = async (speed: number) => {
      const env = await testEnv({ DISPATCH_CONCURRENCY: '1' }, { ...manualClock(), speed });
      await seedDueLeads(env, 5, 'fast');
      // Each send takes one second of the clock: 10 ms of real time at 100×, a whole budget at 1×.
      const slow = {
        ...env.dispatch,
        settings: { ...env.dispatch.settings, runBudgetMs: 1_000 },
        pace: async (priority?: 'first') => {
          env.clock.advance(1_000);
          return env.dispatch.pace(priority);
        },
      };
      return dispatchDue(slow);
    };

    expect(await runWith(100)).toMatchObject({ due: 5, sent: 5, untried: 0 });
    expect(await runWith(1)).toMatchObject({ due: 5, sent: 1, untried: 4 });
  });
});
