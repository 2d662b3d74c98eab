/**
 * A person's data on request: export (everything stored about one address) and erasure (all of it, keeping at most a
 * keyed hash of the address, so a person who unsubscribed or was suppressed is never emailed again).
 *
 * Pure: what an export holds, whether an erasure keeps the hash and why, the hash itself, and the audit entry each
 * action leaves (ids and counts only). The store (`PersonStore`) finds and deletes the items; `lambdas/adapters/
 * dynamo-privacy.ts` is the one on the table.
 */
import { createHmac } from 'node:crypto';
import type { Consent, LeadStatus } from './lead.ts';
import type { MessageRecord, StoredLead, SuppressionReason } from './ports.ts';
import { normalizeEmail } from './email-address.ts';

/**
 * The key of the address hash: derived from the unsubscribe signing secret under a label of its own, so the one secret
 * never serves two purposes with the same key. That secret is never rotated (old unsubscribe links must keep working),
 * which is what the hash needs too: a new key would hide every erased address from the check.
 */
export type AddressKey = string & { readonly __brand: 'AddressKey' };

const ADDRESS_KEY_LABEL = 'nurture/erased-address-hash/v1';

export function addressKey(unsubscribeSecret: string): AddressKey {
  return createHmac('sha256', unsubscribeSecret).update(ADDRESS_KEY_LABEL).digest('base64url') as AddressKey;
}

/** HMAC-SHA256 of the normalised address, hex: the same for every spelling of one address, unreadable without the key. */
export function addressHash(key: AddressKey, email: string): string {
  return createHmac('sha256', key).update(normalizeEmail(email)).digest('hex');
}

/** What the table holds about one address, as the store found it. */
export interface StoredPerson {
  /** Normalised. */
  email: string;
  leadId?: string;
  /** The lead, without the table's bookkeeping. */
  lead?: StoredLead;
  /** The lead's message records (what the dispatcher wrote for each send), oldest first. */
  messages: MessageRecord[];
  /** What SES events told of each message (one per message that had any): ids, event times, click times. */
  events: Record<string, unknown>[];
  /** Any other item under the lead's key: what it adds to the report's totals, events from older versions. */
  other: Record<string, unknown>[];
  /** The address is on the suppression list (a bounce or a complaint). */
  suppression?: { reason: SuppressionReason; at?: string };
  /** The address was erased before and is kept as a hash: it must never be emailed. */
  erased?: { reason: SuppressionReason; at?: string };
}

export interface PersonExport {
  exportedAt: string;
  email: string;
  /** False when the table holds nothing about this address (except, maybe, its hash after an erasure). */
  found: boolean;
  leadId?: string;
  lead?: Omit<StoredLead, 'consent'>;
  consent?: Consent;
  messages: MessageRecord[];
  events: Record<string, unknown>[];
  other: Record<string, unknown>[];
  suppression?: StoredPerson['suppression'];
  erased?: StoredPerson['erased'];
}

/** Everything stored about the person, as one JSON-ready object. */
export function personExport(person: StoredPerson, now: Date): PersonExport {
  const { consent, ...lead } = person.lead ?? ({} as Partial<StoredLead>);
  return {
    exportedAt: now.toISOString(),
    email: person.email,
    found: isFound(person),
    ...(person.leadId && { leadId: person.leadId }),
    ...(person.lead && { lead: lead as Omit<StoredLead, 'consent'> }),
    ...(consent && { consent }),
    messages: person.messages,
    events: person.events,
    other: person.other,
    ...(person.suppression && { suppression: person.suppression }),
    ...(person.erased && { erased: person.erased }),
  };
}

const isFound = (person: StoredPerson) =>
  person.leadId !== undefined || person.lead !== undefined || person.suppression !== undefined;

/** Lead statuses that mean "never email this address again". */
const STOPPED: readonly LeadStatus[] = ['unsubscribed', 'bounced', 'complained'] satisfies SuppressionReason[];

