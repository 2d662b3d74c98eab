/**
 * Engagement branches on the real table and SES emulator, on the virtual clock: leads through each branch (skip,
 * bring forward, swap, check-in kept, sunset), with the guarantees on every path: never a step twice, nothing passed
 * over that no branch passed over, and an unsubscribe stops a lead at once, mid-branch too.
 *
 * The first test feeds a person's click on the cost link as SES reports it, through the SES-events handler (the click
 * filtering judges it human and adds it to the lead's `humanClicks`). The others put the human clicks on the lead item
 * as engagement writes them (`seedHumanClicks`): how a click is judged is the click filtering's to test; what a human
 * click steers is tested here.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { itemBytes } from '../../bench/writes.ts';
import { dynamoClient } from '../../lambdas/adapters/clients.ts';
import { leadKey } from '../../lambdas/adapters/dynamo-keys.ts';
import { ReactEmailRenderer } from '../../lambdas/adapters/renderer.ts';
import { adminPage } from '../../lambdas/adapters/report-page.tsx';
import { reportText } from '../../local/report-text.ts';
import { dispatchDue } from '../../lambdas/domain/dispatch.ts';
import { buildReport } from '../../lambdas/domain/report.ts';
import { validateSequences } from '../../lambdas/domain/sequence.ts';
import { makeSesEventsRecorder } from '../../lambdas/handlers/ses-events.ts';
import { makeUnsubscribeHandler } from '../../lambdas/handlers/unsubscribe.ts';
import { sqsEvent } from '../../local/sqs-batch.ts';
import { inEnvelope, recordOf, SES_EVENT_SAMPLES } from '../fixtures/ses-events/index.ts';
import { nurture, sequences as allSequences, type EmailStep } from '../../emails/sequences.ts';
import CostAndFinancing from '../../emails/cost-and-financing.tsx';
import { removeHumanClicks, seedHumanClicks } from '../support/human-clicks.ts';
import { compareCounters } from '../support/report-compare.ts';
import {
  httpEvent,
  inbox,
  manualClock,
  runNext,
  runUntilDone,
  signUp,
  testEnv,
  uniqueEmail,
  type TestEnv,
} from './harness.ts';

const ZONE = 'America/New_York';
const local = (at: Date | string) =>
  DateTime.fromJSDate(new Date(at), { zone: ZONE }).toFormat("ccc yyyy-MM-dd'T'HH:mm");

const sentSteps = async (env: TestEnv, leadId: string) =>
  (await env.store.messages(leadId)).map((message) => message.stepId);

/** Each step went at most once, to the store's record and to the inbox alike. */
async function expectNothingTwice(env: TestEnv, leadId: string, email: string) {
  const steps = await sentSteps(env, leadId);
  expect(new Set(steps).size).toBe(steps.length);
  const subjects = (await inbox(email)).map((mail) => mail.subject);
  expect(new Set(subjects).size).toBe(subjects.length);
  expect(subjects).toHaveLength(steps.length);
}

/** A lead who signed up Monday 2 March 2026, 10:00 in New York, and has had the welcome. */
async function signedUp(label: string, env?: TestEnv) {
  env ??= await testEnv({}, manualClock('2026-03-02T15:00:00Z'));
  const email = uniqueEmail(label);
  const leadId = await signUp(env, { email, timeZone: ZONE });
  return { env, email, leadId };
}

/** The same service sending other sequences: same table, same clock. */
function deploy(env: TestEnv, steps: EmailStep[]): TestEnv {
  const sequences = validateSequences({ ...allSequences, nurture: { ...nurture, steps } });
  return { ...env, dispatch: { ...env.dispatch, sequences, renderer: new ReactEmailRenderer(sequences, env.clinic) } };
}
const stepOf = (id: string) => nurture.steps.find((step) => step.id === id)!;

