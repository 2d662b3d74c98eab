/**
 * The lead's items apart from the writes that hold them: what settling a claim or a booking sets and removes on the
 * lead item, and the lead and its message records read back. The conditions on those writes stay with the writes, in
 * `dynamo-lead-store.ts`; what is built here only names `#status` and values of its own (`:settled`, `:nextAt`…).
 */
import type { Lead } from '../domain/lead.ts';
import type { BookingChange, MessageRecord, MessageState, Settlement, StoredLead } from '../domain/ports.ts';

/** Attributes that are bookkeeping, not part of the lead. */
const INTERNAL = [
  'pk',
  'sk',
  'type',
  'dueShard',
  'dueAt',
  'claimToken',
  'claimUntil',
  'sendingSequence',
  'sendingStep',
  'sendingAt',
  'expiresAt',
] as const;

/** An UpdateItem's changes: its expression, and the names and values that expression uses. */
export interface ItemUpdate {
  expression: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
}

const expression = (set: string[], remove: string[]) =>
  [set.length > 0 && `SET ${set.join(', ')}`, remove.length > 0 && `REMOVE ${remove.join(', ')}`]
    .filter(Boolean)
    .join(' ');

/** The due index's attributes for a lead whose next step is due at `nextSendAt` (none when nothing is). */
export function dueAttributes(dueShard: number, nextSendAt: string | undefined) {
  return nextSendAt ? { dueShard, dueAt: Date.parse(nextSendAt) } : {};
}

/** Settling a claim: the step's outcome, the lead's next step (back into the due index) or its end, and no claim. */
export function settlementUpdate(settlement: Settlement, dueShard: number): ItemUpdate {
  const set: string[] = [];
  const remove = ['claimToken', 'claimUntil', 'sendingSequence', 'sendingStep', 'sendingAt'];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};

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
      ':shard': dueShard,
      ':dueAt': settlement.next.at.getTime(),
    });
  } else {
    remove.push('nextStepId', 'nextSendAt', 'dueShard', 'dueAt');
  }
  return { expression: expression(set, remove), names, values };
}

/**
 * A booking: the appointment and, with a route, the lead's new sequence and next step. A route also drops any
 * dispatcher's claim: a dispatcher holding the lead for a nurture step loses it, as its in-flight mark and settle
 * are conditional on the claim.
 */
export function bookingUpdate(change: BookingChange, now: Date, dueShard: number): ItemUpdate {
  const { appointment, route } = change;
  const set = [
    'appointmentAt = :appointmentAt',
    'appointmentStatus = :appointmentStatus',
    'bookedAt = if_not_exists(bookedAt, :now)',
  ];
  const remove: string[] = [];
  const values: Record<string, unknown> = {
    ':appointmentAt': appointment.at,
    ':appointmentStatus': appointment.status,
    ':now': now.toISOString(),
  };
  if (appointment.bookingId) {
    set.push('bookingId = :bookingId');
    values[':bookingId'] = appointment.bookingId;
  }
  if (route) {
    set.push(
      'sequenceId = :sequence',
      'sentSteps = :sent',
      'skippedSteps = :skipped',
      'enteredSequenceAt = :entered',
      '#status = :status',
    );
    Object.assign(values, {
      ':sequence': route.sequenceId,
      ':sent': route.sentSteps,
      ':skipped': route.skippedSteps,
      ':entered': route.enteredAt,
      ':status': route.next ? 'active' : 'completed',
    });
    if (route.next) {
      set.push('nextStepId = :nextStep', 'nextSendAt = :nextAt', 'dueShard = :shard', 'dueAt = :dueAt');
      Object.assign(values, {
        ':nextStep': route.next.stepId,
        ':nextAt': route.next.at.toISOString(),
        ':shard': dueShard,
        ':dueAt': route.next.at.getTime(),
      });
    } else {
      remove.push('nextStepId', 'nextSendAt', 'dueShard', 'dueAt');
    }
    remove.push('claimToken', 'claimUntil');
  }
  return { expression: expression(set, remove), names: route ? { '#status': 'status' } : {}, values };
}

/** The lead in an item, with the dispatcher's claim and in-flight mark when present. */
export function toStoredLead(item: Record<string, unknown>): StoredLead {
  const lead = { ...item };
  for (const key of INTERNAL) delete lead[key];
  return {
    ...(lead as unknown as Lead),
    sentSteps: (lead.sentSteps as string[] | undefined) ?? [],
    ...(item.claimToken ? { claim: { token: item.claimToken as string, until: item.claimUntil as number } } : {}),
    ...(item.sendingStep
      ? {
          sending: {
            sequenceId: (item.sendingSequence ?? item.sequenceId) as string,
            stepId: item.sendingStep as string,
            at: item.sendingAt as number,
          },
        }
      : {}),
  };
}

/** A message record (MSG# item) as the domain sees it. */
export function toMessageRecord(item: Record<string, unknown>): MessageRecord {
  return {
    leadId: String(item.leadId),
    sequenceId: String(item.sequenceId),
    stepId: String(item.stepId),
    state: item.state as MessageState,
    at: new Date(String(item.at)),
    ...(item.messageId ? { messageId: item.messageId as string } : {}),
    ...(item.reason ? { reason: item.reason as string } : {}),
  };
}
