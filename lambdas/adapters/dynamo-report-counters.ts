/**
 * The report's counters (ports `ReportCounters` and `LeadCounts`) on the one table.
 *
 * Items (pk, sk; formats in `lambdas/contract.ts`):
 *   COUNT#report, LEADS                     the lead totals: `nurture`, `left.<reason>`, `bookings`, `afterClick`,
 *                                           `withoutClick`, `unsubscribed.marketing`, `unsubscribed.everything`
 *                                           (numbers)
 *   COUNT#report, STEP#<sequenceId>#<step>  one step's funnel: `sequenceId`, `stepId`, and `sent`, `delivered`,
 *                                           `opened`, `clicked`, `complained`, `bookedAfter`, `unsubscribed`,
 *                                           `bounced` (numbers), and the same per variant of the step as
 *                                           `<variantId>/<metric>` (`byInterest`: no write of its own), and per
 *                                           subject-line experiment variant as `x.<a..d>.<tag>/<metric>` (`sent`,
 *                                           `delivered`, `clicked`, `booked`; `<tag>` the experiment's, 4 characters
 *                                           of base64url: `experimentTag`; a variant id has no dot, nor has a tag;
 *                                           `x.<a..d>/<metric>`: messages recorded before the tag was kept); a few
 *                                           hundred bytes, so an update is one write unit (a step with many
 *                                           variants, each with every column counted, or several experiments in
 *                                           turn, can pass 1 KB: two units an update)
 *   LEAD#<leadId>, PROFILE                  the lead (`dynamo-lead-store.ts`) carries what it adds to the lead totals
 *                                           now (`counted`, its count keys in one short string: `encodeCounted`)
 *
 * Access patterns:
 *   flush              one UpdateItem with ADD per counter item touched since the last flush
 *   read               Query pk = COUNT#report (a few dozen items, whatever the table holds)
 *   a new lead         its `counted` is in the lead's own Put (no write of its own)
 *   a sequence ending  the settle that ends it replaces `counted` and returns what it was (no write of its own)
 *   a lead's change    Query pk = LEAD#<leadId> (its profile with its message records and `counted`, its MSG# items
 *                      with their first times and click times, projected as the report reads them), then an
 *                      UpdateItem of `counted` on the lead conditional on its value as read
 *
 * All counters sit under one partition key, so one Query reads them. DynamoDB serves about 1,000 write units a second
 * per partition: far above what a clinic's sends and SES events need once the SES events arrive in batches.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { paginateQuery, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { KEY_PREFIX, SORT_KEY } from '../contract.ts';
import type { LeadCounts, ReportCounters } from '../domain/ports.ts';
import type { Funnel } from '../domain/report.ts';
import {
  armKey,
  diffCounts,
  parseArmKey,
  parseStepKey,
  parseVariantKey,
  stepKey,
  variantKey,
  type ArmMetric,
  type Counts,
  type LeadView,
} from '../domain/report-counts.ts';
import { counterPartition, leadKey, leadTotalsKey, stepCounterKey, type ItemKey } from './dynamo-keys.ts';
import { COUNTED_ATTRIBUTE, encodeCounted } from './dynamo-lead-item.ts';
import { addItem, collectedFrom, gathered, REPORT_ATTRIBUTES } from './dynamo-report-source.ts';
import { DynamoTable, type TableOptions } from './dynamo-table.ts';

const LEAD_TOTAL_PREFIX = 'lead/';

/** Before an experiment variant's letter in its attribute: no interest variant's id holds a dot. */
const ARM_PREFIX = 'x.';
/** Between an experiment variant's letter and its experiment's tag: no tag holds a dot (base64url). */
const TAG_MARK = '.';

/**
 * A step count's attribute on its step's counter item: the column's name, after the variant's id for a variant's, or
 * after `x.`, the letter and the experiment's tag for an experiment variant's (`x.b.q3Xz/sent`; no tag: `x.b/sent`).
 */
const attributeOf = (count: { metric: string; variant?: string; arm?: string; tag?: string }) =>
  count.arm !== undefined
    ? `${ARM_PREFIX}${count.arm}${count.tag ? `${TAG_MARK}${count.tag}` : ''}/${count.metric}`
    : count.variant === undefined
      ? count.metric
      : `${count.variant}/${count.metric}`;

/** The count an attribute of a step's counter item holds (`attributeOf`). */
export function countOf(sequenceId: string, stepId: string, attribute: string): string {
  const [variant, metric] = attribute.split('/');
  if (metric === undefined) return stepKey(sequenceId, stepId, attribute as keyof Funnel);
  if (!variant!.startsWith(ARM_PREFIX)) return variantKey(sequenceId, stepId, variant!, metric as keyof Funnel);
  const [arm = '', tag = ''] = variant!.slice(ARM_PREFIX.length).split(TAG_MARK);
  return armKey(sequenceId, stepId, tag, arm, metric as ArmMetric);
}

export class DynamoReportCounters implements ReportCounters, LeadCounts {
  private readonly table: DynamoTable;

  constructor(client: DynamoDBClient, options: Pick<TableOptions, 'tableName' | 'retentionDays'>) {
    this.table = new DynamoTable(client, options.tableName, options.retentionDays);
  }

