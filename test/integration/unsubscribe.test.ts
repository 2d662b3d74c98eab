import { DeleteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamoClient } from '../../lambdas/adapters/clients.ts';
import { leadKey } from '../../lambdas/adapters/dynamo-keys.ts';
import { deliverNext, dispatchDue } from '../../lambdas/domain/dispatch.ts';
import { makeBookingHandler } from '../../lambdas/handlers/booking.ts';
import type { LeadStore } from '../../lambdas/domain/ports.ts';
import { stopLead } from '../../lambdas/domain/stop.ts';
import { unsubscribe as unsubscribeLead } from '../../lambdas/domain/unsubscribe.ts';
import { makeSignupHandler } from '../../lambdas/handlers/signup.ts';
import { makeUnsubscribeHandler } from '../../lambdas/handlers/unsubscribe.ts';
import { unsubscribeDeps } from '../../lambdas/compose.ts';
import { compareCounters } from '../support/report-compare.ts';
import {
  bookingEvent,
  httpEvent,
  inbox,
  runUntilDone,
  sesFaults,
  testEnv,
  uniqueEmail,
  heldUpdates,
} from './harness.ts';

const env = await testEnv();
const unsubscribe = makeUnsubscribeHandler(env);
const oneClick = {
  body: 'List-Unsubscribe=One-Click',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
};

async function signUp(email: string) {
  const result = await makeSignupHandler(env)(
    httpEvent('POST', '/signup', { body: { email, firstName: 'Noor', consent: true } }),
  );
  return JSON.parse(result.body!).leadId as string;
}

/** The unsubscribe URL exactly as it went out in the lead's List-Unsubscribe header. */
function unsubscribeUrlSentTo(leadId: string): URL {
  const request = env.sesRequests.find((r) => r.Tags?.some((t) => t.Name === 'leadId' && t.Value === leadId))!;
  const raw = Buffer.from(request.RawMessage!.Data!)
    .toString('utf8')
    .replace(/\r\n[ \t]+/g, ' ');
  return new URL(raw.match(/^List-Unsubscribe: <([^>]+)>/m)![1]!);
}

