/**
 * The booking webhook's signature: HMAC-SHA256 over "<timestamp>.<raw body>" with the booking secret, sent as
 * `X-Nurture-Timestamp` and `X-Nurture-Signature: v1=<hex>`. Pure: the caller passes the secret and the time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** How old (or how far in the future) a webhook's timestamp may be. */
const SIGNATURE_TOLERANCE_MS = 5 * 60_000;

const signatureOf = (timestamp: string, body: Buffer | string, secret: string) =>
  `v1=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;

/** The headers a sender puts on a booking webhook: `X-Nurture-Timestamp` and `X-Nurture-Signature`. */
export function signBooking(body: Buffer | string, secret: string, at: Date): { timestamp: string; signature: string } {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  return { timestamp, signature: signatureOf(timestamp, body, secret) };
}

export type SignatureCheck = 'ok' | 'missing' | 'stale' | 'invalid';

/** HMAC-SHA256 over "<timestamp>.<raw body>", compared in constant time; a timestamp over 5 minutes off is refused. */
export function verifyBooking(
  body: Buffer,
  headers: { timestamp?: string; signature?: string },
  secret: string,
  now: Date,
): SignatureCheck {
  const { timestamp, signature } = headers;
  if (!timestamp || !signature) return 'missing';
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(now.getTime() - Number(timestamp) * 1000) > SIGNATURE_TOLERANCE_MS)
    return 'stale';
  const given = Buffer.from(signature);
  const expected = Buffer.from(signatureOf(timestamp, body, secret));
  return given.length === expected.length && timingSafeEqual(given, expected) ? 'ok' : 'invalid';
}
