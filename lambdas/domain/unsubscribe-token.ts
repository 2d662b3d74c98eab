import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Unsubscribe tokens: the lead id and an HMAC over it, so a link works without a login and cannot be forged
 * for another lead. `leadId.signature`, URL-safe.
 */
export function signUnsubscribeToken(leadId: string, secret: string): string {
  return `${leadId}.${mac(leadId, secret)}`;
}

/** The lead id a token was issued for, or undefined for a forged, truncated or tampered token. */
export function verifyUnsubscribeToken(token: string, secret: string): string | undefined {
  const dot = token.lastIndexOf('.');
  if (dot < 1) return undefined;
  const leadId = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1));
  const expected = Buffer.from(mac(leadId, secret));
  return given.length === expected.length && timingSafeEqual(given, expected) ? leadId : undefined;
}

function mac(leadId: string, secret: string): string {
  return createHmac('sha256', secret).update(`unsubscribe:${leadId}`).digest('base64url');
}
