/**
 * Per-stage deployment settings, read from `cdk.json` (context key `nurture`) and validated when the app is
 * synthesized. A bad value fails the synth with a message naming the field, e.g. `stages.prod.email.fromAddress`.
 */
import { IANAZone } from 'luxon';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { z } from 'zod';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day like 09:00');
const https = z.url({ protocol: /^https$/, error: 'must be an https URL' });
const domain = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a lower-case domain name like clinic.example');
/** An https origin as a browser sends it in `Origin`: scheme and host, no path or trailing slash. */
const origin = z
  .string()
  .regex(/^https:\/\/[a-z0-9.-]+(:\d{1,5})?$/, 'must be an https origin like https://www.clinic.example (no path, no trailing slash)');
const timeZone = z.string().refine((zone) => IANAZone.isValidZone(zone), 'must be an IANA time zone like America/New_York');
/** CloudWatch Logs accepts only these retention periods (in days; "never expire" is not offered here). */
const LOG_RETENTION_DAYS = Object.values(RetentionDays).filter((days): days is number => typeof days === 'number' && days !== RetentionDays.INFINITE);
const logRetention = z.number().refine((days) => LOG_RETENTION_DAYS.includes(days), {
  message: `must be one of CloudWatch Logs' retention periods in days (${LOG_RETENTION_DAYS.join(', ')})`,
});

export const stageSchema = z
  .object({
    /** 12-digit AWS account id. Unset: the account of the credentials `cdk deploy` runs with. */
    account: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id').optional(),
    region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be an AWS region like us-east-1'),
    /** Production: deletion protection on the table, and the table, key and secrets are kept when the stack is deleted. */
    production: z.boolean(),
    clinic: z.strictObject({
      name: z.string().min(1).max(100),
      /** One line per entry; every email carries it (CAN-SPAM). */
      postalAddress: z.array(z.string().min(1).refine((line) => !line.includes('|'), 'must not contain "|" (it separates the lines in CLINIC_POSTAL_ADDRESS)')).min(1),
      phone: z.string().min(1),
      website: https,
      bookingUrl: https,
      defaultTimeZone: timeZone,
    }),
    email: z.strictObject({
      /** The SES identity: a domain with Easy DKIM, created by this stack unless `existingIdentity` is true. */
      senderDomain: domain,
      /** The domain is already an SES identity in this account and region (verified elsewhere): use it as it is. */
      existingIdentity: z.boolean().default(false),
      fromAddress: z.email(),
      replyTo: z.email(),
      /** Optional custom MAIL FROM subdomain (e.g. mail.clinic.example), so SPF aligns with the sender for DMARC. */
      mailFromDomain: domain.optional(),
    }),
    /** The lead's local time when emails may go out. Unset: the window in `emails/sequences.ts`. */
    sendWindow: z.strictObject({ start: hhmm, end: hhmm }).optional(),
    /** The clinic's site origins allowed to post the sign-up form from a browser (CORS). */
    allowedOrigins: z.array(origin).min(1),
    /** Days a lead and its messages are kept; DynamoDB TTL deletes them after. */
    retentionDays: z.number().int().min(1).max(3650),
    logRetentionDays: logRetention,
    /** Addresses subscribed to the alarm topic. Empty: subscribe later (SNS console, Chatbot, a pager). */
    alarmEmails: z.array(z.email()).default([]),
    /** The API's public URL when it has a custom domain; unset: the HTTP API's own execute-api URL. */
    publicBaseUrl: https.optional(),
    /** Stage throttling: steady requests per second and burst, for the whole API. */
    throttle: z.strictObject({ rateLimit: z.number().int().min(1), burstLimit: z.number().int().min(1) }),
    consentTextVersion: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((stage, ctx) => {
    const senderDomain = stage.email.senderDomain;
    const fromDomain = stage.email.fromAddress.split('@')[1]?.toLowerCase() ?? '';
    if (fromDomain !== senderDomain && !fromDomain.endsWith(`.${senderDomain}`)) {
      ctx.addIssue({ code: 'custom', path: ['email', 'fromAddress'], message: `must be an address at ${senderDomain} (the SES identity)` });
    }
    if (stage.email.mailFromDomain && !stage.email.mailFromDomain.endsWith(`.${senderDomain}`)) {
      ctx.addIssue({ code: 'custom', path: ['email', 'mailFromDomain'], message: `must be a subdomain of ${senderDomain}` });
    }
    if (stage.sendWindow && stage.sendWindow.start >= stage.sendWindow.end) {
      ctx.addIssue({ code: 'custom', path: ['sendWindow', 'end'], message: 'must be later than sendWindow.start' });
    }
    if (stage.throttle.burstLimit < stage.throttle.rateLimit) {
      ctx.addIssue({ code: 'custom', path: ['throttle', 'burstLimit'], message: 'must be at least throttle.rateLimit' });
    }
  });

export type StageConfig = z.infer<typeof stageSchema>;

const stageName = z.string().regex(/^[a-z][a-z0-9-]{0,20}$/, 'stage names are lower case letters, digits and dashes');

export const nurtureContextSchema = z.strictObject({
  stages: z.record(stageName, stageSchema).refine((stages) => Object.keys(stages).length > 0, 'name at least one stage'),
});

/** Validate the `nurture` context value; throws an error naming every bad field (`stages.prod.retentionDays: ...`). */
export function parseStages(value: unknown): Record<string, StageConfig> {
  const result = nurtureContextSchema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(nurture)'}: ${issue.message}`).join('\n');
    throw new Error(`Invalid stage configuration in cdk.json (context "nurture"):\n${problems}`);
  }
  return result.data.stages;
}
