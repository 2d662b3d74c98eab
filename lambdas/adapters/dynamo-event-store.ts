/**
 * The event store (port `EventStore`) on the one table: what SES events tell about each message, and the suppression
 * list.
 *
 * Items (pk, sk; formats in `lambdas/contract.ts`):
 *   LEAD#<leadId>, MSG#<seq>#<step>  the message's SES id, the first time of each event type (`first<Type>At`:
 *                                    Delivery, Open, Bounce, Complaint…) and every Click (`clicks`, a string set:
 *                                    its time, a fingerprint of its link, the link's name and a scanner's mark; with
 *                                    `sentAt`, `dynamo-click-item.ts`), which the rules judge a person's or a
 *                                    machine's whenever they are read, with the link count the lead's record of the
 *                                    send holds. Created by the first event; the send's
 *                                    own record is on the lead item (`dynamo-lead-item.ts`)
 *   LEAD#<leadId>, PROFILE           the lead's `humanClicks` (a string set): the steps, and their named links, a
 *                                    person clicked (`setHumanClicks`)
 *   SUPPRESS#<normalised email>      an address that bounced or complained: never emailed again
 *   ERASED#<keyed hash of the email> an erased address that bounced, complained or unsubscribed (`dynamo-privacy.ts`)
 *
 * Access patterns:
 *   SES event          one conditional UpdateItem on MSG#, idempotent by its own condition: the message id is the
 *                      one already there (or none yet), and the event's time is earlier than the one kept for its
 *                      type (a Click: not among the clicks). A redelivered event changes nothing. The write
 *                      returns the item as it found it (ALL_OLD), so it also tells whether this is the first event of
 *                      its type on the message, for the report's counters (`domain/counting.ts`), and, for a Click or
 *                      a Delivery, how the message's clicks were judged before it
 *   human clicks       an UpdateItem of the lead (ADD, or DELETE for clicks judged a machine's later) only when a
 *                      click changes the step's entries: a step's first human click, a named link's first
 *   suppression        Put SUPPRESS#; Get SUPPRESS# before any lead is created or emailed for that address, and,
 *                      where the store has the address key (sign-up, booking), Get ERASED#<hash> with it, in parallel
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { EventStore, SuppressionReason } from '../domain/ports.ts';
import type { EngagementEvent } from '../domain/ses-event.ts';
import { addressHash, type AddressKey } from '../domain/privacy.ts';
import type { MessageClicks } from '../domain/machine-clicks.ts';
import { clickEntry, CLICKS_ATTRIBUTE, messageClicks } from './dynamo-click-item.ts';
import { erasedKey, leadKey, messageKey, suppressionKey } from './dynamo-keys.ts';
import { HUMAN_CLICKS } from './dynamo-lead-item.ts';
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

  async recordEvent(event: EngagementEvent): Promise<false | { first: boolean; before?: MessageClicks }> {
    const click = event.type === 'Click' && event.click;
    const set = ['messageId = if_not_exists(messageId, :mid)', 'expiresAt = if_not_exists(expiresAt, :expires)'];
    const values: Record<string, unknown> = {
      ':mid': event.messageId,
      ':expires': this.table.expiry(new Date(event.at)),
    };
    if (click) {
      // What the rules judge the click against, from the event itself: the first click writes it. (The link count is
      // the lead's record of the send, `MessageRecord.links`.)
      set.push('sentAt = if_not_exists(sentAt, :sent)');
      values[':sent'] = event.sentAt;
      values[':click'] = clickEntry(click);
      values[':clicks'] = new Set([clickEntry(click)]);
    } else {
      set.push('#first = :at');
      values[':at'] = event.at;
    }
    try {
      const { Attributes: old } = await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: messageKey(event.leadId, event.sequenceId, event.stepId),
          UpdateExpression: `SET ${set.join(', ')}${click ? ` ADD ${CLICKS_ATTRIBUTE} :clicks` : ''}`,
          // Events arrive out of order and more than once: keep the earliest of each type, and each click once.
          ConditionExpression: `(attribute_not_exists(messageId) OR messageId = :mid) AND ${
            click ? `NOT contains(${CLICKS_ATTRIBUTE}, :click)` : '(attribute_not_exists(#first) OR #first > :at)'
          }`,
          ...(!click && { ExpressionAttributeNames: { '#first': `first${event.type}At` } }),
          ExpressionAttributeValues: values,
          // The item as this write found it: no earlier time of this type (no click at all) means the first of its
          // type on the message, and its clicks and delivery time are what the rules judged before this event. Both
          // decided by the write that records it (the report counts a lead once per step).
          ReturnValues: 'ALL_OLD',
        }),
      );
      const first = click ? old?.[CLICKS_ATTRIBUTE] === undefined : old?.[`first${event.type}At`] === undefined;
      return click || event.type === 'Delivery' ? { first, before: messageClicks(old) } : { first };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async setHumanClicks(leadId: string, change: { add: string[]; remove: string[] }): Promise<void> {
    // One write each: DynamoDB refuses an ADD and a DELETE of the same attribute in one expression. Both are
    // idempotent, and only on a lead that is still there (retention may have removed it).
    for (const [action, entries] of [
      ['ADD', change.add],
      ['DELETE', change.remove],
    ] as const) {
      if (entries.length === 0) continue;
      await this.table.conditionalUpdate({
        Key: leadKey(leadId),
        UpdateExpression: `${action} ${HUMAN_CLICKS} :entries`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':entries': new Set(entries) },
      });
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
