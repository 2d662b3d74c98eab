/**
 * The names the parts of the service agree on, as plain values: the table's keys and index, metric names, SES event
 * types, environment variables, routes, the sequence ids code refers to, and the sign-up form (its fields, the interests
 * it offers, the honeypot, and the form itself). It imports nothing, so `lib/` (the CDK app), the Lambdas, `emails/`,
 * `local/` and `bench/` can all read a name here without loading an SDK.
 */

/**
 * Key formats of the one table's items. `lambdas/adapters/dynamo-keys.ts` builds the keys from these; the items and
 * their access patterns are described next to the stores that write them (`lambdas/adapters/dynamo-*.ts`).
 *   LEAD#<leadId>       PROFILE                  the lead, with a short record of each message it was sent (double
 *                                                opt-in: a pending lead expires with its confirmation link)
 *   LEAD#<leadId>       MSG#<sequenceId>#<step>  what SES events told of a message (made by its first event)
 *   LEAD#<leadId>       EVT#<eventId>            no longer written: one SES event (items from before may remain)
 *   EMAIL#<address>     EMAIL                    which lead signed up with that normalised address
 *   SUPPRESS#<address>  SUPPRESS                 an address never to email again
 *   ERASED#<hash>       ERASED                   an erased person's address never to email again, as a keyed hash only
 *   AUDIT#privacy       <time>#<id>              one export or erasure of a person's data: who, what, when, lead id
 *   HOOK#<key>          HOOK                     a booking webhook delivery already acted on
 *   LEAD#<leadId>       COUNTED                  no longer written: now `counted` on PROFILE (items from before may remain)
 *   COUNT#report        LEADS                    the report's lead totals (nurture leads, why they left, bookings)
 *   COUNT#report        STEP#<sequenceId>#<step> the report's funnel counters of one step
 */
export const TABLE_KEY = { partition: 'pk', sort: 'sk' } as const;

export const KEY_PREFIX = {
  lead: 'LEAD#',
  message: 'MSG#',
  event: 'EVT#',
  email: 'EMAIL#',
  suppression: 'SUPPRESS#',
  erased: 'ERASED#',
  audit: 'AUDIT#',
  hook: 'HOOK#',
  counter: 'COUNT#',
  counterStep: 'STEP#',
  experiment: 'EXPERIMENT#',
} as const;

/** The one partition the audit items of exports and erasures live in: a Query of it lists them, oldest first. */
export const AUDIT_PARTITION = 'privacy';

/** The one partition the report's counters live in: a Query of it reads them all. */
export const COUNTER_PARTITION = 'report';

/** Sort keys of the items that are alone under their partition key. */
export const SORT_KEY = {
  lead: 'PROFILE',
  email: 'EMAIL',
  suppression: 'SUPPRESS',
  erased: 'ERASED',
  hook: 'HOOK',
  leadTotals: 'LEADS',
} as const;

/** The attribute DynamoDB's TTL reads: epoch seconds after which an item may be deleted. */
export const TTL_ATTRIBUTE = 'expiresAt';

/**
 * The sparse, sharded due index: only a lead with a step scheduled carries its keys. `dueShard` is a number in
 * [0, DUE_SHARDS), the same for a lead for life (`shardFor` in `lambdas/domain/lead.ts`); `dueAt` is epoch ms.
 */
export const DUE_INDEX = 'due';
export const DUE_INDEX_KEY = { partition: 'dueShard', sort: 'dueAt' } as const;

/**
 * What the due index projects besides the keys: what rendering and planning a send need, and `rev`, which the claim
 * checks, so a send reads nothing but the index's page. Never the in-flight mark or the claim: those change with every
 * send, and a projected attribute that changes costs the index a write.
 */
export const DUE_INDEX_PROJECTION = [
  'email',
  'firstName',
  'lastName',
  'timeZone',
  'status',
  'sequenceId',
  'sentSteps',
  'skippedSteps',
  'enteredSequenceAt',
  'nextStepId',
  'nextSendAt',
  'lastSentOn',
  'lastSentAt',
  'createdAt',
  'appointmentAt',
  'appointmentStatus',
  'optedOutAt',
  'pausedUntil',
  'cadence',
  'lastMarketingAt',
  // What the lead counts as in the report when its sequence ends depends on it (`Counting.ending`); written once, with
  // the lead's first due time, so projecting it costs the index no write of its own.
  'confirmedAt',
  // The engagement branches read the lead's human clicks (`lambdas/domain/branches.ts`). A click that adds an entry
  // while the lead is due costs the index a write; a deployed stage would need the index replaced to project it.
  'humanClicks',
  'sentAhead',
  // The lead's interest chooses a step's variant (`variantFor` in `lambdas/domain/sequence.ts`); written once, at
  // sign-up, it costs the index no write. (A deployed table would need the index replaced to project it.)
  'interest',
  // The holdout's group (`lambdas/domain/holdout.ts`): planning a held-out lead's next step reads it. Written once, at
  // sign-up, it costs the index no write. (A deployed table would need the index replaced to project it.)
  'grp',
  'rev',
] as const;

