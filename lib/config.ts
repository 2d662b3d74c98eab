/**
 * Per-stage deployment settings, read from `cdk.json` (context key `nurture`) and validated when the app is
 * synthesized. A bad value fails the synth with a message naming the field, e.g. `stages.prod.email.fromAddress`.
 * A production stage must also state what a dev stage may leave out (its reserved concurrency, its share of SES's
 * send rate, a stable public URL for the links in its emails) and hold no placeholder (`lib/placeholders.ts`): the
 * clinic's real address, phone, domains and addresses, never `100 Example Street` or `clinic.example`.
 */
import { IANAZone } from 'luxon';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { z } from 'zod';
import { HANDLERS } from './handlers.ts';
import {
  isPlaceholderArn,
  isPlaceholderDomain,
  isPlaceholderEmail,
  isPlaceholderPhone,
  isPlaceholderText,
  isPlaceholderUrl,
} from './placeholders.ts';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day like 09:00');
const https = z.url({ protocol: /^https$/, error: 'must be an https URL' });
const domain = z
  .string()
  .regex(
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    'must be a lower-case domain name like clinic.example',
  );
/** An https origin as a browser sends it in `Origin`: scheme and host, no path or trailing slash. */
const origin = z
  .string()
  .regex(
    /^https:\/\/[a-z0-9.-]+(:\d{1,5})?$/,
    'must be an https origin like https://www.clinic.example (no path, no trailing slash)',
  );
const timeZone = z
  .string()
  .refine((zone) => IANAZone.isValidZone(zone), 'must be an IANA time zone like America/New_York');
/** CloudWatch Logs accepts only these retention periods (in days; "never expire" is not offered here). */
const LOG_RETENTION_DAYS = Object.values(RetentionDays).filter(
  (days): days is number => typeof days === 'number' && days !== RetentionDays.INFINITE,
);
const logRetention = z.number().refine((days) => LOG_RETENTION_DAYS.includes(days), {
  message: `must be one of CloudWatch Logs' retention periods in days (${LOG_RETENTION_DAYS.join(', ')})`,
});

/** The handler file names of `lib/handlers.ts` (`signup`, `dispatch`, ...): the keys of `reservedConcurrency`. */
const handlerName = z.enum(HANDLERS.map((spec) => spec.handler) as [string, ...string[]]);

/**
 * The API's own domain: an API Gateway custom domain mapped to the API's `$default` stage, with an ACM certificate
 * for it, either one that exists (`certificateArn`, in the stage's region) or one the stack creates and validates
 * through DNS in a Route 53 hosted zone (`hostedZone`), where it also adds the domain's alias record.
 */
const customDomainSchema = z
  .strictObject({
    /** The API's domain, e.g. api.clinic.example: every link in every email starts with https://<domainName>. */
    domainName: domain,
    /** An ACM certificate for domainName, in the stage's region (API Gateway's regional endpoint needs it there). */
    certificateArn: z
      .string()
      .regex(
        /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/,
        'must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)',
      )
      .optional(),
    /** A Route 53 public hosted zone in this account holding domainName: the stack creates the certificate and record. */
    hostedZone: z
      .strictObject({
        id: z.string().regex(/^Z[A-Z0-9]{1,32}$/, 'must be a Route 53 hosted zone id like Z0123456789ABCDEFGHIJ'),
        name: domain,
      })
      .optional(),
  })
  .superRefine((custom, ctx) => {
    if ((custom.certificateArn === undefined) === (custom.hostedZone === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['certificateArn'],
        message:
          'set exactly one of certificateArn (a certificate that exists) and hostedZone (the stack creates one there)',
      });
    }
    const zone = custom.hostedZone?.name;
    if (zone && custom.domainName !== zone && !custom.domainName.endsWith(`.${zone}`)) {
      ctx.addIssue({
        code: 'custom',
        path: ['domainName'],
        message: `must be ${zone} or a name under it (the hosted zone)`,
      });
    }
  });