/**
 * A person's click on the link named `name` in the lead's last email, `ms` after it was sent: AWS's sample Delivery
 * and Click records (test/fixtures/ses-events/) with that message's id, tags and link, through the SES-events handler
 * in one SQS batch, as in AWS.
 */
async function clickAsPerson(env: TestEnv, leadId: string, name: string, ms: number) {
  const message = (await env.store.messages(leadId)).at(-1)!;
  const request = env.sesRequests.findLast((r) => r.Tags?.some((t) => t.Name === 'leadId' && t.Value === leadId))!;
  const tags = Object.fromEntries(request.Tags!.map((tag) => [tag.Name!, [tag.Value!]]));
  const raw = Buffer.from(request.RawMessage!.Data!).toString('utf8');
  const html = raw.includes('Content-Transfer-Encoding: quoted-printable')
    ? raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    : raw;
  const link = html.match(new RegExp(`href="(https://[^"]*utm_content=${name})"`))![1]!.replaceAll('&amp;', '&');
  const event = (type: 'Delivery' | 'Click', after: number) => {
    const sample = SES_EVENT_SAMPLES.find((s) => s.file === `${type.toLowerCase()}.json`)!;
    const record = recordOf(sample);
    record.mail.messageId = message.messageId!;
    record.mail.timestamp = message.at.toISOString();
    record.mail.tags = { ...record.mail.tags, ...tags };
    const section = record[type.toLowerCase()] as Record<string, unknown>;
    section.timestamp = new Date(message.at.getTime() + after).toISOString();
    if (type === 'Click') section.link = link;
    return inEnvelope(sample, record);
  };
  await makeSesEventsRecorder(env)(sqsEvent([event('Delivery', 2_000), event('Click', ms)]));
}

describe('bring forward: the default nurture’s cost email', () => {
  it('a lead who clicked the cost link in how-it-works gets the cost email next, at the time the next email was due, and every other email once', async () => {
    const { env, email, leadId } = await signedUp('cost');
    await runNext(env, leadId); // how-it-works, Wednesday 4 March
    // The click comes after the settle planned who-it-helps: the dispatcher looks again when it comes due.
    expect((await env.store.get(leadId))?.nextStepId).toBe('who-it-helps');
    await clickAsPerson(env, leadId, 'cost', 3 * 3_600_000);
    expect((await env.store.get(leadId))?.humanClicks).toEqual(['how-it-works', 'how-it-works:cost']);

    // When who-it-helps comes due, the lead is planned again (the cost email, due at once) and sent on the next run.
    await runNext(env, leadId);
    expect((await env.store.get(leadId))?.nextStepId).toBe('cost-and-financing');
    await runNext(env, leadId);
    const messages = await env.store.messages(leadId);
    expect(messages.map((m) => m.stepId)).toEqual(['welcome', 'how-it-works', 'cost-and-financing']);
    // Who-it-helps' 3 days after how-it-works, not the cost email's own 5.
    expect(local(messages[2]!.at)).toBe('Sat 2026-03-07T10:00');

    const lead = await runUntilDone(env, leadId);
    expect(lead?.status).toBe('completed');
    expect(await sentSteps(env, leadId)).toEqual([
      'welcome',
      'how-it-works',
      'cost-and-financing',
      'who-it-helps',
      'side-effects',
      'iv-and-nasal',
      'the-research',
      'last-invitation',
    ]);
    await expectNothingTwice(env, leadId, email);
  });

  it('a click taken back before the next email (a burst found to be a machine’s) brings nothing forward', async () => {
    const { env, email, leadId } = await signedUp('burst');
    await runNext(env, leadId);
    await seedHumanClicks(env, leadId, 'how-it-works:cost');
    await removeHumanClicks(env, leadId, 'how-it-works:cost', 'how-it-works');
    await seedHumanClicks(env, leadId, 'how-it-works:book'); // a person's click on another link: no check-in

    await runUntilDone(env, leadId);
    expect(await sentSteps(env, leadId)).toEqual(
      nurture.steps.map((step) => step.id).filter((id) => id !== 'check-in'),
    );
    await expectNothingTwice(env, leadId, email);
  });
});

