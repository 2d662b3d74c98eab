/**
 * A person's data on the one table (port `PersonStore`): find everything stored for an address, delete it, and keep
 * an audit of each export and erasure.
 *
 * Items (pk, sk; formats in `lambdas/contract.ts`):
 *   EMAIL#<address>, EMAIL           points at the lead: the way in from an address
 *   LEAD#<leadId>, *                 the lead (PROFILE: profile, consent, message records, what it adds to the
 *                                    report's totals), its MSG# items (SES events), COUNTED and EVT# items from before
 *   SUPPRESS#<address>, SUPPRESS     the address bounced or complained
 *   ERASED#<hash>, ERASED            an erased address that must never be emailed again: its keyed hash
 *                                    (`addressHash`), why (`reason`) and when (`at`); no TTL, no address
 *   AUDIT#privacy, <time>#<id>       one export or erasure: `who` (the IAM principal), `action`, `at`, the lead's id
 *                                    and an erasure's counts; never the address
 *
 * Access patterns:
 *   find               Get EMAIL#, SUPPRESS# and ERASED# (in parallel), then Query pk = LEAD#<leadId> (consistent)
 *   erase              Put ERASED# first when the hash is kept; Delete LEAD#…PROFILE, EMAIL#, SUPPRESS#; then Query
 *                      the lead's partition and Delete what is there, again until a Query finds nothing
 *   audit              Put AUDIT#
 *
 * Erasing during a send: the lead item goes first, unconditionally. A send in flight then was already handed to SES;
 * its settle and its record are conditional on its claim or its in-flight mark (`dynamo-lead-store.ts`), both gone
 * with the item, so they are refused and write nothing; every later claim, stop or booking is conditional on the item
 * too. An SES event for the lead's messages finds no lead and is skipped (`domain/engagement.ts`).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, paginateQuery, PutCommand } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import { KEY_PREFIX, SORT_KEY } from '../contract.ts';
import type { MessageRecord, SuppressionReason } from '../domain/ports.ts';
import {
  addressHash,
  type AddressKey,
  type AuditEntry,
  type ErasureCounts,
  type PersonStore,
  type StoredPerson,
} from '../domain/privacy.ts';
import { auditKey, emailKey, erasedKey, leadKey, suppressionKey, type ItemKey } from './dynamo-keys.ts';
import { messageRecords, toStoredLead } from './dynamo-lead-item.ts';
import { DynamoTable } from './dynamo-table.ts';

/** Rounds of "Query the partition, delete what is there": an SES event recorded at that very moment may add one. */
const SWEEPS = 5;

/** Tells apart audit items of the same millisecond, in the order they were written. */
const nextId = monotonicFactory();

export class DynamoPrivacy implements PersonStore {
  private readonly table: DynamoTable;

  constructor(
    client: DynamoDBClient,
    private readonly options: { tableName: string; addressKey: AddressKey },
  ) {
    this.table = new DynamoTable(client, options.tableName);
  }

  async find(email: string): Promise<StoredPerson> {
    const [pointer, suppression, erased] = await Promise.all(
      [emailKey(email), suppressionKey(email), erasedKey(addressHash(this.options.addressKey, email))].map((key) =>
        this.get(key),
      ),
    );
    const leadId = pointer ? String(pointer.leadId) : undefined;
    const person: StoredPerson = {
      email,
      messages: [],
      events: [],
      other: [],
      ...(leadId && { leadId }),
      ...(suppression && { suppression: reasonOf(suppression) }),
      ...(erased && { erased: reasonOf(erased) }),
    };
    if (!leadId) return person;

    const events = new Map<string, Record<string, unknown>>();
    let profile: Record<string, unknown> | undefined;
    for (const item of await this.partition(leadId)) {
      const sk = String(item.sk);
      if (sk === SORT_KEY.lead) profile = item;
      else if (sk.startsWith(KEY_PREFIX.message)) events.set(sk.slice(KEY_PREFIX.message.length), item);
      else person.other.push({ item: sk, ...readable(item) });
    }
    person.events = [...events.entries()].map(([message, item]) => {
      const [sequenceId, stepId] = message.split('#');
      return { sequenceId, stepId, ...readable(item) };
    });
    if (profile) {
      person.lead = toStoredLead(profile);
      person.messages = messageRecords(profile).map(({ fingerprint: _print, ...record }): MessageRecord => {
        const known = events.get(`${record.sequenceId}#${record.stepId}`)?.messageId as string | undefined;
        return record.messageId || !known ? record : { ...record, messageId: known };
      });
    }
    return person;
  }

