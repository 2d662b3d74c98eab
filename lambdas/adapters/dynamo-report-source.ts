/**
 * Reads what the report needs from the one table (see the key formats in `lambdas/contract.ts`): each lead's
 * PROFILE (with its message records, `msgs`) and its MSG# items (what SES events told of each message, with every
 * Click, judged a person's or a machine's by `machine-clicks.ts`).
 *
 * Since the report reads the counters kept at write time (`dynamo-report-counters.ts`), this Scan is the rebuild
 * (`npm run report -- --rebuild`): it recounts from the raw items, to check the counters and repair them.
 *
 * How: a Scan of the whole table in 4 parallel segments, each paginated. It reads every item, so its cost grows with the table, not with the answer:
 * DynamoDB charges a Scan for every item it reads (one read request unit per 8 KB, eventually consistent), before
 * the filter. A lead with its eight messages and their events is about 10 KB, so 10,000 leads are ~100 MB:
 * ~12,500 read request units (well under a cent on demand) and ~100 pages of 1 MB. That is fine for a clinic's
 * report read by a person a few times a day. The segments cost the same as one Scan, for a fraction of the
 * wait.
 *
 * The projection names only ids, states, times and counts, and the filter keeps only LEAD# items, so no address,
 * name, phone or health interest ever leaves the table for a report (EMAIL# and SUPPRESS# keys hold addresses).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { KEY_PREFIX, SORT_KEY } from '../contract.ts';
import type { LeadStatus } from '../domain/lead.ts';
import type {
  CountedEvent,
  ReportClick,
  ReportInput,
  ReportLead,
  ReportMessage,
  ReportSource,
} from '../domain/report.ts';
import type { Counts } from '../domain/report-counts.ts';
import { judge, tally } from '../domain/machine-clicks.ts';
import { CLICK_ATTRIBUTES, messageClicks } from './dynamo-click-item.ts';
import { leadIdOf } from './dynamo-keys.ts';
import { COUNTED_ATTRIBUTE, decodeCounted, messageRecords } from './dynamo-lead-item.ts';

/** Each kept as the first time SES reported it (`first<Type>At`); every Click is in `clicks` (`dynamo-click-item.ts`). */
const COUNTED: readonly Exclude<CountedEvent, 'Click' | 'MachineClick'>[] = [
  'Send',
  'Delivery',
  'Open',
  'Bounce',
  'Complaint',
];
/** What the report reads of a lead's items (ids, states, times), and what a lead was last counted as. */
export const REPORT_ATTRIBUTES = [
  'pk',
  'sk',
  'leadId',
  'status',
  'sequenceId',
  'bookedAt',
  'stoppedAt',
  'optedOutAt',
  'confirmedAt',
  'grp',
  'msgs',
  ...CLICK_ATTRIBUTES,
  ...COUNTED.map((type) => `first${type}At`),
  COUNTED_ATTRIBUTE,
];
const ATTRIBUTES = REPORT_ATTRIBUTES;

/**
 * What was read, by lead: the lead's PROFILE (its records, `msgs`) and its MSG# items, joined into the report's input
 * once all are read (`joined`); and what each lead was last counted as (its PROFILE's `counted`).
 */
export type Gathered = {
  leads: ReportLead[];
  /** By lead, then `<sequence>#<step>`. */
  records: Map<string, { profile?: Record<string, unknown>; events: Map<string, Record<string, unknown>> }>;
  counted: Map<string, { counts: Counts }>;
};

/** An empty collection, for `addItem`. */
export const gathered = (): Gathered => ({ leads: [], records: new Map(), counted: new Map() });

/** The report's input, and what each lead was last counted as, by lead id. */
export type Collected = ReportInput & { counted: Gathered['counted'] };

/** What was gathered, as the report's input and each lead's counted state. */
export const collectedFrom = (input: Gathered): Collected => ({ ...joined(input), counted: input.counted });

export class DynamoReportSource implements ReportSource {
  private readonly doc: DynamoDBDocumentClient;