describe('skip and swap (a sequence marketing edited to use them)', () => {
  const edited = (env: TestEnv) =>
    deploy(env, [
      stepOf('welcome'),
      stepOf('how-it-works'),
      stepOf('who-it-helps'),
      { ...stepOf('side-effects'), skip: { ifClicked: ['welcome:cost'] } },
      {
        id: 'cost-first',
        class: 'marketing',
        template: CostAndFinancing,
        insteadOf: { step: 'iv-and-nasal', ifClicked: ['how-it-works'] },
      },
      stepOf('iv-and-nasal'),
      stepOf('last-invitation'),
    ]);

  it('a lead who clicked the named link is passed over the skipped step; one who clicked the email gets the swapped-in email in its place', async () => {
    const { env, email, leadId } = await signedUp('skip');
    const branched = edited(env);
    await seedHumanClicks(env, leadId, 'welcome:cost');
    await runNext(branched, leadId); // how-it-works
    await seedHumanClicks(env, leadId, 'how-it-works');

    const lead = await runUntilDone(branched, leadId);
    expect(lead?.status).toBe('completed');
    expect(await sentSteps(env, leadId)).toEqual([
      'welcome',
      'how-it-works',
      'who-it-helps',
      'cost-first',
      'last-invitation',
    ]);
    await expectNothingTwice(env, leadId, email);
  });

  it('a lead with no clicks takes the main path: nothing skipped, the swapped-in email never sent', async () => {
    const { env, email, leadId } = await signedUp('main');
    const lead = await runUntilDone(edited(env), leadId);
    expect(lead?.status).toBe('completed');
    expect(await sentSteps(env, leadId)).toEqual([
      'welcome',
      'how-it-works',
      'who-it-helps',
      'side-effects',
      'iv-and-nasal',
      'last-invitation',
    ]);
    await expectNothingTwice(env, leadId, email);
  });
});

describe('the check-in', () => {
  it('a lead who clicked none of the first four emails gets the check-in; a click on it keeps the series going to its end', async () => {
    const { env, email, leadId } = await signedUp('kept');
    for (let i = 0; i < 4; i++) await runNext(env, leadId);
    expect(await sentSteps(env, leadId)).toEqual([
      'welcome',
      'how-it-works',
      'who-it-helps',
      'side-effects',
      'check-in',
    ]);
    const subjects = (await inbox(email)).map((mail) => mail.subject);
    expect(subjects.at(-1)).toBe('Are these emails still useful to you?');
    await seedHumanClicks(env, leadId, 'check-in:keep');

    await seedHumanClicks(env, leadId, 'the-research:study');
    const lead = await runUntilDone(env, leadId);
    expect(lead?.status).toBe('completed');
    expect(await sentSteps(env, leadId)).toEqual(nurture.steps.map((step) => step.id));
    await expectNothingTwice(env, leadId, email);
    // All nine emails and four click entries: the item stays under 1 KB, one write unit a write (issue #14).
    const { Item } = await dynamoClient(env.config).send(
      new GetItemCommand({ TableName: env.config.TABLE_NAME, Key: marshall(leadKey(leadId)) }),
    );
    expect(itemBytes(Item!)).toBeLessThan(1024);
  });

  it('left unclicked, the series ends when the next email was due: status sunset, nothing more sent, and the report shows it', async () => {
    const { env, email, leadId } = await signedUp('sunset');
    const lead = await runUntilDone(env, leadId);
    expect(lead).toMatchObject({ status: 'sunset' });
    expect(lead?.nextStepId).toBeUndefined();
    const messages = await env.store.messages(leadId);
    expect(messages.map((m) => m.stepId)).toEqual([
      'welcome',
      'how-it-works',
      'who-it-helps',
      'side-effects',
      'check-in',
    ]);
    expect(local(messages[4]!.at)).toBe('Thu 2026-03-12T10:00');

    for (let day = 0; day < 30; day++) {
      env.clock.advance(86_400_000);
      await dispatchDue(env.dispatch);
    }
    expect(await inbox(email)).toHaveLength(5);

    const counts = await compareCounters(env);
    expect(counts.differences).toEqual([]);
    expect(counts.leadsOff).toEqual([]);
    const report = buildReport(counts.input, { now: env.clock.now(), sequences: env.sequences });
    expect(report.nurture.left).toMatchObject({ sunset: 1, completed: 0, active: 0 });
    expect(report.nurture.leads).toBe(1);
    // As marketing reads it: on /admin/report and in `npm run report`.
    expect(adminPage(report)).toContain('Sunset, no engagement');
    expect(reportText(report, 'test')).toMatch(/Sunset, no engagement +1/);
  });

  it('a click on the check-in that comes after the series ended starts nothing again', async () => {
    const { env, email, leadId } = await signedUp('late-click');
    await runUntilDone(env, leadId);
    await seedHumanClicks(env, leadId, 'check-in:keep');
    for (let day = 0; day < 20; day++) {
      env.clock.advance(86_400_000);
      await dispatchDue(env.dispatch);
    }
    expect((await env.store.get(leadId))?.status).toBe('sunset');
    expect(await inbox(email)).toHaveLength(5);
  });
});

