/**
 * The SES-event handler against AWS's own sample events (test/fixtures/ses-events/, verbatim from the SES developer
 * guide, in EventBridge's envelope), not against events we wrote. Each sample is delivered as SES would for a message
 * we sent: the same record, with our message tags among its tags (SES publishes every message tag there) and the
 * lead's message carrying the sample's message id. What was recorded is read back from the table.
 */
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { dynamoClient } from '../../lambdas/adapters/clients.ts';
import { messageKey } from '../../lambdas/adapters/dynamo-keys.ts';
import { linkKey } from '../../lambdas/domain/machine-clicks.ts';
import { makeSesEventsRecorder } from '../../lambdas/handlers/ses-events.ts';
import { oneByOne } from '../../local/sqs-batch.ts';
import type { Lead } from '../../lambdas/domain/lead.ts';
import { inEnvelope, recordOf, SES_EVENT_SAMPLES, type SesEventSample } from '../fixtures/ses-events/index.ts';
import { recordSent, seedDueLeads } from '../support/seed.ts';
import { testEnv } from './harness.ts';

/** What each sample must record: its type as stored, its time (the event's own, else the message's), its effect. */
const EXPECTED: Record<string, { type: string; at: string; stops?: 'bounced' | 'complained'; link?: string }> = {
  'send.json': { type: 'Send', at: '2016-10-14T05:02:16.645Z' },
  'delivery.json': { type: 'Delivery', at: '2016-10-19T23:21:04.133Z' },
  'open.json': { type: 'Open', at: '2017-08-09T22:00:19.652Z' },
  'click.json': {
    type: 'Click',
    at: '2017-08-09T23:51:25.570Z',
    link: 'http://docs.aws.amazon.com/ses/latest/DeveloperGuide/send-email-smtp.html',
  },
  'bounce.json': { type: 'Bounce', at: '2017-08-05T00:41:02.669Z', stops: 'bounced' },
  'complaint.json': { type: 'Complaint', at: '2017-08-05T00:41:02.669Z', stops: 'complained' },
  'reject.json': { type: 'Reject', at: '2016-10-14T17:38:15.211Z' },
  'delivery-delay.json': { type: 'DeliveryDelay', at: '2020-06-16T00:25:40.095Z' },
  'rendering-failure.json': { type: 'RenderingFailure', at: '2018-01-22T18:43:06.197Z' },
};

const env = await testEnv();
const handle = oneByOne(makeSesEventsRecorder(env));
const doc = DynamoDBDocumentClient.from(dynamoClient(env.config));
const leads = new Map<string, Lead>();

beforeAll(async () => {
  const seeded = await seedDueLeads(env, SES_EVENT_SAMPLES.length, 'sample');
  for (const [i, sample] of SES_EVENT_SAMPLES.entries()) {
    const lead = seeded[i]!;
    leads.set(sample.file, lead);
    // The lead was sent its welcome, and SES accepted it under the sample's message id.
    await recordSent(env, lead.leadId, {
      sequenceId: 'nurture',
      stepId: 'welcome',
      at: new Date(sample.record.mail.timestamp),
      messageId: sample.record.mail.messageId,
    });
  }
});

/** The sample as SES publishes it for our message to this lead: the record as printed, plus our message tags. */
function forOurMessage(sample: SesEventSample, lead: Lead) {
  const record = recordOf(sample);
  Object.assign(record.mail.tags, { leadId: [lead.leadId], sequenceId: ['nurture'], stepId: ['welcome'] });
  return inEnvelope(sample, record);
}

/** What is stored of the lead's welcome besides the send's own record: what SES events told of it. */
const eventsOf = async (leadId: string) => (await item(messageKey(leadId, 'nurture', 'welcome'))) ?? {};

const item = async (key: Record<string, string>) =>
  (await doc.send(new GetCommand({ TableName: env.config.TABLE_NAME, Key: key, ConsistentRead: true }))).Item;

describe("AWS's sample SES events, through the handler", () => {
  it('there is a sample, and an expectation, for every event type we can get from the guide', () => {
    expect(SES_EVENT_SAMPLES.map((sample) => sample.file).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(SES_EVENT_SAMPLES.map((sample) => [sample.record.eventType, sample] as const))(
    "a %s event for a message we sent is recorded once, at the event's time, with its effect on the lead",
    async (_type, sample) => {
      const lead = leads.get(sample.file)!;
      const expected = EXPECTED[sample.file]!;

      expect(await handle(forOurMessage(sample, lead))).toBe('recorded');
      if (expected.type === 'Send') {
        // SES accepting the message is what the lead's record of the send already says: nothing more is written.
        expect(await handle(forOurMessage(sample, lead))).toBe('recorded');
        expect(await eventsOf(lead.leadId)).toEqual({});
      } else {
        expect(await handle(forOurMessage(sample, lead))).toBe('duplicate'); // EventBridge delivers at least once
        expect(await eventsOf(lead.leadId)).toMatchObject({
          messageId: sample.record.mail.messageId,
          ...(expected.type === 'Click'
            ? {
                // AWS's sample click: 80 seconds after the send, from a desktop Chrome at 192.0.2.1, a person's. Kept
                // as its time and a fingerprint of its link: never the URL, the user agent or the IP address.
                clicks: new Set([`${expected.at}|${linkKey(expected.link!)}||`]),
                sentAt: sample.record.mail.timestamp,
              }
            : { [`first${expected.type}At`]: expected.at }),
        });
        if (expected.type === 'Click') {
          const text = JSON.stringify([...((await eventsOf(lead.leadId)).clicks as Set<string>)]);
          for (const personal of ['192.0.2.1', 'Chrome', 'docs.aws.amazon.com']) expect(text).not.toContain(personal);
          expect((await env.store.get(lead.leadId))?.humanClicks).toEqual(['welcome']);
        }
      }

      const stored = await env.store.get(lead.leadId);
      expect(stored?.status).toBe(expected.stops ?? 'active');
      expect(await env.events.suppressedAs(lead.email)).toBe(expected.stops);
    },
  );

  it.each(SES_EVENT_SAMPLES.map((sample) => [sample.record.eventType, sample] as const))(
    'a %s event exactly as printed (no message tags of ours) is skipped and changes nothing',
    async (_type, sample) => {
      const lead = leads.get(sample.file)!;
      const before = await eventsOf(lead.leadId);
      expect(await handle(inEnvelope(sample))).toBe('skipped');
      expect(await eventsOf(lead.leadId)).toEqual(before);
    },
  );
});
