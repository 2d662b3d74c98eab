/**
 * The dispatcher against SES faults, through the fault-injecting endpoint (test/support/ses-fault-endpoint.ts) in
 * front of aws-ses-v2-local: the real SDK gets real HTTP errors, timeouts and dropped connections. Sends are counted
 * at that endpoint (what SES accepted), not in our own records.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { deliverNext, dispatchDue, type DeliveryOutcome } from '../../lambdas/domain/dispatch.ts';
import { makeSignupHandler } from '../../lambdas/handlers/signup.ts';
import { httpEvent, recordingLog, sesFaults, testEnv, uniqueEmail, type TestEnv } from './harness.ts';
import { forwardChildOutput } from '../support/privacy.ts';
import { seedDueLeads } from '../support/seed.ts';

const DAY = 86_400_000;

async function signUp(env: TestEnv, email: string): Promise<string> {
  const result = await makeSignupHandler(env)(
    httpEvent('POST', '/signup', { body: { email, firstName: 'Jamie', consent: true } }),
  );
  expect(result.statusCode).toBe(201);
  return JSON.parse(result.body!).leadId;
}

/** Dispatch rounds until nothing is due, moving the clock past the retry delay between rounds. */
async function dispatchUntilIdle(dispatchers: TestEnv[], clock: TestEnv['clock']) {
  const total: Record<DeliveryOutcome, number> = {
    sent: 0,
    retry: 0,
    rejected: 0,
    unconfirmed: 0,
    paused: 0,
    rescheduled: 0,
    completed: 0,
    skipped: 0,
  };
  for (let round = 0; round < 40; round++) {
    const reports = await Promise.all(dispatchers.map((env) => dispatchDue(env.dispatch)));
    if (reports.every((report) => report.due === 0)) return total;
    for (const report of reports)
      for (const key of Object.keys(total) as (keyof typeof total)[]) total[key] += report[key];
    clock.advance(61_000); // RETRY_DELAY_SECONDS is 60 in tests
  }
  throw new Error('still due after 40 rounds');
}