describe('an unsubscribe mid-branch stops the lead at once', () => {
  const oneClick = {
    body: 'List-Unsubscribe=One-Click',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  };

  async function unsubscribeNow(env: TestEnv, leadId: string) {
    const request = env.sesRequests.findLast((r) => r.Tags?.some((t) => t.Name === 'leadId' && t.Value === leadId))!;
    const raw = Buffer.from(request.RawMessage!.Data!)
      .toString('utf8')
      .replace(/\r\n[ \t]+/g, ' ');
    const url = new URL(raw.match(/^List-Unsubscribe: <([^>]+)>/m)![1]!);
    const result = await makeUnsubscribeHandler(env)(httpEvent('POST', `${url.pathname}${url.search}`, oneClick));
    expect(result.statusCode).toBe(200);
  }

  it('with the cost email brought forward and due, or the check-in waiting for a click: nothing more is sent', async () => {
    const clock = manualClock('2026-03-02T15:00:00Z');
    const env = await testEnv({}, clock);
    const forward = await signedUp('unsub-forward', env);
    const waiting = await signedUp('unsub-waiting', env);
    await runNext(env, forward.leadId);
    await seedHumanClicks(env, forward.leadId, 'how-it-works:cost');
    await runNext(env, forward.leadId); // who-it-helps came due: the cost email is planned in its place, due now
    expect((await env.store.get(forward.leadId))?.nextStepId).toBe('cost-and-financing');
    await unsubscribeNow(env, forward.leadId);
    for (let i = 0; i < 4; i++) await runNext(env, waiting.leadId); // the check-in went
    await unsubscribeNow(env, waiting.leadId);
    for (let day = 0; day < 40; day++) {
      env.clock.advance(86_400_000);
      await dispatchDue(env.dispatch);
    }
    expect(await sentSteps(env, forward.leadId)).toEqual(['welcome', 'how-it-works']);
    expect(await sentSteps(env, waiting.leadId)).toEqual([
      'welcome',
      'how-it-works',
      'who-it-helps',
      'side-effects',
      'check-in',
    ]);
    // It left by unsubscribing, not by the sunset its unanswered check-in would have brought.
    for (const { leadId } of [forward, waiting]) expect((await env.store.get(leadId))?.status).toBe('unsubscribed');
    const counts = await compareCounters(env);
    expect(counts.differences).toEqual([]);
    const report = buildReport(counts.input, { now: env.clock.now(), sequences: env.sequences });
    expect(report.nurture.left).toMatchObject({ unsubscribed: 2, sunset: 0 });
  });
});
