/**
 * The one table, and how the lead store uses it.
 *
 * Items (pk, sk):
 *   LEAD#<leadId>, PROFILE           the lead: profile, consent, sequence position, claim and in-flight marker
 *   EMAIL#<normalised email>, EMAIL  points at the lead for that address: sign-up is idempotent per email
 *   LEAD#<leadId>, MSG#<seq>#<step>  one per step sent (or rejected, or unconfirmed), with the SES message id;
 *                                    a follow-up step sent again for a later visit updates its record (EVT# keep all)
 *   LEAD#<leadId>, EVT#<eventId>     one per SES event (type, message id, sequence, step, time, link), written once;
 *                                    eventId is a hash of type, message id, time and link, so keys stay short
 *   SUPPRESS#<normalised email>      an address that bounced or complained: never emailed again
 *   HOOK#<sha256 of the signature>   a booking webhook delivery acted on in the last day: a replay changes nothing
 *
 * Access patterns:
 *   sign-up            conditional Put of EMAIL#, then conditional Put of LEAD# (no transactions: dynalite has none)
 *   due leads          Query GSI "due" (dueShard = n AND dueAt <= now): sparse, present only while a step is scheduled
 *   claim/mark/settle  conditional UpdateItem on LEAD# (status, due time, claim token)
 *   lead's messages    Query pk = LEAD#<leadId>, sk begins_with MSG#
 *   booking            Get HOOK#, Get EMAIL# (when the webhook names an address), one conditional UpdateItem on LEAD#
 *                      that records the appointment and switches the sequence, then Put HOOK#
 */
import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { shardFor, type Lead } from '../domain/lead.ts';
import type { LeadStatus } from '../domain/lead.ts';
import type { BookingChange, CreateResult, DeliveryLog, EventStore, LeadStore, MessageRecord, Settlement, StopStatus, StoredLead, SuppressionReason } from '../domain/ports.ts';
import type { EngagementEvent } from '../domain/ses-event.ts';

export const DUE_INDEX = 'due';

export const leadKey = (leadId: string) => ({ pk: `LEAD#${leadId}`, sk: 'PROFILE' });
export const emailKey = (email: string) => ({ pk: `EMAIL#${email}`, sk: 'EMAIL' });
export const suppressionKey = (email: string) => ({ pk: `SUPPRESS#${email}`, sk: 'SUPPRESS' });
export const eventKey = (leadId: string, eventId: string) => ({ pk: `LEAD#${leadId}`, sk: `EVT#${eventId}` });
export const deliveryKey = (key: string) => ({ pk: `HOOK#${key}`, sk: 'HOOK' });
export const messageKey = (leadId: string, sequenceId: string, stepId: string) => ({ pk: `LEAD#${leadId}`, sk: `MSG#${sequenceId}#${stepId}` });

export interface DynamoLeadStoreOptions {
  tableName: string;
  shards: number;
  retentionDays: number;
}

/** Attributes that are bookkeeping, not part of the lead. */
const INTERNAL = ['pk', 'sk', 'type', 'dueShard', 'dueAt', 'claimToken', 'claimUntil', 'sendingSequence', 'sendingStep', 'sendingAt', 'expiresAt'] as const;

/** Lead-level rollups: the first time each happened, and how often. */
const LEAD_ROLLUP: Partial<Record<EngagementEvent['type'], { first: string; count: string }>> = {
  Delivery: { first: 'firstDeliveredAt', count: 'deliveries' },
  Open: { first: 'firstOpenedAt', count: 'opens' },
  Click: { first: 'firstClickedAt', count: 'clicks' },
};

export class DynamoLeadStore implements LeadStore, EventStore, DeliveryLog {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly options: DynamoLeadStoreOptions,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async create(lead: Lead): Promise<CreateResult> {
    const { tableName } = this.options;
    const expiresAt = this.expiry(new Date(lead.createdAt));
    let leadId = lead.leadId;
    try {
      await this.doc.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...emailKey(lead.email), type: 'email', leadId, createdAt: lead.createdAt, expiresAt },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // The address is taken. Its lead normally exists; if a crash left only the email item, finish the job.
      const existing = await this.doc.send(new GetCommand({ TableName: tableName, Key: emailKey(lead.email), ConsistentRead: true }));
      leadId = String(existing.Item?.leadId);
    }

