/**
 * The event store (port `EventStore`) on the one table: SES events, their rollups, and the suppression list.
 *
 * Items (pk, sk; formats in `lambdas/contract.ts`):
 *   LEAD#<leadId>, EVT#<eventId>     one per SES event (type, message id, sequence, step, time, link), written once;
 *                                    eventId is a hash of type, message id, time and link, so keys stay short
 *   LEAD#<leadId>, MSG#<seq>#<step>  the message's counters (`count<Type>`) and first times (`first<Type>At`)
 *   LEAD#<leadId>, PROFILE           the lead's rollups: deliveries, opens, clicks and the first time of each
 *   SUPPRESS#<normalised email>      an address that bounced or complained: never emailed again
 *
 * Access patterns:
 *   SES event          conditional Put of EVT# (a redelivered event stops here), then ADD to MSG#, a conditional SET
 *                      of its first time, and for Delivery, Open and Click the same two on LEAD# (only if it exists)
 *   suppression        Put SUPPRESS#; Get SUPPRESS# before any lead is created or emailed for that address
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { EventStore, SuppressionReason } from '../domain/ports.ts';
import type { EngagementEvent } from '../domain/ses-event.ts';
import { eventKey, leadKey, messageKey, suppressionKey } from './dynamo-keys.ts';
import { DynamoTable, type TableOptions } from './dynamo-table.ts';

/** Lead-level rollups: the first time each happened, and how often. */
const LEAD_ROLLUP: Partial<Record<EngagementEvent['type'], { first: string; count: string }>> = {
  Delivery: { first: 'firstDeliveredAt', count: 'deliveries' },
  Open: { first: 'firstOpenedAt', count: 'opens' },
  Click: { first: 'firstClickedAt', count: 'clicks' },
};

export class DynamoEventStore implements EventStore {
  private readonly table: DynamoTable;

  constructor(client: DynamoDBClient, options: Pick<TableOptions, 'tableName' | 'retentionDays'>) {
    this.table = new DynamoTable(client, options.tableName, options.retentionDays);
  }

  async recordEvent(event: EngagementEvent): Promise<false | { first: boolean }> {
    const { doc, name: tableName } = this.table;
    const at = new Date(event.at);
    try {
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...eventKey(event.leadId, event.eventId),
            type: 'event',
            eventType: event.type,
            messageId: event.messageId,
            sequenceId: event.sequenceId,
            stepId: event.stepId,
            at: event.at,
            link: event.link,
            expiresAt: this.table.expiry(at),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
    const count = `count${event.type}`;
    const first = `first${event.type}At`;
    // The count as it was before this ADD, in the same write: no count yet means the first of its type (the report
    // counts a lead once per step).
    const added = await doc.send(
      new UpdateCommand({
        TableName: tableName,
        Key: messageKey(event.leadId, event.sequenceId, event.stepId),
        UpdateExpression: 'ADD #count :one SET leadId = :lead, sequenceId = :seq, stepId = :step, messageId = :mid',
        ReturnValues: 'UPDATED_OLD',
        ExpressionAttributeNames: { '#count': count },
        ExpressionAttributeValues: {
          ':one': 1,
          ':lead': event.leadId,
          ':seq': event.sequenceId,
          ':step': event.stepId,
          ':mid': event.messageId,
        },
      }),
    );
    // Events arrive out of order: keep the earliest time, whichever lands first.
    await this.table.conditionalUpdate({
      Key: messageKey(event.leadId, event.sequenceId, event.stepId),
      UpdateExpression: 'SET #first = :at',
      ConditionExpression: 'attribute_not_exists(#first) OR #first > :at',
      ExpressionAttributeNames: { '#first': first },
      ExpressionAttributeValues: { ':at': event.at },
    });
    const rollup = LEAD_ROLLUP[event.type];
    if (rollup) {
      await this.table.conditionalUpdate({
        Key: leadKey(event.leadId),
        UpdateExpression: 'ADD #count :one',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#count': rollup.count },
        ExpressionAttributeValues: { ':one': 1 },
      });
      await this.table.conditionalUpdate({
        Key: leadKey(event.leadId),
        UpdateExpression: 'SET #first = :at',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#first) OR #first > :at)',
        ExpressionAttributeNames: { '#first': rollup.first },
        ExpressionAttributeValues: { ':at': event.at },
      });
    }
    return { first: !added.Attributes?.[count] };
  }

  async suppress(email: string, reason: SuppressionReason, at: Date): Promise<void> {
    await this.table.doc.send(
      new PutCommand({
        TableName: this.table.name,
        Item: { ...suppressionKey(email), type: 'suppression', reason, at: at.toISOString() },
      }),
    );
  }

  async suppressedAs(email: string): Promise<SuppressionReason | undefined> {
    const result = await this.table.doc.send(
      new GetCommand({ TableName: this.table.name, Key: suppressionKey(email), ConsistentRead: true }),
    );
    return result.Item?.reason as SuppressionReason | undefined;
  }
}