/**
 * The report's sign-in: a Cognito user pool per stage, with no self sign-up. Each address in `users` becomes a user,
 * and Cognito emails it an invitation with a temporary password; `npm run admin-user -- add <email> --stage <stage>`
 * adds one without a deploy. Removing an address here deletes that user at the next deploy.
 */
const reportSignInSchema = z.strictObject({
  /** Marketers' work addresses. */
  users: z.array(z.email()).default([]),
  /**
   * The managed login's domain, https://<domainPrefix>.auth.<region>.amazoncognito.com; unique in the region across
   * all AWS accounts. Unset: nurture-<stage>-<account id>.
   */
  domainPrefix: z
    .string()
    .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'must be lower-case letters, digits and dashes (1 to 63)')
    .refine(
      (prefix) => !/aws|amazon|cognito/.test(prefix),
      'must not contain "aws", "amazon" or "cognito" (Cognito reserves them)',
    )
    .optional(),
});

/** A stage's settings, checked for form and consistency; `stageSchema` adds the placeholder check. */
const stageSettingsSchema = z
  .object({
    /** 12-digit AWS account id. Unset: the account of the credentials `cdk deploy` runs with. */
    account: z
      .string()
      .regex(/^\d{12}$/, 'must be a 12-digit AWS account id')
      .optional(),
    region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be an AWS region like us-east-1'),
    /** Production: deletion protection on the table, and the table, key and secrets are kept when the stack is deleted. */
    production: z.boolean(),
    clinic: z.strictObject({
      name: z.string().min(1).max(100),
      /** One line per entry; every email carries it (CAN-SPAM). */
      postalAddress: z
        .array(
          z
            .string()
            .min(1)
            .refine(
              (line) => !line.includes('|'),
              'must not contain "|" (it separates the lines in CLINIC_POSTAL_ADDRESS)',
            ),
        )
        .min(1),
      phone: z.string().min(1),
      website: https,
      bookingUrl: https,
      costUrl: https,
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
    /**
     * The base of every link in every email (unsubscribe): a URL that outlives the API. Unset: `https://<domainName>`
     * of `customDomain`, else the HTTP API's own execute-api URL, which changes whenever the API is replaced, and with
     * it every link already sent. A production stage sets this or `customDomain`.
     */
    publicBaseUrl: https.optional(),
    /** The API's own domain, created by the stack (see `customDomainSchema`). */
    customDomain: customDomainSchema.optional(),
    /**
     * Concurrency each handler reserves (and is capped at), by handler file name; a handler left out reserves none.
     * Unset: nothing reserved, which suits an account whose Lambda concurrency quota is small (a new account's is
     * often 10, and Lambda keeps 100 unreserved, so such an account can reserve nothing). A production stage states
     * it, `{}` included. The dispatcher reserves 1 (its pacer holds the pace for one process only), or, with
     * `dispatchWorkers` above 1, `dispatchWorkers + 1`: the scheduled run and the workers it starts.
     */
    reservedConcurrency: z.partialRecord(handlerName, z.number().int().min(1)).optional(),
    /**
     * At most this many dispatcher workers per scheduled run (DISPATCH_MAX_WORKERS): when the rate is more than one
     * worker sends (`dispatchWorkerRate`) and more is due than one worker sends in a run, the run invokes the
     * dispatcher once per worker, each on its own shards at its share of the rate, all together within the rate.
     * Unset or 1: one dispatcher run at a time, as before. At most the due index's shards (DUE_SHARDS, 8).
     */
    dispatchWorkers: z.number().int().min(1).max(64).optional(),
    /** Emails a second one dispatcher worker sustains (DISPATCH_WORKER_RATE); unset: 50. */
    dispatchWorkerRate: z.number().min(1).optional(),
    /**
     * This stage's share of SES's maximum send rate, in emails per second (MAX_SEND_RATE of every function that
     * sends). Stages sharing one SES account must split the account's rate between them. Unset: the dispatcher paces
     * at SES's whole rate and the sign-up and booking handlers at 1 a second. A production stage states it.
     */
    maxSendRate: z.number().positive().optional(),
    /** Stage throttling: steady requests per second and burst, for the whole API. */
    throttle: z.strictObject({ rateLimit: z.number().int().min(1), burstLimit: z.number().int().min(1) }),
    consentTextVersion: z.string().min(1).optional(),
    /**
     * Double opt-in (DOUBLE_OPT_IN): a sign-up gets one email asking to confirm the address, and the welcome and the
     * nurture start only after the click; unconfirmed leads are deleted after 7 days. Unset: off.
     */
    doubleOptIn: z.boolean().default(false),
    /**
     * The holdout (HOLDOUT_SHARE): this share of new leads gets the welcome and the care emails but no more of the
     * nurture, so the report can compare booking rates (lambdas/domain/holdout.ts). 0 to 0.5 (0.1: 10%). Unset: 0, off.
     */
    holdoutShare: z
      .number()
      .min(0, 'must be from 0 to 0.5, like 0.1 for 10%')
      .max(0.5, 'must be from 0 to 0.5, like 0.1 for 10%')
      .default(0),
    /** Who may sign in to the report in a browser (lib/constructs/report-sign-in.ts). */
    reportSignIn: reportSignInSchema.default({ users: [] }),
  })
  .strict()
  .superRefine((stage, ctx) => {
    const senderDomain = stage.email.senderDomain;
    const fromDomain = stage.email.fromAddress.split('@')[1]?.toLowerCase() ?? '';
    if (fromDomain !== senderDomain && !fromDomain.endsWith(`.${senderDomain}`)) {
      ctx.addIssue({
        code: 'custom',
        path: ['email', 'fromAddress'],
        message: `must be an address at ${senderDomain} (the SES identity)`,
      });
    }
    if (stage.email.mailFromDomain && !stage.email.mailFromDomain.endsWith(`.${senderDomain}`)) {
      ctx.addIssue({
        code: 'custom',
        path: ['email', 'mailFromDomain'],
        message: `must be a subdomain of ${senderDomain}`,
      });
    }
    if (stage.sendWindow && stage.sendWindow.start >= stage.sendWindow.end) {
      ctx.addIssue({ code: 'custom', path: ['sendWindow', 'end'], message: 'must be later than sendWindow.start' });
    }
    const workers = stage.dispatchWorkers ?? 1;
    const dispatchReserved = stage.reservedConcurrency?.dispatch;
    if (workers === 1 && (dispatchReserved ?? 1) > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['reservedConcurrency', 'dispatch'],
        message:
          "must be 1 or left out: one dispatcher at a time keeps the stage's pace (each one paces itself at maxSendRate); set dispatchWorkers to split a run across workers",
      });
    }
    if (workers > 1 && dispatchReserved !== undefined && dispatchReserved !== workers + 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['reservedConcurrency', 'dispatch'],
        message: `must be ${workers + 1} (dispatchWorkers + 1: the scheduled run and its ${workers} workers) or left out`,
      });
    }
    const custom = stage.customDomain;
    if (custom?.certificateArn && custom.certificateArn.split(':')[3] !== stage.region) {
      ctx.addIssue({
        code: 'custom',
        path: ['customDomain', 'certificateArn'],
        message: `must be a certificate in ${stage.region}, the stage's region (API Gateway's regional endpoint uses it there)`,
      });
    }
    if (custom && stage.publicBaseUrl && stage.publicBaseUrl !== `https://${custom.domainName}`) {
      ctx.addIssue({
        code: 'custom',
        path: ['publicBaseUrl'],
        message: `must be https://${custom.domainName} (customDomain.domainName), or left out`,
      });
    }
    if (stage.production) {
      if (!stage.publicBaseUrl && !custom) {
        ctx.addIssue({
          code: 'custom',
          path: ['publicBaseUrl'],
          message:
            'a production stage needs a stable public URL for the links in its emails: set customDomain (the stack creates the API domain) or publicBaseUrl (a domain in front of the API made elsewhere). The execute-api URL changes when the API is replaced, and every unsubscribe link already sent breaks with it',
        });
      }
      if (stage.reservedConcurrency === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['reservedConcurrency'],
          message:
            'a production stage states the concurrency each handler reserves, e.g. {"signup": 20, "unsubscribe": 10, "dispatch": 1, "ses-events": 5, "booking": 5, "admin": 2}, or {} to reserve none; the account must keep 100 unreserved on top of the total',
        });
      }
      if (stage.maxSendRate === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['maxSendRate'],
          message:
            "a production stage states its share of SES's maximum send rate (emails per second); stages that share an SES account split its rate between them",
        });
      }
    }
    if (stage.throttle.burstLimit < stage.throttle.rateLimit) {
      ctx.addIssue({
        code: 'custom',
        path: ['throttle', 'burstLimit'],
        message: 'must be at least throttle.rateLimit',
      });
    }
  });