describe('unsubscribe', () => {
  it('one-click unsubscribe in the middle of the sequence: 200, and no further email', async () => {
    const email = uniqueEmail('oneclick');
    const leadId = await signUp(email);
    env.clock.advance(3 * 86_400_000);
    await dispatchDue(env.dispatch);
    expect(await inbox(email)).toHaveLength(2);

    const url = unsubscribeUrlSentTo(leadId);
    const result = await unsubscribe(httpEvent('POST', `${url.pathname}${url.search}`, oneClick));
    expect(result.statusCode).toBe(200);
    expect(result.body).toContain('You are unsubscribed');

    const lead = await env.store.get(leadId);
    expect(lead).toMatchObject({ status: 'unsubscribed' });
    expect(lead?.nextStepId).toBeUndefined();
    for (let day = 0; day < 40; day++) {
      env.clock.advance(86_400_000);
      await dispatchDue(env.dispatch);
    }
    expect(await inbox(email)).toHaveLength(2);
  });

  it('opening the link (GET) shows a confirm button and unsubscribes nothing', async () => {
    const email = uniqueEmail('prefetch');
    const leadId = await signUp(email);
    const url = unsubscribeUrlSentTo(leadId);
    const page = await unsubscribe(httpEvent('GET', `${url.pathname}${url.search}`));
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/<form method="post"[^>]*>[\s\S]*<button/);
    expect((await env.store.get(leadId))?.status).toBe('active');
  });

  it('unsubscribing twice is fine, and says so', async () => {
    const leadId = await signUp(uniqueEmail('twice'));
    const url = unsubscribeUrlSentTo(leadId);
    await unsubscribe(httpEvent('POST', `${url.pathname}${url.search}`, oneClick));
    const again = await unsubscribe(httpEvent('POST', `${url.pathname}${url.search}`, oneClick));
    expect(again.statusCode).toBe(200);
    expect(again.body).toContain('already unsubscribed');
  });

  it('a forged, truncated or tampered token gets 400 and changes nothing', async () => {
    const leadId = await signUp(uniqueEmail('forged'));
    const token = unsubscribeUrlSentTo(leadId).searchParams.get('token')!;
    const other = await signUp(uniqueEmail('victim'));
    for (const bad of [token.slice(0, -4), `${other}.${token.split('.')[1]}`, `${leadId}.AAAA`, '', 'x'.repeat(5000)]) {
      const result = await unsubscribe(httpEvent('POST', `/unsubscribe?token=${encodeURIComponent(bad)}`, oneClick));
      expect(result.statusCode).toBe(400);
    }
    expect((await env.store.get(leadId))?.status).toBe('active');
    expect((await env.store.get(other))?.status).toBe('active');
  });

  it('an unsubscribe that arrives while a send is in flight waits for it: nothing is ever sent after the recorded unsubscribe', async () => {
    const email = uniqueEmail('racing');
    const leadId = await signUp(email);
    env.clock.advance(3 * 86_400_000);
    const url = unsubscribeUrlSentTo(leadId);

    // A dispatcher has claimed the lead and handed the step to SES...
    const step = { sequenceId: 'nurture', stepId: 'how-it-works', class: 'marketing' as const };
    const token = (await env.store.claim((await env.store.get(leadId))!, step, env.clock.now()))!;
    const pending = unsubscribe(httpEvent('POST', `${url.pathname}${url.search}`, oneClick));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await env.store.get(leadId))?.status).toBe('active'); // the unsubscribe is waiting, not yet recorded

    // ...and SES answers: the dispatcher settles the send and schedules the next step.
    const next = new Date(env.clock.now().getTime() + 3 * 86_400_000);
    expect(
      await env.store.settle(
        leadId,
        { token },
        {
          settledStepId: 'how-it-works',
          sentAt: env.clock.now(),
          next: { stepId: 'who-it-helps', at: next },
        },
      ),
    ).toBe(true);

    expect((await pending).statusCode).toBe(200);
    const lead = await env.store.get(leadId);
    expect(lead).toMatchObject({ status: 'unsubscribed', sentSteps: ['welcome', 'how-it-works'] });
    expect(lead?.nextStepId).toBeUndefined();
    env.clock.advance(10 * 86_400_000);
    await dispatchDue(env.dispatch);
    expect(await inbox(email)).toHaveLength(1); // the welcome; the in-flight step was simulated above
  });

  it('stopping everything from a process whose clock runs behind the dispatcher’s (the last send recorded after its now) is still recorded, once it has waited out the longest send', async () => {
    const email = uniqueEmail('clock-behind');
    const leadId = await signUp(email);
    env.clock.advance(3 * 86_400_000);
    const step = { sequenceId: 'nurture', stepId: 'how-it-works', class: 'marketing' as const };
    const token = (await env.store.claim((await env.store.get(leadId))!, step, env.clock.now()))!;
    // The dispatcher's clock is a minute ahead: its record of the send reads later than the stop's now.
    const ahead = new Date(env.clock.now().getTime() + 60_000);
    expect(
      await env.store.settle(
        leadId,
        { token },
        { settledStepId: 'how-it-works', sentAt: ahead, next: { stepId: 'who-it-helps', at: ahead } },
      ),
    ).toBe(true);

    // No SES timeout: the stop waits only the pacer's margin before it takes the lead as it is.
    expect(await stopLead({ store: env.store, clock: env.clock, sendTimeoutMs: 0 }, leadId, 'stopped')).toMatchObject({
      outcome: 'stopped',
    });
    const lead = await env.store.get(leadId);
    expect(lead).toMatchObject({ status: 'stopped', sentSteps: ['welcome', 'how-it-works'] });
    expect(lead?.nextStepId).toBeUndefined();
  });

  it('a marketing unsubscribe from a process whose clock runs behind the dispatcher’s (the last send recorded after its now) waits, and is never recorded before that send', async () => {
    const leadId = await signUp(uniqueEmail('clock-behind-marketing'));
    env.clock.advance(3 * 86_400_000);
    const step = { sequenceId: 'nurture', stepId: 'how-it-works', class: 'marketing' as const };
    const token = (await env.store.claim((await env.store.get(leadId))!, step, env.clock.now()))!;
    // The dispatcher's clock is a minute ahead: its record of the send reads later than the unsubscribe's now.
    const ahead = new Date(env.clock.now().getTime() + 60_000);
    const next = { stepId: 'who-it-helps', at: new Date(ahead.getTime() + 3 * 86_400_000) };
    expect(await env.store.settle(leadId, { token }, { settledStepId: 'how-it-works', sentAt: ahead, next })).toBe(
      true,
    );

    // While the unsubscribe waits, its own clock moves past the recorded send.
    let waits = 0;
    const deps = {
      store: env.store,
      clock: env.clock,
      sendTimeoutMs: env.config.SES_TIMEOUT_SECONDS * 1000,
      sequences: env.dispatch.sequences,
      sleep: async () => {
        waits++;
        env.clock.advance(61_000);
      },
    };
    expect(await unsubscribeLead(deps, leadId, 'marketing')).toMatchObject({ outcome: 'done' });
    expect(waits).toBe(1);
    const lead = await env.store.get(leadId);
    expect(lead).toMatchObject({ status: 'unsubscribed', sentSteps: ['welcome', 'how-it-works'] });
    expect(lead?.nextStepId).toBeUndefined();
    // The record reads truthfully: the unsubscribe came after the email that went out before it.
    expect(Date.parse(lead!.optedOutAt!)).toBeGreaterThan(ahead.getTime());
  });

  it('a marketing unsubscribe waits for a send in flight even when it was marked exactly the longest send ago, and is recorded once SES has answered', async () => {
    const leadId = await signUp(uniqueEmail('boundary'));
    env.clock.advance(3 * 86_400_000);
    const step = { sequenceId: 'nurture', stepId: 'how-it-works', class: 'marketing' as const };
    const token = (await env.store.claim((await env.store.get(leadId))!, step, env.clock.now()))!;
    // The longest send (the SES timeout and the pacer's margin) since the mark: the send may still be waiting on SES.
    env.clock.advance(env.config.SES_TIMEOUT_SECONDS * 1000 + 2_000);
    const waits: (string | undefined)[] = [];
    const result = await unsubscribeLead(
      {
        store: env.store,
        clock: env.clock,
        sendTimeoutMs: env.config.SES_TIMEOUT_SECONDS * 1000,
        sequences: env.dispatch.sequences,
        // While the unsubscribe waits, SES answers and the dispatcher settles the send.
        sleep: async () => {
          waits.push((await env.store.get(leadId))?.optedOutAt);
          if (waits.length > 1) return;
          const at = env.clock.now();
          const next = { stepId: 'who-it-helps', at };
          expect(await env.store.settle(leadId, { token }, { settledStepId: 'how-it-works', sentAt: at, next })).toBe(
            true,
          );
        },
      },
      leadId,
      'marketing',
    );

    expect(result).toMatchObject({ outcome: 'done', already: false });
    expect(waits).toEqual([undefined]); // it waited once, before anything was recorded
    expect(await env.store.get(leadId)).toMatchObject({
      status: 'unsubscribed',
      sentSteps: ['welcome', 'how-it-works'],
    });
  });

  it('a one-click unsubscribe whose write is held up on the network while the lead is erased answers the page, and writes nothing back', async () => {
    const leadId = await signUp(uniqueEmail('erased-mid-unsubscribe'));
    const url = unsubscribeUrlSentTo(leadId);
    // The unsubscribe's own client, whose first UpdateItem (the opt-out) is held up as a slow network would.
    const { dynamo, reached, letGo } = heldUpdates(env.config);
    const slow = makeUnsubscribeHandler(unsubscribeDeps(env.config, { clock: env.clock, dynamo }));
    const pending = slow(httpEvent('POST', `${url.pathname}${url.search}`, oneClick));
    await reached;
    // Erasure deletes the lead item meanwhile; the opt-out, conditional on the item, is then refused.
    const doc = DynamoDBDocumentClient.from(dynamoClient(env.config));
    await doc.send(new DeleteCommand({ TableName: env.config.TABLE_NAME, Key: leadKey(leadId) }));
    letGo();

    const result = await pending;
    expect(result.statusCode).toBe(200);
    expect(result.body).toContain('You are unsubscribed');
    expect(await env.store.get(leadId)).toBeUndefined();
  });

  it('an unsubscribe while a dispatcher holds the lead keeps it out of the schedule: the dispatcher cannot write it back', async () => {
    const email = uniqueEmail('held');
    const leadId = await signUp(email);
    env.clock.advance(3 * 86_400_000);
    const url = unsubscribeUrlSentTo(leadId);

    // A dispatcher died after handing the next step to SES; its lease has run out.
    const step = { sequenceId: 'nurture', stepId: 'how-it-works', class: 'marketing' as const };
    expect(await env.store.claim((await env.store.get(leadId))!, step, env.clock.now())).toEqual(expect.any(String));
    env.clock.advance(121_000);

    // The next run claims the lead to report that send as unconfirmed, and is held up before it writes the report
    // (the real store, with one call held back, as a slow network would).
    let claimed!: () => void;
    const reported = new Promise<void>((resolve) => (claimed = resolve));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const store: LeadStore = Object.assign(Object.create(env.store) as LeadStore, {
      settle: async (...args: Parameters<LeadStore['settle']>) => {
        claimed();
        await held;
        return env.store.settle(...args);
      },
    });
    const run = deliverNext({ ...env.dispatch, store }, leadId);
    await reported;

    // The lead unsubscribes meanwhile (the mark is stale, so the unsubscribe does not wait for it)...
    expect((await unsubscribe(httpEvent('POST', `${url.pathname}${url.search}`, oneClick))).statusCode).toBe(200);
    // ...and then the dispatcher reports the send and settles: its settlement is refused, as its claim was dropped.
    release();
    expect(await run).toBe('unconfirmed');

    const lead = await env.store.get(leadId);
    expect(lead).toMatchObject({ status: 'unsubscribed', sentSteps: ['welcome'] });
    expect(lead?.nextStepId).toBeUndefined();
    expect(lead?.nextSendAt).toBeUndefined();
    // Not back in the due index: no dispatcher run reads it again, however far ahead.
    const later = new Date(env.clock.now().getTime() + 365 * 86_400_000);
    for (let shard = 0; shard < env.config.DUE_SHARDS; shard++)
      expect((await env.store.due(shard, later, 1000)).map((due) => due.leadId)).not.toContain(leadId);
    expect((await env.store.messages(leadId)).map((m) => `${m.stepId}:${m.state}`)).toEqual([
      'welcome:sent',
      'how-it-works:unconfirmed',
    ]);
    expect(await inbox(email)).toHaveLength(1); // the welcome; the unconfirmed step was simulated above
    // The unsubscribe counted the lead before the send's record joined it: the lead is counted again, with it.
    expect((await compareCounters(env)).leadsOff).not.toContain(leadId);
  });

  it('stopping everything while SES’s answer to a send is held past the longest send: the email SES accepted is recorded as sent and counted, and nothing more goes', async () => {
    // A table of its own: the report's counters are compared with the recount of every item.
    const fresh = await testEnv();
    const email = uniqueEmail('stop-after-accept');
    const signed = await makeSignupHandler(fresh)(
      httpEvent('POST', '/signup', { body: { email, firstName: 'Noor', consent: true } }),
    );
    const leadId = JSON.parse(signed.body!).leadId as string;
    fresh.clock.advance(3 * 86_400_000);

    // SES accepts how-it-works, and the dispatcher is held up before it settles (its answer slow on the network).
    let answered!: () => void;
    const accepted = new Promise<void>((resolve) => (answered = resolve));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const store: LeadStore = Object.assign(Object.create(fresh.store) as LeadStore, {
      settle: async (...args: Parameters<LeadStore['settle']>) => {
        answered();
        await held;
        return fresh.store.settle(...args);
      },
    });
    const run = deliverNext({ ...fresh.dispatch, store }, leadId);
    await accepted;
    expect(await inbox(email)).toHaveLength(2);

    // Longer than the longest send later, the lead stops everything: the mark is old enough not to wait for, and the
    // stop drops the dispatcher's claim...
    fresh.clock.advance(fresh.config.SES_TIMEOUT_SECONDS * 1000 + 3_000);
    const parts = unsubscribeDeps(fresh.config, { clock: fresh.clock });
    const deps = { ...parts, sendTimeoutMs: fresh.config.SES_TIMEOUT_SECONDS * 1000 };
    expect(await unsubscribeLead(deps, leadId, 'everything')).toMatchObject({ outcome: 'done', already: false });
    // ...so its settle is refused, and it records the email SES accepted on the stopped lead.
    release();
    expect(await run).toBe('sent');

    expect(await fresh.store.get(leadId)).toMatchObject({ status: 'stopped', sentSteps: ['welcome'] });
    const messages = await fresh.store.messages(leadId);
    expect(messages.map((m) => `${m.stepId}:${m.state}`)).toEqual(['welcome:sent', 'how-it-works:sent']);
    expect(messages[1]!.messageId).toBe((await inbox(email))[1]!.messageId);
    fresh.clock.advance(30 * 86_400_000);
    await dispatchDue(fresh.dispatch);
    expect(await inbox(email)).toHaveLength(2);
    // The report counts how-it-works as sent, as the recount of the items does.
    const { differences, leadsOff, recounted } = await compareCounters(fresh);
    expect(differences).toEqual([]);
    expect(leadsOff).toEqual([]);
    expect(recounted).toMatchObject({ 'step/nurture/how-it-works/sent': 1 });
  });

  it('an unsubscribe while the dispatcher reports a send left unconfirmed (its sender gone past the lease): the send is recorded unconfirmed on the stopped lead, and not counted as sent', async () => {
    // A table of its own: the report's counters are compared with the recount of every item.
    const fresh = await testEnv();
    const signed = await makeSignupHandler(fresh)(
      httpEvent('POST', '/signup', {
        body: { email: uniqueEmail('unconfirmed-stopped'), firstName: 'Noor', consent: true },
      }),
    );
    const leadId = JSON.parse(signed.body!).leadId as string;
    fresh.clock.advance(3 * 86_400_000);

    // A dispatcher died after handing how-it-works to SES; its lease has run out.
    const step = { sequenceId: 'nurture', stepId: 'how-it-works', class: 'marketing' as const };
    expect(await fresh.store.claim((await fresh.store.get(leadId))!, step, fresh.clock.now())).toEqual(
      expect.any(String),
    );
    fresh.clock.advance(fresh.config.LEASE_SECONDS * 1000 + 1_000);

    // The next run takes the stale mark over to report the send unconfirmed, and is held up before it settles.
    let reported!: () => void;
    const reporting = new Promise<void>((resolve) => (reported = resolve));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const store: LeadStore = Object.assign(Object.create(fresh.store) as LeadStore, {
      settle: async (...args: Parameters<LeadStore['settle']>) => {
        reported();
        await held;
        return fresh.store.settle(...args);
      },
    });
    const run = deliverNext({ ...fresh.dispatch, store }, leadId);
    await reporting;

    // The lead unsubscribes meanwhile, which drops the claim: the settle is refused, and the record goes on the lead.
    const parts = unsubscribeDeps(fresh.config, { clock: fresh.clock });
    const deps = { ...parts, sendTimeoutMs: fresh.config.SES_TIMEOUT_SECONDS * 1000 };
    expect(await unsubscribeLead(deps, leadId, 'marketing')).toMatchObject({ outcome: 'done' });
    release();
    expect(await run).toBe('unconfirmed');

    expect(await fresh.store.get(leadId)).toMatchObject({ status: 'unsubscribed', sentSteps: ['welcome'] });
    expect((await fresh.store.messages(leadId)).map((m) => `${m.stepId}:${m.state}`)).toEqual([
      'welcome:sent',
      'how-it-works:unconfirmed',
    ]);
    // The report counts the welcome as sent and how-it-works not (nobody knows SES had it), as the recount does.
    const { differences, leadsOff, recounted } = await compareCounters(fresh);
    expect(differences).toEqual([]);
    expect(leadsOff).toEqual([]);
    expect(recounted).toMatchObject({ 'step/nurture/welcome/sent': 1, 'lead/left.unsubscribed': 1 });
    expect(recounted['step/nurture/how-it-works/sent']).toBeUndefined();
  });
});

