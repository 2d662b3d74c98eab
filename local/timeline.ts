/**
 * `npm run timeline -- --tz America/Denver --signup "2026-03-06T22:30"`: when each email of each sequence reaches a
 * lead who signs up then, in the lead's and the clinic's time zones. The times come from the dispatcher's own
 * planning (`lambdas/domain/timeline.ts`), with the stage's send window (SEND_WINDOW_START/END) applied.
 *   --tz ZONE             the lead's IANA time zone (default: the clinic's)
 *   --signup TIME         the sign-up time, on the lead's clock, like 2026-03-06T22:30 (default: now)
 *   --appointment TIME    a visit, on the lead's clock: shows the follow-up after a booking, and the nudge after a no-show
 *   --booked TIME         when the lead books that visit (default: the sign-up time); a reminder whose usual time
 *                         has passed by then is shown going late, or as not sent when the visit is too close
 *   --clicked STEP[:LINK] the lead clicks that email (or its link named LINK, its utm_content) when it arrives; again
 *                         for more clicks: shows how the engagement branches change what follows
 *   --interest INTEREST   what the lead answered "what brings you here?" with: a step with a variant for it
 *                         (`byInterest` in emails/outline.ts) shows the variant's email, at the step's place and time
 */
import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { INTEREST_LABELS, INTERESTS, SEQUENCE_IDS, type Interest } from '../lambdas/contract.ts';
import { variantFor, type Sequence, type SequenceStep } from '../lambdas/domain/sequence.ts';
import { isValidTimeZone } from '../lambdas/domain/schedule.ts';
import { timeline } from '../lambdas/domain/timeline.ts';
import { bad, command } from './cli.ts';
import { localConfig } from './local-config.ts';

export interface TimelineRequest {
  signup: Date;
  /** The lead's zone. */
  zone: string;
  clinicZone: string;
  appointment?: Date;
  /** When the lead books the appointment; the sign-up time when absent. */
  booked?: Date;
  /** The lead's human clicks, `<stepId>` or `<stepId>:<link>`, each made when its email arrives. */
  clicked?: readonly string[];
  /** The lead's answer to "what brings you here?": it may choose a step's variant. */
  interest?: Interest;
}

/** The email a lead gets at `step`: the step's id, or its variant's, saying which step it stands for. */
function email(step: SequenceStep, interest: Interest | undefined): string {
  const variant = variantFor(step, interest);
  return variant === undefined ? step.id : `${variant} (variant of ${step.id})`;
}

const when = (at: Date, zone: string) => DateTime.fromJSDate(at, { zone }).toFormat('ccc dd LLL yyyy, HH:mm ZZZZ');

function timing(step: SequenceStep, late = false, clicked: readonly string[] = []): string {
  const byClick = (rule: { ifClicked: readonly string[] } | undefined) =>
    rule?.ifClicked.some((entry) => clicked.includes(entry));
  if (step.insteadOf) return `instead of ${step.insteadOf.step}, at its time (a click)`;
  if (byClick(step.bringForward)) return 'brought forward, at the time of the step due (a click)';
  if (step.immediate) return 'at once';
  if (step.appointment) {
    const { days, at } = step.appointment;
    const usual =
      days === 0
        ? `visit day, ${at}`
        : `${Math.abs(days)} day${Math.abs(days) === 1 ? '' : 's'} ${days < 0 ? 'before' : 'after'} the visit, ${at}`;
    return late ? `late (usually ${usual})` : usual;
  }
  const parts = Object.entries(step.after ?? {})
    .filter(([, n]) => n)
    .map(([unit, n]) => `${n} ${n === 1 ? unit.slice(0, -1) : unit}`);
  return parts.length ? `+${parts.join(' ')}` : 'at once';
}

/** Where each sequence starts: the nurture at sign-up, the follow-up at the booking, the nudge after a no-show. */
function start(sequence: Sequence, request: TimelineRequest): { at: Date; label: string } | string {
  const { signup, zone, appointment, booked = signup } = request;
  if (sequence.id === SEQUENCE_IDS.followUp || sequence.id === SEQUENCE_IDS.reschedule) {
    if (!appointment)
      return `${sequence.id}: starts ${sequence.id === SEQUENCE_IDS.followUp ? 'when the lead books' : 'after a cancellation or no-show'}; add --appointment "2026-03-20T14:00" (the visit, on the lead's clock) to see it.`;
    return sequence.id === SEQUENCE_IDS.followUp
      ? { at: booked, label: `from a booking made ${when(booked, zone)}, for a visit on ${when(appointment, zone)}` }
      : { at: appointment, label: `from a no-show reported at the visit's time, ${when(appointment, zone)}` };
  }
  return { at: signup, label: 'from sign-up, until the lead books' };
}

