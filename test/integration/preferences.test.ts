/**
 * The preference page (issue #15 item 2) on the real parts and the virtual clock: each choice is posted as the page's
 * form posts it, to the link a sent email carries, and the dispatcher then runs day by day as the schedule would.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { outlines } from '../../emails/outline.ts';
import { deliverNext, dispatchDue } from '../../lambdas/domain/dispatch.ts';
import { makeBookingHandler } from '../../lambdas/handlers/booking.ts';
import { makeUnsubscribeHandler } from '../../lambdas/handlers/unsubscribe.ts';
import { seedHumanClicks } from '../support/human-clicks.ts';
import {
  bookingEvent,
  httpEvent,
  inbox,
  runNext,
  runUntilDone,
  signUp,
  testEnv,
  uniqueEmail,
  type TestEnv,
} from './harness.ts';

const DAY = 86_400_000;
const zone = 'America/New_York';
/** The nurture of a lead who clicks: no check-in (`seedHumanClicks`). */
const nurtureSteps = outlines.nurture!.steps.map((step) => step.id).filter((id) => id !== 'check-in');

/** The page's link exactly as it went out in the lead's first email (its List-Unsubscribe header). */
function pageLink(env: TestEnv, leadId: string): string {
  const request = env.sesRequests.find((r) => r.Tags?.some((t) => t.Name === 'leadId' && t.Value === leadId))!;
  const raw = Buffer.from(request.RawMessage!.Data!)
    .toString('utf8')
    .replace(/\r\n[ \t]+/g, ' ');
  const url = new URL(raw.match(/^List-Unsubscribe: <([^>]+)>/m)![1]!);
  return `${url.pathname}${url.search}`;
}

/** Post one of the page's forms (`choice=pause`, `stop=marketing`…), as a browser without JavaScript does. */
function post(env: TestEnv, leadId: string, body: string) {
  return makeUnsubscribeHandler(env)(
    httpEvent('POST', pageLink(env, leadId), {
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    }),
  );
}

/** Step ids sent to a lead, in the order SES was handed them. */
const stepsSent = (env: TestEnv, leadId: string) =>
  env.sesRequests
    .filter((r) => r.Tags?.some((t) => t.Name === 'leadId' && t.Value === leadId))
    .map((r) => r.Tags!.find((t) => t.Name === 'stepId')!.Value);

/** Run the dispatcher once a day for `days` days. */
async function days(env: TestEnv, count: number) {
  for (let day = 0; day < count; day++) {
    env.clock.advance(DAY);
    await dispatchDue(env.dispatch);
  }
}

const localHour = (at: Date) => DateTime.fromJSDate(at, { zone }).hour;

