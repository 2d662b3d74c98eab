/**
 * Subject-line experiments (issue #17) on the real table and SES, on the test's clock: which subject each lead gets,
 * what SES and our record see of it, retries and lost answers, counting per variant (and the rebuild agreeing), the
 * dispatcher deciding from SES events fed through the real handler, the CLI stopping and picking, and a lead sent an
 * interest email tagged like everyone but not counted.
 */
import { describe, expect, it } from 'vitest';
import HowItWorks from '../../emails/how-it-works.tsx';
import { experimentEmail } from '../../emails/_shared/experiment.ts';
import { sequences as DEFAULTS, type EmailStep } from '../../emails/sequences.ts';
import { dynamoClient } from '../../lambdas/adapters/clients.ts';
import { DynamoExperimentStore } from '../../lambdas/adapters/dynamo-experiments.ts';
import { DynamoReportCounters } from '../../lambdas/adapters/dynamo-report-counters.ts';
import { dispatchDue } from '../../lambdas/domain/dispatch.ts';
import { armCounts, assign, experimentTag, type ArmId, type StepExperiment } from '../../lambdas/domain/experiments.ts';
import { armKey, type ArmMetric } from '../../lambdas/domain/report-counts.ts';
import { reportFromCounts } from '../../lambdas/domain/report.ts';
import { makeBookingHandler } from '../../lambdas/handlers/booking.ts';
import { makeSesEventsRecorder } from '../../lambdas/handlers/ses-events.ts';
import { sesEventFor } from '../../local/engagement-feed.ts';
import { parseRequest, runRequest } from '../../local/experiments-run.ts';
import { reportText } from '../../local/report-text.ts';
import { sqsEvent } from '../../local/sqs-batch.ts';
import { sending, sequencesWith } from '../support/interest-variants.ts';
import { compareCounters } from '../support/report-compare.ts';
import {
  bookingEvent,
  inbox,
  recordingLog,
  runNext,
  sesFaults,
  signUp,
  testEnv,
  uniqueEmail,
  type TestEnv,
} from './harness.ts';

const ZONE = 'America/New_York';
const STEP = DEFAULTS.nurture!.steps.find((step) => step.id === 'how-it-works')!;
const EXPERIMENT = STEP.experiment!;
const HOUR = 3_600_000;
const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';

const subjectOf = (env: TestEnv, arm: ArmId) =>
  experimentEmail(HowItWorks, arm).subject({ ...HowItWorks.PreviewProps, firstName: 'Jamie', clinic: env.clinic });
const experiments = (env: TestEnv) =>
  new DynamoExperimentStore(dynamoClient(env.config), { tableName: env.config.TABLE_NAME, retentionDays: 0 });
const counters = (env: TestEnv) =>
  new DynamoReportCounters(dynamoClient(env.config), { tableName: env.config.TABLE_NAME, retentionDays: 0 });

/** A lead signed up now (its welcome sent), with its email and its variant in `experiment` (default: the template's) */
async function lead(env: TestEnv, label: string, fields: Record<string, unknown> = {}, experiment = EXPERIMENT) {
  const email = uniqueEmail(label);
  const leadId = await signUp(env, { email, timeZone: ZONE, ...fields });
  return { email, leadId, arm: assign(experiment, leadId) };
}

/** Leads signed up until `each` of them were assigned each of a and b in `experiment`. */
async function leadsOnBoth(env: TestEnv, each: number, label: string, experiment = EXPERIMENT) {
  const leads: Awaited<ReturnType<typeof lead>>[] = [];
  const count = (arm: ArmId) => leads.filter((l) => l.arm === arm).length;
  for (let i = 0; i < 60 && (count('a') < each || count('b') < each); i++)
    leads.push(await lead(env, label, {}, experiment));
  return leads;
}

