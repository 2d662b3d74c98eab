/**
 * The lead store (port `LeadStore`) on the one table.
 *
 * Items (pk, sk; formats in `lambdas/contract.ts`):
 *   LEAD#<leadId>, PROFILE           the lead: profile, consent, sequence position, its message records (`msgs`, the
 *                                    latest message's SES id in `lastMessageId`; see `dynamo-lead-item.ts`), claim
 *                                    and in-flight mark, and `rev`, bumped by every write that changes what a send reads
 *   EMAIL#<normalised email>, EMAIL  points at the lead for that address: sign-up is idempotent per email
 *   LEAD#<leadId>, MSG#<seq>#<step>  written by SES events only (`dynamo-event-store.ts`): the message's SES id and
 *                                    what happened to it
 *
 * Access patterns:
 *   sign-up            conditional Put of EMAIL#, then conditional Put of LEAD# (no transactions: dynalite has none),
 *                      which carries what the lead adds to the report's totals (`counted`, `dynamo-report-counters.ts`)
 *   due leads          Query GSI "due" (dueShard = n AND dueAt <= now, up to the limit, paging on past a short page):
 *                      sparse, present only while a step is scheduled;
 *                      it projects what rendering and planning need (`DUE_PROJECTION`), so a send reads nothing else
 *   a send             after rendering and the send turn, one conditional UpdateItem on LEAD# that claims the lead and
 *                      marks the step in flight (the lead as read: its `rev`, due, active, no mark); the SES call; one
 *                      UpdateItem, conditional on the claim, that settles the lead and records the message. dueAt
 *                      moves only at the settle: the mark's own time is the lease. The settle that ends the sequence
 *                      also replaces the lead's `counted` and returns what it was (UPDATED_OLD)
 *   rare sends         a claim refused: Get LEAD# to see why (a mark older than the lease is taken over with one
 *                      conditional UpdateItem, then settled as unconfirmed); a retry or a paused account: one release;
 *                      an error before the claim: one deferral
 *   stop               one conditional UpdateItem on LEAD# that also takes it out of the due index
 *   unsubscribe        marketing: one conditional UpdateItem on LEAD# (as read) that sets optedOutAt and, unless a
 *                      care step is next, ends it as a stop does; "stop everything" is a stop
 *   preferences        one conditional UpdateItem on LEAD# (as read, no send in flight) that records the choice and
 *                      moves the next step's time (nextSendAt, dueAt) with it
 *   lead's messages    Query pk = LEAD#<leadId> (PROFILE and the MSG# items, consistent)
 *   booking            Get HOOK# (`dynamo-delivery-log.ts`), Get EMAIL# (when the webhook names an address), one
 *                      conditional UpdateItem on LEAD# that records the appointment and switches the sequence,
 *                      then Put HOOK# (a pending lead's: also an UpdateItem of EMAIL#, to the full retention)
 *   double opt-in      a pending lead and its EMAIL# carry its confirmation link's expiry as `expiresAt` (TTL).
 *                      Sign-up: the Puts above, then one conditional UpdateItem on LEAD# that marks the confirmation
 *                      email (at most one a day) and one on EMAIL#, the SES call, one UpdateItem recording it. A
 *                      lapsed lead's address: Get LEAD#, then a conditional Put of EMAIL# for the new lead (nothing
 *                      deletes; TTL does). Confirm: UpdateItem EMAIL# (full retention), one conditional UpdateItem on
 *                      LEAD# (pending, not lapsed) that makes it active with its welcome due
 */
