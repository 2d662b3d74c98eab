/**
 * Interest variants (`byInterest` on a sequence step) on the real table and SES, on the test's clock: which email
 * each lead gets, what SES and the logs see of it, retries and lost answers, edits in flight, stops, and the report.
 */
import { describe, expect, it } from 'vitest';
import { INTERESTS, type Interest } from '../../lambdas/contract.ts';
import { dispatchDue } from '../../lambdas/domain/dispatch.ts';
import { reportFromCounts } from '../../lambdas/domain/report.ts';
import { variantFor, type Sequence } from '../../lambdas/domain/sequence.ts';
import { assign } from '../../lambdas/domain/experiments.ts';
import { experimentEmail } from '../../emails/_shared/experiment.ts';
import { makeBookingHandler } from '../../lambdas/handlers/booking.ts';
import { makeSignupHandler } from '../../lambdas/handlers/signup.ts';
import { makeSesEventsRecorder } from '../../lambdas/handlers/ses-events.ts';
import { makeUnsubscribeHandler } from '../../lambdas/handlers/unsubscribe.ts';
import { adminPage } from '../../lambdas/adapters/report-page.tsx';
import { trackedLinks } from '../../lambdas/adapters/ses-mailer.ts';
import { sesEventFor } from '../../local/engagement-feed.ts';
import { reportText } from '../../local/report-text.ts';
import { oneByOne } from '../../local/sqs-batch.ts';
import { sequences as DEFAULTS, type EmailStep } from '../../emails/sequences.ts';
import { sending, sequencesWith } from '../support/interest-variants.ts';
import { seedHumanClicks } from '../support/human-clicks.ts';
import { compareCounters } from '../support/report-compare.ts';
import {
  bookingEvent,
  confirmFromInbox,
  httpEvent,
  inbox,
  recordingLog,
  runNext,
  runUntilDone,
  sesFaults,
  signUp,
  testEnv,
  uniqueEmail,
  type TestEnv,
} from './harness.ts';

const ZONE = 'America/New_York';
const NURTURE = DEFAULTS.nurture!;
/** What a lead who clicked its welcome is sent: every step of the nurture but the check-in (a click skips it). */
const STEPS = NURTURE.steps.filter((step) => !step.checkIn).map((step) => step.id);

/** The service on a fresh table, sending the default sequences and their variants (`byInterest`, emails/outline.ts). */
const variantEnv = (overrides: Record<string, string> = {}) => testEnv(overrides);

/** What a lead with `interest` is sent at each step of `sequence`: the step's own email, or its variant. */
function expected(env: TestEnv, sequence: Sequence<EmailStep>, interest: Interest | undefined, leadId?: string) {
  return sequence.steps
    .filter((step) => STEPS.includes(step.id))
    .map((step) => {
      const variant = variantFor(step, interest);
      // The step's own email goes with the subject of the lead's experiment variant, if the step has an experiment.
      const arm = step.experiment && leadId !== undefined ? assign(step.experiment, leadId) : undefined;
      const template = variant === undefined ? experimentEmail(step.template, arm) : step.variants![variant]!;
      return {
        stepId: step.id,
        variant,
        subject: template.subject({ ...template.PreviewProps, firstName: 'Jamie', clinic: env.clinic }),
      };
    });
}

async function signUpWith(env: TestEnv, interest: Interest | undefined, label = 'variant') {
  const email = uniqueEmail(label);
  const leadId = await signUp(env, { email, timeZone: ZONE, ...(interest && { interest }) });
  // A person's click on the welcome (seeded, as engagement writes it): the series runs to its end, no check-in.
  await seedHumanClicks(env, leadId, 'welcome');
  return { email, leadId };
}