/** The raw message SES was handed for one step of one lead, with folded header lines unfolded. */
function rawSent(leadId: string, stepId: string): string {
  const request = env.sesRequests.find(
    (r) =>
      r.Tags?.some((t) => t.Name === 'leadId' && t.Value === leadId) &&
      r.Tags.some((t) => t.Name === 'stepId' && t.Value === stepId),
  )!;
  return Buffer.from(request.RawMessage!.Data!)
    .toString('utf8')
    .replace(/\r\n[ \t]+/g, ' ');
}

const DAY = 86_400_000;
/** An appointment time `days` from the test clock's now (the tests in this file share one clock, which moves on). */
const inDays = (days: number) => new Date(env.clock.now().getTime() + days * DAY).toISOString();

/** A lead that signed up, then booked a visit a week out: the welcome and the confirmation are in its inbox. */
async function booked(label: string) {
  const email = uniqueEmail(label);
  const leadId = await signUp(email);
  const answer = await makeBookingHandler(env)(bookingEvent({ leadId, appointmentAt: inDays(7), status: 'booked' }));
  expect(answer.statusCode).toBe(200);
  expect((await inbox(email)).map((m) => m.subject)).toEqual([expect.any(String), expect.stringMatching(/booked/)]);
  return { email, leadId };
}