import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DUE_INDEX, KEY_PREFIX, SORT_KEY } from '../contract.ts';
import { isLapsed, shardFor, type Lead, type LeadStatus } from '../domain/lead.ts';
import type { Counts } from '../domain/report-counts.ts';
import type { MessageClass } from '../domain/sequence.ts';
import type {
  BookingChange,
  CreateResult,
  DueLead,
  LeadStore,
  MessageRecord,
  PreferenceChange,
  Settled,
  Settlement,
  StopStatus,
  StoredLead,
} from '../domain/ports.ts';
import { messageClicks } from './dynamo-click-item.ts';
import { emailKey, leadIdOf, leadKey } from './dynamo-keys.ts';
import {
  bookingUpdate,
  COUNTED_ATTRIBUTE,
  decodeCounted,
  encodeCounted,
  dueAttributes,
  fingerprint,
  HUMAN_CLICKS,
  messageRecords,
  messageUpdate,
  preferenceUpdate,
  settlementUpdate,
  toStoredLead,
} from './dynamo-lead-item.ts';
import { DynamoTable, type TableOptions } from './dynamo-table.ts';

export class DynamoLeadStore implements LeadStore {
  private readonly table: DynamoTable;

  constructor(
    client: DynamoDBClient,
    private readonly options: TableOptions,
  ) {
    this.table = new DynamoTable(client, options.tableName, options.retentionDays);
  }

  async create(lead: Lead, counted?: Counts, attempt = 1): Promise<CreateResult> {
    const { doc, name: tableName } = this.table;
    // A pending lead (double opt-in) lapses when its confirmation link does; confirming gives it the full retention.
    const expiresAt = lead.pendingUntil ? epochSeconds(lead.pendingUntil) : this.table.expiry(new Date(lead.createdAt));
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
      const taken: unknown = existing.Item?.leadId;
      if (typeof taken !== 'string') {
        // The email item went between the two requests (an erasure): the address is free again, so start over.
        if (attempt < 3) return this.create(lead, counted, attempt + 1);
        throw new Error('the address index kept changing under the sign-up', { cause: error });
      }
      // A pending lead that lapsed unconfirmed is gone, whether or not TTL has deleted it yet: the address is free.
      if (!(await this.takeLapsedAddress(taken, lead, expiresAt))) leadId = taken;
    }

