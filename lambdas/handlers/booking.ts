/**
 * POST /booking: the clinic's scheduling system reports a booking, a new time, a cancellation, a no-show or a visit.
 * Signed with HMAC-SHA256 over "<timestamp>.<raw body>" (`X-Nurture-Timestamp`, `X-Nurture-Signature: v1=<hex>`);
 * a bad signature or a timestamp over 5 minutes off gets 401, and a replay of the same delivery changes nothing.
 */
import { createHash } from 'node:crypto';
import { bookingDeps, lambdaEntry, readConfig, type ResolvedConfig } from '../compose/booking.ts';
import { verifyBooking, type SignatureCheck } from '../domain/booking-signature.ts';
import { applyBooking, parseBooking, type BookingDeps } from '../domain/booking.ts';
import { deliverNext, type DispatchDeps } from '../domain/dispatch.ts';
import type { Clock, DeliveryLog, EventStore } from '../domain/ports.ts';
import { decodeBody, header, json, MAX_BODY_BYTES, rawBody, type HttpEvent, type HttpResult } from './http.ts';

const SIGNATURE_PROBLEMS: Record<Exclude<SignatureCheck, 'ok'>, string> = {
  missing: 'Sign the request: send X-Nurture-Timestamp and X-Nurture-Signature headers.',
  stale:
    'X-Nurture-Timestamp is more than 5 minutes from now (Unix seconds expected): sign each delivery when it is sent.',
  invalid:
    'X-Nurture-Signature does not match the body. Sign "<timestamp>.<raw body>" with HMAC-SHA256 and the booking secret.',
};

/** Past this, the request leaves the confirmation to the dispatcher, so it ends well inside its timeout. */
const INLINE_SEND_BUDGET_MS = 5_000;

export interface BookingHandlerDeps {
  /** The dispatcher's parts: the confirmation goes out through them, and the lead store, clock, log and sequences are theirs. */
  dispatch: DispatchDeps;
  /** A booking for a suppressed address creates a lead that is never emailed. */
  events: Pick<EventStore, 'suppressedAs'>;
  /** Deliveries already acted on: a replay changes nothing. */
  deliveries: DeliveryLog;
  /** Judges the signature's timestamp: real time, even when the local runtime's scheduling clock runs fast. */
  signatureClock: Clock;
  config: Pick<ResolvedConfig, 'BOOKING_SECRET' | 'SES_TIMEOUT_SECONDS' | 'DEFAULT_TIME_ZONE' | 'CONSENT_TEXT_VERSION'>;
  newId: () => string;
}

export function makeBookingHandler(handlerDeps: BookingHandlerDeps) {
  const { config, deliveries, dispatch, signatureClock } = handlerDeps;
  const secret = config.BOOKING_SECRET;
  if (!secret)
    throw new Error(
      'Invalid configuration: BOOKING_SECRET: set BOOKING_SECRET or BOOKING_SECRET_ARN to accept bookings',
    );
  const deps: BookingDeps = {
    store: dispatch.store,
    events: handlerDeps.events,
    clock: dispatch.clock,
    newId: handlerDeps.newId,
    sequences: dispatch.sequences,
    sendTimeoutMs: config.SES_TIMEOUT_SECONDS * 1000,
    defaultTimeZone: config.DEFAULT_TIME_ZONE,
    consentTextVersion: config.CONSENT_TEXT_VERSION,
    counting: dispatch.counting,
  };

  return async (event: HttpEvent): Promise<HttpResult> => {
    const raw = rawBody(event);
    if (raw.length > MAX_BODY_BYTES)
      return json(413, {
        error: 'invalid_booking',
        message: `The body is too large: at most ${MAX_BODY_BYTES / 1024} KB.`,
      });
    const signature = header(event, 'x-nurture-signature');
    const check = verifyBooking(
      raw,
      { timestamp: header(event, 'x-nurture-timestamp'), signature },
      secret,
      signatureClock.now(),
    );
    if (check !== 'ok') return json(401, { error: 'invalid_signature', message: SIGNATURE_PROBLEMS[check] });

    const decoded = decodeBody(event, raw);
    if (!decoded.ok) return json(decoded.status, { error: 'invalid_booking', message: decoded.message });
    if (decoded.kind !== 'json')
      return json(415, { error: 'invalid_booking', message: 'Send the booking as application/json.' });
    const parsed = parseBooking(decoded.value);
    if (!parsed.ok)
      return json(400, {
        error: 'invalid_booking',
        message: 'Please check the fields named here.',
        fields: parsed.fields,
      });

    // The signature covers the timestamp and the body: the same delivery, replayed, has the same one. It is
    // remembered once acted on; two copies racing both apply, which changes nothing the second time.
    const delivery = createHash('sha256').update(signature!).digest('hex');
    if (await deliveries.seen(delivery))
      return json(200, { duplicate: true, message: 'This delivery was already processed.' });

    const started = performance.now();
    const result = await applyBooking(deps, parsed.booking);
    if (result.outcome === 'not-found' || result.outcome === 'needs-name') {
      return result.outcome === 'not-found'
        ? json(404, {
            error: 'unknown_lead',
            message: 'No lead has that email or leadId. To create one, send "consent": true and a firstName.',
          })
        : json(400, {
            error: 'invalid_booking',
            message: 'Please check the fields named here.',
            fields: { firstName: 'firstName is required to create a lead from a booking.' },
          });
    }

    await deliveries.remember(delivery, dispatch.clock.now());

    const { leadId, lead } = result;
    dispatch.log.info('booking', {
      leadId,
      outcome: result.outcome,
      appointmentStatus: parsed.booking.status,
      sequenceId: lead.sequenceId,
      nextStepId: lead.nextStepId,
    });
    // The confirmation goes out now, as the welcome does at sign-up (the claim takes it only if it is due). If this
    // fails, or the booking had to wait out a send and the request has no time left for another, the dispatcher
    // sends it.
    if (
      result.outcome !== 'unchanged' &&
      lead.status === 'active' &&
      performance.now() - started < INLINE_SEND_BUDGET_MS
    ) {
      try {
        await deliverNext(dispatch, leadId, 'first');
      } catch (error) {
        dispatch.log.error('booking email not sent now; the dispatcher will retry', {
          leadId,
          error: (error as Error).name,
        });
      }
    }
    return json(result.outcome === 'created' ? 201 : 200, {
      leadId,
      created: result.outcome === 'created',
      changed: result.outcome !== 'unchanged',
      sequence: lead.status === 'active' ? lead.sequenceId : null,
    });
  };
}

/** Lambda entry point. */
export const handler = lambdaEntry((config) => makeBookingHandler(bookingDeps(config)), readConfig);