/** The timeline of every sequence as a plain-text table. */
export function formatTimeline(sequences: Readonly<Record<string, Sequence>>, request: TimelineRequest): string {
  const { signup, zone, clinicZone, appointment, clicked = [] } = request;
  const interest = request.interest ? `, answering "${INTEREST_LABELS[request.interest]}" (${request.interest})` : '';
  const lines = [
    `A lead in ${zone} who signs up ${when(signup, zone)} (${when(signup, clinicZone)} at the clinic, ${clinicZone})${interest}:`,
    '',
  ];
  for (const sequence of Object.values(sequences)) {
    const from = start(sequence, request);
    if (typeof from === 'string') {
      lines.push(from, '');
      continue;
    }
    const { sends, late, skipped, sunsetAt } = timeline(sequence, from.at, zone, appointment, clicked);
    const window = `sent ${sequence.window.start}–${sequence.window.end} in the lead's time zone${sequence.onePerDay ? ', at most one a day' : ''}`;
    // Only a sequence with branches changes with clicks.
    const branches = sequence.steps.some((step) => step.skip || step.bringForward || step.insteadOf || step.checkIn);
    const clicks = branches && clicked.length > 0 ? `, clicking ${clicked.join(', ')}` : '';
    lines.push(
      `${sequence.id}, ${from.label}${clicks}: ${sends.length} email${sends.length === 1 ? '' : 's'}, ${window}`,
    );
    const rows = sends.map((send, index) => {
      const step = sequence.steps.find((candidate) => candidate.id === send.stepId)!;
      return [
        String(index + 1),
        email(step, request.interest),
        timing(step, late.includes(send.stepId), clicked),
        when(send.at, zone),
        when(send.at, clinicZone),
      ];
    });
    const header = ['#', 'email (step)', 'when', `lead (${zone})`, `clinic (${clinicZone})`];
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
    for (const row of [header, ...rows])
      lines.push(
        `  ${row
          .map((cell, column) => cell.padEnd(widths[column]!))
          .join('   ')
          .trimEnd()}`,
      );
    if (skipped.length) lines.push(`  not sent: ${skipped.join(', ')} (timed from the visit, and too late by then)`);
    if (sunsetAt)
      lines.push(
        `  then the series ends, ${when(sunsetAt, zone)}: the check-in got no click (sunset, no engagement); a click on it would keep it going`,
      );
    if (branches && clicked.length > 0) {
      const without = timeline(sequence, from.at, zone, appointment);
      const order = (list: { stepId: string }[]) => list.map((send) => send.stepId).join(', ');
      if (order(without.sends) !== order(sends) || Boolean(without.sunsetAt) !== Boolean(sunsetAt))
        lines.push(
          `  without the click${clicked.length === 1 ? '' : 's'}: ${order(without.sends)}${without.sunsetAt ? ', then the series ends (sunset)' : ''}`,
        );
      else lines.push(`  the click${clicked.length === 1 ? ' changes' : 's change'} nothing here`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

const USAGE = `usage: npm run timeline [-- [--tz ZONE] [--signup TIME] [--appointment TIME] [--booked TIME] [--clicked STEP[:LINK]]... [--interest INTEREST]]
  --tz ZONE            the lead's IANA time zone, like America/Denver (default: the clinic's, DEFAULT_TIME_ZONE)
  --signup TIME        the sign-up time on the lead's clock, like 2026-03-06T22:30 (default: now)
  --appointment TIME   a visit on the lead's clock: shows the follow-up after a booking, and the nudge after a no-show
  --booked TIME        when the lead books that visit (default: the sign-up time)
  --clicked STEP[:LINK] the lead clicks that email, or its link named LINK (utm_content), when it arrives, like
                       how-it-works:cost; repeat it for more clicks. Shows how the clicks change what follows
  --interest INTEREST  the lead's answer to "what brings you here?", one of: ${INTERESTS.join(', ')};
                       shows the emails written for it (default: none, the general emails)
  -h, --help           show this help`;

const notATime = bad("is not a date and time. Write it like 2026-03-06T22:30 (the lead's local time).");
const notAZone = bad('is not a time zone. Use an IANA name such as America/Denver or Europe/Berlin.');
const isDateTime = (value: string) => DateTime.fromISO(value).isValid;
const isoTime = z.string().refine(isDateTime, { error: notATime });
const Options = z.object({
  tz: z.string().refine(isValidTimeZone, { error: notAZone }).optional(),
  signup: isoTime.optional(),
  appointment: isoTime.optional(),
  booked: isoTime.optional(),
  clicked: z
    .array(
      z.string().regex(/^[a-z0-9-]+(:[a-z0-9-]{1,32})?$/, {
        error: bad('is not a click. Write a step id, or a step id and a link name, like how-it-works:cost.'),
      }),
    )
    .optional(),
  interest: z.enum(INTERESTS, { error: bad(`is not an interest. Use one of: ${INTERESTS.join(', ')}.`) }).optional(),
});

async function main() {
  const { values, fail } = command({
    name: 'timeline',
    usage: USAGE,
    options: {
      tz: { type: 'string' },
      signup: { type: 'string' },
      appointment: { type: 'string' },
      booked: { type: 'string' },
      clicked: { type: 'string', multiple: true },
      interest: { type: 'string' },
    },
    schema: Options,
  });
  // Loaded after the options are read, so --help and a mistyped option answer at once.
  const { sequencesFor } = await import('../lambdas/compose.ts');
  const config = localConfig();
  const zone = values.tz ?? config.DEFAULT_TIME_ZONE;
  if (!isValidTimeZone(zone))
    fail(`DEFAULT_TIME_ZONE: "${zone}" is not a time zone. Use an IANA name such as America/Denver or Europe/Berlin.`);
  const time = (option: 'signup' | 'appointment' | 'booked') => {
    const value = values[option];
    return value === undefined ? undefined : DateTime.fromISO(value, { zone }).toJSDate();
  };
  const appointment = time('appointment');
  const booked = time('booked');
  const request = {
    signup: time('signup') ?? new Date(),
    zone,
    clinicZone: config.DEFAULT_TIME_ZONE,
    ...(appointment && { appointment }),
    ...(booked && { booked }),
    ...(values.clicked && { clicked: values.clicked }),
    ...(values.interest && { interest: values.interest }),
  };
  const sequences = sequencesFor(config);
  const stepIds = Object.values(sequences).flatMap((sequence) => sequence.steps.map((step) => step.id));
  for (const entry of values.clicked ?? [])
    if (!stepIds.includes(entry.split(':')[0]!))
      fail(`--clicked: "${entry}" names no step. The steps are: ${stepIds.join(', ')}.`);
  console.log(formatTimeline(sequences, request));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
