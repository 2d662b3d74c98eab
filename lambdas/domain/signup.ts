import * as z from 'zod';
import { HONEYPOT_FIELD, INTERESTS, SIGNUP_FIELDS as FIELD } from '../contract.ts';
import { normalizeEmail } from './email-address.ts';
import type { Consent, LeadProfile } from './lead.ts';
import { isValidTimeZone } from './schedule.ts';

const LINE_BREAK = /[\r\n]/;
// Other C0/C1 controls and bidi overrides have no business in a name or an address; nor has half of a UTF-16
// surrogate pair (broken text, which DynamoDB refuses to store and an email would show as �).
// eslint-disable-next-line no-control-regex -- finding control characters is this pattern's job
const CONTROL_OR_BIDI = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ud800-\udfff]/u;

// MIME encoded-word syntax (RFC 2047). Plain ASCII reaches a header as it is, and mail clients decode such a word
// there: "=?UTF-8?B?DQpCY2M6…?=" in a name would show as a line break and a "Bcc:" line.
const ENCODED_WORD = /=\?[^?\s]*\?[bq]\?[^?\s]*\?=/i;

/** A single-line text field; `headerSafe` fields reach an email header, so a line break is named as such. */
export function line(label: string, max: number, { min = 0, headerSafe = false } = {}) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? `${label} is required.` : `${label} must be text.`) })
    .transform((value) => value.trim())
    .superRefine((value, ctx) => {
      if (LINE_BREAK.test(value)) {
        ctx.addIssue({
          code: 'custom',
          message: headerSafe ? `${label} must not contain line breaks.` : `${label} must be a single line.`,
        });
      } else if (CONTROL_OR_BIDI.test(value) || (headerSafe && ENCODED_WORD.test(value))) {
        ctx.addIssue({ code: 'custom', message: `${label} contains characters that are not allowed.` });
      } else if (value.length < min) {
        ctx.addIssue({ code: 'custom', message: min === 1 ? `${label} is required.` : `${label} is too short.` });
      } else if (value.length > max) {
        ctx.addIssue({ code: 'custom', message: `${label} must be at most ${max} characters.` });
      }
    });
}

const optionalLine = (label: string, max: number) =>
  line(label, max)
    .optional()
    .transform((value) => (value ? value : undefined));

export const emailField = z
  .string({ error: (issue) => (issue.input === undefined ? 'Email is required.' : 'Email must be text.') })
  .superRefine((value, ctx) => {
    if (LINE_BREAK.test(value)) ctx.addIssue({ code: 'custom', message: 'Email must not contain line breaks.' });
    else if (value.trim().length > 254)
      ctx.addIssue({ code: 'custom', message: 'Email must be at most 254 characters.' });
    else if (!z.email().safeParse(normalizeEmail(value)).success) {
      ctx.addIssue({ code: 'custom', message: 'Enter a valid email address, like name@example.com.' });
    }
  })
  .transform(normalizeEmail);

/** An optional IANA zone; empty means "use the clinic's". */
export const timeZoneField = z
  .string({ error: 'Time zone must be text.' })
  .trim()
  .max(64, { error: 'Time zone is not a known IANA time zone, like America/New_York.' })
  .refine((value) => value === '' || isValidTimeZone(value), {
    error: 'Time zone is not a known IANA time zone, like America/New_York.',
  })
  .optional()
  .transform((value) => value || undefined);

export const consentField = z.union([z.literal(true), z.enum(['true', 'on', 'yes', '1'])], {
  error: 'Please tick the box to agree to receive emails from the clinic.',
});

