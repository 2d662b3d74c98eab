/**
 * What `npm run import` does once its command line is read: count the file's rows (for the progress), import them
 * (`lambdas/domain/import.ts`) into the table, and describe what happened. The command (`import.ts`) and the tests
 * both run it.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DateTime } from 'luxon';
import { countRows, readLeadFile, type LeadFileFormat } from '../lambdas/adapters/lead-file.ts';
import { importDeps } from '../lambdas/compose/import.ts';
import type { ResolvedConfig } from '../lambdas/config.ts';
import { importLeads, type ImportSummary } from '../lambdas/domain/import.ts';
import type { Clock } from '../lambdas/domain/ports.ts';
import type { Progress } from './progress.ts';

export interface ImportRequest {
  file: string;
  format: LeadFileFormat;
  dryRun: boolean;
  /** Default: the nurture's first step. */
  startAt?: string | undefined;
  perDay: number;
  /** "yyyy-MM-dd"; default: the day after `now` in the clinic's zone. */
  from?: string | undefined;
  /** Table requests a second. */
  rate: number;
}

/** Import the file into the config's table; `progress` shows how far it has got. */
export async function runImport(
  request: ImportRequest,
  {
    config,
    dynamo,
    clock,
    progress,
  }: { config: ResolvedConfig; dynamo: DynamoDBClient; clock?: Clock; progress?: Progress },
): Promise<ImportSummary & { from: string }> {
  const deps = importDeps(config, request.rate, { dynamo, ...(clock && { clock }) });
  const from = request.from ?? tomorrow(deps.clock.now(), config.DEFAULT_TIME_ZONE);
  progress?.step(`counting the rows of ${request.file}`);
  const total = await countRows(request.file, request.format);
  const message = (done: number) => `${bar(done, total)} rows${request.dryRun ? ' checked' : ' imported'}`;
  progress?.count(message(0), 0, total);
  const summary = await importLeads(
    deps,
    readLeadFile(request.file, request.format),
    {
      dryRun: request.dryRun,
      ...(request.startAt && { startAt: request.startAt }),
      perDay: request.perDay,
      from,
      defaultTimeZone: config.DEFAULT_TIME_ZONE,
    },
    (done) => progress?.count(message(done), done, Math.max(total, done)),
  );
  progress?.done();
  return { ...summary, from };
}

/** The day after `now` in `zone`, "yyyy-MM-dd". */
export function tomorrow(now: Date, zone: string): string {
  return DateTime.fromJSDate(now, { zone }).plus({ days: 1 }).toISODate()!;
}

/** A bar of 20 cells: the progress line changes 20 times over the whole import, so a log file gets few lines. */
function bar(done: number, total: number): string {
  const cells = total > 0 ? Math.min(20, Math.floor((done / total) * 20)) : 0;
  return `${'█'.repeat(cells)}${'░'.repeat(20 - cells)}`;
}

const number = new Intl.NumberFormat('en-US');
const instant = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

/** The summary as a person reads it: the counts, when the first emails go out, and the first `listed` refusals. */
export function importText(
  summary: ImportSummary & { from: string },
  { file, table, listed = 20 }: { file: string; table: string; listed?: number },
): string {
  const { created, skipped, refused } = summary;
  const skippedTotal = skipped.present + skipped.repeated + skipped.suppressed;
  const width = number.format(summary.rows).length;
  const row = (label: string, count: number, note = '') =>
    `  ${label.padEnd(8)} ${number.format(count).padStart(width)}${note && `   ${note}`}`;
  const lines = [
    summary.dryRun ? `Dry run of ${file} against ${table}: nothing was written.` : `Imported ${file} into ${table}.`,
    '',
    row('rows', summary.rows),
    row(
      summary.dryRun ? 'new' : 'created',
      created,
      summary.firstSendAt && summary.lastSendAt
        ? `first emails ${summary.dryRun ? 'would go' : 'go'} out from ${instant(summary.firstSendAt)} to ${instant(summary.lastSendAt)}`
        : '',
    ),
    row(
      'skipped',
      skippedTotal,
      skippedTotal
        ? [
            skipped.present && `${number.format(skipped.present)} already a lead`,
            skipped.repeated && `${number.format(skipped.repeated)} repeated in the file`,
            skipped.suppressed && `${number.format(skipped.suppressed)} bounced or complained before`,
          ]
            .filter(Boolean)
            .join(', ')
        : '',
    ),
    row('refused', refused.length),
  ];
  if (refused.length > 0) {
    const shown = refused.slice(0, listed);
    lines.push(
      '',
      shown.length < refused.length
        ? `Refused rows, the first ${shown.length} of ${number.format(refused.length)} (--json lists them all):`
        : 'Refused rows:',
      ...shown.map(({ line, reason }) => `  line ${line}: ${reason}`),
    );
  }
  return lines.join('\n');
}
