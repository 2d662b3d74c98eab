/**
 * Reads what the report needs from the one table (see the key formats in `lambdas/contract.ts`): each lead's
 * PROFILE, its MSG# items, and its Click events.
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
import type { MessageState } from '../domain/ports.ts';
import type {
  CountedEvent,
  ReportClick,
  ReportInput,
  ReportLead,
  ReportMessage,
  ReportSource,
} from '../domain/report.ts';
import type { Counts } from '../domain/report-counts.ts';
import { leadIdOf } from './dynamo-keys.ts';

const COUNTED: readonly CountedEvent[] = ['Send', 'Delivery', 'Open', 'Click', 'Bounce', 'Complaint'];
/** What the report reads of a lead's items (ids, states, times and counts), and what a lead was last counted as. */
export const REPORT_ATTRIBUTES = [
  'pk',
  'sk',
  'status',
  'sequenceId',
  'stepId',
  'bookedAt',
  'stoppedAt',
  'state',
  'at',
  'eventType',
  ...COUNTED.map((type) => `count${type}`),
  'counted',
  'version',
];
const ATTRIBUTES = REPORT_ATTRIBUTES;

/** The report's input, and what each lead was last counted as (`LEAD#…`, `COUNTED`), by lead id. */
export type Collected = ReportInput & {
  leads: ReportLead[];
  messages: ReportMessage[];
  clicks: ReportClick[];
  counted: Map<string, { counts: Counts; version: number }>;
};

/** An empty collection, for `addItem`. */
export const collected = (): Collected => ({ leads: [], messages: [], clicks: [], counted: new Map() });

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
    const input = collected();
    await Promise.all(
      Array.from({ length: this.segments }, async (_, segment) => {
        for await (const page of this.scan(segment)) {
          for (const item of page.Items ?? []) addItem(input, item);
          onPage?.(page.ScannedCount ?? 0);
        }
      }),
    );
    return input;
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
        FilterExpression: 'begins_with(#pk, :lead) AND (NOT begins_with(#sk, :event) OR #eventType = :click)',
        ExpressionAttributeNames: Object.fromEntries(ATTRIBUTES.map((name) => [`#${name}`, name])),
        ExpressionAttributeValues: { ':lead': KEY_PREFIX.lead, ':event': KEY_PREFIX.event, ':click': 'Click' },
      },
    );
  }
}

/** Sort one of a lead's items into the report's input (items that are not the report's are left out). */
export function addItem(input: Collected, item: Record<string, unknown>) {
  const leadId = leadIdOf(item.pk);
  const sk = String(item.sk);
  if (sk === SORT_KEY.lead) {
    input.leads.push({
      leadId,
      status: item.status as LeadStatus,
      sequenceId: String(item.sequenceId),
      ...(item.bookedAt ? { bookedAt: item.bookedAt as string } : {}),
      ...(item.stoppedAt ? { stoppedAt: item.stoppedAt as string } : {}),
    });
  } else if (sk.startsWith(KEY_PREFIX.message)) {
    input.messages.push({
      leadId,
      sequenceId: String(item.sequenceId),
      stepId: String(item.stepId),
      ...(item.state ? { state: item.state as MessageState } : {}),
      ...(item.at ? { at: item.at as string } : {}),
      counts: Object.fromEntries(
        COUNTED.filter((type) => item[`count${type}`]).map((type) => [type, Number(item[`count${type}`])]),
      ),
    });
  } else if (sk === SORT_KEY.leadCounted) {
    input.counted.set(leadId, {
      counts: (item.counted ?? {}) as Counts,
      version: Number(item.version ?? 0),
    });
  } else if (sk.startsWith(KEY_PREFIX.event)) {
    input.clicks.push({
      leadId,
      sequenceId: String(item.sequenceId),
      stepId: String(item.stepId),
      at: String(item.at),
    });
  }
}