/**
 * Why the erasure keeps the address's hash, or undefined when it keeps nothing: only for a person on the suppression
 * list (a bounce, a complaint), who was stopped for one of those, or who unsubscribed (from marketing, or from
 * everything). A person who simply completed the
 * sequence, booked, or was active leaves nothing: signing up again later starts a new lead.
 */
export function hashKeptFor(person: StoredPerson): SuppressionReason | undefined {
  if (person.suppression) return person.suppression.reason;
  const status = person.lead?.status;
  if (status && STOPPED.includes(status)) return status as SuppressionReason;
  // "Stop everything", or an unsubscribe from marketing while care emails went on: both are unsubscribes.
  if (status === 'stopped' || person.lead?.optedOutAt) return 'unsubscribed';
  return person.erased?.reason;
}

/** What an erasure deleted, counted by kind: never the items themselves. */
export interface ErasureCounts {
  /** The lead item (profile, consent, message records): 0 or 1. */
  lead: number;
  /** The item that pointed the address at its lead: 0 or 1. */
  addressIndex: number;
  /** The suppression item that held the address in its key: 0 or 1 (its reason is kept in the hash item). */
  suppression: number;
  /** Items of SES events on the lead's messages. */
  events: number;
  /** Any other items under the lead's key. */
  other: number;
}

export type PrivacyAction = 'export' | 'erase';

/** One admin action, as the audit keeps it: who, what, when, and the lead's id. Never the address. */
export interface AuditEntry {
  /** The IAM principal's ARN, or `local:<os user>` on this machine. */
  who: string;
  action: PrivacyAction;
  at: string;
  found: boolean;
  leadId?: string;
  /** An erasure's counts, and why it kept the hash (if it did). */
  deleted?: ErasureCounts;
  keptHash?: SuppressionReason;
}

/** Finds, erases and audits; `lambdas/adapters/dynamo-privacy.ts` on the table. */
export interface PersonStore {
  find(email: string): Promise<StoredPerson>;
  /**
   * Delete everything stored about `person`, writing the hash item first when `keep` says why (so a crash half-way
   * never leaves the address unguarded).
   */
  erase(person: StoredPerson, keep: SuppressionReason | undefined, now: Date): Promise<ErasureCounts>;
  audit(entry: AuditEntry): Promise<void>;
}

export interface PrivacyDeps {
  people: PersonStore;
  now: () => Date;
  /** Who is asking: the IAM principal, or the local user. */
  who: string;
}

/** Export everything stored about `email`, and audit it. */
export async function exportPerson(deps: PrivacyDeps, email: string): Promise<PersonExport> {
  const person = await deps.people.find(normalizeEmail(email));
  const now = deps.now();
  await deps.people.audit(auditEntry(deps.who, 'export', now, person));
  return personExport(person, now);
}

export interface ErasureResult {
  found: boolean;
  leadId?: string;
  deleted: ErasureCounts;
  keptHash?: SuppressionReason;
}

/** Erase everything stored about `email` (keeping the hash when `hashKeptFor` says so), and audit it. */
export async function erasePerson(deps: PrivacyDeps, email: string): Promise<ErasureResult> {
  const person = await deps.people.find(normalizeEmail(email));
  const keep = hashKeptFor(person);
  const now = deps.now();
  const deleted = await deps.people.erase(person, keep, now);
  await deps.people.audit({ ...auditEntry(deps.who, 'erase', now, person), deleted, ...(keep && { keptHash: keep }) });
  return {
    found: isFound(person),
    ...(person.leadId && { leadId: person.leadId }),
    deleted,
    ...(keep && { keptHash: keep }),
  };
}

function auditEntry(who: string, action: PrivacyAction, now: Date, person: StoredPerson): AuditEntry {
  return {
    who,
    action,
    at: now.toISOString(),
    found: isFound(person),
    ...(person.leadId && { leadId: person.leadId }),
  };
}