/** Each lead's how-it-works delivered (SES events through the real handler), a person clicking those on `clicked`. */
async function deliverAndClick(env: TestEnv, leads: readonly { leadId: string; arm: ArmId }[], clicked: ArmId[]) {
  const events = [];
  for (const { leadId, arm } of leads) {
    const sent = (await record(env, leadId))!;
    const tags = { leadId, sequenceId: 'nurture', stepId: 'how-it-works', experimentVariant: arm };
    const at = sent.at.getTime();
    events.push(sesEventFor('Delivery', sent.messageId!, tags, new Date(at + 2000), {}, sent.at));
    if (clicked.includes(arm))
      events.push(
        sesEventFor(
          'Click',
          sent.messageId!,
          tags,
          new Date(at + HOUR),
          { link: 'https://clinic.example/ketamine', ipAddress: '198.51.100.7', userAgent: CHROME },
          sent.at,
        ),
      );
  }
  await makeSesEventsRecorder(env)(sqsEvent(events));
}

/** The service sending the default sequences with how-it-works' experiment under another id (a new experiment). */
function withExperimentId(env: TestEnv, id: string): { env: TestEnv; experiment: StepExperiment } {
  const experiment: StepExperiment = { ...EXPERIMENT, id };
  const sequences = sequencesWith((steps) =>
    steps.map((step): EmailStep => (step.id === 'how-it-works' ? { ...step, experiment } : step)),
  );
  return { env: sending(env, sequences), experiment };
}

/** Move the clock to when these leads' next step (how-it-works) is due, and run the dispatcher once. */
async function sendNext(env: TestEnv, leads: readonly { leadId: string }[]) {
  const due = await Promise.all(
    leads.map(async ({ leadId }) => Date.parse((await env.store.get(leadId))!.nextSendAt!)),
  );
  env.clock.set(new Date(Math.max(env.clock.now().getTime(), ...due)));
  await dispatchDue(env.dispatch);
}

/** The how-it-works message of a lead as our record has it. */
const record = async (env: TestEnv, leadId: string) =>
  (await env.store.messages(leadId)).find((message) => message.stepId === 'how-it-works');

