/**
 * What one email costs in DynamoDB writes and AWS calls, counted (never timed) over one lead's whole nurture with the
 * SES events of each message. A write per email that came back (a separate in-flight mark, message record or event
 * item, a roll-up on the lead) fails this. The report's counters (`domain/counting.ts`) are written beside these, and
 * counted apart: what they add per email is asserted on its own. `npm run bench -- --only writes` measures the same
 * in write units.
 */
import { SendRawEmailCommand } from '@aws-sdk/client-ses';
import { describe, expect, it } from 'vitest';
import { dynamoClient } from '../../lambdas/adapters/clients.ts';
import { KEY_PREFIX } from '../../lambdas/contract.ts';
import { composeService } from '../../lambdas/compose.ts';
import { dispatchDue } from '../../lambdas/domain/dispatch.ts';
import type { Mailer, OutgoingEmail } from '../../lambdas/domain/ports.ts';
import { makeSesEventsRecorder } from '../../lambdas/handlers/ses-events.ts';
import { oneByOne, sqsEvent } from '../../local/sqs-batch.ts';
import { makeSignupHandler } from '../../lambdas/handlers/signup.ts';
import { experimentsOf } from '../../lambdas/domain/experiments.ts';
import { sesEventFor } from '../../local/engagement-feed.ts';
import { httpEvent, testEnv, uniqueEmail } from './harness.ts';

const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand']);
const COUNTER = 'counter:';

/**
 * The report's counters' own calls: their items (COUNT#report), a recount's write of a lead's `counted`, and a lead's
 * recount Query. The lead's own writes that carry its `counted` (its Put, the settle that ends it) are the lead's.
 */
function forCounters(input: Record<string, unknown>): boolean {
  const text = (value: unknown) =>
    typeof value === 'object' && value !== null && 'S' in value ? String(value.S) : String(value);
  const key = input.Key as { pk?: unknown; sk?: unknown } | undefined;
  if (key && text(key.pk).startsWith(KEY_PREFIX.counter)) return true;
  const names = Object.values((input.ExpressionAttributeNames as Record<string, string> | undefined) ?? {});
  return names.includes('counted');
}

