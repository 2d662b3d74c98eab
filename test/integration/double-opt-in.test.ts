/**
 * Double opt-in (DOUBLE_OPT_IN=true), through the real handlers on dynalite and aws-ses-v2-local: sign-up sends only
 * the confirmation email, the nurture starts only after the confirm page's POST, a second sign-up within a day sends
 * nothing, and an unconfirmed lead lapses with its link (on the test's clock: dynalite runs no TTL).
 */
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { dynamoClient } from '../../lambdas/adapters/clients.ts';
import { signupDeps } from '../../lambdas/compose.ts';
import { emailKey, leadKey } from '../../lambdas/adapters/dynamo-keys.ts';
import { dispatchDue } from '../../lambdas/domain/dispatch.ts';
import { reportFromCounts } from '../../lambdas/domain/report.ts';
import { signUnsubscribeToken } from '../../lambdas/domain/unsubscribe-token.ts';
import { makeBookingHandler } from '../../lambdas/handlers/booking.ts';
import { makeConfirmHandler } from '../../lambdas/handlers/confirm.ts';
import { makeSesEventsHandler } from '../../lambdas/handlers/ses-events.ts';
import { makeSignupHandler } from '../../lambdas/handlers/signup.ts';
import { withEngagementFeed } from '../../local/engagement-feed.ts';
import { outlines } from '../../emails/outline.ts';
import { nurture } from '../../emails/sequences.ts';
import { assign } from '../../lambdas/domain/experiments.ts';
import { reportText } from '../../local/report-text.ts';
import { adminPage } from '../../lambdas/adapters/report-page.tsx';
import { compareCounters } from '../support/report-compare.ts';
import type { LeadStore, Renderer } from '../../lambdas/domain/ports.ts';
import {
  bookingEvent,
  confirmationLink,
  confirmFromInbox,
  heldUpdates,
  httpEvent,
  inbox,
  runNext,
  sesFaults,
  testEnv,
  uniqueEmail,
  type TestEnv,
} from './harness.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const env = await testEnv({ DOUBLE_OPT_IN: 'true' });
const signup = makeSignupHandler(env);
const confirm = makeConfirmHandler(env);
const doc = DynamoDBDocumentClient.from(dynamoClient(env.config));

const signUp = (email: string, headers: Record<string, string> = {}) =>
  signup(httpEvent('POST', '/signup', { body: { email, firstName: 'Avery', consent: true }, headers }));
const subjects = async (email: string) => (await inbox(email)).map((mail) => mail.subject);
const item = async (key: { pk: string; sk: string }) =>
  (await doc.send(new GetCommand({ TableName: env.config.TABLE_NAME, Key: key, ConsistentRead: true }))).Item;

const open = (link: string) => confirm(httpEvent('GET', link));
const click = (link: string) =>
  confirm(httpEvent('POST', link, { body: '', headers: { 'content-type': 'application/x-www-form-urlencoded' } }));

async function leadOf(email: string) {
  const leadId = await env.store.leadIdForEmail(email);
  return leadId ? env.store.get(leadId) : undefined;
}

