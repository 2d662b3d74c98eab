/**
 * SES events as the SES-events Lambda receives them in AWS: EventBridge envelopes, each the JSON body of one SQS
 * message, handed over in batches by Lambda's SQS event source. The record's shape is the one in AWS's Lambda
 * developer guide ("Example Amazon SQS message event (standard queue)").
 */
import { createHash, randomUUID } from 'node:crypto';
import type { SQSEvent, SQSRecord } from 'aws-lambda';

/** A queue ARN in the account AWS's documentation uses; locally there is no queue. */
const QUEUE_ARN = 'arn:aws:sqs:us-east-1:123456789012:nurture-local-ses-events';

/** One SQS record per envelope (its body the envelope as JSON, as EventBridge writes it), in one batch. */
export function sqsEvent(envelopes: unknown[], sentAt = new Date()): SQSEvent {
  return { Records: envelopes.map((envelope) => sqsRecord(JSON.stringify(envelope) ?? 'null', sentAt)) };
}

/** One SQS record with this body as it is (a test's malformed body, say). */
export function sqsRecord(body: string, sentAt = new Date()): SQSRecord {
  const sent = String(sentAt.getTime());
  return {
    messageId: randomUUID(),
    receiptHandle: `local-${randomUUID()}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: sent,
      SenderId: 'AIDAIENQZJOLO23YVJ4VO',
      ApproximateFirstReceiveTimestamp: sent,
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: QUEUE_ARN,
    awsRegion: 'us-east-1',
  };
}

/**
 * Each envelope as a batch of its own (the low-volume case: one event per invocation), answering what became of it:
 * for callers that feed events one at a time (the local engagement feed's tracking routes, tests).
 */
export function oneByOne<R>(record: (event: SQSEvent) => Promise<{ outcomes: R[] }>) {
  return async (envelope: unknown): Promise<R> => (await record(sqsEvent([envelope]))).outcomes[0]!;
}
