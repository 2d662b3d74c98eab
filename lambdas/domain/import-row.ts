/**
 * One row of a lead import (`npm run import`), checked with the sign-up's own rules (`signup.ts`), plus the consent
 * the person gave in the clinic's earlier tool: `consentAt`, when (an ISO 8601 date or time, not in the future), and
 * `consentSource`, where. A row without them is refused: no recorded consent, no emails.
 */
import { DateTime } from 'luxon';
import * as z from 'zod';
import type { LeadProfile } from './lead.ts';
import { line, profileOf, signupSchema } from './signup.ts';

/** The consent text version stored for an imported lead whose row names none (`consentVersion`). */
export const IMPORTED_CONSENT_VERSION = 'imported';

const AT_FORMAT = 'an ISO 8601 date or time, like 2025-03-14 or 2025-03-14T15:30:00Z';

function rowSchema(now: Date) {
  return signupSchema.omit({ consent: true }).extend({
    consentAt: z
      .string({
        error: (issue) =>
          issue.input === undefined
            ? `consentAt is required: when the person agreed to receive emails (${AT_FORMAT}).`
            : 'consentAt must be text.',
      })
      .trim()
      .transform((value, ctx) => {
        if (value === '') {
          ctx.addIssue({
            code: 'custom',
            message: `consentAt is required: when the person agreed to receive emails (${AT_FORMAT}).`,
          });
          return z.NEVER;
        }
        // A date alone is midnight UTC; a time without an offset is UTC too.
        const at = DateTime.fromISO(value, { zone: 'utc' });
        if (!at.isValid) {
          ctx.addIssue({ code: 'custom', message: `consentAt is not ${AT_FORMAT}.` });
          return z.NEVER;
        }
        if (at.toMillis() > now.getTime()) {
          ctx.addIssue({ code: 'custom', message: 'consentAt is in the future.' });
          return z.NEVER;
        }
        return at.toJSDate();
      }),
    consentSource: line('consentSource', 200, { min: 1 }),
  });
}

/** The schema for one import's `now`: built once, not once a row. */
let schema: { now: number; rows: ReturnType<typeof rowSchema> } | undefined;

export type ImportRowResult = { ok: true; profile: LeadProfile } | { ok: false; reason: string };

/**
 * A row's fields (by the sign-up's names, plus `consentAt` and `consentSource`) as a lead profile, or the first
 * reason it is refused. The reason names the field, never its value: the summary is printed, and may be shared.
 */
export function parseImportRow(
  fields: Record<string, unknown>,
  context: { now: Date; defaultTimeZone: string },
): ImportRowResult {
  if (schema?.now !== context.now.getTime()) schema = { now: context.now.getTime(), rows: rowSchema(context.now) };
  const result = schema.rows.safeParse(fields);
  if (!result.success) return { ok: false, reason: result.error.issues[0]?.message ?? 'invalid row' };
  const input = result.data;
  return {
    ok: true,
    profile: profileOf(input, context.defaultTimeZone, {
      at: input.consentAt.toISOString(),
      textVersion: input.consentVersion ?? IMPORTED_CONSENT_VERSION,
      source: input.consentSource,
      ...(input.page && { page: input.page }),
    }),
  };
}