  async erase(person: StoredPerson, keep: SuppressionReason | undefined, now: Date): Promise<ErasureCounts> {
    const counts: ErasureCounts = { lead: 0, addressIndex: 0, suppression: 0, events: 0, other: 0 };
    // The hash first: from here on a sign-up of this address is refused, whatever happens to the rest.
    if (keep)
      await this.table.doc.send(
        new PutCommand({
          TableName: this.table.name,
          Item: {
            ...erasedKey(addressHash(this.options.addressKey, person.email)),
            type: 'erased',
            reason: keep,
            at: now.toISOString(),
          },
        }),
      );
    // The lead item next: with it go the claim and the mark every in-flight send's settle is conditional on.
    if (person.leadId) counts.lead = await this.delete(leadKey(person.leadId));
    counts.addressIndex = await this.delete(emailKey(person.email));
    counts.suppression = await this.delete(suppressionKey(person.email));
    if (!person.leadId) return counts;

    for (let sweep = 0; sweep < SWEEPS; sweep++) {
      const left = await this.partition(person.leadId, true);
      if (left.length === 0) break;
      for (const item of left) {
        const sk = String(item.sk);
        const deleted = await this.delete({ pk: String(item.pk), sk });
        if (sk === SORT_KEY.lead) counts.lead += deleted;
        else if (sk.startsWith(KEY_PREFIX.message) || sk.startsWith(KEY_PREFIX.event)) counts.events += deleted;
        else counts.other += deleted;
      }
    }
    return counts;
  }

  async audit(entry: AuditEntry): Promise<void> {
    await this.table.doc.send(
      new PutCommand({
        TableName: this.table.name,
        Item: { ...auditKey(new Date(entry.at), nextId()), type: 'audit', ...entry },
      }),
    );
  }

  private async get(key: ItemKey) {
    const result = await this.table.doc.send(
      new GetCommand({ TableName: this.table.name, Key: key, ConsistentRead: true }),
    );
    return result.Item;
  }

  /** 1 when there was an item to delete, else 0. */
  private async delete(key: ItemKey): Promise<number> {
    const result = await this.table.doc.send(
      new DeleteCommand({ TableName: this.table.name, Key: key, ReturnValues: 'ALL_OLD' }),
    );
    return result.Attributes ? 1 : 0;
  }

  /** Every item under the lead's key (only the keys, when `keysOnly`), in one consistent Query, paginated. */
  private async partition(leadId: string, keysOnly = false): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    const pages = paginateQuery(
      { client: this.table.doc },
      {
        TableName: this.table.name,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': leadKey(leadId).pk },
        ConsistentRead: true,
        ...(keysOnly && { ProjectionExpression: 'pk, sk' }),
      },
    );
    for await (const page of pages) items.push(...(page.Items ?? []));
    return items;
  }
}

function reasonOf(item: Record<string, unknown>) {
  return { reason: item.reason as SuppressionReason, ...(typeof item.at === 'string' && { at: item.at }) };
}

/** An item as JSON can show it: without its keys, a string set as a sorted list. */
function readable(item: Record<string, unknown>): Record<string, unknown> {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return Object.fromEntries(
    Object.entries(rest).map(([name, value]) => [name, value instanceof Set ? [...value].sort() : value]),
  );
}
