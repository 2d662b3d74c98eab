/**
 * Reading a file of leads for `npm run import`, row by row as it streams (a big file is never held in memory):
 *   CSV             a header row, then one lead a row; columns named as the sign-up's fields (`email`, `firstName`,
 *                   `timeZone`…) plus `consentAt` and `consentSource`. Case, spaces, `_` and `-` in a name are
 *                   ignored (`First Name`, `first_name` and `firstName` are one column); other columns are ignored.
 *   JSON lines      Amazon Pinpoint's endpoint export: one endpoint a line (`Address`, `ChannelType`, `OptOut`,
 *                   `EndpointStatus`, `Demographic.Timezone`, and the fields as attributes in `Attributes` or
 *                   `User.UserAttributes`, named as the CSV's columns, each a list whose first value counts).
 * Either may be gzipped (`.gz`), as Pinpoint writes its exports to S3.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';
import { SIGNUP_FIELDS } from '../contract.ts';
import type { ImportRow } from '../domain/import.ts';

export type LeadFileFormat = 'csv' | 'pinpoint';

/** The format a file's name says, or undefined. */
export function formatOf(path: string): LeadFileFormat | undefined {
  const name = path.toLowerCase().replace(/\.gz$/, '');
  if (name.endsWith('.csv')) return 'csv';
  if (/\.(jsonl|ndjson|json)$/.test(name)) return 'pinpoint';
  // A gzipped file that does not say .csv is taken for Pinpoint's export, whatever else its name says.
  if (path.toLowerCase().endsWith('.gz')) return 'pinpoint';
  return undefined;
}

/** A file that cannot be imported at all (as opposed to a row that is refused). */
export class LeadFileError extends Error {}

/** The names a row's fields go by: the sign-up's, the consent's, and the optional attribution. */
const FIELDS = [
  ...Object.values(SIGNUP_FIELDS),
  'consentAt',
  'consentSource',
  'page',
  'source',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_term',
  'utm_content',
];
const key = (name: string) => name.toLowerCase().replace(/[\s_-]/g, '');
const FIELD_BY_KEY = new Map(FIELDS.map((field) => [key(field), field]));
/** What a CSV must have as columns: a row without these could only be refused. */
const REQUIRED = [SIGNUP_FIELDS.email, SIGNUP_FIELDS.firstName, 'consentAt', 'consentSource'];

function open(path: string): Readable {
  const file = createReadStream(path);
  return path.toLowerCase().endsWith('.gz') ? file.pipe(createGunzip()) : file;
}

/** The rows of a lead file, in order, with their line numbers (the header is line 1 of a CSV). */
export function readLeadFile(path: string, format: LeadFileFormat): AsyncGenerator<ImportRow> {
  return format === 'csv' ? csvRows(path) : pinpointRows(path);
}

/** How many rows the file has, for the progress (a quick pass counting lines; a quoted line break counts one more). */
export async function countRows(path: string, format: LeadFileFormat): Promise<number> {
  let lines = 0;
  let last = 10;
  for await (const chunk of open(path) as AsyncIterable<Buffer>) {
    for (const byte of chunk) if (byte === 10) lines++;
    if (chunk.length > 0) last = chunk[chunk.length - 1]!;
  }
  if (last !== 10) lines++;
  return Math.max(0, format === 'csv' ? lines - 1 : lines);
}

async function* csvRows(path: string): AsyncGenerator<ImportRow> {
  let columns: (string | undefined)[] = [];
  const broken: ImportRow[] = [];
  const parser = open(path).pipe(
    parse({
      bom: true,
      trim: true,
      skip_empty_lines: true,
      // A row of empty cells (a spreadsheet's trailing ",,,,") is no row.
      skip_records_with_empty_values: true,
      info: true,
      skip_records_with_error: true,
      columns: (header: string[]) => {
        columns = header.map((name) => FIELD_BY_KEY.get(key(name)));
        const missing = REQUIRED.filter((field) => !columns.includes(field));
        if (missing.length > 0)
          throw new LeadFileError(
            `the header row has no ${missing.join(', ')} column${missing.length > 1 ? 's' : ''} (its columns: ${header.join(', ')})`,
          );
        // Positional names; renamed to the fields below, unknown columns dropped.
        return header.map((_, i) => String(i));
      },
      on_skip: (error) => {
        broken.push({ line: Number(error?.lines ?? 0), problem: `not a valid CSV row: ${csvProblem(error?.code)}` });
        return undefined;
      },
    }),
  );
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: Record<string, string>;
      info: { lines: number };
    }>) {
      yield* broken.splice(0);
      const fields: Record<string, string> = {};
      columns.forEach((field, i) => {
        const value = record[String(i)];
        if (field && value !== undefined && value !== '') fields[field] = value;
      });
      yield { line: info.lines, fields };
    }
  } catch (error) {
    if (error instanceof LeadFileError) throw error;
    if ((error as Error).cause instanceof LeadFileError) throw (error as Error).cause;
    throw new LeadFileError(`not a CSV file: ${(error as Error).message}`);
  }
  yield* broken.splice(0);
}

/** csv-parse's error, without its message: that can quote the row. */
function csvProblem(code: string | undefined): string {
  if (code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH') return "its number of fields is not the header's";
  if (code && /QUOTE/.test(code)) return 'a quote is not where CSV allows one';
  return code ?? 'unreadable';
}

async function* pinpointRows(path: string): AsyncGenerator<ImportRow> {
  let line = 0;
  for await (const text of createInterface({ input: open(path), crlfDelay: Infinity })) {
    line++;
    if (text.trim() === '') continue;
    let endpoint: unknown;
    try {
      endpoint = JSON.parse(text);
    } catch {
      yield { line, problem: 'not valid JSON' };
      continue;
    }
    yield { line, ...pinpointFields(endpoint) };
  }
}

/** One Pinpoint endpoint as a row's fields, or why it is not a lead to import. */
export function pinpointFields(endpoint: unknown): { fields: Record<string, string> } | { problem: string } {
  if (typeof endpoint !== 'object' || endpoint === null || Array.isArray(endpoint))
    return { problem: 'not a Pinpoint endpoint (a JSON object a line)' };
  const e = endpoint as Record<string, unknown>;
  if (e.ChannelType !== 'EMAIL') return { problem: `not an email endpoint (ChannelType ${String(e.ChannelType)})` };
  // Someone who opted out in Pinpoint said no to these emails: never imported, not even as unsubscribed.
  if (e.OptOut === 'ALL') return { problem: 'opted out in Pinpoint (OptOut ALL)' };
  if (e.EndpointStatus === 'INACTIVE') return { problem: 'inactive in Pinpoint (EndpointStatus INACTIVE)' };
  const user = (e.User ?? {}) as { UserAttributes?: unknown };
  const fields: Record<string, string> = {};
  for (const attributes of [user.UserAttributes, e.Attributes]) {
    if (typeof attributes !== 'object' || attributes === null) continue;
    for (const [name, values] of Object.entries(attributes)) {
      const field = FIELD_BY_KEY.get(key(name));
      const value: unknown = Array.isArray(values) ? values[0] : values;
      if (field && typeof value === 'string' && value !== '') fields[field] = value;
    }
  }
  if (typeof e.Address === 'string') fields[SIGNUP_FIELDS.email] = e.Address;
  const zone = (e.Demographic as { Timezone?: unknown } | undefined)?.Timezone;
  if (typeof zone === 'string' && zone !== '') fields[SIGNUP_FIELDS.timeZone] = zone;
  return { fields };
}
