/**
 * The clinic's scheduling system tells us about appointments through a signed webhook (the signature is checked in
 * `booking-signature.ts`). A booking takes the lead out of the nurture for good and into the follow-up (confirmation,
 * reminder the day before or late, a note the day after); a cancellation or no-show sends one nudge to rebook. Pure:
 * validation and planning; `applyBooking` drives the store through its port. What the emails say about the visit is
 * in `visit.ts`.
 */
import * as z from 'zod';
import { SEQUENCE_IDS } from '../contract.ts';
import { APPOINTMENT_STATUSES, STOPPED_FOR_GOOD, type AppointmentStatus, type Lead } from './lead.ts';
import { planNext } from './plan.ts';
import type { BookingChange, Clock, EventStore, LeadStore } from './ports.ts';
import type { Sequence } from './sequence.ts';
import { consentField, emailField, fieldErrors, line, timeZoneField } from './signup.ts';
import { whileSendInFlight, type StopDeps } from './stop.ts';

const bookingSchema = z
  .object({
    email: emailField.optional(),
    leadId: z
      .string({ error: 'leadId must be text.' })
      .regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, { error: 'leadId must be the 26-character id the sign-up answered with.' })
      .optional(),
    appointmentAt: z.iso.datetime({
      offset: true,
      error: 'appointmentAt must be an ISO 8601 date and time with an offset, like 2026-12-01T15:00:00-05:00.',
    }),
    status: z.enum(APPOINTMENT_STATUSES, { error: `status must be one of: ${APPOINTMENT_STATUSES.join(', ')}.` }),
    bookingId: z
      .string({ error: 'bookingId must be text.' })
      .regex(/^[\w.:@/-]{1,128}$/, { error: 'bookingId may hold up to 128 letters, digits and . _ : @ / -' })
      .optional(),
    consent: consentField.optional(),
    consentVersion: line('consentVersion', 40).optional(),
    firstName: line('firstName', 80, { min: 1, headerSafe: true }).optional(),
    lastName: line('lastName', 80, { headerSafe: true }).optional(),
    timeZone: timeZoneField,
  })
  // Checked even when other fields are bad, so every problem is named at once.
  .refine((booking) => booking.email !== undefined || booking.leadId !== undefined, {
    error: 'Send the lead’s email or its leadId.',
    path: ['email'],
    when: () => true,
  });

export type Booking = z.output<typeof bookingSchema>;

export type BookingParse = { ok: true; booking: Booking } | { ok: false; fields: Record<string, string> };

export function parseBooking(body: unknown): BookingParse {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { ok: false, fields: { body: 'Send the booking as a JSON object.' } };
  const result = bookingSchema.safeParse(body);
  return result.success ? { ok: true, booking: result.data } : { ok: false, fields: fieldErrors(result.error) };
}

/** Every status takes a lead out of the nurture for good; the sequence it goes to instead. */
const TARGET: Record<AppointmentStatus, string> = {
  booked: SEQUENCE_IDS.followUp,
  rescheduled: SEQUENCE_IDS.followUp,
  cancelled: SEQUENCE_IDS.reschedule,
  'no-show': SEQUENCE_IDS.reschedule,
  attended: SEQUENCE_IDS.followUp,
};

/**
 * What a booking changes on a lead, or undefined when it changes nothing (a replay, or the same news twice).
 * - Entering a sequence starts its steps afresh (a second booking after a cancellation gets a new confirmation), and
 *   so does a booking for another visit once the last one is over or under another booking id (a second session).
 * - A new time within the follow-up keeps what was sent and re-plans the rest from the new time: the reminder moves,
 *   and goes late when its usual time has passed, for a visit more than 3 hours off (`lateUntilBefore`).
 * - Steps timed from the appointment that are too late by now are skipped; a visit reported as attended skips the
 *   steps meant for before it (the confirmation and the reminder) that have not gone, whatever the clock says, also
 *   for a lead already in the follow-up. The note after the visit stays where it was planned; because the status
 *   now says attended, it goes out as the version that thanks the lead for coming (`visitProps` in `visit.ts`).
 *   Reported after the note went out, attended changes no email.
 */
