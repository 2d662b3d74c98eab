import { domainToASCII } from 'node:url';

/**
 * Lower case, trimmed, and an internationalised domain in its ASCII (punycode) form, as SES needs. One address, one
 * lead: sign-up, import, booking and erasure all key on this form. (Its own module, so erasure's hash and the SES
 * events' bundle need none of the sign-up form's rules.)
 */
export function normalizeEmail(raw: string): string {
  const trimmed = raw.trim().normalize('NFC');
  const at = trimmed.lastIndexOf('@');
  if (at < 1) return trimmed.toLowerCase();
  const domain = domainToASCII(trimmed.slice(at + 1).toLowerCase());
  return `${trimmed.slice(0, at).toLowerCase()}@${domain || trimmed.slice(at + 1).toLowerCase()}`;
}
