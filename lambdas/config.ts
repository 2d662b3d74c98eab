/**
 * Runtime configuration, read once from CONSTANT_CASE environment variables and validated.
 * A missing or bad value fails loudly at start with the variable's name.
 */
import * as z from 'zod';
import { clinic } from '../emails/clinic.ts';
import type { EnvVar } from './contract.ts';
import { MAX_HOLDOUT_SHARE } from './domain/holdout.ts';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day like 09:00');

const seconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** https, except on this machine (the local runtime), where browsers also treat http as secure. */
const publicUrl = z
  .url()
  .refine((value) => {
    const url = new URL(value);
    return url.protocol === 'https:' || ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  }, 'must be an https URL (http is allowed only for localhost)')
  .transform((value) => value.replace(/\/+$/, ''));

/** One entry per name in `ENV_VARS` (lambdas/contract.ts), and no other. */
export const configSchema = z.object({
  TABLE_NAME: z.string().min(1),
  SES_CONFIGURATION_SET: z.string().min(1),
  /** Base of links in emails (unsubscribe); the API's public URL. */
  PUBLIC_BASE_URL: publicUrl,
  /** Signs unsubscribe links. Locally a plain value; in AWS the ARN of a Secrets Manager secret. */
  UNSUBSCRIBE_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  UNSUBSCRIBE_SECRET_ARN: z.string().startsWith('arn:').optional(),
  /** Verifies the booking webhook's HMAC signature. Locally a plain value; in AWS the ARN of a Secrets Manager secret. */
  BOOKING_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  BOOKING_SECRET_ARN: z.string().startsWith('arn:').optional(),
  AWS_REGION: z.string().default('us-east-1'),
  /** Local emulators; unset in AWS. */
  DYNAMODB_ENDPOINT: z.url().optional(),
  SES_ENDPOINT: z.url().optional(),
  DUE_SHARDS: z.coerce.number().int().min(1).max(64).default(8),
  LEASE_SECONDS: seconds(120),
  RETRY_DELAY_SECONDS: seconds(300),
  SES_TIMEOUT_SECONDS: seconds(15),
  BATCH_PER_SHARD: z.coerce.number().int().min(1).max(1000).default(200),
  DISPATCH_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
  /**
   * At most this many dispatcher workers per scheduled run, each on its own shards at its share of the rate
   * (lambdas/domain/fan-out.ts); 1: no fan-out. At most DUE_SHARDS workers are ever started.
   */
  DISPATCH_MAX_WORKERS: z.coerce.number().int().min(1).max(64).default(1),
  /**
   * Emails a second one dispatcher worker sustains: a faster run is split across workers (up to the maximum). 50 leaves
   * headroom under what `npm run bench -- --only throughput` projects for a 1,024-MB Lambda (about 70-80 a second).
   */
  DISPATCH_WORKER_RATE: z.coerce.number().min(1).default(50),
  /** Set by Lambda: the dispatcher invokes itself by this name to start its workers. */
  AWS_LAMBDA_FUNCTION_NAME: z.string().min(1).optional(),
  /** Emails per second. Unset in AWS: the dispatcher reads SES's own maximum send rate. */
  MAX_SEND_RATE: z.coerce.number().positive().optional(),
  RETENTION_DAYS: z.coerce.number().int().positive().default(730),
  CONSENT_TEXT_VERSION: z.string().min(1).default('2026-11-v1'),
  DEFAULT_TIME_ZONE: z.string().default(clinic.defaultTimeZone),
  FROM_ADDRESS: z.email().default(clinic.fromAddress),
  REPLY_TO_ADDRESS: z.email().default(clinic.replyTo),
  CLINIC_NAME: z.string().min(1).default(clinic.name),
  /** Postal address lines, separated by "|" (CAN-SPAM: every email carries it). */
  CLINIC_POSTAL_ADDRESS: z
    .string()
    .min(1)
    .default(clinic.postalAddress.join('|'))
    .transform((value) =>
      value
        .split('|')
        .map((line) => line.trim())
        .filter(Boolean),
    ),
  CLINIC_PHONE: z.string().min(1).default(clinic.phone),
  CLINIC_WEBSITE: z.url().default(clinic.website),
  BOOKING_URL: z.url().default(clinic.bookingUrl),
  COST_URL: z.url().default(clinic.costUrl),
  /** Override the sequences' send window (the lead's local time, "HH:mm"); unset keeps `emails/sequences.ts`. */
  SEND_WINDOW_START: hhmm.optional(),
  SEND_WINDOW_END: hhmm.optional(),
  /**
   * The report's sign-in (AWS only; the admin Lambda requires all three there): the Cognito user pool whose access
   * tokens it accepts, its app client for the browser page, and the base URL of its managed login domain.
   */
  ADMIN_USER_POOL_ID: z.string().min(1).optional(),
  ADMIN_CLIENT_ID: z.string().min(1).optional(),
  ADMIN_SIGN_IN_URL: publicUrl.optional(),
  /**
   * Double opt-in: a sign-up is stored as `pending` and gets one confirmation email; the welcome and the nurture start
   * only once the lead confirms (`lambdas/domain/opt-in.ts`). "true" or "false"; unset: off.
   */
  DOUBLE_OPT_IN: z.stringbool().default(false),
  /**
   * The holdout (`lambdas/domain/holdout.ts`): this share of new leads gets the welcome and the care emails but no more
   * of the nurture, so the report can compare booking rates. A fraction, 0 to 0.5 (0.1: 10%); unset: 0, off. A change
   * applies to leads enrolled afterwards; every lead keeps the group it got.
   */
  HOLDOUT_SHARE: z.coerce
    .number({ error: 'must be a number from 0 to 0.5, like 0.1 for 10%' })
    .min(0, 'must be a number from 0 to 0.5, like 0.1 for 10%')
    .max(MAX_HOLDOUT_SHARE, 'must be a number from 0 to 0.5, like 0.1 for 10%')
    .default(0),
} satisfies Record<EnvVar, z.ZodType>);

