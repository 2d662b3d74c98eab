/**
 * `npm run report -- --rebuild`: recount the report from the raw items (a Scan of the whole table), compare the
 * recount with the counters kept at write time, and with `--fix` write the recount back (the counters, and what each
 * lead is counted as). Ids and counts only.
 */
import type { DynamoReportCounters } from '../lambdas/adapters/dynamo-report-counters.ts';
import type { Collected } from '../lambdas/adapters/dynamo-report-source.ts';
import { countLead, diffCounts, isEmpty, recount, type Counts } from '../lambdas/domain/report-counts.ts';

/** One count that differs: its key (`report-counts.ts`), the counters' value and the recount's. */
export interface Difference {
  key: string;
  counters: number;
  recount: number;
}

export function differences(counters: Counts, recounted: Counts): Difference[] {
  return Object.keys(diffCounts(recounted, counters))
    .sort()
    .map((key) => ({ key, counters: counters[key] ?? 0, recount: recounted[key] ?? 0 }));
}

export function differencesText(found: readonly Difference[]): string {
  if (found.length === 0) return 'The counters agree with the recount from the raw items.';
  const width = Math.max(...found.map((d) => d.key.length));
  return [
    `${found.length} count(s) differ between the counters and the recount from the raw items:`,
    `${'count'.padEnd(width)}  counters  recount`,
    ...found.map((d) => `${d.key.padEnd(width)}  ${String(d.counters).padStart(8)}  ${String(d.recount).padStart(7)}`),
  ].join('\n');
}

/** The recount, from what the Scan read. */
export const recountOf = (input: Collected, nurtureId: string): Counts => recount(input, nurtureId);

/**
 * Write the recount back: the counters, then each lead's own count where it differs from what it recounts to. Run it
 * while nothing else writes (the Scan is a snapshot): a send or an event counted meanwhile could be lost or doubled.
 * Answers how many leads' own counts it rewrote.
 */
export async function fix(
  counters: DynamoReportCounters,
  input: Collected,
  recounted: Counts,
  nurtureId: string,
): Promise<number> {
  await counters.replace(recounted);
  const messagesByLead = groupBy(input.messages, (m) => m.leadId);
  const clicksByLead = groupBy(input.clicks, (c) => c.leadId);
  let rewritten = 0;
  for (const lead of input.leads) {
    const counts = countLead(
      { lead, messages: messagesByLead.get(lead.leadId) ?? [], clicks: clicksByLead.get(lead.leadId) ?? [] },
      nurtureId,
    );
    const stored = input.counted.get(lead.leadId);
    if (stored && isEmpty(diffCounts(counts, stored.counts))) continue;
    await counters.overwrite(lead.leadId, counts);
    rewritten++;
  }
  return rewritten;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}
