import { DateTime, IANAZone } from 'luxon';
import type { Lead } from './lead.ts';
import type { Sequence, SequenceStep } from './sequence.ts';

// Checking a zone builds an Intl formatter, slow enough to show in a profile of sign-ups. Only valid names are kept,
// so the set is bounded by the IANA list whatever callers send.
const validZones = new Set<string>();

export function isValidTimeZone(zone: string): boolean {
  if (validZones.has(zone)) return true;
  const valid = IANAZone.isValidZone(zone);
  if (valid) validZones.add(zone);
  return valid;
}

/** The calendar date ("yyyy-MM-dd") of an instant in a time zone. */
export function localDate(at: Date, zone: string): string {
  return DateTime.fromJSDate(at, { zone }).toISODate()!;
}

function atWallClock(day: DateTime, hhmm: string): DateTime {
  const [hour, minute] = hhmm.split(':').map(Number);
  // luxon moves a wall time that a DST jump skips forward to the first valid instant.
  return day.set({ hour, minute, second: 0, millisecond: 0 });
}

export interface ScheduleInput {
  step: SequenceStep;
  sequence: Pick<Sequence, 'window' | 'onePerDay'>;
  /** When the previous email of the sequence went out, or the sign-up time for the first step. */
  previousAt: Date;
  /** The lead's IANA time zone. */
  zone: string;
  /** Local date of the last email this lead was sent, for the one-per-day rule. */
  lastSentOn?: string;
  /** The lead's appointment, for steps timed from it. */
  appointmentAt?: Date;
}

/**
 * When a step should be sent: the delay after the previous email, moved into the lead's local send window,
 * and past any day on which the lead already got an email. Pure; all calendar math is luxon's.
 */
export function sendTimeFor({ step, sequence, previousAt, zone, lastSentOn, appointmentAt }: ScheduleInput): Date {
  const previous = DateTime.fromJSDate(previousAt, { zone });
  if (step.immediate) return previous.toJSDate();

  let at: DateTime<boolean>;
  if (step.appointment) {
    if (!appointmentAt) throw new Error(`step ${step.id} is timed from an appointment, and the lead has none`);
    at = atWallClock(
      DateTime.fromJSDate(appointmentAt, { zone }).plus({ days: step.appointment.days }),
      step.appointment.at,
    );
  } else {
    // Calendar days keep the local wall time across a DST change; hours and minutes are elapsed time.
    at = previous
      .plus({ days: step.after?.days ?? 0 })
      .plus({ hours: step.after?.hours ?? 0, minutes: step.after?.minutes ?? 0 });
  }
  return firstAllowed(at, sequence, lastSentOn);
}

/**
 * The last moment a step timed from the appointment may go out, or undefined when it has none: a step before the
 * visit (`days` < 0) never goes once the visit has begun, nor within its `lateUntilBefore` of it. Planning and the
 * dispatcher's check at delivery time both use it, so they agree.
 */
export function deadlineFor(step: SequenceStep, appointmentAt: Date, zone: string): Date | undefined {
  if (!step.appointment || step.appointment.days >= 0) return undefined;
  const margin = step.appointment.lateUntilBefore;
  return margin ? DateTime.fromJSDate(appointmentAt, { zone }).minus(margin).toJSDate() : appointmentAt;
}

/**
 * When a step timed from the appointment goes out, planned at `now`, or undefined when it is not sent: its usual
 * time while that is ahead; once that has passed, late (see `lateUntilBefore`) or not at all. Never at or past its
 * deadline.
 */
export function appointmentSendTime(input: ScheduleInput & { now: Date }): { at: Date; late: boolean } | undefined {
  const { step, sequence, zone, lastSentOn, appointmentAt, now } = input;
  if (!step.appointment || !appointmentAt)
    throw new Error(`step ${step.id} is not timed from an appointment the lead has`);
  const deadline = deadlineFor(step, appointmentAt, zone);
  const before = (at: Date) => deadline === undefined || at < deadline;
  const usual = sendTimeFor(input);
  if (usual >= now) return before(usual) ? { at: usual, late: false } : undefined;
  if (!step.appointment.lateUntilBefore || !before(now)) return undefined;
  // When the window next allows it, if that still leaves the lead time before the visit; else at once.
  const allowed = firstAllowed(DateTime.fromJSDate(now, { zone }), sequence, lastSentOn);
  return { at: before(allowed) ? allowed : now, late: true };
}

/** How long the preference page's pause holds the education (marketing) emails, in calendar days. */
export const PAUSE_DAYS = 30;
/** The weekly cadence: calendar days from one marketing email to the next, at the least. */
export const WEEKLY_GAP_DAYS = 7;

/**
 * The earliest a marketing step may go out under the lead's preferences (`preferences.ts`): the pause's end, and, on
 * the weekly cadence, 7 calendar days in the lead's zone after the last marketing email. Undefined when neither holds
 * it back. Care steps are never held.
 */
export function marketingHeldUntil(
  prefs: Pick<Lead, 'pausedUntil' | 'cadence' | 'lastMarketingAt'>,
  zone: string,
): Date | undefined {
  const holds: number[] = [];
  if (prefs.pausedUntil) holds.push(Date.parse(prefs.pausedUntil));
  if (prefs.cadence === 'weekly' && prefs.lastMarketingAt)
    holds.push(DateTime.fromISO(prefs.lastMarketingAt, { zone }).plus({ days: WEEKLY_GAP_DAYS }).toMillis());
  return holds.length > 0 ? new Date(Math.max(...holds)) : undefined;
}

/**
 * `at`, unless `earliest` is later: then the first moment at or after `earliest` that the sequence's rules allow (the
 * send window, one email a day). A held step is pushed, never skipped.
 */
export function notBefore(
  at: Date,
  earliest: Date | undefined,
  sequence: Pick<Sequence, 'window' | 'onePerDay'>,
  zone: string,
  lastSentOn: string | undefined,
): Date {
  if (!earliest || earliest <= at) return at;
  return firstAllowed(DateTime.fromJSDate(earliest, { zone }), sequence, lastSentOn);
}

/** The first moment at or after `at` that the sequence's rules allow: the send window, and one email a day. */
function firstAllowed(
  start: DateTime,
  sequence: Pick<Sequence, 'window' | 'onePerDay'>,
  lastSentOn: string | undefined,
): Date {
  let at = start;
  if (sequence.onePerDay && lastSentOn) {
    const firstFreeDay = atWallClock(
      DateTime.fromISO(lastSentOn, { zone: at.zone }).plus({ days: 1 }),
      sequence.window.start,
    );
    if (at < firstFreeDay) at = firstFreeDay;
  }

  const opens = atWallClock(at, sequence.window.start);
  const closes = atWallClock(at, sequence.window.end);
  if (at < opens) return opens.toJSDate();
  if (at >= closes) return atWallClock(at.plus({ days: 1 }), sequence.window.start).toJSDate();
  return at.toJSDate();
}
