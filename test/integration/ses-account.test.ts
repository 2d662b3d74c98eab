/**
 * SES refusing to send for the whole account (an unverified sender identity, DKIM still pending, a sandbox account,
 * sending paused, access denied) must never cost a lead anything: the lead keeps its step and is tried again, the
 * run stops asking SES, and sending resumes by itself once SES accepts. SES's answers come from AWS's documentation
 * (test/fixtures/ses-errors.ts), served over real HTTP by the fault-injecting endpoint in front of aws-ses-v2-local;
 * sends are counted at that endpoint.
 */
import { describe, expect, it, vi } from 'vitest';
import { DISPATCH_METRICS } from '../../lambdas/contract.ts';
import { makeRunReporter } from '../../lambdas/adapters/dispatch-metrics.ts';
import { dispatchDue } from '../../lambdas/domain/dispatch.ts';
import { makeBookingHandler } from '../../lambdas/handlers/booking.ts';
import { makeDispatchHandler } from '../../lambdas/handlers/dispatch.ts';
import { makeSignupHandler } from '../../lambdas/handlers/signup.ts';
import { seedDueLeads } from '../support/seed.ts';
import type { SesErrorAnswer } from '../support/ses-fault-endpoint.ts';
import { sesError, type SesErrorFixture } from '../fixtures/ses-errors.ts';
import { bookingEvent, httpEvent, recordingLog, sesFaults, testEnv, uniqueEmail, type TestEnv } from './harness.ts';

const RETRY_DELAY_MS = 60_000; // RETRY_DELAY_SECONDS in testEnv
const unverified = sesError('unverified sender identity (or DKIM still pending)');
const sandbox = sesError('recipient not verified while the account is in the sandbox');

/** The sandbox answer as SES gives it for this request: it names the recipient, here the lead's own address. */
const naming = (fixture: SesErrorFixture, address: string): SesErrorAnswer => ({
  ...fixture,
  message: fixture.message.replace('recipient@example.com', address),
});

