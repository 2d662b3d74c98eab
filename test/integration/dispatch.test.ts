import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { deliverNext, dispatchDue, type DispatchDeps } from '#domain/dispatch';
import type { Mailer, OutgoingEmail, SendOutcome } from '#domain/ports';
import { nurture } from '../../emails/sequences.ts';
import { inbox, manualClock, runUntilDone, signUp, testEnv, uniqueEmail } from './harness.ts';

describe('the nurture sequence, end to end in virtual time', () => {
  it('a lead gets every email once, in order, inside 9:00–18:00 of their own zone, never two on one day', async () => {
    const env = await testEnv({}, manualClock('2026-03-06T05:30:00Z')); // 22:30 on 5 March in Denver, before a DST change
    const email = uniqueEmail('journey');
    const leadId = await signUp(env, { email, timeZone: 'America/Denver' });

    const lead = await runUntilDone(env, leadId);
    expect(lead?.status).toBe('completed');

    const mail = await inbox(email);
    const expected = nurture.steps.map((step) => step.template.subject({ ...step.template.PreviewProps, firstName: 'Jamie' }));
    expect(mail.map((m) => m.subject)).toEqual(expected);

    const messages = await env.store.messages(leadId);
    expect(messages.map((m) => m.stepId)).toEqual(nurture.steps.map((s) => s.id));
    const local = messages.map((m) => DateTime.fromJSDate(m.at, { zone: 'America/Denver' }));
    // The welcome goes out at sign-up, at night; every later email inside the window.
    expect(local[0]!.hour).toBe(22);
    for (const at of local.slice(1)) expect(at.hour).toBeGreaterThanOrEqual(9), expect(at.hour).toBeLessThan(18);
    expect(new Set(local.map((at) => at.toISODate())).size).toBe(local.length);
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
});

describe('dispatchers racing', () => {
  it('four dispatchers over the same 60 due leads send each lead its step exactly once', async () => {
    const env = await testEnv({ DUE_SHARDS: '4' });
    const emails = Array.from({ length: 60 }, (_, i) => uniqueEmail(`race${i}`));
    await Promise.all(emails.map((email) => signUp(env, { email })));
    env.clock.advance(3 * 86_400_000);

    // Four independent dispatchers (own pacer each), as four overlapping Lambda runs would be.
    const others = await Promise.all([1, 2, 3].map(() => testEnv({ TABLE_NAME: env.config.TABLE_NAME, DUE_SHARDS: '4' }, env.clock)));
    const reports = await Promise.all([env, ...others].map((e) => dispatchDue(e.dispatch)));

    expect(reports.reduce((sum, r) => sum + r.sent, 0)).toBe(60);
    for (const email of emails) {
      const subjects = (await inbox(email)).map((m) => m.subject);
      expect(subjects).toHaveLength(2);
      expect(new Set(subjects).size).toBe(2);
    }
  });
});

/**
 * SES faults: aws-ses-v2-local cannot refuse, throttle or drop a connection, so these tests put a Mailer in front
 * of the real one that returns the outcome under test. The store is the real one on dynalite.
 */
function faultyMailer(real: Mailer, faults: (email: OutgoingEmail) => SendOutcome | 'crash' | undefined): Mailer & { attempts: string[] } {
  const attempts: string[] = [];
  return {
    attempts,
    async send(email) {
      attempts.push(`${email.tags.leadId}:${email.tags.stepId}`);
      const fault = faults(email);
      if (fault === 'crash') throw new Error('process died');
      return fault ?? real.send(email);
    },
  };
}

describe('when SES fails', () => {
  it('a welcome that fails at sign-up is kept, and the dispatcher sends it on its next run after the retry delay', async () => {
    const env = await testEnv({ SES_ENDPOINT: 'http://127.0.0.1:1' }); // nothing listens: connection refused
    const email = uniqueEmail('down');
    const leadId = await signUp(env, { email });
    expect(await inbox(email)).toHaveLength(0);
    expect((await env.store.get(leadId))?.sentSteps).toEqual([]);

    const healthy = await testEnv({ TABLE_NAME: env.config.TABLE_NAME }, env.clock);
    expect((await dispatchDue(healthy.dispatch)).sent).toBe(0); // not before the retry delay
    env.clock.advance(61_000);
    expect((await dispatchDue(healthy.dispatch)).sent).toBe(1);
    expect((await inbox(email)).length).toBe(1);
  });

  it('throttling defers the step and it is sent later, once', async () => {
    const env = await testEnv();
    let throttle = true;
    const mailer = faultyMailer(env.dispatch.mailer, () => (throttle ? { kind: 'retry', reason: 'Throttling' } : undefined));
    const deps: DispatchDeps = { ...env.dispatch, mailer };
    const email = uniqueEmail('throttle');
    const leadId = await signUp({ ...env, dispatch: deps }, { email });
    expect(await inbox(email)).toHaveLength(0);

    throttle = false;
    env.clock.advance(61_000);
    await dispatchDue(deps);
    await dispatchDue(deps);
    expect(await inbox(email)).toHaveLength(1);
    expect(mailer.attempts).toEqual([`${leadId}:welcome`, `${leadId}:welcome`]);
  });

  it('a permanent rejection stops only that lead; the rest of the batch is sent', async () => {
    const env = await testEnv();
    const good = [uniqueEmail('ok1'), uniqueEmail('ok2'), uniqueEmail('ok3')];
    const bad = uniqueEmail('rejected');
    const ids = await Promise.all([...good, bad].map((email) => signUp(env, { email })));
    env.clock.advance(3 * 86_400_000);

    const mailer = faultyMailer(env.dispatch.mailer, (email) => (email.to.address === bad ? { kind: 'rejected', reason: 'MessageRejected' } : undefined));
    const report = await dispatchDue({ ...env.dispatch, mailer });
    expect(report).toMatchObject({ sent: 3, rejected: 1 });
    expect((await env.store.get(ids[3]!))?.status).toBe('rejected');
    for (const id of ids.slice(0, 3)) expect((await env.store.get(id))?.status).toBe('active');
    // The rejected lead is out of the due index: later runs never try it again.
    env.clock.advance(30 * 86_400_000);
    await dispatchDue({ ...env.dispatch, mailer });
    expect(mailer.attempts.filter((a) => a.startsWith(ids[3]!))).toHaveLength(1);
  });

  it('a send SES never answered is reported as unconfirmed and not sent again; the sequence moves on', async () => {
    const env = await testEnv();
    const email = uniqueEmail('dropped');
    const leadId = await signUp(env, { email });
    env.clock.advance(3 * 86_400_000);
    const mailer = faultyMailer(env.dispatch.mailer, (e) => (e.tags.stepId === 'how-it-works' ? { kind: 'unknown', reason: 'ECONNRESET' } : undefined));

    expect((await dispatchDue({ ...env.dispatch, mailer })).unconfirmed).toBe(1);
    const lead = await env.store.get(leadId);
    expect(lead?.sentSteps).toEqual(['welcome', 'how-it-works']);
    expect(lead?.nextStepId).toBe('who-it-helps');
    expect((await env.store.messages(leadId)).find((m) => m.stepId === 'how-it-works')?.state).toBe('unconfirmed');
  });

  it('a dispatcher that dies between claim and send leaves the lead to be retried after the lease, and sent once', async () => {
    const env = await testEnv({ LEASE_SECONDS: '120' });
    const email = uniqueEmail('crash');
    const leadId = await signUp(env, { email });
    env.clock.advance(3 * 86_400_000);

    // Simulate a kill: claim, then never settle or release.
    const claimed = await env.store.claim(leadId, env.clock.now(), 120_000);
    expect(claimed).toBeDefined();
    expect(await deliverNext(env.dispatch, leadId)).toBe('skipped'); // others keep off while the lease holds
    expect((await dispatchDue(env.dispatch)).sent).toBe(0);

    env.clock.advance(121_000);
    expect((await dispatchDue(env.dispatch)).sent).toBe(1);
    expect((await dispatchDue(env.dispatch)).sent).toBe(0);
    expect((await inbox(email)).map((m) => m.subject)).toHaveLength(2);
  });

  it('an error thrown between claim and send releases the lead, and it is sent once on a later run', async () => {
    const env = await testEnv();
    const email = uniqueEmail('thrown');
    const leadId = await signUp(env, { email });
    env.clock.advance(3 * 86_400_000);

    const broken = { ...env.dispatch, renderer: { render: () => Promise.reject(new Error('template bug')) } };
    expect(await deliverNext(broken, leadId)).toBe('retry');
    env.clock.advance(61_000);
    expect((await dispatchDue(env.dispatch)).sent).toBe(1);
    expect((await dispatchDue(env.dispatch)).sent).toBe(0);
    expect(await inbox(email)).toHaveLength(2);
  });

  it('a crash after the in-flight mark (SES may have the message) is reported, never resent', async () => {
    const env = await testEnv();
    const email = uniqueEmail('inflight');
    const leadId = await signUp(env, { email });
    env.clock.advance(3 * 86_400_000);

    const claimed = await env.store.claim(leadId, env.clock.now(), 60_000);
    await env.store.markSending(leadId, claimed!.token, 'how-it-works', env.clock.now());
    env.clock.advance(61_000);

    const report = await dispatchDue(env.dispatch);
    expect(report).toMatchObject({ sent: 0, unconfirmed: 1 });
    expect(await inbox(email)).toHaveLength(1);
    expect((await env.store.get(leadId))?.nextStepId).toBe('who-it-helps');
  });
});