type StageSettings = z.infer<typeof stageSettingsSchema>;

interface Field {
  path: (string | number)[];
  value: string | undefined;
  isPlaceholder: (value: string) => boolean;
  /** What to set instead, for the error message. */
  fix: string;
}

/** The fields a production stage must not leave as placeholders, each with its check and what to set instead. */
function placeholderFields(stage: StageSettings): Field[] {
  const field = (
    path: Field['path'],
    value: Field['value'],
    isPlaceholder: Field['isPlaceholder'],
    fix: string,
  ): Field => ({ path, value, isPlaceholder, fix });
  const address = "set the clinic's real postal address (CAN-SPAM requires a valid one)";
  return [
    field(['clinic', 'name'], stage.clinic.name, isPlaceholderText, "set the clinic's name"),
    ...stage.clinic.postalAddress.map((line, i) =>
      field(['clinic', 'postalAddress', i], line, isPlaceholderText, address),
    ),
    field(['clinic', 'phone'], stage.clinic.phone, isPlaceholderPhone, "set the clinic's real phone number"),
    field(['clinic', 'website'], stage.clinic.website, isPlaceholderUrl, "set the clinic's real website"),
    field(['clinic', 'bookingUrl'], stage.clinic.bookingUrl, isPlaceholderUrl, "set the clinic's real booking page"),
    field(['clinic', 'costUrl'], stage.clinic.costUrl, isPlaceholderUrl, "set the clinic's real page on cost"),
    field(
      ['email', 'senderDomain'],
      stage.email.senderDomain,
      isPlaceholderDomain,
      'set the domain the emails are sent from (the SES identity)',
    ),
    field(
      ['email', 'fromAddress'],
      stage.email.fromAddress,
      isPlaceholderEmail,
      'set the real sender address, at email.senderDomain',
    ),
    field(['email', 'replyTo'], stage.email.replyTo, isPlaceholderEmail, "set the clinic's real address for replies"),
    field(
      ['email', 'mailFromDomain'],
      stage.email.mailFromDomain,
      isPlaceholderDomain,
      'set a subdomain of the real sender domain, or leave it out',
    ),
    field(['publicBaseUrl'], stage.publicBaseUrl, isPlaceholderUrl, "set the API's real domain, or leave it out"),
    field(
      ['customDomain', 'domainName'],
      stage.customDomain?.domainName,
      isPlaceholderDomain,
      "set the API's own domain, under the clinic's domain (e.g. api.<clinic's domain>)",
    ),
    field(
      ['customDomain', 'certificateArn'],
      stage.customDomain?.certificateArn,
      isPlaceholderArn,
      'set the ARN of the ACM certificate for customDomain.domainName, or use hostedZone to have the stack create one',
    ),
    field(
      ['customDomain', 'hostedZone', 'name'],
      stage.customDomain?.hostedZone?.name,
      isPlaceholderDomain,
      "set the Route 53 hosted zone of the API's domain",
    ),
    field(
      ['customDomain', 'hostedZone', 'id'],
      stage.customDomain?.hostedZone?.id,
      isPlaceholderText,
      'set the id of that hosted zone (Route 53 console, or aws route53 list-hosted-zones-by-name)',
    ),
    ...stage.allowedOrigins.map((origin, i) =>
      field(['allowedOrigins', i], origin, isPlaceholderUrl, "set the clinic's real site origin"),
    ),
    ...stage.reportSignIn.users.map((email, i) =>
      field(
        ['reportSignIn', 'users', i],
        email,
        isPlaceholderEmail,
        "set a marketer's real address, or leave the list empty and add users with npm run admin-user",
      ),
    ),
    ...stage.alarmEmails.map((email, i) =>
      field(
        ['alarmEmails', i],
        email,
        isPlaceholderEmail,
        'set a real address for alarms, or leave the list empty to subscribe later',
      ),
    ),
  ].filter((f) => f.value !== undefined && f.isPlaceholder(f.value));
}