describe('interest variants', () => {
  it('a lead of each interest gets its variant at its step and the general emails elsewhere; no interest, or other, gets the general sequence', async () => {
    const env = await variantEnv();
    for (const interest of [...INTERESTS, undefined]) {
      const { email, leadId } = await signUpWith(env, interest);
      const lead = await runUntilDone(env, leadId);
      const want = expected(env, NURTURE, interest, leadId);

      expect(lead?.status).toBe('completed');
      // The same steps, in the same order, each once: a variant is its step.
      expect(lead?.sentSteps).toEqual(STEPS);
      expect((await inbox(email)).map((mail) => mail.subject)).toEqual(want.map((w) => w.subject));
      const records = await env.store.messages(leadId);
      expect(records.map((record) => [record.stepId, record.variant])).toEqual(want.map((w) => [w.stepId, w.variant]));
      const variants = want.filter((w) => w.variant).length;
      expect(variants).toBe(interest === undefined || interest === 'other' ? 0 : 1);
    }
  });

  it('with double opt-in, the welcome that follows the confirmation is the variant for the lead’s interest', async () => {
    const env = await variantEnv({ DOUBLE_OPT_IN: 'true' });
    const email = uniqueEmail('opt-in');
    const body = { email, firstName: 'Jamie', consent: true, interest: 'status-migrainosus' };
    expect((await makeSignupHandler(env)(httpEvent('POST', '/signup', { body }))).statusCode).toBe(202);
    const confirmed = await confirmFromInbox(env, email);
    expect(confirmed.statusCode).toBeLessThan(400);

    const welcome = expected(env, NURTURE, 'status-migrainosus')[0]!;
    expect(welcome.variant).toBe('welcome-status-migrainosus');
    expect((await inbox(email)).map((m) => m.subject).slice(1)).toEqual([welcome.subject]);
    const leadId = (await env.store.leadIdForEmail(email))!;
    expect(await env.store.messages(leadId)).toEqual(
      expect.arrayContaining([expect.objectContaining({ stepId: 'welcome', variant: 'welcome-status-migrainosus' })]),
    );
  });

  it('SES gets the step’s id in its tags, never the variant or the interest; no log line names the variant', async () => {
    const faults = await sesFaults(); // passes every request on to aws-ses-v2-local, and keeps what it accepted
    const env = await variantEnv({ SES_ENDPOINT: faults.url });
    const log = recordingLog(env.dispatch.log);
    const logged = { ...env, dispatch: { ...env.dispatch, log } };
    const { leadId } = await signUpWith(logged, 'chronic-migraine', 'tags');
    await runUntilDone(logged, leadId);

    const accepted = faults.acceptedFor(leadId);
    // Ids: nothing else.
    // …and, on a step with a subject-line experiment, the variant letter the lead id alone decides.
    const experiment = (stepId: string) => NURTURE.steps.find((step) => step.id === stepId)?.experiment;
    expect(accepted.map(({ tags }) => tags)).toEqual(
      STEPS.map((stepId) => ({
        leadId,
        sequenceId: 'nurture',
        stepId,
        ...(experiment(stepId) && { experimentVariant: assign(experiment(stepId)!, leadId) }),
      })),
    );
    const variant = (await env.store.messages(leadId)).find((record) => record.variant)?.variant;
    expect(variant).toBe('who-it-helps-chronic');
    for (const { tags } of accepted)
      for (const value of Object.values(tags)) expect(value).not.toMatch(/chronic|migraine|variant/);
    for (const line of log.lines) expect(JSON.stringify(line)).not.toMatch(/chronic/);
  });

  it('two variants of one step reach SES with the same tags but the lead id, though their link counts differ: the count is in our record only', async () => {
    const faults = await sesFaults();
    const env = await variantEnv({ SES_ENDPOINT: faults.url });
    const sent = [];
    for (const interest of ['chronic-migraine', 'refractory-migraine'] as const) {
      const { email, leadId } = await signUpWith(env, interest, 'same-tags');
      await runNext(env, leadId); // how-it-works
      await runNext(env, leadId); // who-it-helps: its variant for the interest
      const record = (await env.store.messages(leadId)).find((m) => m.stepId === 'who-it-helps')!;
      const mail = (await inbox(email)).at(-1)!;
      const { tags } = faults.acceptedFor(leadId).find((message) => message.tags.stepId === 'who-it-helps')!;
      sent.push({ leadId, record, html: mail.body.html ?? '', tags });
    }
    const [chronic, refractory] = sent as [(typeof sent)[number], (typeof sent)[number]];
    expect([chronic.record.variant, refractory.record.variant]).toEqual([
      'who-it-helps-chronic',
      'who-it-helps-refractory',
    ]);
    // What the machine-click rules read: SES's count of tracked links in the email each lead got, kept on its record.
    expect(chronic.record.links).toBe(trackedLinks(chronic.html));
    expect(refractory.record.links).toBe(trackedLinks(refractory.html));
    expect(chronic.record.links).not.toBe(refractory.record.links);
    const withoutLead = ({ leadId: _leadId, ...rest }: Record<string, string>) => rest;
    expect(withoutLead(chronic.tags)).toEqual(withoutLead(refractory.tags));
    expect([chronic.tags.leadId, refractory.tags.leadId]).toEqual([chronic.leadId, refractory.leadId]);
  });

  it('a variant SES throttles is retried as the same variant, and sent once', async () => {
    const faults = await sesFaults({
      rule: (request) => (request.tags.stepId === 'who-it-helps' && request.attempt === 0 ? 'throttle' : undefined),
    });
    const env = await variantEnv({ SES_ENDPOINT: faults.url });
    const { email, leadId } = await signUpWith(env, 'refractory-migraine', 'retry');
    await runNext(env, leadId); // how-it-works
    await runNext(env, leadId); // who-it-helps: throttled
    expect(faults.counts().throttle).toBe(1);
    expect((await env.store.get(leadId))?.nextStepId).toBe('who-it-helps');

    env.clock.advance(61_000); // the retry delay
    await dispatchDue(env.dispatch);
    await dispatchDue(env.dispatch);
    const sent = faults.acceptedFor(leadId).filter((message) => message.tags.stepId === 'who-it-helps');
    expect(sent).toHaveLength(1);
    const subject = expected(env, NURTURE, 'refractory-migraine').find((w) => w.stepId === 'who-it-helps')!.subject;
    expect((await inbox(email)).filter((mail) => mail.subject === subject)).toHaveLength(1);
    const record = (await env.store.messages(leadId)).find((m) => m.stepId === 'who-it-helps');
    expect(record).toMatchObject({ state: 'sent', variant: 'who-it-helps-refractory' });
  });

  it('a variant whose answer from SES was lost is recorded unconfirmed with its variant, and never resent', async () => {
    const faults = await sesFaults({
      rule: (request) => (request.tags.stepId === 'the-research' && request.attempt === 0 ? 'drop' : undefined),
    });
    const env = await variantEnv({ SES_ENDPOINT: faults.url });
    const { leadId } = await signUpWith(env, 'migraine-with-aura', 'dropped');
    const lead = await runUntilDone(env, leadId);

    expect(lead?.sentSteps).toEqual(STEPS);
    const research = faults.requests.filter((r) => r.tags.leadId === leadId && r.tags.stepId === 'the-research');
    expect(research).toHaveLength(1);
    const record = (await env.store.messages(leadId)).find((m) => m.stepId === 'the-research');
    expect(record).toMatchObject({ state: 'unconfirmed', variant: 'the-research-aura' });
  });

  it('two dispatchers at once never send a variant lead a step twice, and an unsubscribe stops it at once', async () => {
    const env = await variantEnv();
    const { email, leadId } = await signUpWith(env, 'status-migrainosus', 'race');
    expect((await inbox(email)).map((mail) => mail.subject)).toEqual([
      expected(env, NURTURE, 'status-migrainosus')[0]!.subject,
    ]);
    for (let i = 0; i < 3; i++) {
      const lead = await env.store.get(leadId);
      env.clock.set(lead!.nextSendAt!);
      await Promise.all([dispatchDue(env.dispatch), dispatchDue(env.dispatch)]);
    }
    const subjects = (await inbox(email)).map((mail) => mail.subject);
    expect(subjects).toHaveLength(4);
    expect(new Set(subjects).size).toBe(4);

    const url = new URL(env.dispatch.unsubscribeUrl(leadId));
    const answer = await makeUnsubscribeHandler(env)(
      httpEvent('POST', `${url.pathname}${url.search}`, {
        body: 'List-Unsubscribe=One-Click',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
    );
    expect(answer.statusCode).toBeLessThan(300);
    env.clock.advance(30 * 86_400_000);
    await dispatchDue(env.dispatch);
    expect(await inbox(email)).toHaveLength(4);
    expect((await env.store.get(leadId))?.status).toBe('unsubscribed');
  });

  it('an edit to byInterest reaches leads in flight: the variant is chosen when the step is sent', async () => {
    const env = await variantEnv();
    const chronic = await signUpWith(env, 'chronic-migraine', 'edit');
    const aura = await signUpWith(env, 'migraine-with-aura', 'edit');
    await runNext(env, chronic.leadId); // how-it-works, to both
    for (const lead of [chronic, aura]) expect((await env.store.get(lead.leadId))?.nextStepId).toBe('who-it-helps');

    // Deployed: chronic migraine loses its variant of who-it-helps; aura gets one.
    const edited = sending(
      env,
      sequencesWith((steps) =>
        steps.map((step) =>
          step.id === 'who-it-helps' ? { ...step, byInterest: { 'migraine-with-aura': 'who-it-helps-chronic' } } : step,
        ),
      ),
    );
    for (const lead of [chronic, aura]) await runUntilDone(edited, lead.leadId);

    const variantsOf = async (leadId: string) =>
      Object.fromEntries((await env.store.messages(leadId)).filter((m) => m.variant).map((m) => [m.stepId, m.variant]));
    expect(await variantsOf(chronic.leadId)).toEqual({});
    expect(await variantsOf(aura.leadId)).toEqual({
      'who-it-helps': 'who-it-helps-chronic',
      'the-research': 'the-research-aura',
    });
  });

  it('the report has a row per variant under its step, counted at write time as the rebuild recounts it', async () => {
    const env = await variantEnv();
    const record = oneByOne(makeSesEventsRecorder(env));
    const event = async (leadId: string, stepId: string, type: 'Delivery' | 'Click') => {
      const message = (await env.store.messages(leadId)).find((m) => m.stepId === stepId)!;
      const tags = { leadId, sequenceId: message.sequenceId, stepId };
      const section = type === 'Click' ? { link: 'https://clinic.example/consultation' } : {};
      await record(sesEventFor(type, message.messageId!, tags, env.clock.now(), section));
    };
    const chronic = await signUpWith(env, 'chronic-migraine', 'report');
    const refractory = await signUpWith(env, 'refractory-migraine', 'report');
    const general = await signUpWith(env, undefined, 'report');
    for (let i = 0; i < 2; i++) await runNext(env, chronic.leadId); // how-it-works, who-it-helps: to all three
    for (const lead of [chronic, refractory, general]) await event(lead.leadId, 'who-it-helps', 'Delivery');
    // A person's clicks: an hour after delivery, a minute apart (a click seconds after delivery is a scanner's).
    env.clock.advance(3_600_000);
    await event(chronic.leadId, 'who-it-helps', 'Click');
    env.clock.advance(60_000);
    await event(chronic.leadId, 'who-it-helps', 'Click'); // a second click: the lead counts once
    const booked = await makeBookingHandler(env)(
      bookingEvent({
        leadId: chronic.leadId,
        appointmentAt: new Date(env.clock.now().getTime() + 7 * 86_400_000).toISOString(),
        status: 'booked',
      }),
    );
    expect(booked.statusCode, booked.body).toBe(200);

    const { differences, leadsOff, counters } = await compareCounters(env);
    expect(differences).toEqual([]);
    expect(leadsOff).toEqual([]);
    const report = reportFromCounts(await counters.read(), { now: env.clock.now(), sequences: env.sequences });
    const step = report.sequences[0]!.steps.find((s) => s.stepId === 'who-it-helps')!;
    expect(step).toMatchObject({ sent: 3, delivered: 3, clicked: 1, bookedAfter: 1 });
    expect(step.variants.map((v) => [v.variantId, v.sent, v.delivered, v.clicked, v.bookedAfter])).toEqual([
      ['who-it-helps-chronic', 1, 1, 1, 1],
      ['who-it-helps-refractory', 1, 1, 0, 0],
    ]);
    // The same rows on /admin and in `npm run report`, under their step.
    const html = adminPage(report);
    const row = html.match(
      /<tr data-variant="who-it-helps-chronic" data-variant-of="who-it-helps">([\s\S]*?)<\/tr>/,
    )?.[1];
    expect(row).toMatch(/data-column="clicked"[^>]*>1 \(100%\)</);
    expect(html.indexOf('data-variant="who-it-helps-chronic"')).toBeGreaterThan(
      html.indexOf('<tr data-step="who-it-helps">'),
    );
    expect(reportText(report, 'test')).toMatch(/\n {2}↳ who-it-helps-refractory +0 \(0%\) +0 +0 \(0%\) +1 +1 /);
    // A configured variant nothing was sent yet has its row, at 0.
    const research = report.sequences[0]!.steps.find((s) => s.stepId === 'the-research')!;
    expect(research.variants).toMatchObject([{ variantId: 'the-research-aura', sent: 0 }]);
  });
});