describe('writes per email', () => {
  it.each([
    ['each SES event in a batch of its own', false],
    ['the SES events of each email in one batch', true],
  ])(
    'one lead’s whole nurture, %s: each email is one write to claim, one to settle and one SES call; each SES event kept is one write, and Send none',
    async (_, batched) => {
      const env = await testEnv();
      let phase: 'signup' | 'send' | 'events' = 'signup';
      const calls = { signup: [] as string[], send: [] as string[], events: [] as string[] };
      const dynamo = dynamoClient(env.config);
      dynamo.middlewareStack.add(
        (next, context) => (args) => {
          const counter = forCounters(args.input as Record<string, unknown>);
          calls[phase].push(`${counter ? COUNTER : ''}${context.commandName!}`);
          return next(args);
        },
        { step: 'initialize', name: 'countCalls' },
      );
      env.ses.middlewareStack.add(
        (next, context) => (args) => {
          calls[phase].push(context.commandName!);
          return next(args);
        },
        { step: 'initialize', name: 'countCalls' },
      );
      const wiring = composeService(env.config, { clock: env.clock, dynamo, ses: env.ses, sendRate: 1000 });
      const sent: { messageId: string; tags: OutgoingEmail['tags'] }[] = [];
      const mailer: Mailer = {
        async send(email) {
          const outcome = await wiring.dispatch.mailer.send(email);
          if (outcome.kind === 'sent') sent.push({ messageId: outcome.messageId, tags: email.tags });
          return outcome;
        },
      };
      const dispatch = { ...wiring.dispatch, mailer };
      const recordBatch = makeSesEventsRecorder(wiring);
      const recordEvent = oneByOne(recordBatch);
      const postEvents = async () => {
        phase = 'events';
        for (const { messageId, tags } of sent.splice(0)) {
          const at = env.clock.now();
          const events = (['Send', 'Delivery', 'Open'] as const).map((type) => sesEventFor(type, messageId, tags, at));
          // A person's click, an hour after the send (one seconds after the delivery would be a mail scanner's).
          const click = sesEventFor(
            'Click',
            messageId,
            tags,
            new Date(at.getTime() + 3_600_000),
            {
              link: 'https://clinic.example/book',
            },
            at,
          );
          // The Click twice: delivered again (EventBridge and SQS deliver at least once), refused by its condition.
          const outcomes = batched ? (await recordBatch(sqsEvent([...events, click, click]))).outcomes : [];
          if (!batched) for (const event of [...events, click, click]) outcomes.push(await recordEvent(event));
          expect(outcomes).toEqual(['recorded', 'recorded', 'recorded', 'recorded', 'duplicate']);
        }
      };

      const answer = await makeSignupHandler({ ...wiring, dispatch })(
        httpEvent('POST', '/signup', { body: { email: uniqueEmail('writes'), firstName: 'Noa', consent: true } }),
      );
      const leadId = JSON.parse(answer.body!).leadId as string;
      await postEvents();
      let runs = 0;
      for (let lead = await env.store.get(leadId); lead?.nextSendAt; lead = await env.store.get(leadId)) {
        env.clock.set(new Date(Math.max(env.clock.now().getTime(), Date.parse(lead.nextSendAt))));
        phase = 'send';
        expect(await dispatchDue(dispatch)).toMatchObject({ sent: 1 });
        runs++;
        await postEvents();
      }

      const emails = runs + 1;
      // A lead who clicks is never sent the check-in ("still useful?"): every other step, once each.
      expect(emails).toBe(env.dispatch.sequences.nurture!.steps.filter((step) => !step.checkIn).length);
      const count = (list: string[], pick: (name: string) => boolean) => list.filter(pick).length;
      const writes = (name: string) => WRITES.has(name);
      const counterWrites = (name: string) => name.startsWith(COUNTER) && WRITES.has(name.slice(COUNTER.length));
      const own = (list: string[]) => list.filter((name) => !name.startsWith(COUNTER));
      // Sign-up: its address and its lead, then the welcome as any send.
      expect(count(calls.signup, writes)).toBe(2 + 2);
      expect(count(calls.signup, (name) => name === SendRawEmailCommand.name)).toBe(1);
      // Each dispatcher run: the due index's pages (one Query per shard), then the claim, SES, the settle. No reads of
      // the lead. Every shard listed all it had due, so that read is the run's only one (domain/due-queue.ts): what
      // comes due later is the next run's. It is the run's, not the email's: a run with many leads due makes it once.
      const indexReads = env.config.DUE_SHARDS;
      expect(count(calls.send, writes)).toBe(2 * runs);
      expect(count(calls.send, (name) => name === SendRawEmailCommand.name)).toBe(runs);
      expect(count(calls.send, (name) => name === 'QueryCommand')).toBe(indexReads * runs);
      expect(own(calls.send)).toHaveLength((indexReads + 3) * runs);
      // Events: Delivery, Open and Click one write each (the replayed Click one more, refused), and the person's click
      // one more on the lead (its `humanClicks`); Send none. Each reads the lead's partition once to check the message
      // is ours.
      expect(count(calls.events, writes)).toBe(5 * emails);
      expect(count(calls.events, (name) => name === 'QueryCommand')).toBe(5 * emails);
      expect(own(calls.events)).toHaveLength(10 * emails);
      // The report's counters on top, with no read on the send path. Sign-up: the lead totals (the lead's own count
      // rides on its Put), then the welcome's step counter. Each run: its step's counter; the last one also ends the
      // lead (its own count rides on the settle; the lead totals). Events: Delivery, Open and Click each the step's counter, once per batch (one batch per event, or
      // one per email: a batch writes each counter item it touched once), and a Click recounts the lead (one Query;
      // unchanged, so no write).
      const counterWritesPerEmail = batched ? 1 : 3;
      expect(count(calls.signup, counterWrites)).toBe(2);
      expect(count(calls.send, counterWrites)).toBe(runs + 1);
      // And each run reads the subject-line experiments beside the counters: per running experiment, its state and its
      // step's counter item (GetItem each), whatever is due; no write unless one is decided.
      const experimentReads = 2 * experimentsOf(env.dispatch.sequences).length;
      expect(experimentReads).toBe(2);
      expect(count(calls.send, (name) => name === `${COUNTER}GetItemCommand`)).toBe(experimentReads * runs);
      expect(calls.send.filter((name) => name.startsWith(COUNTER))).toHaveLength(runs + 1 + experimentReads * runs);
      expect(count(calls.events, counterWrites)).toBe(counterWritesPerEmail * emails);
      expect(count(calls.events, (name) => name === `${COUNTER}QueryCommand`)).toBe(emails);
      expect(calls.events.filter((name) => name.startsWith(COUNTER))).toHaveLength(
        (counterWritesPerEmail + 1) * emails,
      );
    },
  );
});