/** The EMF lines Powertools writes while `work` runs (still written through: the privacy check reads them too). */
async function emfDuring<T>(work: () => Promise<T>): Promise<{ result: T; metrics: Record<string, unknown>[] }> {
  const write = vi.spyOn(process.stdout, 'write');
  try {
    const result = await work();
    const metrics = write.mock.calls
      .flatMap(([chunk]) => String(chunk).split('\n'))
      .filter((line) => line.includes('"_aws"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    return { result, metrics };
  } finally {
    write.mockRestore();
  }
}

/** Every lead's state as a user of the report would see it. */
async function states(env: TestEnv, leadIds: string[]) {
  return Promise.all(
    leadIds.map(async (leadId) => {
      const lead = await env.store.get(leadId);
      return {
        status: lead?.status,
        sentSteps: lead?.sentSteps,
        nextStepId: lead?.nextStepId,
        messages: (await env.store.messages(leadId)).length,
      };
    }),
  );
}

describe('SES refusing to send for the account', () => {
  it('an unverified sender identity stops no lead: the backlog is released, the run ends early, and once SES accepts each lead gets its welcome exactly once', async () => {
    const env = await testEnv();
    const leads = await seedDueLeads(env, 20, 'unverified');
    const leadIds = leads.map((lead) => lead.leadId);
    const faults = await sesFaults({ rule: () => ({ error: unverified }) });
    const sending = await testEnv({ TABLE_NAME: env.config.TABLE_NAME, SES_ENDPOINT: faults.url }, env.clock);
    const log = recordingLog(sending.dispatch.log);
    const dispatch = makeDispatchHandler({ dispatch: { ...sending.dispatch, log }, reportRun: makeRunReporter() });

    const first = await emfDuring(() => dispatch());

    // The run took up no more leads once SES refused: at most one per worker reached SES, the rest were left alone.
    const concurrency = sending.config.DISPATCH_CONCURRENCY;
    expect(first.result).toMatchObject({ due: 20, sent: 0, rejected: 0, retry: 0, unconfirmed: 0 });
    expect(first.result.paused).toBeGreaterThanOrEqual(1);
    expect(first.result.paused).toBeLessThanOrEqual(concurrency);
    expect(first.result.untried).toBe(20 - first.result.paused);
    expect(first.result.pausedBy).toEqual({ reason: 'MessageRejected', cause: 'identity-not-verified' });
    expect(faults.requests).toHaveLength(first.result.paused);
    expect(faults.requests.every((request) => request.error === 'MessageRejected')).toBe(true);
    expect(faults.accepted).toHaveLength(0);

    // No lead stopped, none marked rejected, no step used up or recorded.
    for (const state of await states(env, leadIds))
      expect(state).toEqual({ status: 'active', sentSteps: [], nextStepId: 'welcome', messages: 0 });

    // The operator is told why, by SES's error name and a fixed cause, and the run's metrics count it.
    expect(log.lines).toContainEqual({
      level: 'error',
      message: 'sending paused: SES refused to send for the account; leads released, retrying next run',
      fields: {
        reason: 'MessageRejected',
        cause: 'identity-not-verified',
        paused: first.result.paused,
        untried: 20 - first.result.paused,
      },
    });
    expect(JSON.stringify(log.lines)).not.toContain('not verified'); // SES's text (it names addresses) is never logged
    expect(first.metrics).toHaveLength(1);
    expect(first.metrics[0]).toMatchObject({
      [DISPATCH_METRICS.runs]: 1,
      [DISPATCH_METRICS.due]: 20,
      [DISPATCH_METRICS.sent]: 0,
      [DISPATCH_METRICS.rejected]: 0,
      [DISPATCH_METRICS.accountPaused]: first.result.paused,
    });

    // Every lead is due again: the released ones after the retry delay, the untried ones still now.
    const dueAt = async (at: number) =>
      (
        await Promise.all(
          Array.from({ length: sending.config.DUE_SHARDS }, (_, shard) => env.store.due(shard, new Date(at), 1000)),
        )
      )
        .flat()
        .map((lead) => lead.leadId);
    expect(new Set(await dueAt(env.clock.now().getTime() + RETRY_DELAY_MS))).toEqual(new Set(leadIds));

    // While SES still refuses, each run costs at most one request per worker, and still stops no lead.
    env.clock.advance(RETRY_DELAY_MS + 1000);
    const second = await dispatch();
    expect(second).toMatchObject({ sent: 0, rejected: 0, untried: 20 - second.paused });
    expect(faults.requests).toHaveLength(first.result.paused + second.paused);

    // The identity is verified: the next run sends every welcome, each exactly once, with nobody stepping in.
    faults.setPlan({});
    env.clock.advance(RETRY_DELAY_MS + 1000);
    const resumed = await emfDuring(() => dispatch());
    expect(resumed.result).toMatchObject({ due: 20, sent: 20, paused: 0, untried: 0 });
    expect(resumed.result.pausedBy).toBeUndefined();
    expect(resumed.metrics[0]).toMatchObject({ [DISPATCH_METRICS.sent]: 20, [DISPATCH_METRICS.accountPaused]: 0 });
    expect(await dispatch()).toMatchObject({ due: 0 });
    expect(faults.accepted).toHaveLength(20);
    for (const lead of leads)
      expect(faults.acceptedFor(lead.leadId).map((m) => [m.tags.stepId, m.to])).toEqual([['welcome', [lead.email]]]);
    for (const state of await states(env, leadIds))
      expect(state).toEqual({ status: 'active', sentSteps: ['welcome'], nextStepId: 'how-it-works', messages: 1 });
  });

  it.each([
    'account paused by SES (review)',
    'account sending disabled (UpdateAccountSendingEnabled)',
    'configuration set missing',
    "IAM denies ses:SendRawEmail to the dispatcher's role",
    'daily sending quota used up',
  ])('%s: no lead is stopped, and the run ends', async (label) => {
    const fixture = sesError(label);
    const env = await testEnv();
    const leads = await seedDueLeads(env, 12, 'account');
    const faults = await sesFaults({ rule: () => ({ error: fixture }) });
    const sending = await testEnv(
      { TABLE_NAME: env.config.TABLE_NAME, SES_ENDPOINT: faults.url, DISPATCH_CONCURRENCY: '2' },
      env.clock,
    );

    const report = await dispatchDue(sending.dispatch);
    expect(report).toMatchObject({ due: 12, sent: 0, rejected: 0, pausedBy: { cause: fixture.cause } });
    expect(report.paused + report.untried).toBe(12);
    expect(faults.requests.length).toBeLessThanOrEqual(2);
    for (const state of await states(
      env,
      leads.map((lead) => lead.leadId),
    ))
      expect(state).toEqual({ status: 'active', sentSteps: [], nextStepId: 'welcome', messages: 0 });
  });

  it("a sandbox account refusing a new lead's address at sign-up keeps the lead, and the dispatcher sends the welcome once SES accepts", async () => {
    const email = uniqueEmail('sandboxed');
    const faults = await sesFaults({ rule: (request) => ({ error: naming(sandbox, request.to[0]!) }) });
    const env = await testEnv({ SES_ENDPOINT: faults.url });
    const result = await makeSignupHandler(env)(
      httpEvent('POST', '/signup', { body: { email, firstName: 'Noor', consent: true } }),
    );
    expect(result.statusCode).toBe(201);
    const { leadId } = JSON.parse(result.body!) as { leadId: string };
    expect(faults.requests.map((r) => r.error)).toEqual(['MessageRejected']);
    // SES's answer named the lead's address; the privacy check run after this file fails it if that reached a log.
    expect(await env.store.get(leadId)).toMatchObject({ status: 'active', sentSteps: [], nextStepId: 'welcome' });
    expect(await env.store.messages(leadId)).toEqual([]);

    faults.setPlan({});
    expect(await dispatchDue(env.dispatch)).toMatchObject({ sent: 0 }); // due again after the retry delay, not before
    env.clock.advance(RETRY_DELAY_MS + 1000);
    expect(await dispatchDue(env.dispatch)).toMatchObject({ sent: 1 });
    expect(faults.acceptedFor(leadId).map((m) => m.tags.stepId)).toEqual(['welcome']);
  });

  it("access denied when a booking's confirmation goes out keeps the confirmation, and the dispatcher sends it once SES accepts", async () => {
    const email = uniqueEmail('booked-denied');
    const faults = await sesFaults();
    const env = await testEnv({ SES_ENDPOINT: faults.url });
    const signup = await makeSignupHandler(env)(
      httpEvent('POST', '/signup', { body: { email, firstName: 'Ines', consent: true } }),
    );
    const { leadId } = JSON.parse(signup.body!) as { leadId: string };

    faults.setPlan({ rule: () => ({ error: sesError("IAM denies ses:SendRawEmail to the dispatcher's role") }) });
    const appointmentAt = new Date(env.clock.now().getTime() + 7 * 86_400_000).toISOString();
    const answer = await makeBookingHandler(env)(bookingEvent({ email, appointmentAt, status: 'booked' }));
    expect(answer.statusCode).toBe(200);
    expect(faults.requests.map((r) => `${r.tags.stepId}:${r.outcome}`)).toEqual([
      'welcome:accepted',
      'confirmation:error',
    ]);
    expect(await env.store.get(leadId)).toMatchObject({
      status: 'active',
      sequenceId: 'follow-up',
      nextStepId: 'confirmation',
    });

    faults.setPlan({});
    env.clock.advance(RETRY_DELAY_MS + 1000);
    expect(await dispatchDue(env.dispatch)).toMatchObject({ sent: 1 });
    expect(faults.acceptedFor(leadId).map((m) => m.tags.stepId)).toEqual(['welcome', 'confirmation']);
  });
});
