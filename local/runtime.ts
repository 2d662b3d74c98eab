/**
 * The whole service on one machine: emulators, the HTTP handlers behind a local API Gateway,
 * and the dispatcher on a timer, all on a virtual clock that can run faster than real time.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolveSecrets } from '../lambdas/adapters/secrets.ts';
import { virtualClock } from '../lambdas/adapters/clock.ts';
import { dynamoClient } from '../lambdas/adapters/clients.ts';
import { adminDeps, composeService, privacyDeps } from '../lambdas/compose.ts';
import { ROUTES } from '../lambdas/contract.ts';
import { dispatchDue, type DispatchReport } from '../lambdas/domain/dispatch.ts';
import { makeBookingHandler } from '../lambdas/handlers/booking.ts';
import { makeSignupHandler } from '../lambdas/handlers/signup.ts';
import { makeUnsubscribeHandler } from '../lambdas/handlers/unsubscribe.ts';
import { makeConfirmHandler } from '../lambdas/handlers/confirm.ts';
import { makeSesEventsHandler } from '../lambdas/handlers/ses-events.ts';
import { makeAdminHandler } from '../lambdas/handlers/admin.ts';
import { makePrivacyHandler } from '../lambdas/handlers/privacy.ts';
import { withEngagementFeed } from './engagement-feed.ts';
import { sqsEvent } from './sqs-batch.ts';
import { trackingRoutes, withTracking } from './tracking.ts';
import { startEmulators } from './emulators.ts';
import { startHttpServer, type Route } from './http-server.ts';
import { localConfig } from './local-config.ts';
import { signupPage } from './signup-page.ts';
import { ensureTable } from './table.ts';

export interface LocalOptions {
  port: number;
  sesPort: number;
  dynamoPort: number;
  /** Where DynamoDB data and the virtual clock persist; undefined keeps everything in memory. */
  dataDir?: string;
  reset?: boolean;
  /** Virtual seconds per real second. */
  speed: number;
  /** Emails per second. */
  sendRate?: number;
  onDispatch?: (report: DispatchReport) => void;
}

export interface LocalRuntime {
  apiUrl: string;
  inboxUrl: string;
  dynamoEndpoint: string;
  sesEndpoint: string;
  now(): Date;
  stop(): Promise<void>;
}

/**
 * Who the audit names for a call of the local privacy routes: anyone who can reach 127.0.0.1 on this machine (the
 * local server listens nowhere else). `npm run privacy` names the OS user instead (`local:<user>`).
 */
export const LOCAL_PRIVACY_CALLER = 'local:http';

/** One virtual minute, in real milliseconds, with a floor so a fast clock does not spin. */
const tickMs = (speed: number) => Math.max(200, 60_000 / speed);