    const due = dueAttributes(this.shardOf(leadId), lead.nextSendAt);
    const item = {
      ...lead,
      leadId,
      ...leadKey(leadId),
      type: 'lead',
      expiresAt,
      rev: 0,
      ...due,
      ...(counted && { [COUNTED_ATTRIBUTE]: encodeCounted(counted) }),
    };
    try {
      await doc.send(
        new PutCommand({ TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { created: false, leadId };
      throw error;
    }
    return { created: true, lead: { ...lead, leadId, rev: 0, ...(due.dueAt !== undefined && { dueAt: due.dueAt }) } };
  }

  /**
   * If the address's lead is a pending one whose confirmation lapsed at `now`, point the address at `leadId` instead
   * (only while it still points at the lapsed one) and answer true. The lapsed lead is left to DynamoDB's TTL, which
   * its `expiresAt` (its link's expiry) has already passed; until then reads treat it as gone (`isLapsed`).
   */
  private async takeLapsedAddress(lapsedId: string, lead: Lead, expiresAt: number): Promise<boolean> {
    const lapsed = await this.get(lapsedId);
    if (!lapsed || !isLapsed(lapsed, new Date(lead.createdAt))) return false;
    try {
      await this.table.doc.send(
        new PutCommand({
          TableName: this.table.name,
          Item: { ...emailKey(lead.email), type: 'email', leadId: lead.leadId, createdAt: lead.createdAt, expiresAt },
          ConditionExpression: 'leadId = :lapsed',
          ExpressionAttributeValues: { ':lapsed': lapsedId },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async markConfirmationSent(
    leadId: string,
    email: string,
    step: { sequenceId: string; stepId: string },
    at: Date,
    notBefore: Date,
    pendingUntil: Date,
  ) {
    const marked = await this.table.conditionalUpdate({
      Key: leadKey(leadId),
      // The step in flight (no `sendingAt`: no claim or lease is involved), so an SES event that overtakes the record
      // of the send is known as ours (`sentMessage`), as for a dispatcher's send.
      UpdateExpression:
        'SET confirmationSentAt = :at, pendingUntil = :until, expiresAt = :expires, sendingSequence = :sequence, sendingStep = :step',
      ConditionExpression:
        '#status = :pending AND pendingUntil > :atIso AND (attribute_not_exists(confirmationSentAt) OR confirmationSentAt <= :notBefore)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':at': at.toISOString(),
        ':atIso': at.toISOString(),
        ':until': pendingUntil.toISOString(),
        ':expires': epochSeconds(pendingUntil),
        ':pending': 'pending',
        ':notBefore': notBefore.toISOString(),
        ':sequence': step.sequenceId,
        ':step': step.stepId,
      },
    });
    // The address's item lapses with its lead.
    if (marked) await this.extendAddress(email, leadId, epochSeconds(pendingUntil));
    return marked;
  }

  async unmarkConfirmationSent(leadId: string, at: Date, previous: string | undefined) {
    await this.table.conditionalUpdate({
      Key: leadKey(leadId),
      UpdateExpression: `${previous ? 'SET confirmationSentAt = :previous REMOVE' : 'REMOVE confirmationSentAt,'} sendingSequence, sendingStep`,
      ConditionExpression: 'confirmationSentAt = :at',
      ExpressionAttributeValues: { ':at': at.toISOString(), ...(previous && { ':previous': previous }) },
    });
  }

  async recordConfirmation(leadId: string, message: MessageRecord) {
    const update = messageUpdate(message);
    await this.table.conditionalUpdate({
      Key: leadKey(leadId),
      UpdateExpression: `SET ${update.set.join(', ')} REMOVE ${['sendingSequence', 'sendingStep', ...update.remove].join(', ')}`,
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: update.values,
    });
  }

  async confirm(
    lead: Pick<StoredLead, 'leadId' | 'email' | 'createdAt'>,
    now: Date,
    first: { stepId: string; at: Date } | undefined,
  ) {
    const expiresAt = this.table.expiry(new Date(lead.createdAt));
    // The address's item first: should the lead's write fail, the address outlives its lead, never the other way.
    await this.extendAddress(lead.email, lead.leadId, expiresAt);
    const set = [
      '#status = :status',
      'confirmedAt = :now',
      'enteredSequenceAt = :now',
      'expiresAt = :expires',
      'rev = if_not_exists(rev, :zero) + :one',
    ];
    const values: Record<string, unknown> = {
      ':status': first ? 'active' : 'completed',
      ':now': now.toISOString(),
      ':expires': expiresAt,
      ':zero': 0,
      ':one': 1,
      ':pending': 'pending',
    };
    if (first) {
      set.push('nextStepId = :nextStep', 'nextSendAt = :nextAt', 'dueShard = :shard', 'dueAt = :dueAt');
      Object.assign(values, {
        ':nextStep': first.stepId,
        ':nextAt': first.at.toISOString(),
        ':shard': this.shardOf(lead.leadId),
        ':dueAt': first.at.getTime(),
      });
    }
    try {
      const result = await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: leadKey(lead.leadId),
          // And any confirmation email's in-flight step whose record never came (a crash): a claim must not find it.
          UpdateExpression: `SET ${set.join(', ')} REMOVE ${PENDING_ONLY}`,
          // Only a lead still pending, and not lapsed: a link used twice, or too late, confirms nothing.
          ConditionExpression: '#status = :pending AND pendingUntil > :now',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toStoredLead(result.Attributes!);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /** Set the address item's expiry, while it still points at this lead. */
  private async extendAddress(email: string, leadId: string, expiresAt: number) {
    await this.table.conditionalUpdate({
      Key: emailKey(email),
      UpdateExpression: 'SET expiresAt = :expires',
      ConditionExpression: 'leadId = :leadId',
      ExpressionAttributeValues: { ':expires': expiresAt, ':leadId': leadId },
    });
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

  async due(shard: number, now: Date, limit: number): Promise<DueLead[]> {
    const leads: DueLead[] = [];
    let start: Record<string, unknown> | undefined;
    // A page can stop short of the limit (DynamoDB's 1 MB a page): read on, so fewer than `limit` means no more due.
    do {
      const result = await this.table.doc.send(
        new QueryCommand({
          TableName: this.table.name,
          IndexName: DUE_INDEX,
          KeyConditionExpression: 'dueShard = :shard AND dueAt <= :now',
          ExpressionAttributeValues: { ':shard': shard, ':now': now.getTime() },
          Limit: limit - leads.length,
          ...(start && { ExclusiveStartKey: start }),
        }),
      );
      for (const item of result.Items ?? []) leads.push({ ...toStoredLead(item), leadId: leadIdOf(item.pk) });
      start = result.LastEvaluatedKey;
    } while (start && leads.length < limit);
    return leads;
  }

  async claim(
    seen: DueLead,
    step: { sequenceId: string; stepId: string; class: MessageClass },
    now: Date,
  ): Promise<string | undefined> {
    const token = claimToken();
    const claimed = await this.table.conditionalUpdate({
      Key: leadKey(seen.leadId),
      // The mark is the lease: dueAt stays (a key of the due index: moving it costs the index two writes), and a
      // mark older than the lease is found by the next claim, which reports that send instead of repeating it.
      UpdateExpression: 'SET claimToken = :token, sendingSequence = :sequence, sendingStep = :step, sendingAt = :now',
      // Only the lead as it was read: what was rendered and planned is what is sent. An item from before `rev`
      // existed still has none only while nothing has written it since (every write adds `rev`).
      // A marketing step, only to a lead that has not unsubscribed from marketing: an unsubscribe that lands after
      // the lead was read (and rendered) still wins.
      ConditionExpression: `#status = :active AND dueAt <= :now AND attribute_not_exists(sendingAt) AND nextStepId = :step AND ${
        seen.rev === undefined ? 'attribute_not_exists(rev)' : 'rev = :rev'
      }${step.class === 'marketing' ? ' AND attribute_not_exists(optedOutAt)' : ''}`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':token': token,
        ':sequence': step.sequenceId,
        ':step': step.stepId,
        ':now': now.getTime(),
        ':active': 'active',
        ...(seen.rev === undefined ? {} : { ':rev': seen.rev }),
      },
    });
    return claimed ? token : undefined;
  }

  async takeOver(leadId: string, stale: NonNullable<StoredLead['sending']>): Promise<string | undefined> {
    const token = claimToken();
    const taken = await this.table.conditionalUpdate({
      Key: leadKey(leadId),
      // The same mark, still there: no other dispatcher took it over or settled it meanwhile.
      UpdateExpression: 'SET claimToken = :token',
      ConditionExpression: '#status = :active AND sendingAt = :at AND sendingStep = :step',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':token': token, ':at': stale.at, ':step': stale.stepId, ':active': 'active' },
    });
    return taken ? token : undefined;
  }

  async settle(
    leadId: string,
    by: { token: string } | { seen: DueLead },
    settlement: Settlement,
  ): Promise<Settled | false> {
    const update = settlementUpdate(settlement, this.shardOf(leadId));
    const condition =
      'token' in by
        ? { expression: 'claimToken = :token', names: {}, values: { ':token': by.token } }
        : unclaimedAsSeen(by.seen);
    const names = { ...update.names, ...condition.names };
    try {
      const result = await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: leadKey(leadId),
          UpdateExpression: update.expression,
          ConditionExpression: condition.expression,
          ...(Object.keys(names).length > 0 && { ExpressionAttributeNames: names }),
          ExpressionAttributeValues: { ...condition.values, ...update.values },
          // What the lead was counted as before, when this writes what it counts as now.
          ...(settlement.counted && { ReturnValues: 'UPDATED_OLD' }),
        }),
      );
      if (!settlement.counted) return true;
      return { countedBefore: decodeCounted(result.Attributes?.[COUNTED_ATTRIBUTE]) };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async recordStopped(leadId: string, mark: { stepId: string; at: number }, message: MessageRecord) {
    const update = messageUpdate(message);
    return this.table.conditionalUpdate({
      Key: leadKey(leadId),
      // Only the record and the mark: the stop already took the lead out of the schedule.
      UpdateExpression: `SET ${update.set.join(', ')} REMOVE sendingSequence, sendingStep, sendingAt${update.remove.length > 0 ? `, ${update.remove.join(', ')}` : ''}`,
      ConditionExpression: 'attribute_not_exists(claimToken) AND sendingAt = :markAt AND sendingStep = :markStep',
      ExpressionAttributeValues: { ...update.values, ':markAt': mark.at, ':markStep': mark.stepId },
    });
  }

  async release(leadId: string, token: string, retryAt: Date): Promise<void> {
    await this.table.conditionalUpdate({
      Key: leadKey(leadId),
      UpdateExpression:
        'SET dueAt = :retryAt, rev = if_not_exists(rev, :zero) + :one REMOVE claimToken, claimUntil, sendingSequence, sendingStep, sendingAt',
      ConditionExpression: 'claimToken = :token',
      ExpressionAttributeValues: { ':retryAt': retryAt.getTime(), ':token': token, ':zero': 0, ':one': 1 },
    });
  }

  async defer(seen: DueLead, retryAt: Date): Promise<void> {
    const condition = unclaimedAsSeen(seen);
    await this.table.conditionalUpdate({
      Key: leadKey(seen.leadId),
      UpdateExpression: 'SET dueAt = :retryAt, rev = if_not_exists(rev, :zero) + :one',
      ConditionExpression: condition.expression,
      ExpressionAttributeNames: condition.names,
      ExpressionAttributeValues: { ...condition.values, ':retryAt': retryAt.getTime(), ':zero': 0, ':one': 1 },
    });
  }

  /** Every message record of a lead, oldest first, with the SES message id from its MSG# item where the lead has none. */
  async messages(leadId: string): Promise<MessageRecord[]> {
    const { lead, events } = await this.partition(leadId);
    if (!lead) return [];
    return messageRecords(lead).map(({ fingerprint: _print, ...record }) => {
      const known = events.get(`${record.sequenceId}#${record.stepId}`)?.messageId as string | undefined;
      return record.messageId || !known ? record : { ...record, messageId: known };
    });
  }

  async sentMessage(leadId: string, sequenceId: string, stepId: string, messageId: string) {
    const { lead, events } = await this.partition(leadId);
    const record = lead && messageRecords(lead).find((m) => m.sequenceId === sequenceId && m.stepId === stepId);
    const item = events.get(`${sequenceId}#${stepId}`);
    const known = item?.messageId as string | undefined;
    const humanClicks = lead?.[HUMAN_CLICKS] as Set<string> | undefined;
    const read = {
      ...(record && { recorded: record.state }),
      ...(record?.variant !== undefined && { variant: record.variant }),
      ...(record?.arm !== undefined && { arm: record.arm }),
      ...(record?.experimentTag !== undefined && { experimentTag: record.experimentTag }),
      ...(record?.links !== undefined && { links: record.links }),
      clicks: messageClicks(item),
      ...(lead && { humanClicks: [...(humanClicks ?? [])] }),
    };
    // SES events already tied a message id to this step: only that one.
    if (known !== undefined) return { ours: known === messageId, ...read };
    if (record) return { ours: !record.fingerprint || record.fingerprint === fingerprint(messageId), ...read };
    // Not recorded yet: the step is in flight now (SES may publish before we write).
    const inFlight = lead?.sendingStep === stepId && (lead.sendingSequence ?? lead.sequenceId) === sequenceId;
    return { ours: inFlight, ...read };
  }

  /** The lead's item and its MSG# items (by `<sequence>#<step>`), in one consistent Query. */
  private async partition(leadId: string) {
    const result = await this.table.doc.send(
      new QueryCommand({
        TableName: this.table.name,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': leadKey(leadId).pk },
        ConsistentRead: true,
      }),
    );
    let lead: Record<string, unknown> | undefined;
    const events = new Map<string, Record<string, unknown>>();
    for (const item of result.Items ?? []) {
      const sk = String(item.sk);
      if (sk === SORT_KEY.lead) lead = item;
      else if (sk.startsWith(KEY_PREFIX.message)) events.set(sk.slice(KEY_PREFIX.message.length), item);
    }
    return { lead, events };
  }

  async stop(leadId: string, status: StopStatus, now: Date, inFlightSince: Date) {
    // "Stop everything" never overwrites a bounce, a complaint or a rejection: the stronger reason stays on record.
    const keeps: readonly LeadStatus[] = status === 'stopped' ? KEPT_BY_STOP_EVERYTHING : [];
    try {
      const result = await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: leadKey(leadId),
          // Dropping the claim too means a dispatcher mid-run cannot settle the lead back into the index.
          UpdateExpression: `SET #status = :status, stoppedAt = :now, ${BUMP_REV} REMOVE ${UNSCHEDULE}`,
          // A send settled after `now` (this write was slower than a whole send) makes the caller try again with a
          // later time, so stoppedAt never reads earlier than an email that went out before it.
          ConditionExpression: `${inFlightCondition}${keeps.length > 0 ? ` AND NOT (#status IN (${keeps.map((_, i) => `:keep${i}`).join(', ')}))` : ''}`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':status': status,
            ...inFlightValues(now, inFlightSince),
            ...Object.fromEntries(keeps.map((kept, i) => [`:keep${i}`, kept])),
          },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return { outcome: 'stopped' as const, previous: result.Attributes?.status as LeadStatus };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // dynalite does not implement ReturnValuesOnConditionCheckFailure, so look.
      const lead = await this.get(leadId);
      if (!lead) return { outcome: 'not-found' as const };
      if (keeps.includes(lead.status)) return { outcome: 'stopped' as const, previous: lead.status };
      return { outcome: 'in-flight' as const };
    }
  }

  async optOut(leadId: string, seen: Pick<StoredLead, 'rev'>, end: boolean, now: Date, inFlightSince: Date) {
    const ends = end ? `, #status = :unsubscribed, stoppedAt = :now REMOVE ${UNSCHEDULE}` : '';
    try {
      await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: leadKey(leadId),
          // The rev bump refuses any claim made on the lead as read before this write (what was rendered then).
          UpdateExpression: `SET optedOutAt = if_not_exists(optedOutAt, :now), ${BUMP_REV}${ends}`,
          // Only the lead as read: whether its emails end depends on the class of its next step.
          ConditionExpression: `${inFlightCondition} AND ${seen.rev === undefined ? 'attribute_not_exists(rev)' : 'rev = :rev'}`,
          ...(end && { ExpressionAttributeNames: { '#status': 'status' } }),
          ExpressionAttributeValues: {
            ...inFlightValues(now, inFlightSince),
            ...(seen.rev !== undefined && { ':rev': seen.rev }),
            ...(end && { ':unsubscribed': 'unsubscribed' }),
          },
        }),
      );
      return 'opted-out' as const;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    return this.refusedAsSeen(leadId, now, inFlightSince);
  }

  async setPreferences(
    leadId: string,
    seen: Pick<StoredLead, 'rev'>,
    change: PreferenceChange,
    now: Date,
    inFlightSince: Date,
  ) {
    const update = preferenceUpdate(change);
    // The choice carries its own time: this write sets nothing at `now`, and DynamoDB refuses an unused value.
    const { ':now': _now, ...inFlight } = inFlightValues(now, inFlightSince);
    try {
      await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: leadKey(leadId),
          // The rev bump refuses any claim made on the lead as read before this write: a marketing step rendered
          // before a pause is not sent; the dispatcher reads the lead again and finds it held.
          UpdateExpression: update.expression,
          // Only the lead as read (its next step, and so the time worked out for it), and as for an unsubscribe, not
          // while a send is in flight.
          ConditionExpression: `${inFlightCondition} AND ${seen.rev === undefined ? 'attribute_not_exists(rev)' : 'rev = :rev'}`,
          ExpressionAttributeValues: {
            ...update.values,
            ...inFlight,
            ...(seen.rev !== undefined && { ':rev': seen.rev }),
          },
        }),
      );
      return 'applied' as const;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    return this.refusedAsSeen(leadId, now, inFlightSince);
  }

  /** Why a write on the lead as read (`optOut`, `setPreferences`) was refused: a send in flight, or another change. */
  private async refusedAsSeen(leadId: string, now: Date, inFlightSince: Date) {
    const lead = await this.get(leadId);
    if (!lead) return 'not-found' as const;
    const sentAfter = lead.lastSentAt !== undefined && inFlightSince <= now && lead.lastSentAt > now.toISOString();
    return (lead.sending && lead.sending.at >= inFlightSince.getTime()) || sentAfter
      ? ('in-flight' as const)
      : ('conflict' as const);
  }

  async rebook(
    leadId: string,
    change: BookingChange,
    expected: { sequenceId: string; status: LeadStatus; sentCount: number },
    now: Date,
    inFlightSince: Date,
  ) {
    const update = bookingUpdate(change, now, this.shardOf(leadId));
    // A pending lead (double opt-in) that books is a patient now: kept for the full retention (from the booking), not
    // until its confirmation link expires, and no longer pending.
    const kept = expected.status === 'pending' ? this.table.expiry(now) : undefined;
    const expression =
      kept === undefined
        ? update.expression
        : `${update.expression.replace(/^SET /, 'SET expiresAt = :kept, ')}${update.expression.includes(' REMOVE ') ? ',' : ' REMOVE'} ${PENDING_ONLY}`;
    try {
      const result = await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: leadKey(leadId),
          UpdateExpression: expression,
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
            ...(kept !== undefined && { ':kept': kept }),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      if (kept !== undefined) await this.extendAddress(String(result.Attributes!.email), leadId, kept);
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

/**
 * What only a pending lead carries: its lapse time, and its confirmation email's in-flight step (no `sendingAt`), which
 * a claim must never find once the lead is active.
 */
const PENDING_ONLY = 'pendingUntil, sendingSequence, sendingStep';

const epochSeconds = (iso: string | Date) => Math.floor(new Date(iso).getTime() / 1000);

/**
 * A claim's token: 96 random bits, 16 characters. Unique enough to tell two claims apart, and 20 bytes shorter on the
 * lead item than a UUID while the claim holds it (the item must stay under 1 KB with the in-flight mark on it).
 */
const claimToken = () => randomBytes(12).toString('base64url');

/** What a stop removes: the lead's place in the due index, and any dispatcher's claim. */
const UNSCHEDULE = 'dueShard, dueAt, nextStepId, nextSendAt, claimToken, claimUntil';
const BUMP_REV = 'rev = if_not_exists(rev, :zero) + :one';
const KEPT_BY_STOP_EVERYTHING: readonly LeadStatus[] = ['bounced', 'complained', 'rejected'];

/**
 * A stop or an unsubscribe: not while a send that started after `:since` may still wait on SES, and not before one
 * that settled after `:now` (this write was slower than a whole send: the caller tries again with a later time, so the
 * stop never reads earlier than an email that went out before it).
 */
const inFlightCondition =
  'attribute_exists(pk) AND (attribute_not_exists(sendingAt) OR sendingAt < :since) AND (attribute_not_exists(lastSentAt) OR lastSentAt <= :sentBy)';
const inFlightValues = (now: Date, inFlightSince: Date) => ({
  ':now': now.toISOString(),
  ':since': inFlightSince.getTime(),
  // `inFlightSince` past `now`: the caller has waited out every send; take the lead as it is.
  ':sentBy': inFlightSince > now ? '~' : now.toISOString(),
  ':zero': 0,
  ':one': 1,
});

/** A write on a lead nobody claimed: only if it is still active, unmarked and as it was read. */
function unclaimedAsSeen(seen: DueLead) {
  const asSeen = seen.rev === undefined ? 'attribute_not_exists(rev)' : 'rev = :rev';
  return {
    expression: `#status = :active AND attribute_not_exists(sendingAt) AND ${asSeen}`,
    names: { '#status': 'status' },
    values: {
      ':active': 'active',
      ...(seen.rev === undefined ? {} : { ':rev': seen.rev }),
    } as Record<string, unknown>,
  };
}