export function planBooking(
  lead: Lead,
  booking: Pick<Booking, 'appointmentAt' | 'status' | 'bookingId'>,
  now: Date,
  sequences: Readonly<Record<string, Sequence>>,
): BookingChange | undefined {
  const appointmentAt = new Date(booking.appointmentAt).toISOString();
  const appointment = {
    at: appointmentAt,
    status: booking.status,
    ...(booking.bookingId && { bookingId: booking.bookingId }),
  };
  const target = TARGET[booking.status];
  const sequence = sequences[target];
  if (!sequence) throw new Error(`no sequence ${target}`);
  const moved = lead.appointmentAt !== appointmentAt;
  const news =
    moved ||
    lead.appointmentStatus !== booking.status ||
    (booking.bookingId !== undefined && lead.bookingId !== booking.bookingId);
  // Attended while a step meant for before the visit is still ahead (reported before the recorded time): it is moot.
  const attendedEarly =
    booking.status === 'attended' &&
    lead.sequenceId === target &&
    lead.nextStepId !== undefined &&
    stepsBeforeVisit(sequence).includes(lead.nextStepId);
  // A lead that stopped everything, bounced or complained gets no email: the booking is only recorded. One that
  // unsubscribed from marketing still gets the care emails about its visit.
  const reroute = !STOPPED_FOR_GOOD.has(lead.status) && (lead.sequenceId !== target || moved || attendedEarly);
  if (!reroute) return news ? { appointment } : undefined;

  const own = new Set(sequence.steps.map((step) => step.id));
  // A booking for another visit once the last one is over (a second session) starts the follow-up afresh.
  const nextVisit =
    booking.status === 'booked' &&
    moved &&
    (lead.appointmentStatus === 'attended' ||
      (lead.appointmentAt !== undefined && Date.parse(lead.appointmentAt) < now.getTime()) ||
      (booking.bookingId !== undefined && lead.bookingId !== undefined && booking.bookingId !== lead.bookingId));
  const entering = lead.sequenceId !== target || nextVisit;
  const sentSteps = entering ? lead.sentSteps.filter((id) => !own.has(id)) : lead.sentSteps;
  const before = booking.status === 'attended' ? stepsBeforeVisit(sequence) : [];
  const skippedSteps = [
    ...(lead.skippedSteps ?? []).filter((id) => !own.has(id)),
    ...before.filter((id) => !sentSteps.includes(id)),
  ];
  const plan = planNext(
    sequence,
    {
      sentSteps,
      skippedSteps,
      timeZone: lead.timeZone,
      appointmentAt,
      ...(lead.lastSentOn && { lastSentOn: lead.lastSentOn }),
      ...(lead.optedOutAt && { optedOutAt: lead.optedOutAt }),
      ...(lead.pausedUntil && { pausedUntil: lead.pausedUntil }),
      ...(lead.cadence && { cadence: lead.cadence }),
      ...(lead.lastMarketingAt && { lastMarketingAt: lead.lastMarketingAt }),
      // A sequence a booking moves the lead into may branch on its clicks too (the nudge's, say).
      ...(lead.humanClicks && { humanClicks: lead.humanClicks }),
    },
    now,
    now,
  );
  // Unsubscribed, and nothing but marketing ahead (the nudge after a cancellation): it stays unsubscribed.
  if (lead.status === 'unsubscribed' && !plan.next) return news ? { appointment } : undefined;
  return {
    appointment,
    route: {
      sequenceId: target,
      sentSteps,
      skippedSteps: [...skippedSteps, ...plan.skipped],
      enteredAt: entering ? now.toISOString() : (lead.enteredSequenceAt ?? now.toISOString()),
      ...(plan.next && { next: plan.next }),
    },
  };
}

/** The steps before the first one timed after the visit: what is meant for before it. */
function stepsBeforeVisit(sequence: Sequence): string[] {
  const firstAfter = sequence.steps.findIndex((step) => step.appointment && step.appointment.days >= 0);
  return sequence.steps.slice(0, firstAfter === -1 ? sequence.steps.length : firstAfter).map((step) => step.id);
}

export interface BookingDeps extends StopDeps {
  store: LeadStore;
  events: Pick<EventStore, 'suppressedAs'>;
  clock: Clock;
  newId: () => string;
  sequences: Readonly<Record<string, Sequence>>;
  defaultTimeZone: string;
  consentTextVersion: string;
}