/** The CloudWatch metrics the dispatcher publishes (embedded metric format) and the stack's quota alarm reads. */
export const SEND_QUOTA_METRICS = {
  namespace: 'Nurture',
  sentLast24Hours: 'SesSentLast24Hours',
  max24HourSend: 'SesMax24HourSend',
} as const;

/**
 * What the dispatcher publishes after each run (embedded metric format, namespace `Nurture`, dimension `service`),
 * and the stack's alarms read: a run that completes publishes `DispatchRuns` = 1 (the heartbeat), and one count per
 * outcome. `AccountPaused` counts sends SES refused for the account or identity (unverified sender, sandbox
 * recipient, sending paused, access denied, configuration set missing): the lead is released and the run ends.
 */
export const DISPATCH_METRICS = {
  namespace: 'Nurture',
  runs: 'DispatchRuns',
  due: 'LeadsDue',
  sent: 'Sent',
  rejected: 'SendsRejected',
  unconfirmed: 'SendsUnconfirmed',
  retried: 'SendsRetried',
  accountPaused: 'AccountPaused',
} as const;

/**
 * Every SES event type a configuration set publishes, exactly as SES writes it in the event's `eventType` (the
 * EventBridge event's `detail.eventType`): note the space in `Rendering Failure`, unlike the API's `RENDERING_FAILURE`
 * and CDK's `renderingFailure`. The stack's EventBridge rule matches these; the handler parses them. Checked against
 * AWS's sample events in test/fixtures/ses-events/.
 */
export const SES_EVENT_TYPES = [
  'Send',
  'Delivery',
  'Open',
  'Click',
  'Bounce',
  'Complaint',
  'Reject',
  'DeliveryDelay',
  'Rendering Failure',
  'Subscription',
] as const;
export type SesEventType = (typeof SES_EVENT_TYPES)[number];

/** The EventBridge `detail-type` SES gives each event type (Amazon EventBridge's SES event reference). */
export const SES_DETAIL_TYPES: Readonly<Record<SesEventType, string>> = {
  Send: 'Email Sent',
  Delivery: 'Email Delivered',
  Open: 'Email Opened',
  Click: 'Email Clicked',
  Bounce: 'Email Bounced',
  Complaint: 'Email Complaint Received',
  Reject: 'Email Rejected',
  DeliveryDelay: 'Email Delivery Delayed',
  'Rendering Failure': 'Email Rendering Failed',
  Subscription: 'Email Subscribed',
};

/**
 * How SES events reach the SES-events Lambda: the EventBridge rule puts each in an SQS queue, and Lambda's SQS event
 * source hands them over in batches of up to `maxRecords`, waiting up to `windowSeconds` to fill one. The report's
 * counters are written once per batch. The stack sets these; the writes bench batches its events the same way.
 */
export const SES_EVENT_BATCH = { maxRecords: 100, windowSeconds: 10 } as const;

/**
 * The environment variables the Lambdas read. `lambdas/config.ts` validates exactly these (it does not compile if
 * the two lists differ); `lib/` sets them in AWS, `local/` and `bench/` for their own processes.
 */
export const ENV_VARS = [
  'TABLE_NAME',
  'SES_CONFIGURATION_SET',
  'PUBLIC_BASE_URL',
  'UNSUBSCRIBE_SECRET',
  'UNSUBSCRIBE_SECRET_ARN',
  'BOOKING_SECRET',
  'BOOKING_SECRET_ARN',
  'AWS_REGION',
  'DYNAMODB_ENDPOINT',
  'SES_ENDPOINT',
  'DUE_SHARDS',
  'LEASE_SECONDS',
  'RETRY_DELAY_SECONDS',
  'SES_TIMEOUT_SECONDS',
  'BATCH_PER_SHARD',
  'DISPATCH_CONCURRENCY',
  'DISPATCH_MAX_WORKERS',
  'DISPATCH_WORKER_RATE',
  'AWS_LAMBDA_FUNCTION_NAME',
  'MAX_SEND_RATE',
  'RETENTION_DAYS',
  'CONSENT_TEXT_VERSION',
  'DEFAULT_TIME_ZONE',
  'FROM_ADDRESS',
  'REPLY_TO_ADDRESS',
  'CLINIC_NAME',
  'CLINIC_POSTAL_ADDRESS',
  'CLINIC_PHONE',
  'CLINIC_WEBSITE',
  'BOOKING_URL',
  'COST_URL',
  'SEND_WINDOW_START',
  'SEND_WINDOW_END',
  'ADMIN_USER_POOL_ID',
  'ADMIN_CLIENT_ID',
  'ADMIN_SIGN_IN_URL',
  'DOUBLE_OPT_IN',
  'HOLDOUT_SHARE',
] as const;
export type EnvVar = (typeof ENV_VARS)[number];
/** Settings for a Lambda, or a process configured like one: a misspelt name does not compile. */
export type LambdaEnv = Partial<Record<EnvVar, string>>;

