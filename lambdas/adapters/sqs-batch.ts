/**
 * A batch from Lambda's SQS event source, through Powertools' batch utility: each record handled in turn, and the
 * records whose handling threw reported by message id (`reportBatchItemFailures`), so SQS delivers those again and
 * the others are not. A batch whose every record failed throws, and SQS delivers it all again.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

export async function eachRecord(
  event: SQSEvent,
  handle: (record: SQSRecord) => Promise<void>,
): Promise<SQSBatchResponse> {
  // A processor per batch: it holds the batch's state, and the local runtime calls one handler from several places.
  return processPartialResponse(event, handle, new BatchProcessor(EventType.SQS), { processInParallel: false });
}