/** The sign-up's fields and their rules; the lead import (`import-row.ts`) checks its rows with the same ones. */
export const signupSchema = z.object({
  [FIELD.email]: emailField,
  [FIELD.firstName]: line('First name', 80, { min: 1, headerSafe: true }),
  [FIELD.lastName]: line('Last name', 80, { headerSafe: true })
    .optional()
    .transform((value) => value || undefined),
  [FIELD.phone]: z
    .string({ error: 'Phone must be text.' })
    .trim()
    .max(32, { error: 'Phone must be at most 32 characters.' })
    .regex(/^[0-9+().\-\s]*$/, { error: 'Phone may contain only digits, spaces and + ( ) - .' })
    .optional()
    .transform((value) => value || undefined),
  [FIELD.timeZone]: timeZoneField,
  [FIELD.interest]: z
    .union([z.enum(INTERESTS), z.literal('')], { error: `Interest must be one of: ${INTERESTS.join(', ')}.` })
    .optional()
    .transform((value) => value || undefined),
  [FIELD.consent]: consentField,
  [FIELD.consentVersion]: optionalLine('Consent version', 40),
  page: optionalLine('Page', 2048),
  source: optionalLine('Source', 200),
  utm_source: optionalLine('utm_source', 200),
  utm_medium: optionalLine('utm_medium', 200),
  utm_campaign: optionalLine('utm_campaign', 200),
  utm_term: optionalLine('utm_term', 200),
  utm_content: optionalLine('utm_content', 200),
});

export type SignupInput = z.input<typeof signupSchema>;
/** A sign-up's fields once valid; without `consent`, which a form gives as its checkbox and an import as a date. */
export type SignupFields = Omit<z.output<typeof signupSchema>, typeof FIELD.consent>;

export type SignupParse =
  | { ok: true; honeypot: false; profile: LeadProfile }
  | { ok: true; honeypot: true }
  | { ok: false; fields: Record<string, string> };

export interface SignupContext {
  now: Date;
  defaultTimeZone: string;
  consentTextVersion: string;
  /** The page the form was posted from, when the body does not say (the Referer). */
  referer?: string;
}

/**
 * Validate a sign-up body (already decoded from JSON or a form) into a lead profile.
 * Every bad field is named, with a sentence a form can show next to it.
 */
export function parseSignup(body: unknown, context: SignupContext): SignupParse {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, fields: { body: 'Send the form fields as a JSON object or a form post.' } };
  }
  const record = body as Record<string, unknown>;
  const trap = record[HONEYPOT_FIELD];
  if (typeof trap === 'string' ? trap.trim() !== '' : trap !== undefined && trap !== null && trap !== false) {
    return { ok: true, honeypot: true };
  }

  const result = signupSchema.safeParse(record);
  if (!result.success) return { ok: false, fields: fieldErrors(result.error) };

  const input = result.data;
  const page = input.page ?? refererPage(context.referer);
  return {
    ok: true,
    honeypot: false,
    profile: profileOf(input, context.defaultTimeZone, {
      at: context.now.toISOString(),
      textVersion: input.consentVersion ?? context.consentTextVersion,
      ...(page && { page }),
    }),
  };
}

/** The lead profile of valid sign-up fields, with the consent as given. */
export function profileOf(input: SignupFields, defaultTimeZone: string, consent: Consent): LeadProfile {
  return {
    email: input.email,
    firstName: input.firstName,
    ...(input.lastName && { lastName: input.lastName }),
    ...(input.phone && { phone: input.phone }),
    timeZone: input.timeZone ?? defaultTimeZone,
    ...(input.interest && { interest: input.interest }),
    consent,
    attribution: compact({
      source: input.source,
      utmSource: input.utm_source,
      utmMedium: input.utm_medium,
      utmCampaign: input.utm_campaign,
      utmTerm: input.utm_term,
      utmContent: input.utm_content,
    }),
  };
}

/** One message per bad field, the first found, keyed by the field's name. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) fields[String(issue.path[0] ?? 'body')] ??= issue.message;
  return fields;
}

function refererPage(referer: string | undefined): string | undefined {
  if (!referer || referer.length > 2048 || LINE_BREAK.test(referer)) return undefined;
  try {
    const url = new URL(referer);
    return `${url.origin}${url.pathname}`;
  } catch {
    return undefined;
  }
}

function compact<T extends Record<string, string | undefined>>(record: T): { [K in keyof T]?: string } {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as {
    [K in keyof T]?: string;
  };
}
