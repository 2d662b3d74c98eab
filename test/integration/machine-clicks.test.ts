/**
 * Machine clicks through the real path: a lead signs up (its welcome goes through SES with our message tags, ids only;
 * how many links SES tracks in it goes on the lead's record of the send), and SES events built from AWS's sample records (test/fixtures/ses-events/) with those tags
 * reach the SES-events handler in SQS batches, as in AWS. What the report shows (its counters, kept at write time,
 * and the recount `npm run report -- --rebuild` makes) and what the lead's `humanClicks` hold are checked.
 */
import { describe, expect, it } from 'vitest';
import { dynamoClient } from '../../lambdas/adapters/clients.ts';
import { DynamoReportCounters } from '../../lambdas/adapters/dynamo-report-counters.ts';
import { sesEventsDeps } from '../../lambdas/compose.ts';
import { SEQUENCE_IDS } from '../../lambdas/contract.ts';
import { reportFromCounts, type StepFunnel } from '../../lambdas/domain/report.ts';
import { makeBookingHandler } from '../../lambdas/handlers/booking.ts';
import { makeSesEventsRecorder } from '../../lambdas/handlers/ses-events.ts';
import { oneByOne, sqsEvent } from '../../local/sqs-batch.ts';
import { inEnvelope, recordOf, SES_EVENT_SAMPLES } from '../fixtures/ses-events/index.ts';
import { compareCounters } from '../support/report-compare.ts';
import { bookingEvent, signUp, testEnv, uniqueEmail, type TestEnv } from './harness.ts';