  /** `segments`: how many parts of the table are scanned at once. */
  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
    private readonly segments = 4,
  ) {
    this.doc = DynamoDBDocumentClient.from(client);
  }

  /** `onPage`: told how many items each page scanned (before the filter), for a progress line. */
  async read(onPage?: (scanned: number) => void): Promise<Collected> {
    const input = gathered();
    await Promise.all(
      Array.from({ length: this.segments }, async (_, segment) => {
        for await (const page of this.scan(segment)) {
          for (const item of page.Items ?? []) addItem(input, item);
          onPage?.(page.ScannedCount ?? 0);
        }
      }),
    );
    return collectedFrom(input);
  }

  private scan(segment: number) {
    return paginateScan(
      { client: this.doc },
      {
        TableName: this.tableName,
        Segment: segment,
        TotalSegments: this.segments,
        // Every name goes through a placeholder: several (status, state, at) are DynamoDB reserved words.
        ProjectionExpression: ATTRIBUTES.map((name) => `#${name}`).join(', '),
        FilterExpression: 'begins_with(#pk, :lead)',
        ExpressionAttributeNames: Object.fromEntries(ATTRIBUTES.map((name) => [`#${name}`, name])),
        ExpressionAttributeValues: { ':lead': KEY_PREFIX.lead },
      },
    );
  }
}

/** Sort one of a lead's items into the report's input (items that are not the report's are left out). */
export function addItem(input: Gathered, item: Record<string, unknown>) {
  const leadId = leadIdOf(item.pk);
  const sk = String(item.sk);
  const records = input.records.get(leadId) ?? input.records.set(leadId, { events: new Map() }).get(leadId)!;
  if (sk === SORT_KEY.lead) {
    records.profile = item;
    const counted = decodeCounted(item[COUNTED_ATTRIBUTE]);
    if (counted) input.counted.set(leadId, { counts: counted });
    input.leads.push({
      leadId,
      status: item.status as LeadStatus,
      sequenceId: String(item.sequenceId),
      ...(item.bookedAt ? { bookedAt: item.bookedAt as string } : {}),
      ...(item.stoppedAt ? { stoppedAt: item.stoppedAt as string } : {}),
      ...(item.optedOutAt ? { optedOutAt: item.optedOutAt as string } : {}),
      ...(item.confirmedAt ? { confirmedAt: item.confirmedAt as string } : {}),
      ...(item.grp === 'h' || item.grp === 'n' ? { grp: item.grp } : {}),
    });
  } else if (sk.startsWith(KEY_PREFIX.message)) {
    records.events.set(sk.slice(KEY_PREFIX.message.length), item);
  }
}

/** Each message: the lead's record of the send (state, time), and what SES events told of it. */
function joined(input: Gathered): ReportInput {
  const messages: ReportMessage[] = [];
  const clicks: ReportClick[] = [];
  for (const [leadId, { profile, events }] of input.records) {
    const sent = profile ? messageRecords({ ...profile, leadId }) : [];
    const keys = new Set([...sent.map((m) => `${m.sequenceId}#${m.stepId}`), ...events.keys()]);
    for (const key of keys) {
      const record = sent.find((m) => `${m.sequenceId}#${m.stepId}` === key);
      const [sequenceId = '', stepId = ''] = record ? [record.sequenceId, record.stepId] : splitKey(key);
      const item = events.get(key) ?? {};
      // Judged as the SES-event handler judges them, from the same recorded facts: the recount and the counters agree.
      // The link count is the lead's record of the send (none for a record from before it was kept, or a lead gone).
      const verdicts = judge({ ...messageClicks(item), ...(record?.links !== undefined && { links: record.links }) });
      const { human, machine } = tally(verdicts);
      messages.push({
        leadId,
        sequenceId,
        stepId,
        ...(record && { state: record.state, at: record.at.toISOString() }),
        ...(record?.variant !== undefined && { variant: record.variant }),
        ...(record?.arm !== undefined && { arm: record.arm }),
        ...(record?.experimentTag !== undefined && { experimentTag: record.experimentTag }),
        counts: {
          ...Object.fromEntries(COUNTED.filter((type) => item[`first${type}At`]).map((type) => [type, 1])),
          ...(human > 0 && { Click: human }),
          ...(machine > 0 && { MachineClick: machine }),
        },
      });
      for (const { click } of verdicts.filter((verdict) => !verdict.machine))
        clicks.push({ leadId, sequenceId, stepId, at: click.at });
    }
  }
  return { leads: input.leads, messages, clicks };
}

/** `<sequence>#<step>` of a MSG# key; step ids hold no `#`, sequence ids neither. */
function splitKey(key: string): [string, string] {
  const at = key.indexOf('#');
  return [key.slice(0, at), key.slice(at + 1)];
}