export type BookingResult =
  | {
      outcome: 'updated' | 'created' | 'unchanged';
      leadId: string;
      lead: Pick<Lead, 'sequenceId' | 'status' | 'nextStepId' | 'nextSendAt'>;
    }
  | { outcome: 'not-found' }
  | { outcome: 'needs-name' };

/**
 * Apply a verified booking. The lead is switched in one conditional write that also drops any dispatcher's claim;
 * if a send is in flight at that moment the write waits for it, so no nurture email ever follows a recorded booking.
 */
export async function applyBooking(deps: BookingDeps, booking: Booking): Promise<BookingResult> {
  const result = await apply(deps, booking);
  // A booking changes why the lead left the nurture, and which email (if any) it is credited to.
  if (deps.counting && (result.outcome === 'updated' || result.outcome === 'created')) {
    await deps.counting.changed(result.leadId);
    await deps.counting.flush();
  }
  return result;
}

async function apply(deps: BookingDeps, booking: Booking): Promise<BookingResult> {
  const leadId = booking.leadId ?? (booking.email && (await deps.store.leadIdForEmail(booking.email)));
  if (!leadId)
    return booking.consent && booking.email ? create(deps, booking, booking.email) : { outcome: 'not-found' };

  const result = await whileSendInFlight(deps, async (since) => {
    const lead = await deps.store.get(leadId);
    if (!lead) return { outcome: 'not-found' as const };
    const change = planBooking(lead, booking, deps.clock.now(), deps.sequences);
    if (!change) return { outcome: 'unchanged' as const, lead };
    const written = await deps.store.rebook(
      leadId,
      change,
      { sequenceId: lead.sequenceId, status: lead.status, sentCount: lead.sentSteps.length },
      deps.clock.now(),
      since,
    );
    if (written === 'not-found') return { outcome: 'not-found' as const };
    return typeof written === 'object' ? { outcome: 'updated' as const, lead: written.lead } : written;
  });
  if (result.outcome === 'not-found') return result;
  return { outcome: result.outcome, leadId, lead: result.lead };
}

/** A booking for an address we have never seen, with consent: a lead that starts at the follow-up, no nurture. */
async function create(deps: BookingDeps, booking: Booking, email: string): Promise<BookingResult> {
  if (!booking.firstName) return { outcome: 'needs-name' };
  const now = deps.clock.now();
  const suppressed = await deps.events.suppressedAs(email);
  const base: Lead = {
    leadId: deps.newId(),
    email,
    firstName: booking.firstName,
    ...(booking.lastName && { lastName: booking.lastName }),
    timeZone: booking.timeZone ?? deps.defaultTimeZone,
    consent: { at: now.toISOString(), textVersion: booking.consentVersion ?? deps.consentTextVersion },
    attribution: { source: 'booking' },
    createdAt: now.toISOString(),
    // A suppressed address is never emailed: the lead starts stopped, as its address was, and plans nothing.
    status: suppressed ?? 'active',
    sequenceId: SEQUENCE_IDS.followUp,
    sentSteps: [],
  };
  const change = planBooking({ ...base, sequenceId: '' }, booking, now, deps.sequences)!;
  const lead = { ...base, ...afterChange(base, change, now) };
  const result = await deps.store.create(lead);
  // Someone signed up with this address a moment ago: apply the booking to that lead instead.
  if (!result.created) return apply(deps, { ...booking, leadId: result.leadId });
  return { outcome: 'created', leadId: lead.leadId, lead };
}

/** A new lead as a change leaves it. */
function afterChange(lead: Lead, change: BookingChange, now: Date): Partial<Lead> {
  const after: Partial<Lead> = {
    bookedAt: lead.bookedAt ?? now.toISOString(),
    appointmentAt: change.appointment.at,
    appointmentStatus: change.appointment.status,
    ...(change.appointment.bookingId && { bookingId: change.appointment.bookingId }),
  };
  const route = change.route;
  if (!route) return after;
  return {
    ...after,
    sequenceId: route.sequenceId,
    sentSteps: route.sentSteps,
    skippedSteps: route.skippedSteps,
    enteredSequenceAt: route.enteredAt,
    status: route.next ? 'active' : 'completed',
    nextStepId: route.next?.stepId,
    nextSendAt: route.next?.at.toISOString(),
  };
}
