/**
 * The lead's items apart from the writes that hold them: what settling a claim or a booking sets and removes on the
 * lead item, the compact message records it carries, and the lead and its message records read back. The conditions
 * on those writes stay with the writes, in `dynamo-lead-store.ts`; what is built here only names `#status` and values
 * of its own (`:settled`, `:nextAt`…).
 *
 * Message records live on the lead item, so settling a send and recording it are one write: `msgs` is a list with one
 * short string per message settled, `<sequence>|<step>[+<variant>][~<arm><tag>]|<state: s, u or r>[<links>]|<time, base-36 ms>|<fingerprint>[|<reason>]`
 * (`+<variant>`: the step's variant by interest the lead was sent, `MessageRecord.variant`, without its step's id
 * when it starts with it: `who-it-helps+-chronic`; `~<arm><tag>`: its subject-line experiment variant's letter and
 * the experiment's 4-character tag, `ARM_MARK`; `<links>`: how many links SES tracks in it, `MessageRecord.links`,
 * base 36 right after the state's letter, one or two bytes: `s4`; records written before it was kept have none),
 * where the fingerprint is 6 characters (36 bits) of a hash of the SES message id (empty when SES's answer was lost). The latest
 * message's full id is `lastMessageId`; an older one's is on its MSG# item once an SES event has arrived for it
 * (`dynamo-event-store.ts`). Eight nurture emails and three follow-ups add about 450 bytes and the latest id 60 (an
 * SES id), and the lead's count for the report a few (`counted`): a lead with a short profile stays under 1 KB, one write unit a write; one with every optional field long
 * (a consent page URL, five UTM values) passes it, two units a write (`npm run bench -- --only writes` measures it).
 * While a holdout runs (HOLDOUT_SHARE), a lead carries its group (`grp`: 4 bytes) and its group's codes in `counted`
 * (` N`, and ` NB` once booked: 2 to 5 bytes); with the share at 0, nothing.
 */
import { createHash } from 'node:crypto';
import type { Lead } from '../domain/lead.ts';
import type {
  BookingChange,
  MessageRecord,
  MessageState,
  PreferenceChange,
  Settlement,
  StoredLead,
} from '../domain/ports.ts';
import type { Counts, LeadTotal } from '../domain/report-counts.ts';

/** Attributes that are bookkeeping, not part of the lead. */
const INTERNAL = [
  'pk',
  'sk',
  'type',
  'dueShard',
  'dueAt',
  'rev',
  'claimToken',
  'claimUntil',
  'sendingSequence',
  'sendingStep',
  'sendingAt',
  'expiresAt',
  'msgs',
  'lastMessageId',
  'counted',
] as const;

/**
 * What the lead adds to the report's lead totals (`report-counts.ts`), as one short string: its count keys in order,
 * space-separated, each lead total by its code below (`left.active nurture` is `la n`), a step's or variant's key whole, and
 * `=<n>` after any that is not 1 (`countLead` gives only 1s); `-` for none. A few bytes, where a map with a version
 * was 60: the lead item has to stay under 1 KB with a send's in-flight mark on it (about 110 bytes), or the claim and
 * the settle of a lead's last steps cost 2 write units each. Compared as a whole by the recount's conditional write
 * (`dynamo-report-counters.ts`).
 */
export const COUNTED_ATTRIBUTE = 'counted';
const LEAD_TOTAL = 'lead/';
const CODES: Record<LeadTotal, string> = {
  nurture: 'n',
  bookings: 'b',
  afterClick: 'ac',
  withoutClick: 'wc',
  'unsubscribed.marketing': 'um',
  'unsubscribed.everything': 'ue',
  'optIn.asked': 'oa',
  'optIn.confirmed': 'oc',
  'left.booked': 'lb',
  'left.unsubscribed': 'lu',
  'left.stopped': 'ls',
  'left.bounced': 'lbo',
  'left.complained': 'lc',
  'left.rejected': 'lr',
  'left.completed': 'lco',
  'left.sunset': 'lsu',
  'left.holdout': 'lh',
  'left.active': 'la',
  // The holdout's groups (`holdout.ts`): one or two letters, on every lead enrolled while a holdout runs.
  'group.nurture': 'N',
  'group.holdout': 'H',
  'group.nurture.booked': 'NB',
  'group.holdout.booked': 'HB',
};
const TOTALS = Object.fromEntries(Object.entries(CODES).map(([total, code]) => [code, total]));

export function encodeCounted(counts: Counts): string {
  const parts = Object.keys(counts)
    .filter((key) => counts[key] !== 0)
    .map((key) => {
      const total = key.startsWith(LEAD_TOTAL) ? key.slice(LEAD_TOTAL.length) : undefined;
      const name = (total && CODES[total as LeadTotal]) ?? total ?? key;
      return counts[key] === 1 ? name : `${name}=${counts[key]}`;
    })
    .sort();
  return parts.length === 0 ? '-' : parts.join(' ');
}