/** The HTTP API's paths (API Gateway in AWS, the local runtime's server on this machine). */
export const ROUTES = {
  signup: '/signup',
  booking: '/booking',
  unsubscribe: '/unsubscribe',
  /** Double opt-in: the link in the confirmation email (GET shows a button, its POST confirms). */
  confirm: '/confirm',
  admin: '/admin',
  adminReport: '/admin/report',
  /** The report as JSON for scripts with AWS credentials (SigV4); AWS only: the browser page uses `adminReport`. */
  adminApiReport: '/admin/api/report',
  /**
   * A person's data for scripts with AWS credentials (SigV4, IAM-authorised in AWS): POST `{ "email": "..." }`.
   * Export answers everything stored about the address; erase deletes it. Each leaves an audit item.
   */
  adminPrivacyExport: '/admin/api/privacy/export',
  adminPrivacyErase: '/admin/api/privacy/erase',
} as const;

/**
 * Sequence ids the code itself refers to: sign-up starts `nurture`, a booking moves a lead to `followUp` or
 * `reschedule`. `emails/sequences.ts` defines the sequences under these ids; the domain takes them as data.
 */
export const SEQUENCE_IDS = {
  nurture: 'nurture',
  followUp: 'follow-up',
  reschedule: 'reschedule',
  /** Double opt-in's one email, asking a new lead to confirm the address; sent by sign-up itself, never due. */
  optIn: 'opt-in',
} as const;

/**
 * POST /signup's public contract: the health interests a lead may name (ids, and the words the form shows), the
 * fields a form posts, and the honeypot. `lambdas/domain/signup.ts` validates these names; the form below posts them.
 */
export const INTERESTS = [
  'chronic-migraine',
  'refractory-migraine',
  'status-migrainosus',
  'migraine-with-aura',
  'other',
] as const;
export type Interest = (typeof INTERESTS)[number];

export const INTEREST_LABELS: Record<Interest, string> = {
  'chronic-migraine': 'Chronic migraine (15+ headache days a month)',
  'refractory-migraine': 'Migraine that has not responded to treatment',
  'status-migrainosus': 'Status migrainosus (an attack lasting over 72 hours)',
  'migraine-with-aura': 'Migraine with aura',
  other: 'Something else',
};

/** The fields the sign-up form posts. A JSON body uses the same names, and may add `page`, `source` and `utm_*`. */
export const SIGNUP_FIELDS = {
  firstName: 'firstName',
  lastName: 'lastName',
  email: 'email',
  phone: 'phone',
  interest: 'interest',
  timeZone: 'timeZone',
  consent: 'consent',
  consentVersion: 'consentVersion',
} as const;

/** The hidden field that people never see and bots fill in: a sign-up that fills it is answered but not stored. */
export const HONEYPOT_FIELD = 'website';

/**
 * The sign-up form alone, as a clinic pastes it into its own site: the stack outputs it with the deployed URL, and the
 * local runtime's page shows it. It needs no stylesheet: the honeypot is hidden inline, and a line of script fills in
 * the visitor's time zone.
 */
export function signupForm({
  action,
  clinicName,
  consentVersion,
}: {
  action: string;
  clinicName: string;
  consentVersion?: string;
}): string {
  const f = SIGNUP_FIELDS;
  const options = INTERESTS.map((id) => `<option value="${id}">${escapeHtml(INTEREST_LABELS[id])}</option>`).join('');
  return `<form method="post" action="${escapeHtml(action)}">
  <label for="${f.firstName}">First name</label><input id="${f.firstName}" name="${f.firstName}" required maxlength="80" autocomplete="given-name">
  <label for="${f.lastName}">Last name <small>(optional)</small></label><input id="${f.lastName}" name="${f.lastName}" maxlength="80" autocomplete="family-name">
  <label for="${f.email}">Email</label><input id="${f.email}" name="${f.email}" type="email" required maxlength="254" autocomplete="email">
  <label for="${f.phone}">Phone <small>(optional)</small></label><input id="${f.phone}" name="${f.phone}" type="tel" maxlength="32" autocomplete="tel">
  <label for="${f.interest}">What brings you here? <small>(optional)</small></label><select id="${f.interest}" name="${f.interest}"><option value="">Prefer not to say</option>${options}</select>
  <div style="position:absolute;left:-10000px" aria-hidden="true"><label for="${HONEYPOT_FIELD}">Leave this empty</label><input id="${HONEYPOT_FIELD}" name="${HONEYPOT_FIELD}" tabindex="-1" autocomplete="off"></div>
  <input type="hidden" name="${f.timeZone}" id="${f.timeZone}">${consentVersion ? `\n  <input type="hidden" name="${f.consentVersion}" value="${escapeHtml(consentVersion)}">` : ''}
  <label class="check"><input type="checkbox" name="${f.consent}" value="true" required> I agree to receive educational emails from ${escapeHtml(clinicName)}. I can unsubscribe at any time.</label>
  <button type="submit">Sign up</button>
</form>
<script>document.getElementById('${f.timeZone}').value = Intl.DateTimeFormat().resolvedOptions().timeZone || '';</script>`;
}

/** The same escaping as `lambdas/handlers/http.ts`'s, kept here so this module imports nothing. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