describe('marketing and care emails', () => {
  it('a booked lead who unsubscribes with one click still gets the reminder and the note after the visit, and no marketing', async () => {
    const { email, leadId } = await booked('care-goes-on');
    const visit = (await env.store.get(leadId))!.appointmentAt!;
    const url = unsubscribeUrlSentTo(leadId);
    const result = await unsubscribe(httpEvent('POST', `${url.pathname}${url.search}`, oneClick));
    expect(result.statusCode).toBe(200);
    expect(result.body).toContain('You are unsubscribed');
    expect(result.body).toContain('still email you about the visit');
    expect(await env.store.get(leadId)).toMatchObject({ status: 'active', nextStepId: 'reminder' });

    // The visit is cancelled and booked again: the rebooking nudge (marketing) never goes; the new visit's care does.
    await runUntilDone(env, leadId);
    const book = makeBookingHandler(env);
    await book(bookingEvent({ leadId, appointmentAt: visit, status: 'cancelled' }));
    await runUntilDone(env, leadId);
    await book(bookingEvent({ leadId, appointmentAt: inDays(10), status: 'booked' }));
    await runUntilDone(env, leadId);
    const steps = env.sesRequests
      .filter((r) => r.Tags?.some((t) => t.Name === 'leadId' && t.Value === leadId))
      .map((r) => r.Tags!.find((t) => t.Name === 'stepId')!.Value);
    expect(steps).toEqual([
      'welcome',
      'confirmation',
      'reminder',
      'after-visit',
      'confirmation',
      'reminder',
      'after-visit',
    ]);
    expect(await inbox(email)).toHaveLength(7);
  });

  it('stopping everything from the link in a care email stops the reminder too', async () => {
    const { email, leadId } = await booked('stop-all');
    const confirmation = (await inbox(email))[1]!;
    const href = confirmation.body.html!.match(/href="([^"]+)"[^>]*>\s*Stop all emails from us/)![1]!;
    const link = new URL(href.replaceAll('&amp;', '&'));
    expect(confirmation.body.text).toContain('Stop all emails from us');

    // The page offers both choices, as plain forms; opening it changes nothing.
    const page = await unsubscribe(httpEvent('GET', `${link.pathname}${link.search}`));
    expect(page.body).toContain('Stop the education emails');
    expect(page.body).toMatch(/name="stop" value="everything"[\s\S]*Stop everything/);
    expect(page.body).not.toContain('<script');
    expect(await env.store.get(leadId)).toMatchObject({ status: 'active', nextStepId: 'reminder' });

    const result = await unsubscribe(
      httpEvent('POST', `${link.pathname}${link.search}`, { ...oneClick, body: 'stop=everything' }),
    );
    expect(result.statusCode).toBe(200);
    expect(result.body).toContain('unsubscribed from everything');
    expect(await env.store.get(leadId)).toMatchObject({ status: 'stopped' });
    for (let day = 0; day < 20; day++) {
      env.clock.advance(86_400_000);
      await dispatchDue(env.dispatch);
    }
    expect(await inbox(email)).toHaveLength(2); // the welcome and the confirmation; no reminder, no note after
    // A booking afterwards is recorded, and sends nothing.
    const next = inDays(30);
    await makeBookingHandler(env)(bookingEvent({ leadId, appointmentAt: next, status: 'booked' }));
    await dispatchDue(env.dispatch);
    expect(await inbox(email)).toHaveLength(2);
    expect(await env.store.get(leadId)).toMatchObject({ status: 'stopped', appointmentAt: next });
  });

  it('a one-click unsubscribe after stopping everything does not turn the care emails back on', async () => {
    const { email, leadId } = await booked('stop-then-oneclick');
    const url = unsubscribeUrlSentTo(leadId);
    const path = `${url.pathname}${url.search}`;
    await unsubscribe(httpEvent('POST', path, { ...oneClick, body: 'stop=everything' }));
    const again = await unsubscribe(httpEvent('POST', path, oneClick));
    expect(again.body).toContain('already unsubscribed');
    await makeBookingHandler(env)(bookingEvent({ leadId, appointmentAt: inDays(12), status: 'rescheduled' }));
    for (let day = 0; day < 20; day++) {
      env.clock.advance(86_400_000);
      await dispatchDue(env.dispatch);
    }
    expect(await inbox(email)).toHaveLength(2);
    expect(await env.store.get(leadId)).toMatchObject({ status: 'stopped' });
  });

  it('care emails carry no List-Unsubscribe header; marketing emails carry it and the one-click header', async () => {
    const { leadId } = await booked('headers');
    const welcome = rawSent(leadId, 'welcome');
    expect(welcome).toMatch(/^List-Unsubscribe: <[^>]+>$/m);
    expect(welcome).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
    const confirmation = rawSent(leadId, 'confirmation');
    expect(confirmation).not.toMatch(/^List-Unsubscribe/im);
  });

  it('stopping everything after a hard bounce or a complaint keeps the stronger reason on record, and sends nothing', async () => {
    for (const reason of ['bounced', 'complained'] as const) {
      const { email, leadId } = await booked(`stop-after-${reason}`);
      const deps = { store: env.store, clock: env.clock, sendTimeoutMs: env.config.SES_TIMEOUT_SECONDS * 1000 };
      expect(await stopLead(deps, leadId, reason)).toMatchObject({ outcome: 'stopped', previous: 'active' });
      // The lead then opens the link in the booking's confirmation and stops everything.
      const url = unsubscribeUrlSentTo(leadId);
      const result = await unsubscribe(
        httpEvent('POST', `${url.pathname}${url.search}`, { ...oneClick, body: 'stop=everything' }),
      );
      expect(result.statusCode, reason).toBe(200);
      expect(await env.store.get(leadId), reason).toMatchObject({ status: reason });
      // "Stop everything" again changes nothing either.
      expect(await stopLead(deps, leadId, 'stopped'), reason).toEqual({ outcome: 'stopped', previous: reason });
      expect(await env.store.get(leadId), reason).toMatchObject({ status: reason });
      for (let day = 0; day < 10; day++) {
        env.clock.advance(86_400_000);
        await dispatchDue(env.dispatch);
      }
      expect(await inbox(email), reason).toHaveLength(2); // the welcome and the confirmation
    }
  });

  it('stopping everything after SES rejected the lead’s address keeps the rejection on record', async () => {
    const email = uniqueEmail('stop-after-rejected');
    const faults = await sesFaults({ rule: (request) => (request.to.includes(email) ? 'reject' : undefined) });
    const rejecting = await testEnv({ SES_ENDPOINT: faults.url });
    const signed = await makeSignupHandler(rejecting)(
      httpEvent('POST', '/signup', { body: { email, firstName: 'Noor', consent: true } }),
    );
    const leadId = JSON.parse(signed.body!).leadId as string;
    expect(await rejecting.store.get(leadId)).toMatchObject({ status: 'rejected' });

    // The lead stops everything from the preference page's link (the welcome never reached it).
    const url = new URL(rejecting.dispatch.unsubscribeUrl(leadId));
    const result = await makeUnsubscribeHandler(rejecting)(
      httpEvent('POST', `${url.pathname}${url.search}`, { ...oneClick, body: 'stop=everything' }),
    );
    expect(result.statusCode).toBe(200);
    expect(await rejecting.store.get(leadId)).toMatchObject({ status: 'rejected' });
    expect(faults.acceptedFor(leadId)).toEqual([]);
  });

  it('a choice other than marketing or everything gets 400 and changes nothing', async () => {
    const leadId = await signUp(uniqueEmail('bad-choice'));
    const url = unsubscribeUrlSentTo(leadId);
    for (const body of ['stop=all', 'stop=everything&stop=marketing', 'stop=', `stop=${'x'.repeat(10_000)}`]) {
      const result = await unsubscribe(httpEvent('POST', `${url.pathname}${url.search}`, { ...oneClick, body }));
      expect(result.statusCode, body.slice(0, 40)).toBe(400);
    }
    expect(await env.store.get(leadId)).toMatchObject({ status: 'active', nextStepId: 'how-it-works' });
  });

  it('a booking that lands while the dispatcher passes an opted-out lead’s marketing steps over wins: the pass-over is refused, and the care emails stay scheduled', async () => {
    const email = uniqueEmail('opted-out-books');
    const leadId = await signUp(email);
    expect(
      await env.store.optOut(leadId, (await env.store.get(leadId))!, false, env.clock.now(), env.clock.now()),
    ).toBe('opted-out');
    env.clock.advance(3 * 86_400_000);
    // The dispatcher has read the lead and planned to pass its marketing steps over; the booking lands just before
    // that write.
    const visit = new Date(env.clock.now().getTime() + 14 * 86_400_000).toISOString(); // two weeks ahead
    let booked = false;
    const racing: LeadStore = Object.create(env.store);
    racing.settle = async (id, by, settlement) => {
      if ('seen' in by && !booked) {
        booked = true;
        const answer = await makeBookingHandler(env)(bookingEvent({ leadId, appointmentAt: visit, status: 'booked' }));
        expect(answer.statusCode).toBe(200);
      }
      return env.store.settle(id, by, settlement);
    };

    expect(await deliverNext({ ...env.dispatch, store: racing }, leadId)).toBe('skipped');
    expect(booked).toBe(true);
    expect(await env.store.get(leadId)).toMatchObject({ status: 'active', sequenceId: 'follow-up' });
    expect((await env.store.get(leadId))?.nextStepId).toBeDefined();
  });

  it('a lead marked as opted out is never sent marketing: its claim is refused, and the dispatcher passes the steps over', async () => {
    const email = uniqueEmail('opted-out');
    const leadId = await signUp(email);
    // Opted out with a marketing step still scheduled (as a write racing the dispatcher could leave it).
    expect(
      await env.store.optOut(leadId, (await env.store.get(leadId))!, false, env.clock.now(), env.clock.now()),
    ).toBe('opted-out');
    env.clock.advance(3 * 86_400_000);
    const lead = (await env.store.get(leadId))!;
    expect(lead).toMatchObject({ status: 'active', nextStepId: 'how-it-works', optedOutAt: expect.any(String) });
    const step = { sequenceId: 'nurture', stepId: 'how-it-works', class: 'marketing' as const };
    expect(await env.store.claim(lead, step, env.clock.now())).toBeUndefined();

    expect(await deliverNext(env.dispatch, leadId)).toBe('completed');
    expect(await env.store.get(leadId)).toMatchObject({ status: 'completed', sentSteps: ['welcome'] });
    expect(await inbox(email)).toHaveLength(1);
  });
});