export async function startLocal(options: LocalOptions): Promise<LocalRuntime> {
  if (options.dataDir && options.reset) rmSync(options.dataDir, { recursive: true, force: true });
  if (options.dataDir) mkdirSync(join(options.dataDir, 'dynamodb'), { recursive: true });

  const clockFile = options.dataDir && join(options.dataDir, 'clock.json');
  const savedNow =
    clockFile && existsSync(clockFile)
      ? Date.parse((JSON.parse(readFileSync(clockFile, 'utf8')) as { now: string }).now)
      : NaN;
  // Resume virtual time where it stopped, so leads scheduled "in three days" are not suddenly weeks away.
  const clock = virtualClock(options.speed, new Date(Math.max(Date.now(), Number.isNaN(savedNow) ? 0 : savedNow)));
  const saveClock = () => clockFile && writeFileSync(clockFile, JSON.stringify({ now: clock.now().toISOString() }));

  const emulators = await startEmulators({
    dynamoPort: options.dynamoPort,
    sesPort: options.sesPort,
    ...(options.dataDir && { dataDir: join(options.dataDir, 'dynamodb') }),
  });
  // Listen first, so port 0 (tests) resolves to a real port before links are built; routes are filled in below.
  const routes: Record<string, Route> = {};
  const server: Server = await startHttpServer(routes, options.port);
  const apiUrl = `http://localhost:${(server.address() as AddressInfo).port}`;
  const config = await resolveSecrets(
    localConfig(
      {
        PUBLIC_BASE_URL: apiUrl,
        // Leases are virtual time: scale them so a fast clock does not expire a claim mid-send.
        LEASE_SECONDS: String(Math.ceil(120 * options.speed)),
        RETRY_DELAY_SECONDS: String(Math.ceil(60 * Math.max(1, options.speed / 60))),
      },
      { DYNAMODB_ENDPOINT: emulators.dynamoEndpoint, SES_ENDPOINT: emulators.sesEndpoint },
    ),
  );
  const dynamo = dynamoClient(config);
  await ensureTable(dynamo, config.TABLE_NAME);

  const service = composeService(config, { clock, sendRate: options.sendRate ?? config.MAX_SEND_RATE ?? 20, dynamo });
  const recordEvent = makeSesEventsHandler(service);
  const wiring = {
    ...service,
    dispatch: {
      ...service.dispatch,
      mailer: withTracking(
        withEngagementFeed(service.dispatch.mailer, recordEvent, clock),
        apiUrl,
        config.UNSUBSCRIBE_SECRET,
      ),
    },
  };
  const inboxUrl = `http://localhost:${new URL(emulators.sesEndpoint).port}`;
  const page = signupPage(wiring.clinic, { inbox: inboxUrl, clock: `${apiUrl}/clock`, report: `${apiUrl}/admin` });

  const unsubscribe = makeUnsubscribeHandler(wiring);
  const confirm = makeConfirmHandler(wiring);
  // Open on localhost; in AWS these routes are IAM-authorised.
  const admin = makeAdminHandler(adminDeps(config, { clock, dynamo }));
  // A person's data: IAM-authorised in AWS. Here there is no IAM: the server listens on 127.0.0.1 only, and the audit
  // names every caller `LOCAL_PRIVACY_CALLER`.
  const privacy = makePrivacyHandler(privacyDeps(config, { clock, dynamo }), { caller: () => LOCAL_PRIVACY_CALLER });
  Object.assign(routes, {
    ...trackingRoutes(
      service.store,
      (envelope) => recordEvent(sqsEvent([envelope], clock.now())),
      clock,
      config.UNSUBSCRIBE_SECRET,
    ),
    'GET /': async () => ({ statusCode: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: page }),
    [`POST ${ROUTES.signup}`]: makeSignupHandler(wiring),
    [`POST ${ROUTES.booking}`]: makeBookingHandler(wiring),
    [`GET ${ROUTES.unsubscribe}`]: unsubscribe,
    [`POST ${ROUTES.unsubscribe}`]: unsubscribe,
    [`GET ${ROUTES.confirm}`]: confirm,
    [`POST ${ROUTES.confirm}`]: confirm,
    [`GET ${ROUTES.admin}`]: admin,
    [`GET ${ROUTES.adminReport}`]: admin,
    [`POST ${ROUTES.adminPrivacyExport}`]: privacy,
    [`POST ${ROUTES.adminPrivacyErase}`]: privacy,
    'GET /clock': async () => ({
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ now: clock.now().toISOString(), speed: clock.speed }),
    }),
  } satisfies Record<string, Route>);

  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  const tick = async () => {
    if (stopped) return;
    running = dispatchDue(wiring.dispatch)
      .then((report) => options.onDispatch?.(report))
      .catch((error) => console.error('dispatch run failed:', error));
    await running;
    saveClock();
    if (!stopped) timer = setTimeout(tick, tickMs(options.speed));
  };
  let timer = setTimeout(tick, tickMs(options.speed));

  return {
    apiUrl,
    inboxUrl,
    dynamoEndpoint: emulators.dynamoEndpoint,
    sesEndpoint: emulators.sesEndpoint,
    now: () => clock.now(),
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
      saveClock();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await emulators.stop();
    },
  };
}