/** A stage's settings; a production stage also fails on every field that looks like a placeholder. */
export const stageSchema = stageSettingsSchema.superRefine((stage, ctx) => {
  if (!stage.production) return;
  for (const { path, value, fix } of placeholderFields(stage)) {
    ctx.addIssue({
      code: 'custom',
      path,
      message: `looks like a placeholder (${JSON.stringify(value)}): ${fix}`,
      params: { placeholder: true },
    });
  }
});

export type StageConfig = z.infer<typeof stageSchema>;

/**
 * The Lambda concurrency a stage reserves, all handlers together: what its deploy takes from the account's quota.
 * Lambda keeps 100 of the account's concurrency unreserved, so a deploy fails unless the account's quota is at least
 * this plus 100 (plus what other stages and stacks in the account reserve).
 */
export function reservedConcurrencyTotal(stage: StageConfig): number {
  let total = 0;
  for (const reserved of Object.values(stage.reservedConcurrency ?? {})) total += reserved ?? 0;
  return total;
}

/** The base of the links in a stage's emails when config decides it: publicBaseUrl, else the custom domain's URL. */
export function configuredPublicBaseUrl(stage: StageConfig): string | undefined {
  return stage.publicBaseUrl ?? (stage.customDomain && `https://${stage.customDomain.domainName}`);
}

