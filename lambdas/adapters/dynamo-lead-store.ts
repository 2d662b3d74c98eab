/**
 * The lead store (port `LeadStore`) on the one table.
 *
 * Items (pk, sk; formats in `lambdas/contract.ts`):
 *   LEAD#<leadId>, PROFILE           the lead: profile, consent, sequence position, claim and in-flight marker
 *   EMAIL#<normalised email>, EMAIL  points at the lead for that address: sign-up is idempotent per email
 *   LEAD#<leadId>, MSG#<seq>#<step>  one per step sent (or rejected, or unconfirmed), with the SES message id;
 *                                    a follow-up step sent again for a later visit updates its record. SES events
 *                                    add counters to it (`dynamo-event-store.ts`).
 *
 * Access patterns:
 *   sign-up            conditional Put of EMAIL#, then conditional Put of LEAD# (no transactions: dynalite has none)
 *   due leads          Query GSI "due" (dueShard = n AND dueAt <= now): sparse, present only while a step is scheduled
 *   claim/mark/settle  conditional UpdateItem on LEAD# (status, due time, claim token)
 *   stop               one conditional UpdateItem on LEAD# that also takes it out of the due index
 *   lead's messages    Query pk = LEAD#<leadId>, sk begins_with MSG#
 *   booking            Get HOOK# (`dynamo-delivery-log.ts`), Get EMAIL# (when the webhook names an address), one
 *                      conditional UpdateItem on LEAD# that records the appointment and switches the sequence,
 *                      then Put HOOK#
 */
import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DUE_INDEX, KEY_PREFIX } from '../contract.ts';
import { shardFor, type Lead, type LeadStatus } from '../domain/lead.ts';
import type {
  BookingChange,
  CreateResult,
  LeadStore,
  MessageRecord,
  Settlement,
  StopStatus,
  StoredLead,
} from '../domain/ports.ts';
import { emailKey, leadIdOf, leadKey, messageKey } from './dynamo-keys.ts';
import { bookingUpdate, dueAttributes, settlementUpdate, toMessageRecord, toStoredLead } from './dynamo-lead-item.ts';
import { DynamoTable, type TableOptions } from './dynamo-table.ts';

export class DynamoLeadStore implements LeadStore {
  private readonly table: DynamoTable;

  constructor(
    client: DynamoDBClient,
    private readonly options: TableOptions,
  ) {
    this.table = new DynamoTable(client, options.tableName, options.retentionDays);
  }

  async create(lead: Lead): Promise<CreateResult> {
    const { doc, name: tableName } = this.table;
    const expiresAt = this.table.expiry(new Date(lead.createdAt));
    let leadId = lead.leadId;
    try {
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...emailKey(lead.email), type: 'email', leadId, createdAt: lead.createdAt, expiresAt },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // The address is taken. Its lead normally exists; if a crash left only the email item, finish the job.
      const existing = await doc.send(
        new GetCommand({ TableName: tableName, Key: emailKey(lead.email), ConsistentRead: true }),
      );
      leadId = String(existing.Item?.leadId);
    }