describe('the report counts each stop', () => {
  it('a marketing unsubscribe and a "stop everything" are counted as they happen, as the recount finds them', async () => {
    const fresh = await testEnv();
    const parts = unsubscribeDeps(fresh.config, { clock: fresh.clock });
    const deps = { ...parts, sendTimeoutMs: fresh.config.SES_TIMEOUT_SECONDS * 1000 };
    const [quitter, stopper] = await Promise.all(
      ['counted-quit', 'counted-stop'].map(async (label) => {
        const result = await makeSignupHandler(fresh)(
          httpEvent('POST', '/signup', { body: { email: uniqueEmail(label), firstName: 'Noor', consent: true } }),
        );
        return JSON.parse(result.body!).leadId as string;
      }),
    );
    fresh.clock.advance(86_400_000);
    expect(await unsubscribeLead(deps, quitter!, 'marketing')).toMatchObject({ outcome: 'done' });
    expect(await stopLead(deps, stopper!, 'stopped')).toMatchObject({ outcome: 'stopped' });

    const { differences, leadsOff, recounted } = await compareCounters(fresh);
    expect(differences).toEqual([]);
    expect(leadsOff).toEqual([]);
    expect(recounted).toMatchObject({ 'lead/nurture': 2, 'lead/left.unsubscribed': 1, 'lead/left.stopped': 1 });
  });

  it('a lead whose last marketing steps are passed over after an opt-out is counted as it ends (left by unsubscribing), as the recount finds it', async () => {
    const fresh = await testEnv();
    const result = await makeSignupHandler(fresh)(
      httpEvent('POST', '/signup', { body: { email: uniqueEmail('counted-pass'), firstName: 'Noor', consent: true } }),
    );
    const leadId = JSON.parse(result.body!).leadId as string;
    // Opted out with a marketing step still scheduled (as a write racing the dispatcher could leave it).
    const seen = (await fresh.store.get(leadId))!;
    expect(await fresh.store.optOut(leadId, seen, false, fresh.clock.now(), fresh.clock.now())).toBe('opted-out');
    fresh.clock.advance(3 * 86_400_000);
    expect(await deliverNext(fresh.dispatch, leadId)).toBe('completed');

    const { differences, leadsOff, recounted } = await compareCounters(fresh);
    expect(differences).toEqual([]);
    expect(leadsOff).toEqual([]);
    expect(recounted).toMatchObject({ 'lead/nurture': 1, 'lead/left.unsubscribed': 1 });
  });
});