const stageName = z.string().regex(/^[a-z][a-z0-9-]{0,20}$/, 'stage names are lower case letters, digits and dashes');

const contextSchema = <Stage extends z.ZodType>(stage: Stage) =>
  z.strictObject({
    stages: z.record(stageName, stage).refine((stages) => Object.keys(stages).length > 0, 'name at least one stage'),
  });

export const nurtureContextSchema = contextSchema(stageSchema);

const issueLines = (issues: z.core.$ZodIssue[]) =>
  issues.map((issue) => `${issue.path.join('.') || '(nurture)'}: ${issue.message}`);

/** Validate the `nurture` context value; throws an error naming every bad field (`stages.prod.retentionDays: ...`). */
export function parseStages(value: unknown): Record<string, StageConfig> {
  const { stages, placeholders } = readStages(value);
  const lines = Object.values(placeholders).flat();
  if (lines.length > 0) throw configError(lines);
  return stages;
}

/**
 * As `parseStages`, except that a production stage whose only problems are placeholders is returned too, with
 * those problems in `placeholders` (one line per field, by stage). The app builds such a stage with the lines as
 * errors on its stack, so `cdk synth` and `cdk deploy` refuse that stage alone and the others still work.
 */
export function readStages(value: unknown): {
  stages: Record<string, StageConfig>;
  placeholders: Record<string, string[]>;
} {
  const result = nurtureContextSchema.safeParse(value);
  if (result.success) return { stages: result.data.stages, placeholders: {} };
  const issues = result.error.issues;
  if (!issues.every((issue) => issue.code === 'custom' && issue.params?.placeholder === true))
    throw configError(issueLines(issues));
  const placeholders: Record<string, string[]> = {};
  for (const issue of issues) (placeholders[String(issue.path[1])] ??= []).push(...issueLines([issue]));
  return { stages: contextSchema(stageSettingsSchema).parse(value).stages, placeholders };
}

const configError = (lines: string[]) =>
  new Error(
    `Invalid stage configuration in cdk.json (context "nurture"):\n${lines.map((line) => `  ${line}`).join('\n')}`,
  );