    const item = { ...lead, leadId, ...leadKey(leadId), type: 'lead', expiresAt, ...this.dueAttributes(leadId, lead.nextSendAt) };
    try {
      await this.doc.send(new PutCommand({ TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { created: false, leadId };
      throw error;
    }
    return { created: true, lead: { ...lead, leadId } };
  }

  async get(leadId: string): Promise<StoredLead | undefined> {
    const result = await this.doc.send(new GetCommand({ TableName: this.options.tableName, Key: leadKey(leadId), ConsistentRead: true }));
    return result.Item ? toStoredLead(result.Item) : undefined;
  }

  async due(shard: number, now: Date, limit: number): Promise<string[]> {
    const result = await this.doc.send(
      new QueryCommand({
        TableName: this.options.tableName,
        IndexName: DUE_INDEX,
        KeyConditionExpression: 'dueShard = :shard AND dueAt <= :now',
        ExpressionAttributeValues: { ':shard': shard, ':now': now.getTime() },
        Limit: limit,
      }),
    );
    return (result.Items ?? []).map((item) => String(item.pk).slice('LEAD#'.length));
  }

  async claim(leadId: string, now: Date, leaseMs: number) {
    const token = randomUUID();
    const until = now.getTime() + leaseMs;
    try {
      const result = await this.doc.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: leadKey(leadId),
          // Moving dueAt to the lease's end hides the lead from other dispatchers until the lease runs out.
          UpdateExpression: 'SET claimToken = :token, claimUntil = :until, dueAt = :until',
          ConditionExpression: '#status = :active AND dueAt <= :now AND (attribute_not_exists(claimUntil) OR claimUntil < :now)',
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
    return this.conditionalUpdate({
      Key: leadKey(leadId),
      // The sequence too: a booking may switch the lead's sequence before a stale mark is found.
      UpdateExpression: 'SET sendingSequence = :sequence, sendingStep = :step, sendingAt = :now',
      ConditionExpression: 'claimToken = :token AND #status = :active',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':sequence': sequenceId, ':step': stepId, ':now': now.getTime(), ':token': token, ':active': 'active' },
    });
  }

  async settle(leadId: string, token: string, settlement: Settlement): Promise<boolean> {
    const set: string[] = [];
    const remove = ['claimToken', 'claimUntil', 'sendingSequence', 'sendingStep', 'sendingAt'];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':token': token };

    if (settlement.settledStepId) {
      set.push('sentSteps = list_append(if_not_exists(sentSteps, :none), :settled)');
      values[':none'] = [];
      values[':settled'] = [settlement.settledStepId];
    }
    if (settlement.skippedStepIds) {
      set.push('skippedSteps = list_append(if_not_exists(skippedSteps, :none), :skipped)');
      values[':none'] = [];
      values[':skipped'] = settlement.skippedStepIds;
    }
    if (settlement.sentAt) {
      set.push('lastSentAt = :sentAt');
      values[':sentAt'] = settlement.sentAt.toISOString();
    }
    if (settlement.lastSentOn) {
      set.push('lastSentOn = :sentOn');
      values[':sentOn'] = settlement.lastSentOn;
    }
    const status = settlement.status ?? (settlement.next ? undefined : 'completed');
    if (status) {
      set.push('#status = :status');
      names['#status'] = 'status';
      values[':status'] = status;
    }
    if (settlement.next && !settlement.status) {
      set.push('nextStepId = :nextStep', 'nextSendAt = :nextAt', 'dueShard = :shard', 'dueAt = :dueAt');
      Object.assign(values, {
        ':nextStep': settlement.next.stepId,
        ':nextAt': settlement.next.at.toISOString(),
        ':shard': shardFor(leadId, this.options.shards),
        ':dueAt': settlement.next.at.getTime(),
      });
    } else {
      remove.push('nextStepId', 'nextSendAt', 'dueShard', 'dueAt');
    }

    return this.conditionalUpdate({
      Key: leadKey(leadId),
      UpdateExpression: `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`.replace('SET  REMOVE', 'REMOVE'),
      ConditionExpression: 'claimToken = :token',
      ...(Object.keys(names).length > 0 && { ExpressionAttributeNames: names }),
      ExpressionAttributeValues: values,
    });
  }

  async release(leadId: string, token: string, retryAt: Date): Promise<void> {
    await this.conditionalUpdate({
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
      expiresAt: this.expiry(message.at),
    };
    const present = Object.entries(fields).filter(([, value]) => value !== undefined);
    await this.doc.send(
      new UpdateCommand({
        TableName: this.options.tableName,
        Key: messageKey(message.leadId, message.sequenceId, message.stepId),
        UpdateExpression: `SET ${present.map(([key]) => `#${key} = :${key}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(present.map(([key]) => [`#${key}`, key])),
        ExpressionAttributeValues: Object.fromEntries(present.map(([key, value]) => [`:${key}`, value])),
      }),
    );
  }

  async recordEvent(event: EngagementEvent): Promise<boolean> {
    const { tableName } = this.options;
    const at = new Date(event.at);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...eventKey(event.leadId, event.eventId), type: 'event', eventType: event.type, messageId: event.messageId, sequenceId: event.sequenceId, stepId: event.stepId, at: event.at, link: event.link, expiresAt: this.expiry(at) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
    const count = `count${event.type}`;
    const first = `first${event.type}At`;
    await this.doc.send(
      new UpdateCommand({
        TableName: tableName,
        Key: messageKey(event.leadId, event.sequenceId, event.stepId),
        UpdateExpression: 'ADD #count :one SET leadId = :lead, sequenceId = :seq, stepId = :step, messageId = :mid',
        ExpressionAttributeNames: { '#count': count },
        ExpressionAttributeValues: { ':one': 1, ':lead': event.leadId, ':seq': event.sequenceId, ':step': event.stepId, ':mid': event.messageId },
      }),
    );
    // Events arrive out of order: keep the earliest time, whichever lands first.
    await this.conditionalUpdate({
      Key: messageKey(event.leadId, event.sequenceId, event.stepId),
      UpdateExpression: 'SET #first = :at',
      ConditionExpression: 'attribute_not_exists(#first) OR #first > :at',
      ExpressionAttributeNames: { '#first': first },
      ExpressionAttributeValues: { ':at': event.at },
    });
    const rollup = LEAD_ROLLUP[event.type];
    if (rollup) {
      await this.conditionalUpdate({
        Key: leadKey(event.leadId),
        UpdateExpression: 'ADD #count :one',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#count': rollup.count },
        ExpressionAttributeValues: { ':one': 1 },
      });
      await this.conditionalUpdate({
        Key: leadKey(event.leadId),
        UpdateExpression: 'SET #first = :at',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#first) OR #first > :at)',
        ExpressionAttributeNames: { '#first': rollup.first },
        ExpressionAttributeValues: { ':at': event.at },
      });
    }
    return true;
  }

  async suppress(email: string, reason: SuppressionReason, at: Date): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.options.tableName, Item: { ...suppressionKey(email), type: 'suppression', reason, at: at.toISOString() } }));
  }

  async suppressedAs(email: string): Promise<SuppressionReason | undefined> {
    const result = await this.doc.send(new GetCommand({ TableName: this.options.tableName, Key: suppressionKey(email), ConsistentRead: true }));
    return result.Item?.reason as SuppressionReason | undefined;
  }

  async stop(leadId: string, status: StopStatus, now: Date, inFlightSince: Date) {
    try {
      const result = await this.doc.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: leadKey(leadId),
          // Dropping the claim too means a dispatcher mid-run cannot settle the lead back into the index.
          UpdateExpression: 'SET #status = :status, stoppedAt = :now REMOVE dueShard, dueAt, nextStepId, nextSendAt, claimToken, claimUntil',
          // A send settled after `now` (this write was slower than a whole send) makes the caller try again with a
          // later time, so stoppedAt never reads earlier than an email that went out before it.
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(sendingAt) OR sendingAt < :since) AND (attribute_not_exists(lastSentAt) OR lastSentAt <= :sentBy)',
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

  async leadIdForEmail(email: string): Promise<string | undefined> {
    const result = await this.doc.send(new GetCommand({ TableName: this.options.tableName, Key: emailKey(email), ConsistentRead: true }));
    return result.Item ? String(result.Item.leadId) : undefined;
  }

  async rebook(leadId: string, change: BookingChange, expected: { sequenceId: string; status: LeadStatus; sentCount: number }, now: Date, inFlightSince: Date) {
    const { appointment, route } = change;
    const set = ['appointmentAt = :appointmentAt', 'appointmentStatus = :appointmentStatus', 'bookedAt = if_not_exists(bookedAt, :now)'];
    const remove: string[] = [];
    const values: Record<string, unknown> = {
      ':appointmentAt': appointment.at,
      ':appointmentStatus': appointment.status,
      ':now': now.toISOString(),
      ':expectedSequence': expected.sequenceId,
      ':expectedStatus': expected.status,
      ':sentCount': expected.sentCount,
      ':since': inFlightSince.getTime(),
    };
    if (appointment.bookingId) {
      set.push('bookingId = :bookingId');
      values[':bookingId'] = appointment.bookingId;
    }
    if (route) {
      set.push('sequenceId = :sequence', 'sentSteps = :sent', 'skippedSteps = :skipped', 'enteredSequenceAt = :entered', '#status = :status');
      Object.assign(values, { ':sequence': route.sequenceId, ':sent': route.sentSteps, ':skipped': route.skippedSteps, ':entered': route.enteredAt, ':status': route.next ? 'active' : 'completed' });
      if (route.next) {
        set.push('nextStepId = :nextStep', 'nextSendAt = :nextAt', 'dueShard = :shard', 'dueAt = :dueAt');
        Object.assign(values, { ':nextStep': route.next.stepId, ':nextAt': route.next.at.toISOString(), ':shard': shardFor(leadId, this.options.shards), ':dueAt': route.next.at.getTime() });
      } else {
        remove.push('nextStepId', 'nextSendAt', 'dueShard', 'dueAt');
      }
      // A dispatcher holding the lead for a nurture step loses it: its in-flight mark and settle are conditional on it.
      remove.push('claimToken', 'claimUntil');
    }
    try {
      const result = await this.doc.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: leadKey(leadId),
          UpdateExpression: `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
          ConditionExpression:
            'attribute_exists(pk) AND sequenceId = :expectedSequence AND #status = :expectedStatus AND size(sentSteps) = :sentCount AND (attribute_not_exists(sendingAt) OR sendingAt < :since)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
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

  async seen(key: string): Promise<boolean> {
    const result = await this.doc.send(new GetCommand({ TableName: this.options.tableName, Key: deliveryKey(key), ConsistentRead: true }));
    return result.Item !== undefined;
  }

  async remember(key: string, now: Date): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.options.tableName, Item: { ...deliveryKey(key), type: 'delivery', at: now.toISOString(), expiresAt: Math.floor(now.getTime() / 1000) + 86_400 } }));
  }

  /** Every message record of a lead, oldest step first (as sent). */
  async messages(leadId: string): Promise<MessageRecord[]> {
    const result = await this.doc.send(
      new QueryCommand({
        TableName: this.options.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :msg)',
        ExpressionAttributeValues: { ':pk': `LEAD#${leadId}`, ':msg': 'MSG#' },
        ConsistentRead: true,
      }),
    );
    return (result.Items ?? [])
      .map((item) => ({
        leadId: String(item.leadId),
        sequenceId: String(item.sequenceId),
        stepId: String(item.stepId),
        state: item.state,
        at: new Date(String(item.at)),
        ...(item.messageId && { messageId: String(item.messageId) }),
        ...(item.reason && { reason: String(item.reason) }),
      }))
      .sort((a, b) => a.at.getTime() - b.at.getTime());
  }

  private dueAttributes(leadId: string, nextSendAt: string | undefined) {
    return nextSendAt ? { dueShard: shardFor(leadId, this.options.shards), dueAt: Date.parse(nextSendAt) } : {};
  }

  private expiry(from: Date): number {
    return Math.floor(from.getTime() / 1000) + this.options.retentionDays * 86_400;
  }

  private async conditionalUpdate(input: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName'>): Promise<boolean> {
    try {
      await this.doc.send(new UpdateCommand({ TableName: this.options.tableName, ...input }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

function toStoredLead(item: Record<string, any>): StoredLead {
  const lead: Record<string, any> = { ...item };
  for (const key of INTERNAL) delete lead[key];
  return {
    ...(lead as Lead),
    sentSteps: lead.sentSteps ?? [],
    ...(item.claimToken && { claim: { token: item.claimToken, until: item.claimUntil } }),
    ...(item.sendingStep && { sending: { sequenceId: item.sendingSequence ?? item.sequenceId, stepId: item.sendingStep, at: item.sendingAt } }),
  };
}