describe('double opt-in', () => {
  it('sign-up sends only the confirmation email, a care email without List-Unsubscribe, and stores the lead as pending, due for nothing', async () => {
    const email = uniqueEmail('doi-new');
    const sentBefore = env.sesRequests.length;
    const result = await signUp(email);
    expect(result.statusCode).toBe(202);
    expect(JSON.parse(result.body!)).toEqual({ status: 'confirm-by-email' });

    expect(await subjects(email)).toEqual(['Please confirm your email address, Avery']);
    expect(env.sesRequests.length - sentBefore).toBe(1);
    const request = env.sesRequests.at(-1)!;
    const raw = Buffer.from(request.RawMessage!.Data!).toString('utf8');
    expect(raw).not.toMatch(/^List-Unsubscribe/im);
    const lead = (await leadOf(email))!;
    // Ids only in the tags: no address, name or interest.
    expect(request.Tags).toEqual(
      expect.arrayContaining([
        { Name: 'leadId', Value: lead.leadId },
        { Name: 'sequenceId', Value: 'opt-in' },
        { Name: 'stepId', Value: 'confirm-address' },
      ]),
    );
    expect(JSON.stringify(request.Tags)).not.toContain('Avery');

    expect(lead.status).toBe('pending');
    expect(lead.nextStepId).toBeUndefined();
    expect(lead.dueAt).toBeUndefined();
    // DynamoDB's TTL deletes the lead and its address item when the link expires, 7 days on.
    const expiry = Math.floor((env.clock.now().getTime() + 7 * DAY) / 1000);
    expect((await item(leadKey(lead.leadId)))!.expiresAt).toBe(expiry);
    expect((await item(emailKey(email)))!.expiresAt).toBe(expiry);

    // Days pass: the dispatcher sends this lead nothing.
    env.clock.advance(3 * DAY);
    await dispatchDue(env.dispatch);
    expect(await subjects(email)).toEqual(['Please confirm your email address, Avery']);
  });

  it('the confirmation email is addressed by name, as the welcome is: the first name alone, or both names', async () => {
    const toHeader = () => {
      const raw = Buffer.from(env.sesRequests.at(-1)!.RawMessage!.Data!).toString('utf8');
      return raw
        .slice(0, raw.indexOf('\r\n\r\n'))
        .replace(/\r\n[ \t]+/g, ' ')
        .match(/^To: .*$/m)?.[0];
    };
    const alone = uniqueEmail('doi-to');
    await signUp(alone);
    expect(toHeader()).toBe(`To: Avery <${alone}>`);
    const both = uniqueEmail('doi-to-both');
    await signup(
      httpEvent('POST', '/signup', { body: { email: both, firstName: 'Avery', lastName: 'Okafor', consent: true } }),
    );
    expect(toHeader()).toBe(`To: Avery Okafor <${both}>`);
  });

  it('opening the link shows a button and confirms nothing; its POST starts the nurture with the welcome at once', async () => {
    const email = uniqueEmail('doi-confirm');
    await signUp(email);
    const link = await confirmationLink(email);

    // A mail scanner prefetching the link changes nothing.
    const page = await open(link);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<form method="post"');
    expect(page.body).toContain('Confirm my email address');
    expect((await leadOf(email))!.status).toBe('pending');
    expect(await subjects(email)).toHaveLength(1);

    const confirmed = await click(link);
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.body).toContain('your address is confirmed');
    expect(await subjects(email)).toEqual([
      'Please confirm your email address, Avery',
      'Welcome, Avery: here is what happens next',
    ]);
    const lead = (await leadOf(email))!;
    expect(lead).toMatchObject({
      status: 'active',
      confirmedAt: env.clock.now().toISOString(),
      sentSteps: ['welcome'],
      nextStepId: 'how-it-works',
    });
    expect(lead.pendingUntil).toBeUndefined();
    // Kept for the full retention from now on, address and all.
    const retention = Math.floor(Date.parse(lead.createdAt) / 1000) + env.config.RETENTION_DAYS * 86_400;
    expect((await item(leadKey(lead.leadId)))!.expiresAt).toBe(retention);
    expect((await item(emailKey(email)))!.expiresAt).toBe(retention);

    // The nurture follows as usual.
    await runNext(env, lead.leadId);
    // In the subject line of the how-it-works experiment's variant this lead is assigned (a hash of its id).
    const howItWorks = nurture.steps.find((step) => step.id === 'how-it-works')!;
    expect((await subjects(email)).at(-1)).toBe(
      assign(howItWorks.experiment!, lead.leadId) === 'a'
        ? 'How ketamine may calm an over-sensitive migraine brain'
        : 'What ketamine may do in a migraine brain, and what is unknown',
    );
    expect((await env.store.get(lead.leadId))!.sentSteps).toEqual(['welcome', 'how-it-works']);

    // The link used again: already confirmed, nothing sent.
    const again = await click(link);
    expect(again.statusCode).toBe(200);
    expect(again.body).toContain('already confirmed');
    expect(await subjects(email)).toHaveLength(3);
  });

  it('a second sign-up within 24 hours sends nothing and answers the same; a day later, one more confirmation', async () => {
    const email = uniqueEmail('doi-again');
    const first = await signUp(email);
    for (const hours of [0, 1, 23]) {
      env.clock.set(new Date(Date.parse((await leadOf(email))!.createdAt) + hours * HOUR));
      const again = await signUp(email);
      expect({ status: again.statusCode, body: again.body }).toEqual({ status: first.statusCode, body: first.body });
    }
    // A form post gets the same page whatever the address's state.
    const headers = { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' };
    const form = (address: string) =>
      new URLSearchParams({ email: address, firstName: 'Avery', consent: 'on' }).toString();
    const newPage = await signup(httpEvent('POST', '/signup', { body: form(uniqueEmail('doi-page')), headers }));
    const knownPage = await signup(httpEvent('POST', '/signup', { body: form(email), headers }));
    expect(knownPage.body).toBe(newPage.body);
    expect(knownPage.statusCode).toBe(newPage.statusCode);
    expect(await subjects(email)).toHaveLength(1);

    const lead = (await leadOf(email))!;
    env.clock.set(new Date(Date.parse(lead.confirmationSentAt!) + DAY));
    await signUp(email);
    await signUp(email);
    expect(await subjects(email)).toEqual([
      'Please confirm your email address, Avery',
      'Please confirm your email address, Avery',
    ]);
    // The newest link confirms, with the same lead.
    expect((await confirmFromInbox(env, email)).statusCode).toBe(200);
    expect((await leadOf(email))!.leadId).toBe(lead.leadId);
    // A confirmed address signing up again gets the same answer, and nothing new.
    expect((await signUp(email)).body).toBe(first.body);
    expect(await subjects(email)).toHaveLength(3);
  });

  it('a confirmation email SES throttles leaves the day free: the next sign-up sends it; one SES may have (answer lost) is never sent again that day', async () => {
    const throttled = uniqueEmail('doi-throttled');
    const lost = uniqueEmail('doi-lost');
    const faults = await sesFaults({
      rule: (request) =>
        request.attempt > 0
          ? undefined
          : request.to.includes(throttled)
            ? 'throttle'
            : request.to.includes(lost)
              ? 'drop'
              : undefined,
    });
    const faulty = await testEnv({ DOUBLE_OPT_IN: 'true', SES_ENDPOINT: faults.url });
    const signUpAt = (email: string) =>
      makeSignupHandler(faulty)(httpEvent('POST', '/signup', { body: { email, firstName: 'Avery', consent: true } }));
    const tries = (email: string) => faults.requests.filter((request) => request.to.includes(email)).length;

    // Throttled: SES never took it. A minute later the same sign-up sends it, and it confirms.
    await signUpAt(throttled);
    expect(await subjects(throttled)).toEqual([]);
    faulty.clock.advance(60_000);
    await signUpAt(throttled);
    expect(tries(throttled)).toBe(2);
    expect(await subjects(throttled)).toEqual(['Please confirm your email address, Avery']);

    // Accepted, but the answer was lost: SES has it, so a sign-up within the day sends nothing more.
    await signUpAt(lost);
    expect(await subjects(lost)).toEqual(['Please confirm your email address, Avery']);
    const lead = (await faulty.store.get((await faulty.store.leadIdForEmail(lost))!))!;
    expect((await faulty.store.messages(lead.leadId)).map((m) => `${m.stepId}:${m.state}`)).toEqual([
      'confirm-address:unconfirmed',
    ]);
    faulty.clock.advance(60_000);
    await signUpAt(lost);
    expect(tries(lost)).toBe(1);
    expect(await subjects(lost)).toHaveLength(1);
  });

  it('a confirmation email whose rendering fails (SES never asked) leaves the day free: the next sign-up sends it', async () => {
    const email = uniqueEmail('doi-render-fails');
    // A renderer that throws stands in for a broken template: no AWS client is replaced, and no input a person can
    // send makes the real templates throw.
    let renders = 0;
    const broken: Renderer = {
      render: async () => {
        renders++;
        throw new Error('the template failed to render');
      },
    };
    const sentBefore = env.sesRequests.length;
    const first = await makeSignupHandler({ ...env, dispatch: { ...env.dispatch, renderer: broken } })(
      httpEvent('POST', '/signup', { body: { email, firstName: 'Avery', consent: true } }),
    );
    expect(first.statusCode).toBe(202);
    expect(renders).toBe(1);
    expect(env.sesRequests.length).toBe(sentBefore);
    expect(await subjects(email)).toEqual([]);

    // A minute later the same address signs up again: the day is not taken by the email that never went.
    env.clock.advance(60_000);
    expect((await signUp(email)).statusCode).toBe(202);
    expect(await subjects(email)).toEqual(['Please confirm your email address, Avery']);
    expect((await confirmFromInbox(env, email)).statusCode).toBe(200);
  });

  it('the same sign-up submitted 20 times at once creates one pending lead, and SES gets one confirmation email', async () => {
    const email = uniqueEmail('doi-burst');
    const results = await Promise.all(Array.from({ length: 20 }, () => signUp(email)));
    expect(new Set(results.map((result) => `${result.statusCode} ${result.body}`)).size).toBe(1);
    expect(await subjects(email)).toEqual(['Please confirm your email address, Avery']);
    expect((await leadOf(email))!.status).toBe('pending');
  });

  it('a second click that lands while the first is confirming answers "already confirmed"; a booking that lands first leaves the link expired, and sends no welcome', async () => {
    // The button clicked twice: the second POST is confirmed first, while the first has read the lead as pending.
    const email = uniqueEmail('doi-double-click');
    await signUp(email);
    const link = await confirmationLink(email);
    let second: Awaited<ReturnType<typeof click>> | undefined;
    const twice: LeadStore = Object.create(env.store);
    twice.confirm = async (...args) => {
      second ??= await click(link);
      return env.store.confirm(...args);
    };
    const first = await makeConfirmHandler({ ...env, dispatch: { ...env.dispatch, store: twice } })(
      httpEvent('POST', link, { body: '', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
    );
    expect(second?.body).toContain('your address is confirmed');
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('already confirmed');
    expect(await subjects(email)).toEqual([
      'Please confirm your email address, Avery',
      'Welcome, Avery: here is what happens next',
    ]);

    // A booking recorded while the click confirms: the lead is a patient now, and the link starts nothing.
    const booker = uniqueEmail('doi-click-books');
    await signUp(booker);
    const bookerLink = await confirmationLink(booker);
    const booking = bookingEvent({ email: booker, appointmentAt: '2026-04-20T10:00:00-04:00', status: 'booked' });
    const booked: LeadStore = Object.create(env.store);
    booked.confirm = async (...args) => {
      expect((await makeBookingHandler(env)(booking)).statusCode).toBe(200);
      return env.store.confirm(...args);
    };
    const late = await makeConfirmHandler({ ...env, dispatch: { ...env.dispatch, store: booked } })(
      httpEvent('POST', bookerLink, { body: '', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
    );
    expect(late.statusCode).toBe(410);
    expect((await leadOf(booker))!).toMatchObject({ status: 'active', sequenceId: 'follow-up' });
    expect((await leadOf(booker))!.confirmedAt).toBeUndefined();
    expect((await subjects(booker)).map((subject) => subject.split(',')[0])).toEqual([
      'Please confirm your email address',
      "You're booked",
    ]);
  });

  it('an unconfirmed lead lapses with its link: the link answers 410, and the address can sign up again', async () => {
    const email = uniqueEmail('doi-lapse');
    await signUp(email);
    const link = await confirmationLink(email);
    const lapsed = (await leadOf(email))!;

    env.clock.advance(7 * DAY);
    expect((await open(link)).statusCode).toBe(410);
    const late = await click(link);
    expect(late.statusCode).toBe(410);
    expect(late.body).toContain('has expired');
    expect((await env.store.get(lapsed.leadId))!.status).toBe('pending');

    // dynalite runs no TTL: the lapsed lead's items are still there, and count as gone.
    expect(await item(leadKey(lapsed.leadId))).toBeDefined();
    await signUp(email);
    const fresh = (await leadOf(email))!;
    expect(fresh.leadId).not.toBe(lapsed.leadId);
    expect(fresh.status).toBe('pending');
    expect(await subjects(email)).toHaveLength(2);
    // The old link still confirms nothing; the new one confirms the new lead.
    expect((await click(link)).statusCode).toBe(410);
    expect((await confirmFromInbox(env, email)).statusCode).toBe(200);
    expect((await env.store.get(fresh.leadId))!.status).toBe('active');
    expect((await env.store.get(lapsed.leadId))!.status).toBe('pending');
  });

  it('two sign-ups of a lapsed address at once: one takes the address over, and one confirmation goes, from the lead the address points at', async () => {
    const email = uniqueEmail('doi-lapse-race');
    await signUp(email);
    const lapsed = (await leadOf(email))!;
    env.clock.advance(7 * DAY);

    // The first sign-up, on a client of its own: it has read the lapsed lead, and its take-over of the address (the
    // address's Put, conditional on the lapsed lead) is held up on the network.
    const { dynamo, reached, letGo } = heldUpdates(env.config, {
      command: 'PutItemCommand',
      when: (input) => input.ConditionExpression === 'leadId = :lapsed',
    });
    const slowId = ulid();
    const slow = makeSignupHandler({
      ...signupDeps(env.config, { clock: env.clock, dynamo, ses: env.ses, sendRate: 1000 }),
      newId: () => slowId,
    });
    const first = slow(httpEvent('POST', '/signup', { body: { email, firstName: 'Avery', consent: true } }));
    await reached;
    // The second takes the address over meanwhile, and sends its confirmation.
    const second = await signUp(email);
    expect(second.statusCode).toBe(202);
    const taker = (await leadOf(email))!;
    expect([lapsed.leadId, slowId]).not.toContain(taker.leadId);
    letGo();

    // The first is refused the address: it stores no lead and sends nothing, and answers the same.
    const answer = await first;
    expect({ status: answer.statusCode, body: answer.body }).toEqual({ status: second.statusCode, body: second.body });
    expect(await env.store.get(slowId)).toBeUndefined();
    expect((await leadOf(email))!.leadId).toBe(taker.leadId);
    // The lapsed lead's confirmation and one more, whose link confirms the lead the address points at.
    expect(await subjects(email)).toEqual([
      'Please confirm your email address, Avery',
      'Please confirm your email address, Avery',
    ]);
    expect((await confirmFromInbox(env, email)).statusCode).toBe(200);
    expect((await env.store.get(taker.leadId))!.status).toBe('active');
  });

  it('a pending lead that books gets its booking confirmation, and is kept for the full retention, no longer pending', async () => {
    const email = uniqueEmail('doi-books');
    await signUp(email);
    const link = await confirmationLink(email);
    const booked = await makeBookingHandler(env)(
      bookingEvent({ email, appointmentAt: '2026-04-20T10:00:00-04:00', status: 'booked', bookingId: 'doi-1' }),
    );
    expect(booked.statusCode).toBeLessThan(300);
    expect((await subjects(email)).at(-1)).toMatch(/^You're booked, Avery/);
    const lead = (await leadOf(email))!;
    expect(lead).toMatchObject({ status: 'active', sequenceId: 'follow-up' });
    expect(lead.pendingUntil).toBeUndefined();
    const retention = Math.floor(env.clock.now().getTime() / 1000) + env.config.RETENTION_DAYS * 86_400;
    expect((await item(leadKey(lead.leadId)))!.expiresAt).toBe(retention);
    expect((await item(emailKey(email)))!.expiresAt).toBe(retention);
    // Its confirmation link no longer starts anything: the nurture is over for a lead that booked.
    expect((await click(link)).statusCode).toBe(410);
  });

  it('a bad, cut-short or unsubscribe token gets 400 and changes nothing', async () => {
    const email = uniqueEmail('doi-bad');
    await signUp(email);
    const link = await confirmationLink(email);
    const lead = (await leadOf(email))!;
    const unsubscribe = `/confirm?token=${encodeURIComponent(signUnsubscribeToken(lead.leadId, env.config.UNSUBSCRIBE_SECRET))}`;
    for (const bad of [link.slice(0, -4), unsubscribe, '/confirm', `/confirm?token=${'a'.repeat(400)}`]) {
      const result = await click(bad);
      expect(result.statusCode).toBe(400);
      expect(result.body).toContain('not valid');
    }
    expect((await env.store.get(lead.leadId))!.status).toBe('pending');
    expect(await subjects(email)).toHaveLength(1);
  });

  it('the report shows the confirmation rate, and its counters agree with the recount from the raw items', async () => {
    const env = await testEnv({ DOUBLE_OPT_IN: 'true' });
    // SES's Send and Delivery events for each email recorded before its send returns, as the local runtime's feed
    // does: an event that overtakes the record of the send still counts.
    const recordEvents = makeSesEventsHandler(env);
    const own = {
      ...env,
      dispatch: { ...env.dispatch, mailer: withEngagementFeed(env.dispatch.mailer, recordEvents, env.clock) },
    };
    const ownSignup = makeSignupHandler(own);
    const emails = [uniqueEmail('doi-rate'), uniqueEmail('doi-rate'), uniqueEmail('doi-rate'), uniqueEmail('doi-rate')];
    for (const email of emails)
      await ownSignup(httpEvent('POST', '/signup', { body: { email, firstName: 'Avery', consent: true } }));
    // One signs up twice; one confirms; one lapses and signs up again, then confirms.
    await ownSignup(httpEvent('POST', '/signup', { body: { email: emails[0], firstName: 'Avery', consent: true } }));
    expect((await confirmFromInbox(own, emails[1]!)).statusCode).toBe(200);
    own.clock.advance(7 * DAY);
    await ownSignup(httpEvent('POST', '/signup', { body: { email: emails[2], firstName: 'Avery', consent: true } }));
    expect((await confirmFromInbox(own, emails[2]!)).statusCode).toBe(200);

    const { differences, leadsOff, counters } = await compareCounters(own);
    expect(differences).toEqual([]);
    expect(leadsOff).toEqual([]);
    // Five leads asked (the lapsed one counts until TTL deletes it), two confirmed; confirmed leads entered the nurture.
    const report = reportFromCounts(await counters.read(), { now: own.clock.now(), sequences: outlines });
    expect(report.optIn).toEqual({ asked: 5, confirmed: 2, rate: 2 / 5 });
    expect(report.nurture.leads).toBe(2);
    expect(report.sequences.find((s) => s.sequenceId === 'opt-in')!.steps[0]).toMatchObject({
      stepId: 'confirm-address',
      sent: 5,
      delivered: 5,
    });
    // As `npm run report` and the admin page show it.
    expect(reportText(report, 'test')).toContain('Double opt-in: 2 of 5 leads asked confirmed their address (40%).');
    const page = adminPage(report);
    expect(page).toMatch(
      /data-metric="confirmation-rate"><strong>40%<\/strong>confirmed their address \(2 of 5 asked\)/,
    );
    // A stage without double opt-in asks no one: no such line, card or table.
    const none = reportFromCounts({}, { now: own.clock.now(), sequences: outlines });
    expect(reportText(none, 'test')).not.toContain('Double opt-in');
    expect(adminPage(none)).not.toContain('confirmation-rate');
    expect(none.sequences.map((sequence) => sequence.sequenceId)).toEqual(['nurture', 'follow-up', 'reschedule']);
  });
});

describe('without double opt-in', () => {
  it('nothing changes: the welcome goes out at sign-up, no confirmation email, and /confirm has no pending lead to confirm', async () => {
    const off: TestEnv = await testEnv();
    expect(off.config.DOUBLE_OPT_IN).toBe(false);
    const email = uniqueEmail('doi-off');
    const result = await makeSignupHandler(off)(
      httpEvent('POST', '/signup', { body: { email, firstName: 'Avery', consent: true } }),
    );
    expect(result.statusCode).toBe(201);
    expect(await subjects(email)).toEqual(['Welcome, Avery: here is what happens next']);
    const lead = (await off.store.get(JSON.parse(result.body!).leadId))!;
    expect(lead).toMatchObject({ status: 'active', nextStepId: 'how-it-works' });
    expect(lead.pendingUntil).toBeUndefined();
  });
});
