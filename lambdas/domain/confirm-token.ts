import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Double opt-in's confirmation tokens: the lead id, when the link expires (epoch seconds, base 36) and an HMAC over
 * both, bound to their purpose: `leadId.expiry.signature`, URL-safe. The MAC's input starts with `confirm:` where an
 * unsubscribe token's starts with `unsubscribe:`, so neither kind passes for the other, though one key signs both.
 */
export function signConfirmToken(leadId: string, expiresAt: Date, secret: string): string {
  const expiry = Math.floor(expiresAt.getTime() / 1000).toString(36);
  return `${leadId}.${expiry}.${mac(leadId, expiry, secret)}`;
}

export type ConfirmTokenCheck =
  | { ok: true; leadId: string; expiresAt: Date }
  /** Genuine, but past its expiry. */
  | { ok: false; reason: 'expired'; leadId: string }
  /** Forged, truncated, tampered with, or another kind of token. */
  | { ok: false; reason: 'invalid' };

/** Whether a token is one we signed, and still valid at `now`. */
export function verifyConfirmToken(token: string, secret: string, now: Date): ConfirmTokenCheck {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'invalid' };
  const [leadId = '', expiry = '', signature = ''] = parts;
  if (leadId === '' || !/^[0-9a-z]{1,12}$/.test(expiry)) return { ok: false, reason: 'invalid' };
  const given = Buffer.from(signature);
  const expected = Buffer.from(mac(leadId, expiry, secret));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
  const expiresAt = new Date(parseInt(expiry, 36) * 1000);
  return now < expiresAt ? { ok: true, leadId, expiresAt } : { ok: false, reason: 'expired', leadId };
}

function mac(leadId: string, expiry: string, secret: string): string {
  return createHmac('sha256', secret).update(`confirm:${leadId}:${expiry}`).digest('base64url');
}
