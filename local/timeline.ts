/**
 * `npm run timeline -- --tz America/Denver --signup "2026-03-06T22:30"`: when each email of each sequence reaches a
 * lead who signs up then, in the lead's and the clinic's time zones. The times come from the dispatcher's own
 * schedule code (`lambdas/domain/timeline.ts`), with the stage's send window (SEND_WINDOW_START/END) applied.
 *   --tz ZONE        the lead's IANA time zone (default: the clinic's)
 *   --signup TIME    the sign-up time, on the lead's wall clock, like 2026-03-06T22:30 (default: now)
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import type { Sequence, StepDelay } from '../lambdas/domain/sequence.ts';
import { isValidTimeZone } from '../lambdas/domain/schedule.ts';
import { timeline } from '../lambdas/domain/timeline.ts';
import { sequencesFor } from '../lambdas/adapters/clients.ts';
import { localConfig } from './local-config.ts';

export interface TimelineRequest {
  signup: Date;
  /** The lead's zone. */
  zone: string;
  clinicZone: string;
}

const when = (at: Date, zone: string) => DateTime.fromJSDate(at, { zone }).toFormat('ccc dd LLL yyyy, HH:mm ZZZZ');

function delay(step: { immediate?: boolean; after?: StepDelay }): string {
  if (step.immediate) return 'at once';
  const parts = Object.entries(step.after ?? {}).filter(([, n]) => n).map(([unit, n]) => `${n} ${n === 1 ? unit.slice(0, -1) : unit}`);
  return parts.length ? `+${parts.join(' ')}` : 'at once';
}

/** The timeline of every sequence as a plain-text table. */
export function formatTimeline(sequences: Readonly<Record<string, Sequence>>, { signup, zone, clinicZone }: TimelineRequest): string {
  const lines = [
    `A lead in ${zone} who signs up ${when(signup, zone)} (${when(signup, clinicZone)} at the clinic, ${clinicZone}):`,
    '',
  ];
  for (const sequence of Object.values(sequences)) {
    const sends = timeline(sequence, signup, zone);
    lines.push(
      `${sequence.id}: ${sends.length} emails, sent ${sequence.window.start}–${sequence.window.end} in the lead's time zone${sequence.onePerDay ? ', at most one a day' : ''}`,
    );
    const rows = sends.map((send, index) => {
      const step = sequence.steps.find((candidate) => candidate.id === send.stepId)!;
      return [String(index + 1), send.stepId, delay(step), when(send.at, zone), when(send.at, clinicZone)];
    });
    const header = ['#', 'step', 'after the previous', `lead (${zone})`, `clinic (${clinicZone})`];
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
    for (const row of [header, ...rows]) lines.push(`  ${row.map((cell, column) => cell.padEnd(widths[column]!)).join('   ').trimEnd()}`);
    lines.push('');
  }
  return lines.join('\n');
}

function main() {
  const { values } = parseArgs({ options: { tz: { type: 'string' }, signup: { type: 'string' } } });
  const config = localConfig();
  const zone = values.tz ?? config.DEFAULT_TIME_ZONE;
  if (!isValidTimeZone(zone)) fail(`--tz: "${zone}" is not a time zone. Use an IANA name such as America/Denver or Europe/Berlin.`);
  const signup = values.signup ? DateTime.fromISO(values.signup, { zone }) : DateTime.now().setZone(zone);
  if (!signup.isValid) fail(`--signup: "${values.signup}" is not a date and time. Write it like 2026-03-06T22:30 (the lead's local time).`);
  console.log(formatTimeline(sequencesFor(config), { signup: signup.toJSDate(), zone, clinicZone: config.DEFAULT_TIME_ZONE }));
}

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