const withSecretSource = configSchema.refine((config) => config.UNSUBSCRIBE_SECRET || config.UNSUBSCRIBE_SECRET_ARN, {
  message: 'set UNSUBSCRIBE_SECRET or UNSUBSCRIBE_SECRET_ARN',
  path: ['UNSUBSCRIBE_SECRET'],
});

export type Config = z.infer<typeof configSchema>;

/** Config whose secrets have been read (see `adapters/secrets.ts`). */
export type ResolvedConfig = Config & { UNSUBSCRIBE_SECRET: string; BOOKING_SECRET?: string };

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  return parsed(withSecretSource, env);
}

/**
 * The admin Lambda only reads the table: it needs no secret, so it reads only these settings, and the report's
 * sign-in (the page's own URL is PUBLIC_BASE_URL/admin, where the sign-in returns to).
 */
const adminSchema = configSchema
  .pick({
    TABLE_NAME: true,
    AWS_REGION: true,
    DYNAMODB_ENDPOINT: true,
    ADMIN_USER_POOL_ID: true,
    ADMIN_CLIENT_ID: true,
    ADMIN_SIGN_IN_URL: true,
    // The report says whether the holdout is on.
    HOLDOUT_SHARE: true,
  })
  .extend({ PUBLIC_BASE_URL: publicUrl.optional() });

export type AdminConfig = z.infer<typeof adminSchema>;

export function loadAdminConfig(env: Record<string, string | undefined> = process.env): AdminConfig {
  return parsed(adminSchema, env);
}

/**
 * The SES-events Lambda records events and stops leads: it signs no link and checks no signature, so it needs no
 * secret and reads only the table's settings and the SES timeout (how long a send in flight may still take).
 */
const sesEventsSchema = configSchema.pick({
  TABLE_NAME: true,
  AWS_REGION: true,
  DYNAMODB_ENDPOINT: true,
  DUE_SHARDS: true,
  RETENTION_DAYS: true,
  SES_TIMEOUT_SECONDS: true,
});

export type SesEventsConfig = z.infer<typeof sesEventsSchema>;

export function loadSesEventsConfig(env: Record<string, string | undefined> = process.env): SesEventsConfig {
  return parsed(sesEventsSchema, env);
}

/**
 * The privacy Lambda (a person's data: export and erasure) reads the table and the unsubscribe secret, which keys the
 * hash an erasure keeps of the address: nothing else.
 */
const privacySchema = configSchema
  .pick({
    TABLE_NAME: true,
    AWS_REGION: true,
    DYNAMODB_ENDPOINT: true,
    UNSUBSCRIBE_SECRET: true,
    UNSUBSCRIBE_SECRET_ARN: true,
  })
  .refine((config) => config.UNSUBSCRIBE_SECRET || config.UNSUBSCRIBE_SECRET_ARN, {
    message: 'set UNSUBSCRIBE_SECRET or UNSUBSCRIBE_SECRET_ARN',
    path: ['UNSUBSCRIBE_SECRET'],
  });

export type PrivacyConfig = z.infer<typeof privacySchema>;

export function loadPrivacyConfig(env: Record<string, string | undefined> = process.env): PrivacyConfig {
  return parsed(privacySchema, env);
}

function parsed<T>(schema: z.ZodType<T>, env: Record<string, string | undefined>): T {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  return result.data;
}