describe('subject-line experiments', () => {
  it('each lead gets its variant’s subject; SES’s tags and our record carry the variant letter, ids only', async () => {
    const faults = await sesFaults();
    const env = await testEnv({ SES_ENDPOINT: faults.url });
    const leads = await leadsOnBoth(env, 2, 'assigned');
    await sendNext(env, leads);
    for (const { email, leadId, arm } of leads) {
      expect((await inbox(email)).at(-1)?.subject).toBe(subjectOf(env, arm));
      const { tags } = faults.acceptedFor(leadId).find((message) => message.tags.stepId === 'how-it-works')!;
      expect(tags).toEqual({ leadId, sequenceId: 'nurture', stepId: 'how-it-works', experimentVariant: arm });
      // Our record names the experiment too (its tag), never the SES tag.
      expect(await record(env, leadId)).toMatchObject({
        state: 'sent',
        arm,
        experimentTag: experimentTag(EXPERIMENT.id),
      });
      // Steps without an experiment carry no variant tag.
      const welcome = faults.acceptedFor(leadId).find((message) => message.tags.stepId === 'welcome')!;
      expect(Object.keys(welcome.tags).sort()).toEqual(['leadId', 'sequenceId', 'stepId']);
    }
    expect(subjectOf(env, 'a')).not.toBe(subjectOf(env, 'b'));
  });

  it('a send SES throttles is retried as the same variant even when a winner is picked in between; later leads get the winner', async () => {
    let throttling = true; // the first lead's first attempt only
    const faults = await sesFaults({
      rule: (request) =>
        throttling && request.tags.stepId === 'how-it-works' && request.attempt === 0 ? 'throttle' : undefined,
    });
    const env = await testEnv({ SES_ENDPOINT: faults.url });
    const first = await lead(env, 'retried');
    await runNext(env, first.leadId);
    expect(faults.counts().throttle).toBe(1);
    throttling = false;
    expect((await env.store.get(first.leadId))?.nextStepId).toBe('how-it-works');

    // The other variant wins by hand between the attempt and its retry.
    env.clock.advance(1000);
    const other: ArmId = first.arm === 'a' ? 'b' : 'a';
    const picked = await runRequest(
      { action: 'pick', experimentId: EXPERIMENT.id, winner: other, reason: 'chosen by marketing' },
      { store: experiments(env), sequences: env.dispatch.sequences, now: env.clock.now() },
    );
    expect(picked.code).toBe(0);
    env.clock.advance(61_000); // the retry delay
    await dispatchDue(env.dispatch);
    await dispatchDue(env.dispatch);
    const sent = faults.acceptedFor(first.leadId).filter((message) => message.tags.stepId === 'how-it-works');
    expect(sent.map((message) => message.tags.experimentVariant)).toEqual([first.arm]);
    expect((await inbox(first.email)).filter((mail) => mail.subject === subjectOf(env, first.arm))).toHaveLength(1);
    expect(await record(env, first.leadId)).toMatchObject({ state: 'sent', arm: first.arm });

    // A lead whose step falls due after the pick gets the winner, whatever it was assigned.
    const later = await leadsOnBoth(env, 1, 'after-pick');
    await sendNext(env, later);
    for (const { email, leadId } of later) {
      expect(await record(env, leadId)).toMatchObject({ arm: other });
      expect((await inbox(email)).at(-1)?.subject).toBe(subjectOf(env, other));
    }
  });

  it('a send whose answer was lost is recorded unconfirmed with its variant, never resent; a replayed run sends nothing again', async () => {
    const faults = await sesFaults({
      rule: (request) => (request.tags.stepId === 'how-it-works' && request.attempt === 0 ? 'drop' : undefined),
    });
    const env = await testEnv({ SES_ENDPOINT: faults.url });
    const { leadId, arm } = await lead(env, 'dropped');
    await runNext(env, leadId);
    env.clock.advance(10 * 60_000); // past the lease: the next claim finds the mark
    await dispatchDue(env.dispatch);
    await dispatchDue(env.dispatch);
    const tries = faults.requests.filter((r) => r.tags.leadId === leadId && r.tags.stepId === 'how-it-works');
    expect(tries.map((r) => r.tags.experimentVariant)).toEqual([arm]);
    expect(await record(env, leadId)).toMatchObject({ state: 'unconfirmed', arm });
  });

  it('counts each variant’s sends, deliveries, a person’s clicks and bookings; the dispatcher then decides, and later leads get the winner', async () => {
    const base = await testEnv();
    const log = recordingLog(base.dispatch.log);
    const env: TestEnv = {
      ...base,
      dispatch: { ...base.dispatch, log, decisionRule: { threshold: 0.9, minTrials: 4 } },
    };
    const leads = await leadsOnBoth(env, 5, 'decided');
    await sendNext(env, leads);

    // SES events through the real handler: every email delivered, and a person (an hour later) clicks every b.
    await deliverAndClick(env, leads, ['b']);
    // One b lead books.
    const booker = leads.find((l) => l.arm === 'b')!;
    env.clock.advance(2 * HOUR);
    await makeBookingHandler(env)(
      bookingEvent({ leadId: booker.leadId, appointmentAt: '2026-03-20T10:00:00-06:00', status: 'booked' }),
    );

    const on = (arm: ArmId) => leads.filter((l) => l.arm === arm).length;
    const counts = await counters(env).read();
    const key = (arm: ArmId, metric: ArmMetric) =>
      armKey('nurture', 'how-it-works', experimentTag(EXPERIMENT.id), arm, metric);
    for (const arm of ['a', 'b'] as const) {
      expect(counts[key(arm, 'sent')]).toBe(on(arm));
      expect(counts[key(arm, 'delivered')]).toBe(on(arm));
    }
    expect(counts[key('b', 'clicked')]).toBe(on('b'));
    expect(counts[key('a', 'clicked')] ?? 0).toBe(0);
    expect(counts[key('b', 'booked')]).toBe(1);
    // The recount from the raw items (`npm run report -- --rebuild`) agrees with the counters kept at write time.
    const { differences, leadsOff } = await compareCounters(env);
    expect({ differences, leadsOff }).toEqual({ differences: [], leadsOff: [] });

    // The next run decides: b, by the rule, with the numbers.
    await dispatchDue(env.dispatch);
    const states = await experiments(env).states([
      { sequenceId: 'nurture', stepId: 'how-it-works', experiment: EXPERIMENT },
    ]);
    expect(states[EXPERIMENT.id]).toMatchObject({ status: 'decided', winner: 'b', by: 'auto' });
    expect((states[EXPERIMENT.id] as { reason: string }).reason).toMatch(
      new RegExp(
        `P\\(b is best\\) (0\\.9\\d+|1\\.000) >= 0\\.9 with at least 4 delivered per variant.*a 0/${on('a')}.*b ${on('b')}/${on('b')}`,
      ),
    );
    const decided = log.lines.find((line) => line.message === 'experiment decided')!;
    expect(decided.fields).toMatchObject({ experimentId: EXPERIMENT.id, winner: 'b' });
    expect(JSON.stringify(decided)).not.toMatch(/@|Jamie/);

    // The report (npm run report, /admin): the experiment under its step, its state and a row per variant.
    const report = reportFromCounts(await counters(env).read(), {
      now: env.clock.now(),
      sequences: env.dispatch.sequences,
      experimentStates: await experiments(env).list(),
    });
    const step = report.sequences
      .find((s) => s.sequenceId === 'nurture')!
      .steps.find((s) => s.stepId === 'how-it-works')!;
    expect(step.experiment).toMatchObject({
      experimentId: EXPERIMENT.id,
      metric: 'clicks',
      state: { status: 'decided', winner: 'b', by: 'auto' },
      variants: [
        { variantId: 'a', sent: on('a'), delivered: on('a'), clicked: 0, booked: 0 },
        { variantId: 'b', sent: on('b'), delivered: on('b'), clicked: on('b'), booked: 1 },
      ],
    });
    expect(step.experiment!.variants[1]!.probabilityBest).toBeGreaterThan(0.9);
    expect(reportText(report, 'the test table')).toContain(
      `Experiment ${EXPERIMENT.id} on how-it-works, judged on clicks: decided: b`,
    );

    const later = await leadsOnBoth(env, 1, 'after-decision');
    await sendNext(env, later);
    for (const { leadId } of later) expect(await record(env, leadId)).toMatchObject({ arm: 'b' });
  });

  it('the CLI stops an experiment (everyone gets a from then on) and refuses to pick once it is stopped', async () => {
    const env = await testEnv();
    const deps = () => ({ store: experiments(env), sequences: env.dispatch.sequences, now: env.clock.now() });
    const stop = parseRequest(['stop', EXPERIMENT.id], 'b reads as alarming');
    expect(typeof stop).toBe('object');
    expect(await runRequest(stop as Exclude<typeof stop, string>, deps())).toMatchObject({ code: 0 });
    const again = await runRequest(
      { action: 'pick', experimentId: EXPERIMENT.id, winner: 'b', reason: 'too late' },
      deps(),
    );
    expect(again.code).toBe(1);
    expect(again.out).toMatch(/not running any more \(stopped: everyone gets a, .* by hand: b reads as alarming\)/);
    expect((await runRequest({ action: 'pick', experimentId: 'nope', winner: 'b', reason: 'r' }, deps())).code).toBe(2);
    const listed = await runRequest({ action: 'list' }, deps());
    expect(listed.out).toMatch(/Running \(0\)[\s\S]*Stopped \(1\)\n {2}how-it-works-subject/);

    const leads = await leadsOnBoth(env, 1, 'stopped');
    await sendNext(env, leads);
    for (const { leadId } of leads) expect(await record(env, leadId)).toMatchObject({ arm: 'a' });
  });

  it('a lead sent an interest email at the step is tagged like everyone (the same tag keys) but not counted in the experiment', async () => {
    const faults = await sesFaults();
    const experiment: StepExperiment = {
      id: 'who-it-helps-subject',
      variants: [
        { id: 'a', weight: 1 },
        { id: 'b', weight: 1 },
      ],
    };
    const sequences = sequencesWith((steps) =>
      steps.map((step): EmailStep => (step.id === 'who-it-helps' ? { ...step, experiment } : step)),
    );
    const env = sending(await testEnv({ SES_ENDPOINT: faults.url }), sequences);
    const sent = [];
    for (const interest of ['chronic-migraine', undefined] as const) {
      const { leadId } = await lead(env, 'interest', interest ? { interest } : {});
      // A person's click on the welcome keeps the check-in away; the second email is who-it-helps.
      await runNext(env, leadId); // how-it-works
      await runNext(env, leadId); // who-it-helps
      const { tags } = faults.acceptedFor(leadId).find((message) => message.tags.stepId === 'who-it-helps')!;
      const message = (await env.store.messages(leadId)).find((m) => m.stepId === 'who-it-helps')!;
      sent.push({ leadId, tags, message });
    }
    const [chronic, general] = sent as [(typeof sent)[number], (typeof sent)[number]];
    expect(Object.keys(chronic.tags).sort()).toEqual(Object.keys(general.tags).sort());
    expect(chronic.tags.experimentVariant).toBe(assign(experiment, chronic.leadId));
    expect(general.tags.experimentVariant).toBe(assign(experiment, general.leadId));
    expect(chronic.message).toMatchObject({ variant: 'who-it-helps-chronic', arm: assign(experiment, chronic.leadId) });
    const counts = await counters(env).read();
    const armSent = Object.entries(counts)
      .filter(([key]) => key.startsWith('arm/nurture/who-it-helps/') && key.endsWith('/sent'))
      .map(([key, value]) => [key, value]);
    expect(armSent).toEqual([
      [armKey('nurture', 'who-it-helps', experimentTag(experiment.id), assign(experiment, general.leadId), 'sent'), 1],
    ]);
    const { differences } = await compareCounters(env);
    expect(differences).toEqual([]);
  });
  it('a new experiment on the step (a new id) counts and decides on its own leads only; the earlier one keeps its counts', async () => {
    const base = await testEnv();
    const rule = { threshold: 0.9, minTrials: 4 };
    const first = withExperimentId({ ...base, dispatch: { ...base.dispatch, decisionRule: rule } }, 'subject-x');
    const x = first.experiment;
    // Experiment X: 4 or more leads on each variant, every one delivered, a person clicking every b. Enough for the
    // rule to name b, were these counts judged.
    const early = await leadsOnBoth(first.env, 4, 'experiment-x', x);
    await sendNext(first.env, early);
    await deliverAndClick(first.env, early, ['b']);

    // Marketing ends X and declares Y on the same step (a deploy: the same table). Y's leads, delivered, no clicks.
    const second = withExperimentId(first.env, 'subject-y');
    const y = second.experiment;
    const env = second.env;
    const later = await leadsOnBoth(env, 2, 'experiment-y', y);
    await sendNext(env, later);
    await deliverAndClick(env, later, []);
    await dispatchDue(env.dispatch); // another run's decision, with Y's deliveries counted

    // Y's leads got their own assignment (no winner inherited from X), recorded as Y's.
    for (const { leadId, arm } of later)
      expect(await record(env, leadId)).toMatchObject({ arm, experimentTag: experimentTag(y.id) });
    const refY = { sequenceId: 'nurture', stepId: 'how-it-works', experiment: y };
    const refX = { ...refY, experiment: x };
    expect(await experiments(env).states([refX, refY])).toEqual({});

    // Y's rows: only Y's leads. X's counts are kept, apart.
    const on = (leads: readonly { arm: ArmId }[], arm: ArmId) => leads.filter((l) => l.arm === arm).length;
    const counts = await counters(env).read();
    const rows = (ref: typeof refY) =>
      armCounts(ref, counts).map(({ id, sent, delivered, clicked }) => ({ id, sent, delivered, clicked }));
    expect(rows(refY)).toEqual([
      { id: 'a', sent: on(later, 'a'), delivered: on(later, 'a'), clicked: 0 },
      { id: 'b', sent: on(later, 'b'), delivered: on(later, 'b'), clicked: 0 },
    ]);
    expect(rows(refX)).toEqual([
      { id: 'a', sent: on(early, 'a'), delivered: on(early, 'a'), clicked: 0 },
      { id: 'b', sent: on(early, 'b'), delivered: on(early, 'b'), clicked: on(early, 'b') },
    ]);
    // The report (npm run report, /admin) shows Y under the step, with Y's leads only.
    const report = reportFromCounts(counts, {
      now: env.clock.now(),
      sequences: env.dispatch.sequences,
      experimentStates: await experiments(env).list(),
    });
    const step = report.sequences
      .find((sq) => sq.sequenceId === 'nurture')!
      .steps.find((st) => st.stepId === 'how-it-works')!;
    expect(step.experiment).toMatchObject({
      experimentId: y.id,
      state: { status: 'running' },
      variants: [
        { variantId: 'a', sent: on(later, 'a'), clicked: 0 },
        { variantId: 'b', sent: on(later, 'b'), clicked: 0 },
      ],
    });
    // The recount from the raw items (`npm run report -- --rebuild`) agrees, experiment by experiment.
    const { differences, leadsOff } = await compareCounters(env);
    expect({ differences, leadsOff }).toEqual({ differences: [], leadsOff: [] });
  });

  it("a decided or stopped experiment's counts are not read by a dispatcher run (its state alone is); a running one's are", async () => {
    const env = await testEnv();
    const reads: string[] = [];
    const dynamo = dynamoClient(env.config);
    dynamo.middlewareStack.add(
      (next, context) => (args) => {
        // The sort key read, marshalled or not.
        const sk = (args.input as { Key?: { sk?: unknown } }).Key?.sk;
        const text = typeof sk === 'object' && sk !== null && 'S' in sk ? String(sk.S) : String(sk);
        if (context.commandName === 'GetItemCommand') reads.push(text);
        return next(args);
      },
      { step: 'initialize', name: 'countReads' },
    );
    const observed: TestEnv = {
      ...env,
      dispatch: {
        ...env.dispatch,
        experiments: new DynamoExperimentStore(dynamo, { tableName: env.config.TABLE_NAME, retentionDays: 0 }),
      },
    };
    const running = await leadsOnBoth(env, 1, 'reads-running');
    await sendNext(observed, running);
    expect(reads.sort()).toEqual([`EXPERIMENT#${EXPERIMENT.id}`, 'STEP#nurture#how-it-works']);

    const stop = { action: 'stop', experimentId: EXPERIMENT.id, reason: 'enough' } as const;
    const deps = { store: experiments(env), sequences: env.dispatch.sequences, now: env.clock.now() };
    expect(await runRequest(stop, deps)).toMatchObject({ code: 0 });
    reads.length = 0;
    const stopped = await leadsOnBoth(env, 1, 'reads-stopped');
    await sendNext(observed, stopped);
    expect(reads).toEqual([`EXPERIMENT#${EXPERIMENT.id}`]);
    // What it sends is the stop's: everyone gets a, the control.
    for (const { leadId } of stopped) expect(await record(env, leadId)).toMatchObject({ state: 'sent', arm: 'a' });
  });
});