describe('the preference page', () => {
  it('shows what the lead gets and a form per choice, changes nothing on GET, and refuses a form it never sends', async () => {
    const env = await testEnv();
    const leadId = await signUp(env, { email: uniqueEmail('page'), timeZone: zone });
    const page = await makeUnsubscribeHandler(env)(httpEvent('GET', pageLink(env, leadId)));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('education emails at the usual pace');
    for (const [field, value] of [
      ['choice', 'pause'],
      ['choice', 'weekly'],
      ['stop', 'marketing'],
      ['stop', 'everything'],
    ])
      expect(page.body).toContain(`name="${field}" value="${value}"`);
    expect(page.body).not.toContain('value="resume"'); // nothing to go back from
    expect(page.body).not.toContain('<script');

    for (const body of ['choice=never', 'choice=pause&choice=weekly', 'choice=pause&stop=marketing', 'choice=']) {
      const answer = await post(env, leadId, body);
      expect(answer.statusCode, body).toBe(400);
      expect(answer.body).toContain('Nothing was changed');
    }
    const lead = await env.store.get(leadId);
    expect(lead).toMatchObject({ status: 'active', nextStepId: 'how-it-works' });
    expect(lead?.preference).toBeUndefined();
  });

  it('a pause holds the education emails for 30 days, then they go on where they left off: none skipped, none twice', async () => {
    const env = await testEnv();
    const email = uniqueEmail('pause');
    const leadId = await signUp(env, { email, timeZone: zone });
    // The lead came to the page by the welcome's link: a click on it, so no check-in on the way.
    await seedHumanClicks(env, leadId, 'welcome');
    const answer = await post(env, leadId, 'choice=pause');
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toContain('Your education emails are paused');
    const paused = (await env.store.get(leadId))!;
    expect(paused).toMatchObject({
      pausedUntil: expect.any(String),
      preference: { choice: 'pause', at: env.clock.now().toISOString() },
    });
    const pausedUntil = new Date(paused.pausedUntil!);
    expect(pausedUntil.getTime() - env.clock.now().getTime()).toBeGreaterThanOrEqual(30 * DAY - 3_600_000);
    const page = await makeUnsubscribeHandler(env)(httpEvent('GET', pageLink(env, leadId)));
    expect(page.body).toContain(`paused until ${DateTime.fromJSDate(pausedUntil, { zone }).toFormat('cccc, LLLL d')}`);
    expect(page.body).toContain('value="resume"');

    await days(env, 29);
    expect(await inbox(email)).toHaveLength(1); // the welcome, before the pause

    await runUntilDone(env, leadId);
    const messages = await env.store.messages(leadId);
    expect(messages.map((m) => m.stepId)).toEqual(nurtureSteps);
    expect(messages[1]!.at.getTime()).toBeGreaterThanOrEqual(pausedUntil.getTime());
    expect(messages[1]!.at.getTime()).toBeLessThan(pausedUntil.getTime() + DAY);
    for (const message of messages.slice(1)) expect(localHour(message.at)).toBeGreaterThanOrEqual(9);
    // After the pause, the usual spacing: who-it-helps 3 days after how-it-works.
    expect(messages[2]!.at.getTime() - messages[1]!.at.getTime()).toBe(3 * DAY);
    expect(await inbox(email)).toHaveLength(nurtureSteps.length);
  });

  it('a paused lead who books still gets the confirmation and the reminder; the nudge after a cancellation waits for the pause’s end', async () => {
    const env = await testEnv();
    const email = uniqueEmail('pause-care');
    const leadId = await signUp(env, { email, timeZone: zone });
    await post(env, leadId, 'choice=pause');
    const pausedUntil = Date.parse((await env.store.get(leadId))!.pausedUntil!);

    await days(env, 5);
    const book = makeBookingHandler(env);
    const visit = new Date(env.clock.now().getTime() + 7 * DAY).toISOString();
    expect((await book(bookingEvent({ leadId, appointmentAt: visit, status: 'booked' }))).statusCode).toBe(200);
    await runNext(env, leadId); // the reminder, the day before the visit
    expect(stepsSent(env, leadId)).toEqual(['welcome', 'confirmation', 'reminder']);
    expect(env.clock.now().getTime()).toBeLessThan(pausedUntil);

    expect((await book(bookingEvent({ leadId, appointmentAt: visit, status: 'cancelled' }))).statusCode).toBe(200);
    const nudge = (await env.store.get(leadId))!;
    expect(nudge.nextStepId).toBe('reschedule-nudge');
    expect(Date.parse(nudge.nextSendAt!)).toBeGreaterThanOrEqual(pausedUntil);
    await days(env, 17); // the pause has 19 days to go
    expect(stepsSent(env, leadId)).toEqual(['welcome', 'confirmation', 'reminder']);
    await runUntilDone(env, leadId);
    expect(stepsSent(env, leadId)).toEqual(['welcome', 'confirmation', 'reminder', 'reschedule-nudge']);
    const sentAt = (await env.store.messages(leadId)).at(-1)!.at;
    expect(sentAt.getTime()).toBeGreaterThanOrEqual(pausedUntil);
    expect(localHour(sentAt)).toBeGreaterThanOrEqual(9);
    expect(localHour(sentAt)).toBeLessThan(18);
  });

  it('weekly: every education email at least 7 days after the one before, each once, in order', async () => {
    const env = await testEnv();
    const email = uniqueEmail('weekly');
    const leadId = await signUp(env, { email, timeZone: zone });
    await seedHumanClicks(env, leadId, 'welcome'); // the page's link in the welcome: a click on it
    const answer = await post(env, leadId, 'choice=weekly');
    expect(answer.body).toContain('at most one education email a week');
    expect(await env.store.get(leadId)).toMatchObject({ cadence: 'weekly', preference: { choice: 'weekly' } });

    expect(await runUntilDone(env, leadId)).toMatchObject({ status: 'completed' });
    const messages = await env.store.messages(leadId);
    expect(messages.map((m) => m.stepId)).toEqual(nurtureSteps);
    for (let i = 1; i < messages.length; i++) {
      const gap = DateTime.fromJSDate(messages[i]!.at, { zone }).diff(
        DateTime.fromJSDate(messages[i - 1]!.at, { zone }),
        'days',
      ).days;
      expect(gap, messages[i]!.stepId).toBeGreaterThanOrEqual(7);
    }
    expect(await inbox(email)).toHaveLength(nurtureSteps.length);
  });

  it('back to the usual pace: a paused lead’s held email goes at once (inside the window), and the rest as usual', async () => {
    const env = await testEnv();
    const email = uniqueEmail('resume');
    const leadId = await signUp(env, { email, timeZone: zone });
    await post(env, leadId, 'choice=pause');
    await post(env, leadId, 'choice=weekly');
    await days(env, 5);
    expect(await inbox(email)).toHaveLength(1);
    const answer = await post(env, leadId, 'choice=resume');
    expect(answer.body).toContain('back to the usual pace');
    const lead = (await env.store.get(leadId))!;
    expect(lead.pausedUntil).toBeUndefined();
    expect(lead.cadence).toBeUndefined();
    expect(lead).toMatchObject({ preference: { choice: 'resume' }, nextSendAt: env.clock.now().toISOString() });
    await dispatchDue(env.dispatch);
    expect(stepsSent(env, leadId)).toEqual(['welcome', 'how-it-works']);
  });

  it('a pause lifted the next day: the held email keeps its own delay from the last one, and is not sent at once', async () => {
    const env = await testEnv();
    const email = uniqueEmail('resume-soon');
    const leadId = await signUp(env, { email, timeZone: zone });
    await runNext(env, leadId); // how-it-works, Wednesday 4 March
    const waiting = (await env.store.get(leadId))!.nextSendAt; // who-it-helps, 3 days after it
    expect(DateTime.fromISO(waiting!, { zone }).toFormat('ccc d LLL HH:mm')).toBe('Sat 7 Mar 10:00');

    env.clock.advance(DAY);
    await post(env, leadId, 'choice=pause');
    expect((await env.store.get(leadId))!.nextSendAt).not.toBe(waiting);
    await post(env, leadId, 'choice=resume');
    expect((await env.store.get(leadId))!.nextSendAt).toBe(waiting);
    await dispatchDue(env.dispatch);
    expect(stepsSent(env, leadId)).toEqual(['welcome', 'how-it-works']);
  });

  it('stopping the education emails from the page leaves the care emails going; stopping everything stops them', async () => {
    const env = await testEnv();
    const book = makeBookingHandler(env);
    const visit = () => new Date(env.clock.now().getTime() + 7 * DAY).toISOString();

    const careLead = await signUp(env, { email: uniqueEmail('stop-education'), timeZone: zone });
    await book(bookingEvent({ leadId: careLead, appointmentAt: visit(), status: 'booked' }));
    const education = await post(env, careLead, 'stop=marketing');
    expect(education.body).toContain('You are unsubscribed');
    expect(education.body).toContain('still email you about the visit');
    await runUntilDone(env, careLead);
    expect(stepsSent(env, careLead)).toEqual(['welcome', 'confirmation', 'reminder', 'after-visit']);
    // A pause after that has nothing to hold, and says so.
    const moot = await post(env, careLead, 'choice=pause');
    expect(moot.statusCode).toBe(200);
    expect(moot.body).toContain('Nothing to change');

    const stopLead = await signUp(env, { email: uniqueEmail('stop-everything'), timeZone: zone });
    await book(bookingEvent({ leadId: stopLead, appointmentAt: visit(), status: 'booked' }));
    const everything = await post(env, stopLead, 'stop=everything');
    expect(everything.body).toContain('unsubscribed from everything');
    await days(env, 20);
    expect(stepsSent(env, stopLead)).toEqual(['welcome', 'confirmation']);
    expect(await env.store.get(stopLead)).toMatchObject({ status: 'stopped' });
  });
});