  async add(deltas: Counts): Promise<Counts> {
    const items = new Map<
      string,
      { key: ItemKey; ids?: { sequenceId: string; stepId: string }; adds: Counts; names: Record<string, string> }
    >();
    for (const [name, value] of Object.entries(deltas)) {
      if (value === 0) continue;
      const step = parseStepKey(name) ?? parseVariantKey(name) ?? parseArmKey(name);
      const key = step ? stepCounterKey(step.sequenceId, step.stepId) : leadTotalsKey();
      const item =
        items.get(key.sk) ??
        items
          .set(key.sk, {
            key,
            ...(step && { ids: { sequenceId: step.sequenceId, stepId: step.stepId } }),
            adds: {},
            names: {},
          })
          .get(key.sk)!;
      const attribute = step ? attributeOf(step) : name.slice(LEAD_TOTAL_PREFIX.length);
      item.adds[attribute] = value;
      item.names[attribute] = name;
    }
    const unwritten: Counts = {};
    await Promise.all(
      [...items.values()].map(async ({ key, ids, adds, names: countNames }) => {
        const names = Object.keys(adds);
        try {
          await this.table.doc.send(
            new UpdateCommand({
              TableName: this.table.name,
              Key: key,
              UpdateExpression: [
                `ADD ${names.map((_, i) => `#a${i} :a${i}`).join(', ')}`,
                ids && 'SET sequenceId = :sequence, stepId = :step',
              ]
                .filter(Boolean)
                .join(' '),
              ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#a${i}`, name])),
              ExpressionAttributeValues: {
                ...Object.fromEntries(names.map((name, i) => [`:a${i}`, adds[name]])),
                ...(ids && { ':sequence': ids.sequenceId, ':step': ids.stepId }),
              },
            }),
          );
        } catch {
          for (const name of names) unwritten[countNames[name]!] = adds[name]!;
        }
      }),
    );
    return unwritten;
  }

  async read(): Promise<Counts> {
    const counts: Counts = {};
    const pages = paginateQuery(
      { client: this.table.doc },
      {
        TableName: this.table.name,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': counterPartition },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const step = String(item.sk).startsWith(KEY_PREFIX.counterStep);
        if (!step && item.sk !== SORT_KEY.leadTotals) continue;
        for (const [name, value] of Object.entries(item)) {
          if (typeof value !== 'number' || value === 0) continue;
          counts[step ? countOf(String(item.sequenceId), String(item.stepId), name) : `${LEAD_TOTAL_PREFIX}${name}`] =
            value;
        }
      }
    }
    return counts;
  }

  async replace(counts: Counts): Promise<void> {
    const unwritten = await this.add(diffCounts(counts, await this.read()));
    if (Object.keys(unwritten).length > 0) throw new Error('some counters could not be written');
  }

  async view(leadId: string) {
    const gathering = gathered();
    const pages = paginateQuery(
      { client: this.table.doc },
      {
        TableName: this.table.name,
        KeyConditionExpression: '#pk = :pk',
        // The same items and attributes the rebuild's Scan reads for this lead: no address, name or interest. The
        // lead's partition holds its PROFILE (with its message records and `counted`) and its MSG# items: all are read.
        ProjectionExpression: REPORT_ATTRIBUTES.map((name) => `#${name}`).join(', '),
        ExpressionAttributeNames: Object.fromEntries(REPORT_ATTRIBUTES.map((name) => [`#${name}`, name])),
        ExpressionAttributeValues: { ':pk': leadKey(leadId).pk },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) for (const item of page.Items ?? []) addItem(gathering, item);
    const input = collectedFrom(gathering);
    const lead = input.leads[0];
    const view: LeadView | undefined = lead && { lead, messages: input.messages, clicks: input.clicks };
    const counted = input.counted.get(leadId)?.counts;
    return { ...(view && { view }), ...(counted && { counted }) };
  }

  async store(leadId: string, counts: Counts, seen: Counts | undefined): Promise<boolean> {
    // `#counted` by name: the lead item's own writes (create, settle) set it literally.
    return this.table.conditionalUpdate({
      Key: leadKey(leadId),
      UpdateExpression: 'SET #counted = :counts',
      ConditionExpression: `attribute_exists(pk) AND ${seen === undefined ? 'attribute_not_exists(#counted)' : '#counted = :seen'}`,
      ExpressionAttributeNames: { '#counted': COUNTED_ATTRIBUTE },
      ExpressionAttributeValues: {
        ':counts': encodeCounted(counts),
        ...(seen !== undefined && { ':seen': encodeCounted(seen) }),
      },
    });
  }

  /** What a lead counts as, overwritten whatever it was (the rebuild's repair, run while nothing else writes). */
  async overwrite(leadId: string, counts: Counts): Promise<void> {
    // A lead erased since the Scan stays erased.
    await this.table.conditionalUpdate({
      Key: leadKey(leadId),
      UpdateExpression: 'SET #counted = :counts',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#counted': COUNTED_ATTRIBUTE },
      ExpressionAttributeValues: { ':counts': encodeCounted(counts) },
    });
  }
}
