/**
 * Values that look like placeholders rather than a clinic's real details: the checks a production stage must
 * pass (`lib/config.ts`). Pure functions, no I/O. They catch what documentation and sample code use on purpose,
 * and let through values that merely resemble them (a 555 number outside 555-0100..0199, "examplesmiles.com",
 * "Sample Rd", "123 Main St": real places have those).
 */

/** Words that mark a placeholder wherever they stand as a word: "100 Example Street", "TODO", "Suite XXX". */
const PLACEHOLDER_WORD = /\b(example|placeholder|todo|tbd|fixme|change[ _-]?me|lorem|ipsum|anytown|x{3,})\b/i;

/** Top-level domains reserved for documentation, tests and local use (RFC 2606, RFC 6761). */
const RESERVED_TLDS = new Set(['example', 'test', 'invalid', 'localhost']);

/** Text with a placeholder word in it, like "100 Example Street" or "TODO". */
export function isPlaceholderText(text: string): boolean {
  return PLACEHOLDER_WORD.test(text);
}

/**
 * A reserved or placeholder domain: `example`, `example.com`/`.net`/`.org` and anything under them, any name under
 * `.example`, `.test`, `.invalid` or `.localhost`, `localhost` itself, and a name with a placeholder word as one of
 * its labels or dash-separated parts (`example.io`, `your-example-clinic.com`). `examplesmiles.com` is not one.
 */
export function isPlaceholderDomain(domain: string): boolean {
  const name = domain.toLowerCase().replace(/\.$/, '');
  // Dots and dashes are word boundaries, so the word check finds "example" in "clinic.example" and
  // "your-example-clinic.com" but not in "examplesmiles.com".
  return RESERVED_TLDS.has(name.slice(name.lastIndexOf('.') + 1)) || isPlaceholderText(name);
}

/** An email address at a placeholder domain (`ops@clinic.example`), or with a placeholder word in it (`todo@…`). */
export function isPlaceholderEmail(address: string): boolean {
  return isPlaceholderDomain(address.slice(address.lastIndexOf('@') + 1)) || isPlaceholderText(address);
}

/** A URL or origin whose host is a placeholder domain (`https://clinic.example/book`). Not a URL: false. */
export function isPlaceholderUrl(url: string): boolean {
  return URL.canParse(url) && isPlaceholderDomain(new URL(url).hostname);
}

/**
 * A phone number in the North American fictional range 555-0100 to 555-0199, however it is written ("+1 (478)
 * 555-0100", "478-555-0142", "4785550199", "555-0123"), or one with a placeholder word ("478-555-XXXX").
 * Other 555 numbers (555-1212, 555-2368) are not in that range and pass.
 */
export function isPlaceholderPhone(phone: string): boolean {
  if (isPlaceholderText(phone)) return true;
  // The number itself: the first run of digits and the separators people write between them (an extension after).
  const digits = (phone.match(/[+(\d][\d\s().-]{6,}/)?.[0] ?? '').replace(/\D/g, '');
  const local = digits.length === 11 && digits.startsWith('1') ? digits.slice(1) : digits; // +1: the NANP country code
  const subscriber = local.length === 10 ? local.slice(3) : local.length === 7 ? local : '';
  return /^55501\d\d$/.test(subscriber);
}

/** Account ids AWS's documentation uses in its examples. */
const EXAMPLE_ACCOUNTS = new Set(['123456789012', '111122223333', '444455556666', '777788889999', '000000000000']);

/**
 * An ARN in one of the accounts AWS's documentation uses (`arn:aws:acm:us-east-1:123456789012:certificate/…`), or
 * with a placeholder word in it (`…:certificate/TODO`). Not an ARN: false.
 */
export function isPlaceholderArn(arn: string): boolean {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return false;
  return EXAMPLE_ACCOUNTS.has(parts[4]!) || isPlaceholderText(parts.slice(5).join(':'));
}
