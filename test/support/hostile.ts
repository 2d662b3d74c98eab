/**
 * fast-check arbitraries for hostile input. Each field value is built from parts whose verdict under the documented
 * rules (docs/engagement.md, "Signing up from code") is known: `ok: true` (valid), `ok: false` (invalid) or `ok: undefined` (odd
 * input either verdict may meet). A body's expected answer follows from its fields, without re-running the validator.
 */
import fc from 'fast-check';
import { INTERESTS } from '../../lambdas/contract.ts';
import { APPOINTMENT_STATUSES } from '../../lambdas/domain/lead.ts';

export interface Part<T = unknown> {
  value: T;
  ok: boolean | undefined;
}

const valid = <T>(arb: fc.Arbitrary<T>) => arb.map((value): Part => ({ value, ok: true }));
const invalid = <T>(arb: fc.Arbitrary<T>) => arb.map((value): Part => ({ value, ok: false }));
const either = <T>(arb: fc.Arbitrary<T>) => arb.map((value): Part => ({ value, ok: undefined }));

/** Line breaks and header syntax, for every field. */
export const LINE_BREAK_INJECTIONS = [
  '\r\nBcc: victim@evil.example',
  '\nX-Injected: yes',
  '\rSubject: hijacked',
  '\r\n\r\n<script>alert(1)</script>',
  '\r\nContent-Type: text/html',
];
/** Header-injection attempts without a raw line break: they must reach a header only as encoded text, if at all. */
export const HEADER_TRICKS = [
  '%0d%0aBcc:%20victim@evil.example',
  '=?utf-8?q?=0D=0ABcc:_victim@evil.example?=',
  '=?UTF-8?B?DQpCY2M6IHZpY3RpbUBldmlsLmV4YW1wbGU=?=',
  ' <victim@evil.example>',
  '", victim@evil.example, "',
  'a@b.example, victim@evil.example',
  'Bcc: victim@evil.example',
  '\\r\\nBcc: escaped',
];
/** Characters that render oddly or invisibly: bidi overrides and isolates, zero-width, soft hyphen, other breaks. */
export const UNICODE_TRICKS = [
  '\u202e',
  '\u202d',
  '\u2066',
  '\u2069',
  '\u200b',
  '\u200c',
  '\u200d',
  '\u2060',
  '\ufeff',
  '\u00ad',
  '\u200e',
  '\u200f',
  '\u061c',
  '\u2028',
  '\u2029',
  '\u0085',
  '\u000b',
  '\u0000',
  '\u001b[31m',
  '\ud800',
];
// Not whitespace, so trimming never removes them: invalid wherever they stand.
const controlOrOverride = ['\u202e', '\u202d', '\u2066', '\u2069', '\u0085', '\u0000', '\u001b[31m'];

const huge = fc.integer({ min: 300, max: 20_000 }).map((n) => 'x'.repeat(n));
const wrongType = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }),
);
const trick = fc.constantFrom(...UNICODE_TRICKS, ...HEADER_TRICKS);
/** Text, then a line break with more text after it: inside the value, where trimming cannot remove it. */
const broken = (base: fc.Arbitrary<string>) =>
  fc.tuple(base, fc.constantFrom(...LINE_BREAK_INJECTIONS)).map(([text, injection]) => `x${text.trim()}${injection}`);
/** `base` with `extra` put somewhere inside it. */
const inserted = (base: fc.Arbitrary<string>, extra: fc.Arbitrary<string>) =>
  fc.tuple(base, extra, fc.nat()).map(([text, add, at]) => {
    const i = at % (text.length + 1);
    return `${text.slice(0, i)}${add}${text.slice(i)}`;
  });

