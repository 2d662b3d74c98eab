/**
 * The event store (port `EventStore`) on the one table: what SES events tell about each message, and the suppression
 * list.
 *
 * Items (pk, sk; formats in `lambdas/contract.ts`):
 *   LEAD#<leadId>, MSG#<seq>#<step>  the message's SES id, the first time of each event type (`first<Type>At`:
 *                                    Delivery, Open, Bounce, Complaint…) and every Click's time (`clickTimes`, a
 *                                    string set, for the report's click-before-booking attribution). Created by
 *                                    the first event; the send's own record is on the lead item (`dynamo-lead-item.ts`)
 *   SUPPRESS#<normalised email>      an address that bounced or complained: never emailed again
 *   ERASED#<keyed hash of the email> an erased address that bounced, complained or unsubscribed (`dynamo-privacy.ts`)
 *
 * Access patterns:
 *   SES event          one conditional UpdateItem on MSG#, idempotent by its own condition: the message id is the
 *                      one already there (or none yet), and the event's time is earlier than the one kept for its
 *                      type (a Click: not among the click times). A redelivered event changes nothing. The write
 *                      returns what it replaced (UPDATED_OLD), so it also tells whether this is the first event of
 *                      its type on the message, for the report's counters (`domain/counting.ts`).
 *   suppression        Put SUPPRESS#; Get SUPPRESS# before any lead is created or emailed for that address, and,
 *                      where the store has the address key (sign-up, booking), Get ERASED#<hash> with it, in parallel
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { EventStore, SuppressionReason } from '../domain/ports.ts';
import type { EngagementEvent } from '../domain/ses-event.ts';
import { addressHash, type AddressKey } from '../domain/privacy.ts';
import { erasedKey, messageKey, suppressionKey } from './dynamo-keys.ts';
import { DynamoTable, type TableOptions } from './dynamo-table.ts';

export class DynamoEventStore implements EventStore {
  private readonly table: DynamoTable;
  private readonly addressKey: AddressKey | undefined;

  /** `addressKey`: for `suppressedAs` to find erased addresses too; a store that never asks needs none. */
  constructor(
    client: DynamoDBClient,
    options: Pick<TableOptions, 'tableName' | 'retentionDays'> & { addressKey?: AddressKey },
  ) {
    this.table = new DynamoTable(client, options.tableName, options.retentionDays);
    this.addressKey = options.addressKey;
  }

  async recordEvent(event: EngagementEvent): Promise<false | { first: boolean }> {
    const click = event.type === 'Click';
    const set = ['messageId = if_not_exists(messageId, :mid)', 'expiresAt = if_not_exists(expiresAt, :expires)'];
    if (!click) set.push('#first = :at');
    try {
      const { Attributes: old } = await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: messageKey(event.leadId, event.sequenceId, event.stepId),
          UpdateExpression: `SET ${set.join(', ')}${click ? ' ADD clickTimes :clicks' : ''}`,
          // Events arrive out of order and more than once: keep the earliest of each type, and each click once.
          ConditionExpression: `(attribute_not_exists(messageId) OR messageId = :mid) AND ${
            click ? 'NOT contains(clickTimes, :at)' : '(attribute_not_exists(#first) OR #first > :at)'
          }`,
          ...(!click && { ExpressionAttributeNames: { '#first': `first${event.type}At` } }),
          ExpressionAttributeValues: {
            ':mid': event.messageId,
            ':at': event.at,
            ':expires': this.table.expiry(new Date(event.at)),
            ...(click && { ':clicks': new Set([event.at]) }),
          },
          // What this write replaced: no earlier time of this type (no click time at all) means the first of its type
          // on the message, decided by the same write that records it (the report counts a lead once per step).
          ReturnValues: 'UPDATED_OLD',
        }),
      );
      return { first: click ? old?.clickTimes === undefined : old?.[`first${event.type}At`] === undefined };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
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
    const keys = [suppressionKey(email), ...(this.addressKey ? [erasedKey(addressHash(this.addressKey, email))] : [])];
    const found = await Promise.all(
      keys.map((key) =>
        this.table.doc.send(new GetCommand({ TableName: this.table.name, Key: key, ConsistentRead: true })),
      ),
    );
    return found.find((result) => result.Item)?.Item?.reason as SuppressionReason | undefined;
  }
}
