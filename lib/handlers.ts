/**
 * Every Lambda in the stack, one entry per file in `lambdas/handlers/`. Adding a handler is adding an entry here:
 * `lib/constructs/functions.ts` builds the function with the team defaults, grants what the entry asks for, and
 * wires its triggers. How much concurrency each reserves is the stage's choice (`reservedConcurrency` in cdk.json).
 */
import { Duration } from 'aws-cdk-lib';
import { ROUTES } from '../lambdas/contract.ts';
import type { TableAccess } from './nurture-function.ts';

export type Method = 'GET' | 'POST';

export type SecretName = 'unsubscribe' | 'booking';

export interface RouteSpec {
  method: Method;
  path: string;
  /**
   * `iam`: callers sign requests with SigV4 and need `execute-api:Invoke` (operators, scripts).
   * `signed-in`: callers send an access token of the report's sign-in (a Cognito user pool) as a Bearer header, which
   * API Gateway's JWT authorizer checks (marketers, in a browser).
   * Otherwise the route is public, and this says what protects it instead; it is recorded as the cdk-nag
   * acknowledgement on the route.
   */
  auth: 'iam' | 'signed-in' | { public: string };
}

export interface HandlerSpec {
  /** File name in `lambdas/handlers/` without `.ts`; it exports `handler`. */
  handler: string;
  routes?: RouteSpec[];
  /** Invoked by an EventBridge schedule. */
  schedule?: {
    /** The rate while the stage reserves concurrency for it (so Lambda runs one invocation at a time). */
    everyMinutes: number;
    /**
     * The rate while it reserves none: longer than the function's timeout, so a run has always ended (Lambda ends
     * it at the timeout at the latest) before the next one starts, and two never overlap.
     */
    unreservedEveryMinutes: number;
  };
  /**
   * Receives the configuration set's SES events: the default event bus's rule puts them in an SQS queue, which Lambda
   * hands over in batches (`SES_EVENT_BATCH`). A stage that reserves concurrency for it must reserve at least 2.
   */
  sesEvents?: boolean;
  /** What it does on the table: exactly the calls its code makes (test/infra/table-grants.test.ts checks both ways). */
  table: TableAccess;
  /** Sends email (SendRawEmail as the clinic's identity, through the configuration set). */
  sends?: boolean;
  /** Reads SES's account send quota (GetSendQuota). */
  readsSendQuota?: boolean;
  /** Gets the report's sign-in settings (the user pool, its app client and managed login URL) in its environment. */
  signIn?: boolean;
  /**
   * May split a run across workers by invoking itself (the stage's `dispatchWorkers`): gets DISPATCH_MAX_WORKERS and
   * DISPATCH_WORKER_RATE, and, where the stage sets `dispatchWorkers` above 1, lambda:InvokeFunction on itself only.
   */
  fansOut?: boolean;
  /**
   * The secrets it may read. Every handler that loads the full config (`loadConfig` in `lambdas/config.ts`) needs the
   * unsubscribe key (its links); the booking webhook needs its own key too. The admin report and the SES-event
   * recorder load narrower configs and read neither.
   */
  secrets: SecretName[];
  memorySize?: number;
  timeout?: Duration;
  retryAttempts?: number;
  maxEventAge?: Duration;
}

const FORM_ROUTE =
  "The clinic's public sign-up form posts here from browsers without credentials. Input is validated, a honeypot drops bots, CORS allows only the clinic's origins, and stage throttling caps the rate.";
const UNSUBSCRIBE_ROUTE =
  'RFC 8058 one-click unsubscribe: mail providers and recipients call it without credentials. The HMAC-signed token in the link is the authorisation; a bad token gets 400 and changes nothing.';
const SIGN_IN_PAGE =
  "The report's sign-in page: a browser opening it carries no token yet, and an authorizer would answer 401 instead of the page. It holds no data, only a script that signs in with Cognito's managed login (code and PKCE); the report it then fetches, /admin/report, is behind the JWT authorizer.";
const CONFIRM_ROUTE =
  'Double opt-in: the link in the confirmation email, opened by the person who signed up, without credentials. The HMAC-signed, expiring token in the link is the authorisation; GET only shows a button, a bad token gets 400 and an expired one 410, and neither changes anything.';
const BOOKING_ROUTE =
  "The clinic's booking system calls it server to server. Each request carries an HMAC-SHA256 signature over its timestamp and body, checked against the booking secret; a stale timestamp or bad signature gets 401.";