export function decodeCounted(text: unknown): Counts | undefined {
  if (typeof text !== 'string') return undefined;
  const counts: Counts = {};
  if (text === '-') return counts;
  for (const part of text.split(' ')) {
    const [name = '', value] = part.split('=');
    // A step's or a variant's count is kept whole (`step/…`, `variant/…`); a lead total's code has no slash.
    const key = name.includes('/') ? name : `${LEAD_TOTAL}${TOTALS[name] ?? name}`;
    counts[key] = value === undefined ? 1 : Number(value);
  }
  return counts;
}

/**
 * The steps (and their named links) a person clicked, as a string set on the lead (contract: `Lead.humanClicks`),
 * written by the SES-event handler (`dynamo-event-store.ts`). Read back as a sorted list.
 */
export const HUMAN_CLICKS = 'humanClicks';

/** A short, fixed-length stand-in for an SES message id: enough to tell another message on the same step apart. */
export const fingerprint = (messageId: string) =>
  createHash('sha256').update(messageId).digest('base64url').slice(0, 6);

/** A message's state in one letter, in the lead's `msgs`. */
const STATE_CODE: Record<MessageState, string> = { sent: 's', unconfirmed: 'u', rejected: 'r' };
const CODE_STATE = Object.fromEntries(Object.entries(STATE_CODE).map(([state, code]) => [code, state])) as Record<
  string,
  MessageState
>;

/** Between a step id and its variant's in a `msgs` entry: neither holds it (an SES tag's alphabet; `validateSequences`). */
const VARIANT_MARK = '+';

/**
 * After a step's id (and its variant's) in a `msgs` entry: the step's subject-line experiment variant, one letter,
 * then its experiment's tag (`MessageRecord.experimentTag`: `experimentTag`, 4 characters of base64url, none of them
 * `|`, `+` or `~`): `how-it-works~bq3Xz`, six bytes on the lead item. Outside an SES tag's alphabet, so in no step or
 * variant id. An entry written before the tag was kept has the letter alone (`how-it-works~b`): read back with no
 * `experimentTag`, it counts in no experiment.
 */
const ARM_MARK = '~';

/**
 * A variant's id as a `msgs` entry holds it: one that starts with its step's id and a hyphen, as the default ones do
 * (`who-it-helps-chronic`), without the step's id (`-chronic`), which saves the lead item a dozen bytes; any other
 * whole (a variant id starts with a letter or digit, so a leading hyphen is never its own).
 */
const shortVariant = ({ stepId, variant = '' }: Pick<MessageRecord, 'stepId' | 'variant'>) =>
  variant.startsWith(`${stepId}-`) ? variant.slice(stepId.length) : variant;
const fullVariant = (stepId: string, stored: string) => (stored.startsWith('-') ? `${stepId}${stored}` : stored);

/** One message's entry in the lead's `msgs`. */
export function messageEntry(message: MessageRecord): string {
  const fields = [
    message.sequenceId,
    `${message.variant === undefined ? message.stepId : `${message.stepId}${VARIANT_MARK}${shortVariant(message)}`}${
      message.arm === undefined ? '' : `${ARM_MARK}${message.arm}${message.experimentTag ?? ''}`
    }`,
    `${STATE_CODE[message.state]}${message.links === undefined ? '' : message.links.toString(36)}`,
    message.at.getTime().toString(36),
    message.messageId ? fingerprint(message.messageId) : '',
    ...(message.reason ? [message.reason] : []),
  ];
  return fields.join('|');
}