// Letters from several scripts, marks, apostrophes and hyphens: what real names are made of.
const nameChars = [
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZàéïõüßøçñÅŁŽșțΩλДжЖ李王明أحمدשרהनेहा한글ÆŒ'.split(''),
  "'",
  '-',
  ' ',
  '.',
  '\u0301',
];
const asciiNameChars = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'.split(''), "'", '-', ' ', '.'];
// Plain ASCII names reach a header as they are; the others are always encoded: both kinds matter.
const cleanName = fc
  .oneof(
    fc.string({ unit: fc.constantFrom(...asciiNameChars), minLength: 1, maxLength: 30 }),
    fc.string({ unit: fc.constantFrom(...nameChars), minLength: 1, maxLength: 40 }),
  )
  .filter((name) => name.trim().length > 0 && !name.trim().startsWith('\u0301'));

export const nameField = (max: number, required: boolean) =>
  fc.oneof(
    { weight: 16, arbitrary: valid(cleanName) },
    {
      weight: 2,
      arbitrary: invalid(fc.oneof(broken(cleanName), inserted(cleanName, fc.constantFrom(...controlOrOverride)))),
    },
    {
      weight: 4,
      arbitrary: either(
        inserted(
          cleanName,
          fc.oneof(
            trick,
            trick.map((text) => ` ${text} `),
          ),
        ),
      ),
    },
    {
      weight: 1,
      arbitrary: invalid(fc.string({ minLength: max + 1, maxLength: max + 40, unit: fc.constantFrom('a', 'é', 'Ж') })),
    },
    { weight: 1, arbitrary: invalid(wrongType) },
    { weight: 1, arbitrary: required ? invalid(fc.constantFrom('', '   ')) : valid(fc.constantFrom('', '   ')) },
  );

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/);
const idnLabel = fc.constantFrom(
  'münchen',
  'bücher',
  'ñandú',
  '例え',
  'παράδειγμα',
  'exаmple' /* Cyrillic а: a homoglyph */,
  'gооgle' /* Cyrillic о */,
);
const localPart = fc
  .array(fc.stringMatching(/^[a-z0-9_]{1,8}$/), { minLength: 1, maxLength: 3 })
  .map((segments) => segments.join('.'));
const plainEmail = fc
  .tuple(
    localPart,
    fc.option(fc.stringMatching(/^[a-z0-9-]{1,10}$/), { nil: undefined }),
    fc.array(fc.oneof(label, idnLabel), { minLength: 1, maxLength: 3 }),
    fc.stringMatching(/^[a-z]{2,6}$/),
  )
  .map(([local, tag, labels, tld]) => `${local}${tag ? `+${tag}` : ''}@${[...labels, tld].join('.')}`);

export const emailField = fc.oneof(
  {
    weight: 16,
    arbitrary: valid(
      fc
        .tuple(plainEmail, fc.boolean(), fc.constantFrom('', ' ', '\t'))
        .map(([email, upper, pad]) => `${pad}${upper ? email.toUpperCase() : email}${pad}`),
    ),
  },
  {
    weight: 2,
    arbitrary: invalid(
      fc
        .tuple(plainEmail, fc.constantFrom(...LINE_BREAK_INJECTIONS))
        .map(([email, injection]) => `${email}${injection}`),
    ),
  },
  {
    weight: 2,
    arbitrary: invalid(
      fc.oneof(
        fc.constantFrom(
          '',
          'plainaddress',
          'a@',
          '@example.com',
          'a@@example.com',
          'a b@example.com',
          '"ana b"@example.com',
          '"a\\"b"@example.com',
          'jöhn@example.com',
          'a@localhost',
          'a..b@example.com',
          '.a@example.com',
          'a@example..com',
          'a@-example.com',
          'x@пример.рф',
          'a@[127.0.0.1]',
          'a@example.com>',
          '<a@example.com>',
          'Ana <a@example.com>',
          'a@example.com, b@example.com',
        ),
        fc.tuple(plainEmail, fc.constantFrom('\u202e', '\u2066', '\u0000')).map(([email, mark]) => `${mark}${email}`),
        huge.map((x) => `${x}@example.com`),
        wrongType,
      ),
    ),
  },
  { weight: 3, arbitrary: either(fc.oneof(fc.emailAddress(), inserted(plainEmail, trick))) },
  { weight: 1, arbitrary: invalid(fc.constant(undefined)) },
);

