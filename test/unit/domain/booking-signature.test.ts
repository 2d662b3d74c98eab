import { describe, expect, it } from 'vitest';
import { signBooking, verifyBooking } from '../../../lambdas/domain/booking-signature.ts';

const secret = 'unit-booking-secret-unit-booking-secret';
const now = new Date('2026-03-05T15:00:00Z');

describe('the booking signature', () => {
  const body = Buffer.from('{"email":"rosa@example.com"}');
  const headers = (at: Date) => signBooking(body, secret, at);

  it('accepts what was signed with the secret within five minutes', () => {
    expect(verifyBooking(body, headers(new Date(now.getTime() - 4 * 60_000)), secret, now)).toBe('ok');
  });

  it('refuses another body, another secret, an old or future timestamp, and missing headers', () => {
    expect(verifyBooking(Buffer.from('{"email":"eve@example.com"}'), headers(now), secret, now)).toBe('invalid');
    expect(verifyBooking(body, signBooking(body, 'another-secret-another-secret-another', now), secret, now)).toBe(
      'invalid',
    );
    expect(verifyBooking(body, headers(new Date(now.getTime() - 6 * 60_000)), secret, now)).toBe('stale');
    expect(verifyBooking(body, headers(new Date(now.getTime() + 6 * 60_000)), secret, now)).toBe('stale');
    expect(verifyBooking(body, { timestamp: 'yesterday', signature: 'v1=00' }, secret, now)).toBe('stale');
    expect(verifyBooking(body, {}, secret, now)).toBe('missing');
  });
});