/** A lead's message records from its item: one per step and sequence (the latest, for a step sent again), oldest first. */
export function messageRecords(item: Record<string, unknown>): (MessageRecord & { fingerprint?: string })[] {
  const entries = (item.msgs as string[] | undefined) ?? [];
  const leadId = String(item.leadId);
  const records = new Map<string, MessageRecord & { fingerprint?: string }>();
  entries.forEach((entry, i) => {
    const [sequenceId = '', sent = '', state, at = '0', print, ...reason] = entry.split('|');
    const [chosen = '', armAndTag = ''] = sent.split(ARM_MARK);
    // The letter, then the experiment's tag (none on an entry from before it was kept).
    const [arm, experimentTag] = [armAndTag.slice(0, 1), armAndTag.slice(1)];
    const [stepId = '', variant] = chosen.split(VARIANT_MARK);
    // The state's letter, then the link count when recorded (`s4`); anything else is a state as it was written.
    const [, code = state, links] = /^([a-z])([0-9a-z]{1,2})$/.exec(state ?? '') ?? [];
    const last = i === entries.length - 1;
    records.delete(`${sequenceId}|${stepId}`);
    records.set(`${sequenceId}|${stepId}`, {
      leadId,
      sequenceId,
      stepId,
      ...(variant ? { variant: fullVariant(stepId, variant) } : {}),
      ...(arm ? { arm } : {}),
      ...(arm && experimentTag ? { experimentTag } : {}),
      state: CODE_STATE[code ?? ''] ?? (state as MessageState),
      ...(links !== undefined && { links: parseInt(links, 36) }),
      at: new Date(parseInt(at, 36)),
      ...(last && print && item.lastMessageId ? { messageId: item.lastMessageId as string } : {}),
      ...(print ? { fingerprint: print } : {}),
      ...(reason.length > 0 ? { reason: reason.join('|') } : {}),
    });
  });
  return [...records.values()].sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** The lead's `msgs` with one more message, and its `lastMessageId`. */
export function messageUpdate(message: MessageRecord) {
  const set = ['msgs = list_append(if_not_exists(msgs, :none), :message)'];
  const remove: string[] = [];
  const values: Record<string, unknown> = { ':none': [], ':message': [messageEntry(message)] };
  if (message.messageId) {
    set.push('lastMessageId = :messageId');
    values[':messageId'] = message.messageId;
  } else {
    remove.push('lastMessageId');
  }
  return { set, remove, values };
}

/** `rev`, bumped: every write that changes what a send reads (not the claim itself). */
const BUMP = 'rev = if_not_exists(rev, :zero) + :one';

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

/**
 * Settling a claim: the step's outcome and its message record, the lead's next step (back into the due index) or its
 * end, and no claim.
 */
export function settlementUpdate(settlement: Settlement, dueShard: number): ItemUpdate {
  const set: string[] = [BUMP];
  const remove = ['claimToken', 'claimUntil', 'sendingSequence', 'sendingStep', 'sendingAt'];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':zero': 0, ':one': 1 };

  if (settlement.message) {
    const message = messageUpdate(settlement.message);
    set.push(...message.set);
    remove.push(...message.remove);
    Object.assign(values, message.values);
  }

  if (settlement.settledStepId) {
    set.push('sentSteps = list_append(if_not_exists(sentSteps, :none), :settled)');
    values[':none'] = [];
    values[':settled'] = [settlement.settledStepId];
  }
  if (settlement.settledStepId && settlement.sentAhead) {
    set.push('sentAhead = list_append(if_not_exists(sentAhead, :none), :settled)');
    values[':none'] = [];
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
  if (settlement.marketingSentAt) {
    set.push('lastMarketingAt = :marketingAt');
    values[':marketingAt'] = settlement.marketingSentAt.toISOString();
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
  if (settlement.counted) {
    // The lead's count for the report, replaced whole (what it was comes back, for the difference) and its version
    // bumped, so a recount racing this write stores nothing.
    set.push(`${COUNTED_ATTRIBUTE} = :counted`);
    values[':counted'] = encodeCounted(settlement.counted);
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
    BUMP,
  ];
  const remove: string[] = [];
  const values: Record<string, unknown> = {
    ':zero': 0,
    ':one': 1,
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

/**
 * A choice from the preference page: the choice and its time, the pause and the cadence as set or removed, and the
 * next step's new time (it stays in the due index: only its time moves).
 */
export function preferenceUpdate(change: PreferenceChange): { expression: string; values: Record<string, unknown> } {
  const set = ['preference = :preference', BUMP];
  const remove: string[] = [];
  const values: Record<string, unknown> = { ':preference': change.preference, ':zero': 0, ':one': 1 };
  if (change.pausedUntil === null) remove.push('pausedUntil');
  else if (change.pausedUntil !== undefined) {
    set.push('pausedUntil = :pausedUntil');
    values[':pausedUntil'] = change.pausedUntil;
  }
  if (change.cadence === null) remove.push('cadence');
  else if (change.cadence !== undefined) {
    set.push('cadence = :cadence');
    values[':cadence'] = change.cadence;
  }
  if (change.nextSendAt) {
    set.push('nextSendAt = :nextAt', 'dueAt = :dueAt');
    values[':nextAt'] = change.nextSendAt.toISOString();
    values[':dueAt'] = change.nextSendAt.getTime();
  }
  return { expression: expression(set, remove), values };
}

/** The lead in an item, with the dispatcher's claim and in-flight mark when present. */
export function toStoredLead(item: Record<string, unknown>): StoredLead {
  const lead = { ...item };
  for (const key of INTERNAL) delete lead[key];
  const humanClicks = item[HUMAN_CLICKS] as Set<string> | undefined;
  return {
    ...(lead as unknown as Lead),
    sentSteps: (lead.sentSteps as string[] | undefined) ?? [],
    ...(humanClicks && { humanClicks: [...humanClicks].sort() }),
    ...(typeof item.dueAt === 'number' ? { dueAt: item.dueAt } : {}),
    ...(typeof item.rev === 'number' ? { rev: item.rev } : {}),
    ...(item.claimToken ? { claim: { token: item.claimToken as string } } : {}),
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