export const HANDLERS: HandlerSpec[] = [
  {
    handler: 'signup',
    secrets: ['unsubscribe'],
    routes: [{ method: 'POST', path: '/signup', auth: { public: FORM_ROUTE } }],
    // Creates the lead (and its email item), checks the suppression list, then claims, marks, settles the lead and
    // records the welcome. With double opt-in: points the email item of a lapsed pending lead at the new one (a Put:
    // nothing deletes, TTL does), and marks and records the confirmation email.
    table: { actions: ['GetItem', 'PutItem', 'UpdateItem'] },
    sends: true,
    // Renders and sends the welcome inside the request (speed to lead): more memory is more CPU.
    memorySize: 1024,
    // Longer than the SES timeout (SES_TIMEOUT_SECONDS, 15 s), shorter than API Gateway's 30 s.
    timeout: Duration.seconds(25),
  },
  {
    handler: 'confirm',
    secrets: ['unsubscribe'],
    routes: [
      { method: 'GET', path: '/confirm', auth: { public: CONFIRM_ROUTE } },
      { method: 'POST', path: '/confirm', auth: { public: CONFIRM_ROUTE } },
    ],
    // Reads the lead, turns it active (and extends its email item's expiry), recounts it for the report (a Query of
    // its items), then claims, marks, settles the lead and records the welcome.
    table: { actions: ['GetItem', 'UpdateItem', 'Query'] },
    sends: true,
    // Renders and sends the welcome inside the request, as sign-up does.
    memorySize: 1024,
    timeout: Duration.seconds(25),
  },
  {
    handler: 'unsubscribe',
    secrets: ['unsubscribe'],
    routes: [
      { method: 'GET', path: '/unsubscribe', auth: { public: UNSUBSCRIBE_ROUTE } },
      { method: 'POST', path: '/unsubscribe', auth: { public: UNSUBSCRIBE_ROUTE } },
    ],
    // One conditional update stops the lead; a read tells "in flight" from "not found" when it is refused. The report's
    // counters: a Query of the lead's items recounts it (lambdas/adapters/dynamo-report-counters.ts).
    table: { actions: ['GetItem', 'UpdateItem', 'Query'] },
    memorySize: 256,
    // The stop write may wait out a send in flight (at most the SES timeout).
    timeout: Duration.seconds(25),
  },
  {
    handler: 'dispatch',
    secrets: ['unsubscribe'],
    // Reserved (1): every minute, one run at a time, a tick waiting for the run before it. Unreserved: every two
    // minutes, so the 90-s timeout ends a run before the next starts. Its pacer holds the pace for one process, and
    // two runs at once would each take the stage's whole maxSendRate. With `dispatchWorkers` N above 1, a run may
    // start up to N workers (reserved: N + 1), each on its own shards at its share of the rate, all taking leads
    // until the same deadline, 50 s after the tick.
    schedule: { everyMinutes: 1, unreservedEveryMinutes: 2 },
    fansOut: true,
    // Reads what is due from the index only (and, once a run, each subject-line experiment's state and counts: GetItem);
    // conditional updates (a message record is an update too, so counters SES events left on it survive).
    table: { actions: ['GetItem', 'UpdateItem'], dueIndex: true },
    sends: true,
    readsSendQuota: true,
    memorySize: 1024,
    // A run stops claiming after 50 s; sends already started get the SES timeout to finish.
    timeout: Duration.seconds(90),
    // The next tick is a retry: a failed run is not repeated, it goes to the dead-letter queue and the alarm.
    retryAttempts: 0,
    // Reserved: a tick arriving while the run before it is still going waits for it, but no longer than this.
    maxEventAge: Duration.minutes(2),
  },
  {
    handler: 'ses-events',
    // Records events and stops leads: it signs no link (loadSesEventsConfig reads no secret).
    secrets: [],
    sesEvents: true,
    // Records the event and suppresses the address (puts), rolls counters up (updates), finds the lead's messages
    // (a query on its partition) and stops the lead on a bounce or complaint.
    table: { actions: ['GetItem', 'PutItem', 'UpdateItem', 'Query'] },
    memorySize: 512,
    timeout: Duration.seconds(30),
  },
  {
    handler: 'booking',
    secrets: ['unsubscribe', 'booking'],
    routes: [{ method: 'POST', path: '/booking', auth: { public: BOOKING_ROUTE } }],
    // Remembers each webhook delivery, finds or creates the lead, rebooks it, and sends the confirmation; a Query of
    // the lead's items recounts it for the report's counters.
    table: { actions: ['GetItem', 'PutItem', 'UpdateItem', 'Query'] },
    sends: true,
    memorySize: 1024,
    timeout: Duration.seconds(25),
  },
  {
    handler: 'admin',
    secrets: [],
    routes: [
      { method: 'GET', path: '/admin', auth: { public: SIGN_IN_PAGE } },
      { method: 'GET', path: '/admin/report', auth: 'signed-in' },
      { method: 'GET', path: '/admin/api/report', auth: 'iam' },
    ],
    signIn: true,
    // The report's counters: one Query of a few items (lambdas/adapters/dynamo-report-counters.ts). No Scan: the
    // rebuild that scans the table is `npm run report -- --rebuild`, run with an operator's credentials.
    table: { actions: ['Query'] },
    memorySize: 1024,
    timeout: Duration.seconds(29),
  },
  {
    handler: 'privacy',
    // The unsubscribe secret keys the hash an erasure keeps of an address that must never be emailed again.
    secrets: ['unsubscribe'],
    // A person's data, for operators' scripts: SigV4-signed requests of principals allowed execute-api:Invoke.
    routes: [
      { method: 'POST', path: ROUTES.adminPrivacyExport, auth: 'iam' },
      { method: 'POST', path: ROUTES.adminPrivacyErase, auth: 'iam' },
    ],
    // Finds the address's items (Get) and the lead's (a Query of its partition); erasure puts the hash item and
    // deletes every item that held the address; each call puts an audit item. The only function that deletes.
    table: { actions: ['GetItem', 'Query', 'PutItem', 'DeleteItem'] },
    memorySize: 512,
    // Shorter than API Gateway's 30 s: an erasure is a few dozen calls.
    timeout: Duration.seconds(29),
  },
];
