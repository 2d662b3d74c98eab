/**
 * SES events, in batches from the SQS queue the configuration set's EventBridge rule fills: each recorded, counted and
 * acted on, and the report's counters written once per batch.
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import {
  eachRecord,
  lambdaEntry,
  loadSesEventsConfig,
  sesEventsDeps,
  type SesEventsConfig,
} from '../compose/ses-events.ts';
import { recordEngagement, type EngagementDeps, type EngagementResult } from '../domain/engagement.ts';
import type { Counting } from '../domain/counting.ts';
import type { Clock, EventStore, LeadStore, Log } from '../domain/ports.ts';

export interface SesEventsHandlerDeps {
  /** Records the event on its message; a bounce or complaint also suppresses the address. */
  events: EventStore;
  /** Stops the lead on a permanent bounce or a complaint. */
  store: LeadStore;
  clock: Clock;
  log: Log;
  config: Pick<SesEventsConfig, 'SES_TIMEOUT_SECONDS'>;
  /** The report's counters: gathered across a batch, written once at its end. */
  counting?: Counting;
}

/** What became of each record of a batch, in the batch's order: `failed` is retried by SQS alone. */
export type RecordOutcome = EngagementResult | 'failed';

export interface BatchOutcome {
  /** What Lambda hands back to SQS: the failed records' message ids, which SQS delivers again. */
  response: SQSBatchResponse;
  outcomes: RecordOutcome[];
}

/**
 * Record a batch, one record after another (events of one lead in one batch stay in order, and its recounts do not
 * race each other). A record that throws (DynamoDB unreachable, throttled) is reported failed and retried alone; the
 * others are not done again. A body that is not an SES event is logged by its message id and position, and dropped:
 * retrying it would never make it one.
 *
 * The counters are written once, after the batch, whatever its records came to. Each count is tied to the write that
 * recorded its event as new, so a redelivered record (a failed one, or the whole batch after a timeout) finds its
 * event already there and counts nothing again. A flush that fails keeps its deltas for the next batch of this
 * container (`Counting.flush`); it does not fail the batch, since a retry would only find every event recorded and
 * count nothing. Counts a container takes with it are repaired by `npm run report -- --rebuild`.
 */
export function makeSesEventsRecorder({ store, events, clock, log, config, counting }: SesEventsHandlerDeps) {
  const deps: EngagementDeps = {
    store,
    events,
    clock,
    log,
    sendTimeoutMs: config.SES_TIMEOUT_SECONDS * 1000,
    counting,
  };
  return async (event: SQSEvent): Promise<BatchOutcome> => {
    const records = event.Records;
    const outcomes: RecordOutcome[] = records.map(() => 'failed');
    const positions = new Map(records.map((record, position) => [record.messageId, position]));
    try {
      const response = await eachRecord(event, async (record: SQSRecord) => {
        const position = positions.get(record.messageId)!;
        try {
          const body = envelopeOf(record);
          if (!body.ok) {
            log.warn('SES event skipped: the message body is not JSON', { messageId: record.messageId, position });
            outcomes[position] = 'skipped';
            return;
          }
          outcomes[position] = await recordEngagement(deps, body.envelope);
        } catch (error) {
          log.error('SES event not recorded: SQS delivers it again', {
            messageId: record.messageId,
            position,
            error: error instanceof Error ? error.name : 'unknown',
          });
          throw error;
        }
      });
      return { response, outcomes };
    } finally {
      await counting?.flush();
    }
  };
}

/** The Lambda's handler: the batch's failed records for SQS to deliver again (`reportBatchItemFailures`). */
export function makeSesEventsHandler(deps: SesEventsHandlerDeps) {
  const record = makeSesEventsRecorder(deps);
  return async (event: SQSEvent): Promise<SQSBatchResponse> => (await record(event)).response;
}

/** The EventBridge envelope a record carries (its body, as JSON), checked as an SES event by `recordEngagement`. */
function envelopeOf(record: SQSRecord): { ok: true; envelope: unknown } | { ok: false } {
  try {
    return { ok: true, envelope: JSON.parse(record.body) as unknown };
  } catch {
    return { ok: false };
  }
}

/**
 * Lambda entry point (SQS event source of the SES events queue). It reads no secret: recording an event and stopping
 * a lead sign no link, so it gets only the table's settings and the SES timeout.
 */
export const handler = lambdaEntry(
  (config) => makeSesEventsHandler(sesEventsDeps(config)),
  () => loadSesEventsConfig(),
);