const phoneField = fc.oneof(
  { weight: 6, arbitrary: valid(fc.string({ unit: fc.constantFrom(...'0123456789 +().-'), maxLength: 32 })) },
  {
    weight: 1,
    arbitrary: invalid(
      fc.oneof(
        inserted(fc.constant('+1 555 0100'), fc.constantFrom('x', ...LINE_BREAK_INJECTIONS, ...HEADER_TRICKS)),
        fc.constant('1'.repeat(33)),
        wrongType,
      ),
    ),
  },
  { weight: 6, arbitrary: valid(fc.constant(undefined)) },
);

const timeZoneField = fc.oneof(
  {
    weight: 8,
    arbitrary: valid(
      fc.constantFrom(
        'America/New_York',
        'Europe/Berlin',
        'Asia/Kolkata',
        'Pacific/Chatham',
        'America/Argentina/Buenos_Aires',
        'Australia/Lord_Howe',
        'UTC',
        '',
        undefined,
      ),
    ),
  },
  {
    weight: 1,
    arbitrary: invalid(
      fc.oneof(
        fc.constantFrom(
          'Mars/Olympus_Mons',
          '../../etc/passwd',
          'America/New_York\r\nX-Injected: 1',
          'x'.repeat(65),
          '%2e%2e%2f',
        ),
        wrongType,
      ),
    ),
  },
  { weight: 1, arbitrary: either(inserted(fc.constant('Europe/Berlin'), trick)) },
);

const interestField = fc.oneof(
  { weight: 8, arbitrary: valid(fc.constantFrom(...INTERESTS, '', undefined)) },
  {
    weight: 1,
    arbitrary: invalid(
      fc.oneof(fc.constantFrom('hangover', 'Chronic-Migraine', 'chronic-migraine\r\n', 'chronic-migraine '), wrongType),
    ),
  },
);

const consentField = fc.oneof(
  { weight: 8, arbitrary: valid(fc.constantFrom(true, 'true', 'on', 'yes', '1')) },
  {
    weight: 1,
    arbitrary: invalid(fc.constantFrom(false, 'false', 'no', 0, 1, 'TRUE', 'On', null, 'on\r\n', undefined)),
  },
);

/** Single-line optional text with a length limit (source, UTM fields, page, consent version). */
const lineField = (max: number) =>
  fc.oneof(
    { weight: 10, arbitrary: valid(fc.constant(undefined)) },
    { weight: 4, arbitrary: valid(fc.string({ unit: 'grapheme-ascii', maxLength: Math.min(max, 60) })) },
    { weight: 1, arbitrary: either(inserted(fc.string({ unit: 'grapheme', maxLength: 20 }), trick)) },
    {
      weight: 1,
      arbitrary: invalid(
        fc.oneof(
          broken(fc.string({ unit: 'grapheme-ascii', maxLength: 20 })),
          fc.constant('y'.repeat(max + 1)),
          wrongType,
        ),
      ),
    },
  );

/** The hidden field: filled means a bot, whatever else the body holds. */
const honeypotField = fc.oneof(
  { weight: 8, arbitrary: fc.constant({ value: undefined, bot: false }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      { value: '', bot: false },
      { value: '  ', bot: false },
      { value: false, bot: false },
      { value: null, bot: false },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      { value: 'http://spam.example', bot: true },
      { value: 'x', bot: true },
      { value: 0, bot: true },
      { value: true, bot: true },
      { value: {}, bot: true },
    ),
  },
);

/** Keys no form has: ignored, whatever they hold. */
const extraFields = fc.dictionary(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'toString',
    'Email',
    'EMAIL',
    'first_name',
    'email[]',
    'Bcc',
    'x\r\ny',
    'leadId',
    'status',
  ),
  fc.oneof(fc.string(), wrongType, trick),
  { maxKeys: 3 },
);

export const REQUIRED = ['email', 'firstName', 'consent'] as const;