/** A dispatcher in a child process on the same table and SES endpoint, to be killed with SIGKILL mid-run. */
function childDispatcher(env: TestEnv, extra: Record<string, string> = {}) {
  const keys = [
    'TABLE_NAME',
    'SES_CONFIGURATION_SET',
    'PUBLIC_BASE_URL',
    'UNSUBSCRIBE_SECRET',
    'DYNAMODB_ENDPOINT',
    'SES_ENDPOINT',
    'DUE_SHARDS',
    'LEASE_SECONDS',
    'RETRY_DELAY_SECONDS',
  ] as const;
  const config = Object.fromEntries(keys.map((key) => [key, String(env.config[key])]));
  const script = fileURLToPath(new URL('../support/dispatch-child.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, ...config, CLOCK_AT: env.clock.now().toISOString(), ...extra },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  void forwardChildOutput(child); // its logs go through the privacy check too
  const exited = once(child, 'exit');
  onTestFinished(() => void child.kill('SIGKILL'));
  const lines = createInterface({ input: child.stdout });
  return {
    /** The first line of its output that starts with `prefix`. */
    line: (prefix: string) =>
      new Promise<string>((resolve, reject) => {
        lines.on('line', (line) => line.startsWith(prefix) && resolve(line));
        void exited.then(() => reject(new Error('the child dispatcher exited first')));
      }),
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

describe('SES faults at scale', () => {
  it('1,000 due leads, four dispatchers at once, 20% throttled and 5% failing with 5xx: SES accepts each welcome exactly once', async ({
    skip,
  }) => {
    skip(process.env.MUTATION_RUN === '1', 'a load test (about 45 s): npm run mutate relies on the single-lead tests');
    const faults = await sesFaults({ seed: 'four-dispatchers', rates: { throttle: 0.2, 'server-error': 0.05 } });
    const env = await testEnv({ SES_ENDPOINT: faults.url, DUE_SHARDS: '4' });
    const leads = await seedDueLeads(env, 1000, 'scale');
    // Four independent wirings on one table (own clients and pacer each), as four overlapping Lambda runs would be.
    const others = await Promise.all(
      [1, 2, 3].map(() =>
        testEnv({ TABLE_NAME: env.config.TABLE_NAME, SES_ENDPOINT: faults.url, DUE_SHARDS: '4' }, env.clock),
      ),
    );

    const total = await dispatchUntilIdle([env, ...others], env.clock);

    const counts = faults.counts();
    expect(counts.throttle).toBeGreaterThan(100); // the faults really happened, at about the rates asked for
    expect(counts['server-error']).toBeGreaterThan(20);
    expect(faults.accepted).toHaveLength(1000);
    const byLead = new Map(faults.accepted.map((message) => [message.tags.leadId, message]));
    for (const lead of leads) {
      const message = byLead.get(lead.leadId);
      expect(message?.tags.stepId).toBe('welcome');
      expect(message?.to).toEqual([lead.email]);
    }
    // Every refusal was retried, never skipped, and our own records agree with SES. On a loaded machine the emulator
    // behind the fault endpoint sometimes fails a request too (upstream-error): a transient failure, retried like ours.
    expect(total).toMatchObject({
      sent: 1000,
      retry: counts.throttle + counts['server-error'] + counts['upstream-error'],
      rejected: 0,
      unconfirmed: 0,
    });
    const stored = await Promise.all(leads.map((lead) => env.store.get(lead.leadId)));
    for (const lead of stored)
      expect(lead).toMatchObject({ status: 'active', sentSteps: ['welcome'], nextStepId: 'how-it-works' });
  }, 120_000);
});

describe('when SES fails', () => {
  it('a welcome that SES throttles at sign-up is kept, and the dispatcher sends it once after the retry delay', async () => {
    const email = uniqueEmail('throttled');
    const faults = await sesFaults({
      rule: (request) => (request.to.includes(email) && request.attempt === 0 ? 'throttle' : undefined),
    });
    const env = await testEnv({ SES_ENDPOINT: faults.url });
    const leadId = await signUp(env, email);
    expect(faults.counts()).toMatchObject({ throttle: 1, accepted: 0 });
    expect((await env.store.get(leadId))?.sentSteps).toEqual([]);

    expect((await dispatchDue(env.dispatch)).sent).toBe(0); // not before the retry delay
    env.clock.advance(61_000);
    expect((await dispatchDue(env.dispatch)).sent).toBe(1);
    expect((await dispatchDue(env.dispatch)).sent).toBe(0);
    expect(faults.acceptedFor(leadId).map((m) => m.tags.stepId)).toEqual(['welcome']);
  });

  it('a welcome that cannot reach SES at all (connection refused) is kept, and sent once SES is back', async () => {
    const env = await testEnv({ SES_ENDPOINT: 'http://127.0.0.1:1' }); // nothing listens there
    const faults = await sesFaults();
    const leadId = await signUp(env, uniqueEmail('down'));
    expect((await env.store.get(leadId))?.sentSteps).toEqual([]);

    const healthy = await testEnv({ TABLE_NAME: env.config.TABLE_NAME, SES_ENDPOINT: faults.url }, env.clock);
    env.clock.advance(61_000);
    expect((await dispatchDue(healthy.dispatch)).sent).toBe(1);
    expect(faults.acceptedFor(leadId)).toHaveLength(1);
  });

  it('a permanent rejection of one address stops only that lead; the rest of the batch is sent, and it is never tried again', async () => {
    const env = await testEnv();
    const leads = await seedDueLeads(env, 4, 'rejection');
    const bad = leads[3]!;
    const faults = await sesFaults({ rule: (request) => (request.to.includes(bad.email) ? 'reject' : undefined) });
    const sending = await testEnv({ TABLE_NAME: env.config.TABLE_NAME, SES_ENDPOINT: faults.url }, env.clock);

    expect(await dispatchDue(sending.dispatch)).toMatchObject({ sent: 3, rejected: 1, retry: 0 });
    expect(await sending.store.get(bad.leadId)).toMatchObject({ status: 'rejected' });
    expect((await sending.store.messages(bad.leadId)).map((m) => [m.stepId, m.state, m.reason])).toEqual([
      ['welcome', 'rejected', 'MessageRejected'],
    ]);
    for (const lead of leads.slice(0, 3))
      expect(await sending.store.get(lead.leadId)).toMatchObject({ status: 'active', nextStepId: 'how-it-works' });

    // Out of the due index: a month later it is still never tried again, while the others go on.
    env.clock.advance(30 * DAY);
    expect(await dispatchDue(sending.dispatch)).toMatchObject({ due: 3, sent: 3 });
    expect(faults.requests.filter((request) => request.to.includes(bad.email))).toHaveLength(1);
    for (const lead of leads.slice(0, 3))
      expect(faults.acceptedFor(lead.leadId).map((m) => m.tags.stepId)).toEqual(['welcome', 'how-it-works']);
  });

  it('a send SES accepted but whose answer was lost (connection dropped) is reported as unconfirmed and never resent', async () => {
    const faults = await sesFaults({
      rule: (request) => (request.tags.stepId === 'how-it-works' ? 'drop' : undefined),
    });
    const env = await testEnv({ SES_ENDPOINT: faults.url });
    const log = recordingLog(env.dispatch.log);
    const dispatch = { ...env.dispatch, log };
    const leadId = await signUp({ ...env, dispatch }, uniqueEmail('dropped'));

    env.clock.advance(3 * DAY);
    expect(await dispatchDue(dispatch)).toMatchObject({ sent: 0, unconfirmed: 1 });
    expect(faults.counts().drop).toBe(1);
    expect((await env.store.messages(leadId)).find((m) => m.stepId === 'how-it-works')?.state).toBe('unconfirmed');
    expect(log.lines).toContainEqual({
      level: 'error',
      message: 'no answer from SES after sending; not resending',
      fields: expect.objectContaining({ leadId, stepId: 'how-it-works' }),
    });

    // The sequence moves on; SES holds that step exactly once.
    env.clock.advance(4 * DAY);
    expect((await dispatchDue(dispatch)).sent).toBe(1);
    expect(faults.acceptedFor(leadId).map((m) => m.tags.stepId)).toEqual(['welcome', 'how-it-works', 'who-it-helps']);
  });

  it('a send SES never answers in time is reported as unconfirmed once the SES timeout passes, and not resent', async () => {
    const faults = await sesFaults({
      rule: (request) => (request.tags.stepId === 'how-it-works' ? 'timeout' : undefined),
    });
    const env = await testEnv({ SES_ENDPOINT: faults.url, SES_TIMEOUT_SECONDS: '1' });
    const leadId = await signUp(env, uniqueEmail('timeout'));

    env.clock.advance(3 * DAY);
    expect(await dispatchDue(env.dispatch)).toMatchObject({ sent: 0, unconfirmed: 1 });
    expect((await env.store.messages(leadId)).find((m) => m.stepId === 'how-it-works')?.state).toBe('unconfirmed');
    env.clock.advance(4 * DAY);
    await dispatchDue(env.dispatch);
    expect(faults.requests.filter((r) => r.tags.leadId === leadId).map((r) => `${r.tags.stepId}:${r.outcome}`)).toEqual(
      ['welcome:accepted', 'how-it-works:timeout', 'who-it-helps:accepted'],
    );
  });
});

describe('a dispatcher that dies', () => {
  it('killed before its claim (SIGKILL while rendering): it held nothing, and the next run sends the step once', async () => {
    const faults = await sesFaults();
    const env = await testEnv({ SES_ENDPOINT: faults.url, LEASE_SECONDS: '120' });
    const [lead] = await seedDueLeads(env, 1, 'killed');

    const child = childDispatcher(env, { HANG_IN_RENDER: '1' });
    expect(await child.line('rendering')).toBe('rendering welcome');
    await child.kill();
    expect(faults.requests).toHaveLength(0);

    // The claim comes after rendering and the send turn, just before SES: a dispatcher killed before it leaves the
    // lead as it was, with nothing to wait out.
    expect(await dispatchDue(env.dispatch)).toMatchObject({ sent: 1 });
    expect(await dispatchDue(env.dispatch)).toMatchObject({ due: 0 });
    expect(faults.acceptedFor(lead!.leadId).map((m) => m.tags.stepId)).toEqual(['welcome']);
  });

  it('an error thrown between claim and send releases the lead, and it is sent once on a later run', async () => {
    const faults = await sesFaults();
    const env = await testEnv({ SES_ENDPOINT: faults.url });
    const [lead] = await seedDueLeads(env, 1, 'thrown');

    const broken = { ...env.dispatch, renderer: { render: () => Promise.reject(new Error('template bug')) } };
    expect(await deliverNext(broken, lead!.leadId)).toBe('retry');
    expect(await dispatchDue(env.dispatch)).toMatchObject({ due: 0 }); // not before the retry delay
    env.clock.advance(61_000);
    expect((await dispatchDue(env.dispatch)).sent).toBe(1);
    expect((await dispatchDue(env.dispatch)).sent).toBe(0);
    expect(faults.acceptedFor(lead!.leadId)).toHaveLength(1);
  });

  it('a DynamoDB write that fails after SES accepted the message (throttling, which no emulator does) is reported unconfirmed, never resent', async () => {
    const faults = await sesFaults();
    const env = await testEnv({ SES_ENDPOINT: faults.url, LEASE_SECONDS: '60' });
    const [lead] = await seedDueLeads(env, 1, 'after-send');

    // The real store, its settlement (which records the message) failing as a throttled DynamoDB write does once
    // the SDK's retries are spent.
    const throttled = Object.assign(Object.create(env.store), {
      settle: () =>
        Promise.reject(Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' })),
    });
    expect(await deliverNext({ ...env.dispatch, store: throttled }, lead!.leadId)).toBe('unconfirmed');
    expect(faults.acceptedFor(lead!.leadId)).toHaveLength(1);

    env.clock.advance(61_000 + 60_000); // past the lease and the retry delay
    await dispatchUntilIdle([env], env.clock);
    expect(faults.acceptedFor(lead!.leadId)).toHaveLength(1);
    expect(await env.store.get(lead!.leadId)).toMatchObject({ sentSteps: ['welcome'], nextStepId: 'how-it-works' });
    expect((await env.store.messages(lead!.leadId)).find((m) => m.stepId === 'welcome')?.state).toBe('unconfirmed');
  });

  it('a DynamoDB write that fails while a later claim reports such a send unconfirmed leaves the mark in place: still never resent', async () => {
    const faults = await sesFaults();
    const env = await testEnv({ SES_ENDPOINT: faults.url, LEASE_SECONDS: '60' });
    const [lead] = await seedDueLeads(env, 1, 'mark-kept');
    const throttled = Object.assign(Object.create(env.store), {
      settle: () =>
        Promise.reject(Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' })),
    });
    expect(await deliverNext({ ...env.dispatch, store: throttled }, lead!.leadId)).toBe('unconfirmed');

    // Past the lease, the next claim finds the in-flight mark, and its own record of the send fails the same way.
    env.clock.advance(61_000);
    expect(await deliverNext({ ...env.dispatch, store: throttled }, lead!.leadId)).toBe('unconfirmed');
    env.clock.advance(61_000 + 60_000);
    await dispatchUntilIdle([env], env.clock);
    expect(faults.acceptedFor(lead!.leadId)).toHaveLength(1);
    expect(await env.store.get(lead!.leadId)).toMatchObject({ sentSteps: ['welcome'], nextStepId: 'how-it-works' });
  });

  it('killed after SES accepted the message but before its answer arrived: reported as unconfirmed after the lease, never resent', async () => {
    const faults = await sesFaults({ rule: () => ({ slow: Infinity }) });
    const env = await testEnv({ SES_ENDPOINT: faults.url, LEASE_SECONDS: '120' });
    const log = recordingLog(env.dispatch.log);
    const [lead] = await seedDueLeads(env, 1, 'inflight');

    const child = childDispatcher(env);
    await faults.nextRequest();
    await child.kill();
    expect(faults.acceptedFor(lead!.leadId)).toHaveLength(1);

    faults.setPlan({});
    env.clock.advance(121_000);
    expect(await dispatchDue({ ...env.dispatch, log })).toMatchObject({ sent: 0, unconfirmed: 1 });
    expect(log.lines).toContainEqual({
      level: 'error',
      message: 'unconfirmed send found: not resending',
      fields: expect.objectContaining({ leadId: lead!.leadId, stepId: 'welcome' }),
    });
    expect(await env.store.get(lead!.leadId)).toMatchObject({ sentSteps: ['welcome'], nextStepId: 'how-it-works' });
    expect(faults.acceptedFor(lead!.leadId)).toHaveLength(1);
  });
});