describe('a choice and a send at the same time', () => {
  it('a pause that arrives while an education email is in flight waits for it, then holds the next one', async () => {
    const env = await testEnv();
    const email = uniqueEmail('pause-racing');
    const leadId = await signUp(env, { email, timeZone: zone });
    env.clock.advance(2 * DAY);
    // A dispatcher has claimed the lead and handed how-it-works to SES...
    const step = { sequenceId: 'nurture', stepId: 'how-it-works', class: 'marketing' as const };
    const token = (await env.store.claim((await env.store.get(leadId))!, step, env.clock.now()))!;
    expect(token).toEqual(expect.any(String));
    const pending = post(env, leadId, 'choice=pause');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await env.store.get(leadId))?.preference).toBeUndefined(); // waiting, not yet recorded

    // ...SES answers, and the dispatcher settles it and plans the next step at its usual time, three days on.
    const sentAt = env.clock.now();
    const next = { stepId: 'who-it-helps', at: new Date(sentAt.getTime() + 3 * DAY) };
    expect(
      await env.store.settle(
        leadId,
        { token },
        { settledStepId: 'how-it-works', sentAt, marketingSentAt: sentAt, next },
      ),
    ).toBe(true);

    expect((await pending).statusCode).toBe(200);
    const lead = (await env.store.get(leadId))!;
    expect(lead).toMatchObject({ sentSteps: ['welcome', 'how-it-works'], nextStepId: 'who-it-helps' });
    expect(lead.preference?.at).toBeDefined();
    expect(Date.parse(lead.nextSendAt!)).toBeGreaterThanOrEqual(Date.parse(lead.pausedUntil!));
    await days(env, 25);
    expect(stepsSent(env, leadId)).toEqual(['welcome']); // how-it-works was simulated above; nothing more yet
  });

  it('a pause recorded after the dispatcher read the lead wins: the claim on the lead as read is refused', async () => {
    const env = await testEnv();
    const email = uniqueEmail('pause-after-read');
    const leadId = await signUp(env, { email, timeZone: zone });
    env.clock.advance(3 * DAY);
    const read = (await env.store.get(leadId))!; // the due index's page, read before the pause
    await post(env, leadId, 'choice=pause');
    expect(await deliverNext(env.dispatch, read)).toBe('skipped');
    expect(await inbox(email)).toHaveLength(1);
    expect((await env.store.get(leadId))?.nextStepId).toBe('how-it-works');
  });

  it('a marketing step still due under a pause (a pause written without moving it) is planned again for the pause’s end, not sent', async () => {
    const env = await testEnv();
    const email = uniqueEmail('pause-unmoved');
    const leadId = await signUp(env, { email, timeZone: zone });
    const now = env.clock.now();
    const pausedUntil = new Date(now.getTime() + 30 * DAY).toISOString();
    const seen = (await env.store.get(leadId))!;
    expect(
      await env.store.setPreferences(
        leadId,
        seen,
        { pausedUntil, preference: { choice: 'pause', at: now.toISOString() } },
        now,
        now,
      ),
    ).toBe('applied');
    env.clock.advance(3 * DAY);
    expect(await deliverNext(env.dispatch, leadId)).toBe('rescheduled');
    const lead = (await env.store.get(leadId))!;
    expect(lead).toMatchObject({ nextStepId: 'how-it-works', sentSteps: ['welcome'] });
    expect(Date.parse(lead.nextSendAt!)).toBeGreaterThanOrEqual(Date.parse(pausedUntil));
    expect(lead.skippedSteps).toBeUndefined(); // held, not skipped
    expect(await inbox(email)).toHaveLength(1);
  });
});