/** A sign-up body as fields with verdicts, plus the hidden field and extra keys. */
export const signupFields = fc.record({
  parts: fc.record({
    email: emailField,
    firstName: nameField(80, true),
    lastName: fc.oneof(nameField(80, false), valid(fc.constant(undefined)), valid(fc.constant(undefined))),
    phone: phoneField,
    timeZone: timeZoneField,
    interest: interestField,
    consent: consentField,
    consentVersion: lineField(40),
    page: lineField(2048),
    source: lineField(200),
    utm_source: lineField(200),
    utm_campaign: lineField(200),
    utm_content: lineField(200),
  }),
  website: honeypotField,
  extra: extraFields,
});

export type SignupFields = typeof signupFields extends fc.Arbitrary<infer T> ? T : never;

/** Broken form encoding: stray and truncated percent escapes, invalid UTF-8, separators in odd places. */
export const brokenForm = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        'email=',
        'firstName=',
        'consent=on',
        '&',
        '=',
        '%',
        '%0',
        '%zz',
        '%E0%A4%A',
        '%ED%A0%80',
        '%C0%AF',
        '%FF%FE',
        '%0D%0A',
        '+',
        'a@b.example',
        '%40',
        '&&',
        '==',
        ';',
      ),
      fc.string({ maxLength: 6 }),
    ),
    { maxLength: 30 },
  )
  .map((parts) => parts.join(''));

/** JSON nested far deeper than any form: arrays or objects, up to the 16 KB body limit and past it. */
export const deepJson = fc
  .tuple(fc.integer({ min: 10, max: 9_000 }), fc.boolean())
  .map(([depth, arrays]) =>
    arrays ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
  );

/**
 * A booking webhook body: for leads we know (by email or id), for unknown addresses (with or without consent and a
 * name), and with every field bad in turn. No verdict is attached: the answer's shape, the signature rule and what the
 * table holds afterwards are checked instead.
 */
export function bookingBody(known: { emails: string[]; leadIds: string[] }) {
  const isoWithOffset = fc
    .tuple(
      fc.date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2027-12-31T00:00:00Z'), noInvalidDate: true }),
      fc.constantFrom('Z', '+00:00', '-05:00', '+05:30', '+14:00', '-12:00'),
    )
    .map(([date, offset]) => date.toISOString().replace('Z', offset === 'Z' ? 'Z' : offset));
  const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });
  return fc.record({
    email: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...known.emails) },
      { weight: 3, arbitrary: emailField.map((part) => part.value) },
      { weight: 2, arbitrary: fc.constant(undefined) },
    ),
    leadId: fc.oneof(
      { weight: 4, arbitrary: fc.constant(undefined) },
      { weight: 2, arbitrary: fc.constantFrom(...known.leadIds) },
      { weight: 1, arbitrary: fc.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/) },
      {
        weight: 1,
        arbitrary: fc.oneof(
          trick,
          wrongType,
          fc.constantFrom(...known.leadIds).map((id) => `${id}\r\n`),
        ),
      },
    ),
    appointmentAt: fc.oneof(
      { weight: 6, arbitrary: isoWithOffset },
      {
        weight: 1,
        arbitrary: fc.oneof(
          fc.constantFrom('next tuesday', '2026-13-01T00:00:00Z', '2026-03-12T11:00:00', '2026-02-30T10:00:00Z', ''),
          trick,
          wrongType,
        ),
      },
    ),
    status: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...APPOINTMENT_STATUSES) },
      { weight: 1, arbitrary: fc.oneof(fc.constantFrom('Booked', 'booked\r\n', 'maybe'), wrongType) },
    ),
    bookingId: optional(
      fc.oneof(
        fc.stringMatching(/^[\w.:@/-]{1,128}$/),
        fc.constantFrom(...LINE_BREAK_INJECTIONS, ...HEADER_TRICKS),
        huge,
      ),
    ),
    consent: optional(
      fc.oneof(
        fc.constant(true),
        consentField.map((part) => part.value),
      ),
    ),
    firstName: optional(nameField(80, false).map((part) => part.value)),
    lastName: optional(nameField(80, false).map((part) => part.value)),
    timeZone: optional(timeZoneField.map((part) => part.value)),
    extra: extraFields,
  });
}
