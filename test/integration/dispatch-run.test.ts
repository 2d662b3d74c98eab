/**
 * One dispatcher run against the real emulators: it keeps reading the due index and sending until nothing more is
 * due or its time budget is spent (judged on the test's clock, moved by hand: no test here measures a time), and a
 * scheduled run split across workers sends everything once, each worker on its own shards.
 */
import { describe, expect, it } from 'vitest';
import { dispatchDue } from '../../lambdas/domain/dispatch.ts';
import type { WorkerEvent } from '../../lambdas/domain/fan-out.ts';
import { makeDispatchHandler, type FanOut } from '../../lambdas/handlers/dispatch.ts';
import { seedDueLeads } from '../support/seed.ts';
import { testEnv, type TestEnv } from './harness.ts';

/** How many welcomes left for each lead, as the SES client sent them. */
function welcomesByLead(env: TestEnv): Map<string, number> {
  const counts = new Map<string, number>();
  for (const request of env.sesRequests) {
    const tags = Object.fromEntries((request.Tags ?? []).map((tag) => [tag.Name, tag.Value]));
    if (tags.stepId === 'welcome') counts.set(tags.leadId, (counts.get(tags.leadId) ?? 0) + 1);
  }
  return counts;
}

async function stillDue(env: TestEnv): Promise<string[]> {
  const shards = Array.from({ length: env.config.DUE_SHARDS }, (_, shard) => shard);
  const pages = await Promise.all(shards.map((shard) => env.store.due(shard, env.clock.now(), 1000)));
  return pages.flat().map((lead) => lead.leadId);
}

describe('one dispatcher run', () => {
  it('a backlog bigger than one read of the due index goes out in one run, each lead once', async () => {
    // 8 shards × 2 leads a read: 16 at a time, against 40 due.
    const env = await testEnv({ BATCH_PER_SHARD: '2', DISPATCH_CONCURRENCY: '3' });
    const leads = await seedDueLeads(env, 40, 'backlog');

    const report = await dispatchDue(env.dispatch);

    expect(report).toMatchObject({ due: 40, sent: 40, untried: 0, retry: 0, skipped: 0 });
    const welcomes = welcomesByLead(env);
    for (const lead of leads) expect(welcomes.get(lead.leadId)).toBe(1);
    expect(await stillDue(env)).toEqual([]);
  });

  it('stops taking leads once its budget is spent; they stay due, and the next run sends them, none twice', async () => {
    const env = await testEnv({ BATCH_PER_SHARD: '2', DISPATCH_CONCURRENCY: '1' });
    const leads = await seedDueLeads(env, 30, 'spent');
    // Every send takes a second of the test's clock; the budget is ten of them.
    const slow = {
      ...env.dispatch,
      settings: { ...env.dispatch.settings, runBudgetMs: 10_000 },
      pace: async (priority?: 'first') => {
        env.clock.advance(1_000);
        return env.dispatch.pace(priority);
      },
    };

    const first = await dispatchDue(slow);

    expect(first).toMatchObject({ sent: 10, retry: 0, skipped: 0 });
    expect(first.untried).toBe(first.due - 10);
    expect(await stillDue(env)).toHaveLength(20);

    const second = await dispatchDue(env.dispatch);
    expect(second).toMatchObject({ due: 20, sent: 20, untried: 0 });
    const welcomes = welcomesByLead(env);
    for (const lead of leads) expect(welcomes.get(lead.leadId)).toBe(1);
  });
});

describe('a scheduled run split across workers', () => {
  /** 20 a second where one worker sends 5: four workers, when more is due than one worker sends in 2 s (10). */
  const fanOut = (env: TestEnv, start?: FanOut['start']): FanOut => ({
    settings: { shards: env.config.DUE_SHARDS, maxWorkers: 4, workerRate: 5, runBudgetMs: 2_000 },
    rate: 20,
    dispatchAt: () => env.dispatch,
    ...(start && { start }),
  });

  it('in one process: four workers on their own shards send the whole backlog, each lead once', async () => {
    const env = await testEnv();
    const leads = await seedDueLeads(env, 40, 'workers');

    const report = await makeDispatchHandler({ dispatch: env.dispatch, fanOut: fanOut(env) })();

    expect(report).toMatchObject({ workers: 4, due: 40, sent: 40, untried: 0, skipped: 0 });
    const welcomes = welcomesByLead(env);
    for (const lead of leads) expect(welcomes.get(lead.leadId)).toBe(1);
  });

  it('as in AWS: the run starts each worker with its event and sends nothing itself; the workers send it all', async () => {
    const env = await testEnv();
    const leads = await seedDueLeads(env, 40, 'invoked');
    const started: WorkerEvent[] = [];
    const handler = makeDispatchHandler({
      dispatch: env.dispatch,
      fanOut: fanOut(env, async (event) => void started.push(event)),
    });

    expect(await handler({ source: 'aws.events', 'detail-type': 'Scheduled Event' })).toMatchObject({
      workers: 4,
      due: 0,
      sent: 0,
    });
    expect(env.sesRequests).toHaveLength(0);
    expect(started.flatMap((event) => event.shards).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(started.reduce((sum, event) => sum + event.rate, 0)).toBeLessThanOrEqual(20);

    // Each worker as Lambda would deliver its event: serialised.
    const reports = await Promise.all(started.map((event) => handler(JSON.parse(JSON.stringify(event)))));
    expect(reports.reduce((sum, report) => sum + report.sent, 0)).toBe(40);
    const welcomes = welcomesByLead(env);
    for (const lead of leads) expect(welcomes.get(lead.leadId)).toBe(1);
  });

  it('a malformed worker event is refused, and sends nothing', async () => {
    const env = await testEnv();
    await seedDueLeads(env, 3, 'malformed');
    const handler = makeDispatchHandler({ dispatch: env.dispatch, fanOut: fanOut(env) });

    await expect(
      handler({ kind: 'dispatch-worker', shards: [0, 0], rate: 5, stopAt: 1, worker: 0, of: 1 }),
    ).rejects.toThrow('must not repeat a shard');
    expect(env.sesRequests).toHaveLength(0);
  });

  it('a worker started after its run’s deadline takes nothing: its leads wait for the next run', async () => {
    const env = await testEnv();
    await seedDueLeads(env, 5, 'late');
    const handler = makeDispatchHandler({ dispatch: env.dispatch, fanOut: fanOut(env) });
    const late = { kind: 'dispatch-worker', shards: [0, 1, 2, 3, 4, 5, 6, 7], rate: 5, worker: 0, of: 1 };

    const report = await handler({ ...late, stopAt: env.clock.now().getTime() - 1 });

    expect(report).toMatchObject({ due: 5, sent: 0, untried: 5 });
    expect(env.sesRequests).toHaveLength(0);
  });
});
