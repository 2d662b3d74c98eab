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

  it('is HMAC-SHA256 of "<timestamp>.<body>", as a sender computes it with openssl', () => {
    // printf '%s' '1741186800.{"a":1}' | openssl dgst -sha256 -hmac 'secret'
    expect(signBooking('{"a":1}', 'secret', new Date(1_741_186_800_000))).toEqual({
      timestamp: '1741186800',
      signature: 'v1=7781c8726d4d0979de19f3eb0c8e191192a713e776271d7c1644be25c2d8f79b',
    });
  });

  it('accepts a timestamp exactly five minutes old', () => {
    expect(verifyBooking(body, headers(new Date(now.getTime() - 5 * 60_000)), secret, now)).toBe('ok');
  });

  it('refuses one header without the other, a timestamp with anything but digits, and a signature of another length', () => {
    const { timestamp, signature } = headers(now);
    expect(verifyBooking(body, { timestamp }, secret, now)).toBe('missing');
    expect(verifyBooking(body, { signature }, secret, now)).toBe('missing');
    expect(verifyBooking(body, { timestamp: `x${timestamp}`, signature }, secret, now)).toBe('stale');
    expect(verifyBooking(body, { timestamp: `${timestamp}x`, signature }, secret, now)).toBe('stale');
    // Not a crash (timingSafeEqual throws on buffers of different lengths): the sender is told it is invalid.
    expect(verifyBooking(body, { timestamp, signature: 'v1=00' }, secret, now)).toBe('invalid');
    expect(verifyBooking(body, { timestamp, signature: `${signature}0` }, secret, now)).toBe('invalid');
  });
});