const SECOND = 1000;
const HOUR = 3_600_000;
/** What AWS's sample click carries: a desktop Chrome at a documentation address. */
const { userAgent: CHROME } = recordOf(SES_EVENT_SAMPLES.find((s) => s.file === 'click.json')!).click as {
  userAgent: string;
};
const GOOGLE_SAFETY =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.182 Safari/537.36 (compatible; Google-Safety; +http://www.google.com/bot.html)';

const counters = (env: TestEnv) =>
  new DynamoReportCounters(dynamoClient(env.config), { tableName: env.config.TABLE_NAME, retentionDays: 0 });

/** A lead who signed up, the SES events of its welcome, and what the report says. */
async function setUp(label: string, env?: TestEnv) {
  env ??= await testEnv();
  const leadId = await signUp(env, { email: uniqueEmail(label) });
  const [message] = await env.store.messages(leadId);
  const request = env.sesRequests.find((r) => r.Tags?.some((t) => t.Name === 'leadId' && t.Value === leadId))!;
  // The message tags as SES passes them on in every event of the message: ours, ids only.
  const tags = Object.fromEntries(request.Tags!.map((tag) => [tag.Name!, [tag.Value!]]));
  // How many links SES tracks in the welcome: what the lead's record of the send says.
  const links = message!.links!;
  const sentAt = message!.at.getTime();

  /** AWS's sample record of this type for the welcome, `ms` after the send. */
  const sesEvent = (type: 'Delivery' | 'Click', ms: number, click: { link?: string; userAgent?: string } = {}) => {
    const sample = SES_EVENT_SAMPLES.find((s) => s.file === `${type.toLowerCase()}.json`)!;
    const record = recordOf(sample);
    record.mail.messageId = message!.messageId!;
    record.mail.timestamp = new Date(sentAt).toISOString();
    record.mail.tags = { ...record.mail.tags, ...tags };
    const section = record[type.toLowerCase()] as Record<string, unknown>;
    section.timestamp = new Date(sentAt + ms).toISOString();
    if (type === 'Click') Object.assign(section, { userAgent: CHROME, ...click });
    return inEnvelope(sample, record);
  };
  /** A click on the email's `n`th link (the cost page's carries `utm_content=cost`). */
  const click = (ms: number, n: number, userAgent?: string) =>
    sesEvent('Click', ms, {
      link: n === 1 ? 'https://clinic.example/cost?utm_content=cost' : `https://clinic.example/page-${n}`,
      ...(userAgent && { userAgent }),
    });
  const recorder = makeSesEventsRecorder(env);
  const batch = async (events: unknown[]) => (await recorder(sqsEvent(events))).outcomes;
  const welcome = async (): Promise<StepFunnel> => {
    const counts = await counters(env).read();
    const report = reportFromCounts(counts, { now: env.clock.now(), sequences: env.dispatch.sequences });
    return report.sequences.find((s) => s.sequenceId === SEQUENCE_IDS.nurture)!.steps[0]!;
  };
  const humanClicks = async () => (await env.store.get(leadId))?.humanClicks;
  /** The counters and the recount from the raw items agree, lead by lead. */
  const agree = async () => {
    const { differences, leadsOff } = await compareCounters(env);
    expect({ differences, leadsOff }).toEqual({ differences: [], leadsOff: [] });
  };
  return { env, leadId, links, tags, sesEvent, click, batch, welcome, humanClicks, agree };
}

describe('machine clicks, through the SES-events handler', () => {
  it('the welcome\'s record keeps how many links SES tracks in it, for "every link"; its SES tags carry ids only', async () => {
    const { links, tags } = await setUp('links');
    expect(links).toBeGreaterThanOrEqual(2);
    expect(Object.keys(tags).sort()).toEqual(['leadId', 'sequenceId', 'stepId']);
  });

  it("a scanner's burst seconds after delivery shows as machine clicks in the report, leaves humanClicks empty and earns no booking", async () => {
    const t = await setUp('scanner');
    const burst = Array.from({ length: t.links }, (_, n) => t.click(3 * SECOND + n * 50, n));
    expect(await t.batch([t.sesEvent('Delivery', 1.5 * SECOND), ...burst])).toEqual(
      Array(t.links + 1).fill('recorded'),
    );
    expect(await t.welcome()).toMatchObject({ clicked: 0, machineClicked: 1, clickRate: 0 });
    expect(await t.humanClicks()).toBeUndefined();

    // The lead books later: not after a click of theirs.
    t.env.clock.advance(2 * HOUR);
    await makeBookingHandler(t.env)(
      bookingEvent({ leadId: t.leadId, appointmentAt: '2026-03-20T10:00:00-06:00', status: 'booked' }),
    );
    const counts = await counters(t.env).read();
    expect(counts['lead/afterClick'] ?? 0).toBe(0);
    expect(counts['lead/withoutClick']).toBe(1);
    await t.agree();
  });

  it("a person's click hours later counts as clicked and adds the step and its named link to humanClicks, once", async () => {
    const t = await setUp('person');
    expect(await t.batch([t.sesEvent('Delivery', 1.5 * SECOND), t.click(5 * HOUR, 1)])).toEqual([
      'recorded',
      'recorded',
    ]);
    expect(await t.humanClicks()).toEqual(['welcome', 'welcome:cost']);
    expect(await t.batch([t.click(5 * HOUR + 60 * SECOND, 1), t.click(6 * HOUR, 0)])).toEqual(['recorded', 'recorded']);
    expect(await t.humanClicks()).toEqual(['welcome', 'welcome:cost']);
    expect(await t.welcome()).toMatchObject({ clicked: 1, machineClicked: 0 });
    await t.agree();
  });

  it('a burst over every link, recognised only at its last click, takes its earlier clicks back from humanClicks and the counters; the burst delivered again changes nothing', async () => {
    const t = await setUp('late-burst');
    await t.batch([t.sesEvent('Delivery', 1.5 * SECOND)]);
    const burst = Array.from({ length: t.links }, (_, n) => t.click(2 * HOUR + n * 300, n));
    // One event a batch, as they trickle in: after the first click, it could still be a person's.
    expect(await t.batch([burst[1]])).toEqual(['recorded']);
    expect(await t.humanClicks()).toEqual(['welcome', 'welcome:cost']);
    expect(await t.welcome()).toMatchObject({ clicked: 1, machineClicked: 0 });
    for (const event of burst.slice(2)) await t.batch([event]);
    expect(await t.batch([burst[0]])).toEqual(['recorded']);
    expect(await t.humanClicks()).toBeUndefined();
    expect(await t.welcome()).toMatchObject({ clicked: 0, machineClicked: 1 });

    const lead = await t.env.store.get(t.leadId);
    const report = await t.welcome();
    expect(await t.batch(burst)).toEqual(Array(t.links).fill('duplicate'));
    expect(await t.env.store.get(t.leadId)).toEqual(lead);
    expect(await t.welcome()).toEqual(report);
    await t.agree();
  });

  it("a Delivery arriving after the clicks (a gateway that took 30 seconds) turns a click 4 seconds after it into a machine's", async () => {
    const t = await setUp('late-delivery');
    expect(await t.batch([t.click(34 * SECOND, 1)])).toEqual(['recorded']);
    // 34 seconds after the send, with no delivery known: a person's, for now.
    expect(await t.humanClicks()).toEqual(['welcome', 'welcome:cost']);
    expect(await t.batch([t.sesEvent('Delivery', 30 * SECOND)])).toEqual(['recorded']);
    expect(await t.humanClicks()).toBeUndefined();
    expect(await t.welcome()).toMatchObject({ clicked: 0, machineClicked: 1, delivered: 1 });
    await t.agree();
  });

  it("a known scanner's user agent is a machine's whenever it clicks", async () => {
    const t = await setUp('google-safety');
    await t.batch([t.sesEvent('Delivery', 1.5 * SECOND), t.click(9 * HOUR, 1, GOOGLE_SAFETY)]);
    expect(await t.humanClicks()).toBeUndefined();
    expect(await t.welcome()).toMatchObject({ clicked: 0, machineClicked: 1 });
    await t.agree();
  });

  it("a click whose change to humanClicks failed after it was recorded is finished by SQS's retry, which counts nothing again", async () => {
    const env = await testEnv();
    const dynamo = dynamoClient(env.config);
    let failures = 1;
    dynamo.middlewareStack.add(
      (next, context) => async (args) => {
        const expression = (args.input as { UpdateExpression?: string }).UpdateExpression ?? '';
        if (context.commandName === 'UpdateItemCommand' && expression.includes('humanClicks') && failures-- > 0)
          throw Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' });
        return next(args);
      },
      { step: 'initialize', name: 'throttleHumanClicks' },
    );
    const t = await setUp('retried', env);
    const record = oneByOne(makeSesEventsRecorder(sesEventsDeps(env.config, { clock: env.clock, dynamo })));
    const click = t.click(5 * HOUR, 1);
    await expect(record(click)).rejects.toThrow();
    expect(await t.humanClicks()).toBeUndefined();
    expect(await record(click)).toBe('duplicate');
    expect(await t.humanClicks()).toEqual(['welcome', 'welcome:cost']);
    expect(await t.welcome()).toMatchObject({ clicked: 1, machineClicked: 0 });
    await t.agree();
  });
});