    const item = {
      ...lead,
      leadId,
      ...leadKey(leadId),
      type: 'lead',
      expiresAt,
      ...dueAttributes(this.shardOf(leadId), lead.nextSendAt),
    };
    try {
      await doc.send(
        new PutCommand({ TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { created: false, leadId };
      throw error;
    }
    return { created: true, lead: { ...lead, leadId } };
  }

  async get(leadId: string): Promise<StoredLead | undefined> {
    const result = await this.table.doc.send(
      new GetCommand({ TableName: this.table.name, Key: leadKey(leadId), ConsistentRead: true }),
    );
    return result.Item ? toStoredLead(result.Item) : undefined;
  }

  async leadIdForEmail(email: string): Promise<string | undefined> {
    const result = await this.table.doc.send(
      new GetCommand({ TableName: this.table.name, Key: emailKey(email), ConsistentRead: true }),
    );
    return result.Item ? String(result.Item.leadId) : undefined;
  }

  async due(shard: number, now: Date, limit: number): Promise<string[]> {
    const result = await this.table.doc.send(
      new QueryCommand({
        TableName: this.table.name,
        IndexName: DUE_INDEX,
        KeyConditionExpression: 'dueShard = :shard AND dueAt <= :now',
        ExpressionAttributeValues: { ':shard': shard, ':now': now.getTime() },
        Limit: limit,
      }),
    );
    return (result.Items ?? []).map((item) => leadIdOf(item.pk));
  }

  async claim(leadId: string, now: Date, leaseMs: number) {
    const token = randomUUID();
    const until = now.getTime() + leaseMs;
    try {
      const result = await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: leadKey(leadId),
          // Moving dueAt to the lease's end is the lease: `dueAt <= :now` refuses the lead to other dispatchers until
          // it runs out, and checks the item itself, not a stale index entry. Every other write that sets dueAt drops
          // the claim, so a second check on claimUntil could never refuse a claim this one lets through.
          UpdateExpression: 'SET claimToken = :token, claimUntil = :until, dueAt = :until',
          ConditionExpression: '#status = :active AND dueAt <= :now',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':token': token, ':until': until, ':now': now.getTime(), ':active': 'active' },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { lead: toStoredLead(result.Attributes!), token };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async markSending(leadId: string, token: string, sequenceId: string, stepId: string, now: Date): Promise<boolean> {
    return this.table.conditionalUpdate({
      Key: leadKey(leadId),
      // The sequence too: a booking may switch the lead's sequence before a stale mark is found.
      UpdateExpression: 'SET sendingSequence = :sequence, sendingStep = :step, sendingAt = :now',
      ConditionExpression: 'claimToken = :token AND #status = :active',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':sequence': sequenceId,
        ':step': stepId,
        ':now': now.getTime(),
        ':token': token,
        ':active': 'active',
      },
    });
  }

  async settle(leadId: string, token: string, settlement: Settlement): Promise<boolean> {
    const update = settlementUpdate(settlement, this.shardOf(leadId));
    return this.table.conditionalUpdate({
      Key: leadKey(leadId),
      UpdateExpression: update.expression,
      ConditionExpression: 'claimToken = :token',
      ...(Object.keys(update.names).length > 0 && { ExpressionAttributeNames: update.names }),
      ExpressionAttributeValues: { ':token': token, ...update.values },
    });
  }

  async release(leadId: string, token: string, retryAt: Date): Promise<void> {
    await this.table.conditionalUpdate({
      Key: leadKey(leadId),
      UpdateExpression: 'SET dueAt = :retryAt REMOVE claimToken, claimUntil, sendingSequence, sendingStep, sendingAt',
      ConditionExpression: 'claimToken = :token',
      ExpressionAttributeValues: { ':retryAt': retryAt.getTime(), ':token': token },
    });
  }

  async recordMessage(message: MessageRecord): Promise<void> {
    // An update, not a put: SES events for this message may have arrived first and left counters here.
    const fields: Record<string, unknown> = {
      type: 'message',
      leadId: message.leadId,
      sequenceId: message.sequenceId,
      stepId: message.stepId,
      state: message.state,
      at: message.at.toISOString(),
      messageId: message.messageId,
      reason: message.reason,
      expiresAt: this.table.expiry(message.at),
    };
    const present = Object.entries(fields).filter(([, value]) => value !== undefined);
    await this.table.doc.send(
      new UpdateCommand({
        TableName: this.table.name,
        Key: messageKey(message.leadId, message.sequenceId, message.stepId),
        UpdateExpression: `SET ${present.map(([key]) => `#${key} = :${key}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(present.map(([key]) => [`#${key}`, key])),
        ExpressionAttributeValues: Object.fromEntries(present.map(([key, value]) => [`:${key}`, value])),
      }),
    );
  }

  /** Every message record of a lead, oldest step first (as sent). Not part of the port: the local tools read it. */
  async messages(leadId: string): Promise<MessageRecord[]> {
    const result = await this.table.doc.send(
      new QueryCommand({
        TableName: this.table.name,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :msg)',
        ExpressionAttributeValues: { ':pk': leadKey(leadId).pk, ':msg': KEY_PREFIX.message },
        ConsistentRead: true,
      }),
    );
    return (result.Items ?? []).map(toMessageRecord).sort((a, b) => a.at.getTime() - b.at.getTime());
  }

  async stop(leadId: string, status: StopStatus, now: Date, inFlightSince: Date) {
    try {
      const result = await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: leadKey(leadId),
          // Dropping the claim too means a dispatcher mid-run cannot settle the lead back into the index.
          UpdateExpression:
            'SET #status = :status, stoppedAt = :now REMOVE dueShard, dueAt, nextStepId, nextSendAt, claimToken, claimUntil',
          // A send settled after `now` (this write was slower than a whole send) makes the caller try again with a
          // later time, so stoppedAt never reads earlier than an email that went out before it.
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(sendingAt) OR sendingAt < :since) AND (attribute_not_exists(lastSentAt) OR lastSentAt <= :sentBy)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':status': status,
            ':now': now.toISOString(),
            ':since': inFlightSince.getTime(),
            // `inFlightSince` past `now`: the caller has waited out every send; take the lead as it is.
            ':sentBy': inFlightSince > now ? '~' : now.toISOString(),
          },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return { outcome: 'stopped' as const, previous: result.Attributes?.status as LeadStatus };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // dynalite does not implement ReturnValuesOnConditionCheckFailure, so look.
      return { outcome: (await this.get(leadId)) ? ('in-flight' as const) : ('not-found' as const) };
    }
  }

  async rebook(
    leadId: string,
    change: BookingChange,
    expected: { sequenceId: string; status: LeadStatus; sentCount: number },
    now: Date,
    inFlightSince: Date,
  ) {
    const update = bookingUpdate(change, now, this.shardOf(leadId));
    try {
      const result = await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: leadKey(leadId),
          UpdateExpression: update.expression,
          // Only the lead as the booking found it (its sequence, status and steps sent), and no send in flight.
          ConditionExpression:
            'attribute_exists(pk) AND sequenceId = :expectedSequence AND #status = :expectedStatus AND size(sentSteps) = :sentCount AND (attribute_not_exists(sendingAt) OR sendingAt < :since)',
          ExpressionAttributeNames: { ...update.names, '#status': 'status' },
          ExpressionAttributeValues: {
            ...update.values,
            ':expectedSequence': expected.sequenceId,
            ':expectedStatus': expected.status,
            ':sentCount': expected.sentCount,
            ':since': inFlightSince.getTime(),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { outcome: 'applied' as const, lead: toStoredLead(result.Attributes!) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const lead = await this.get(leadId);
    if (!lead) return 'not-found' as const;
    return lead.sending && lead.sending.at >= inFlightSince.getTime() ? ('in-flight' as const) : ('conflict' as const);
  }

  private shardOf(leadId: string): number {
    return shardFor(leadId, this.options.shards);
  }
}
