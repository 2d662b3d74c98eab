/**
 * Locally (`npm start`), open on localhost:
 *   GET /admin              the report as a page with a chart (clicks and bookings first)
 *   GET /admin/report       the same report as JSON
 * In AWS, with the report's sign-in (`signIn`):
 *   GET /admin              the sign-in page: no data, one script that signs in with Cognito and shows the report
 *   GET /admin/report       the report for that page (HTML when asked with Accept: text/html, else JSON), only for
 *                           a request API Gateway's JWT authorizer passed with an access token of this app client
 *   GET /admin/api/report   the report as JSON for scripts, only for a request IAM authorised (SigV4)
 * Every route reads the report's counters (a few items), never a Scan of the table.
 * Each guarded route checks its own authorisation again here, so a route wired without its authorizer exposes
 * nothing. `requireIam` alone (no sign-in) puts every route behind IAM.
 */
import { adminDeps, adminSignIn, lambdaEntry, loadAdminConfig } from '../compose/admin.ts';
import { ROUTES } from '../contract.ts';
import { reportFromCounts, type Report, type ReportOptions } from '../domain/report.ts';
import type { Clock, ExperimentStore, ReportCounters } from '../domain/ports.ts';
import { header, iamCaller, json, type HttpEvent, type HttpResult } from './http.ts';

export interface AdminDeps {
  /** The counters kept at write time: a Query of a few items, whatever the table holds. */
  counters: Pick<ReportCounters, 'read'>;
  /** Subject-line experiments' states (a Query of the few written): the report shows each one's. Unset: all running. */
  experiments?: Pick<ExperimentStore, 'list'>;
  sequences: ReportOptions['sequences'];
  /** HOLDOUT_SHARE: whether the report says the holdout is off. */
  holdoutShare?: number;
  clock: Clock;
  /** The report as an HTML page (no script, nothing loaded from elsewhere); `jsonLink: false` leaves out its JSON link. */
  page: (report: Report, options?: { jsonLink?: boolean }) => string;
}

/** The report's sign-in in AWS: whose tokens count, and the page that gets one. */
export interface AdminSignIn {
  /** The user pool's issuer URL (`iss` of its tokens): https://cognito-idp.<region>.amazonaws.com/<pool id>. */
  issuer: string;
  /** The browser page's app client (`client_id` of its access tokens). */
  clientId: string;
  /** GET /admin: the page that signs in and then shows the report, and the Content-Security-Policy it needs. */
  page: { html: string; contentSecurityPolicy: string };
}

export interface AdminOptions {
  /** Without `signIn`: answer 403 on every route unless API Gateway's IAM authoriser identified the caller. */
  requireIam?: boolean;
  /** AWS: the sign-in page at /admin, a token for /admin/report, IAM for /admin/api/report. */
  signIn?: AdminSignIn;
}

const NO_STORE = { 'cache-control': 'no-store' };
/** The report page runs no script and loads nothing from elsewhere; say so to the browser. */
const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";

export function makeAdminHandler(deps: AdminDeps, { requireIam = false, signIn }: AdminOptions = {}) {
  const report = async () =>
    reportFromCounts(await deps.counters.read(), {
      now: deps.clock.now(),
      sequences: deps.sequences,
      ...(deps.experiments && { experimentStates: await deps.experiments.list() }),
      ...(deps.holdoutShare !== undefined && { holdoutShare: deps.holdoutShare }),
    });
  const reportJson = async () => noStore(json(200, await report()));
  const reportPage = async (options?: { jsonLink?: boolean }): Promise<HttpResult> => ({
    statusCode: 200,
    headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': REPORT_CSP, ...NO_STORE },
    body: deps.page(await report(), options),
  });

  return async (event: HttpEvent): Promise<HttpResult> => {
    const path = event.rawPath.replace(/\/+$/, '');
    if (signIn) {
      if (path === ROUTES.admin)
        return {
          statusCode: 200,
          headers: {
            'content-type': 'text/html; charset=utf-8',
            'content-security-policy': signIn.page.contentSecurityPolicy,
            'referrer-policy': 'no-referrer',
            ...NO_STORE,
          },
          body: signIn.page.html,
        };
      if (path === ROUTES.adminReport) {
        const refused = tokenProblem(event, signIn, deps.clock.now());
        if (refused)
          return {
            ...json(401, {
              error: 'unauthorized',
              message: `Sign in at ${ROUTES.admin} to see the report (${refused}).`,
            }),
            headers: { 'content-type': 'application/json; charset=utf-8', 'www-authenticate': 'Bearer' },
          };
        const asPage = (header(event, 'accept') ?? '').includes('text/html');
        const result = asPage ? await reportPage({ jsonLink: false }) : await reportJson();
        return { ...result, headers: { ...result.headers, vary: 'accept' } };
      }
      if (path === ROUTES.adminApiReport) {
        if (!iamCaller(event)) return iamRefusal();
        return reportJson();
      }
      return notFound(path);
    }

    if (requireIam && !iamCaller(event)) return iamRefusal();
    if (path === ROUTES.adminReport) return reportJson();
    if (path === ROUTES.admin) return reportPage();
    return notFound(path);
  };
}

function noStore(result: HttpResult): HttpResult {
  return { ...result, headers: { ...result.headers, ...NO_STORE } };
}

const notFound = (path: string) => json(404, { error: 'not_found', message: `No admin page at ${path}.` });

const iamRefusal = () =>
  json(403, { error: 'forbidden', message: 'This route needs AWS IAM credentials (a SigV4-signed request).' });

/**
 * Why the claims API Gateway's JWT authorizer passed on are not a current access token of this user pool's report
 * client, or undefined when they are. The authorizer has checked the signature, issuer, audience and expiry; this
 * checks them again from the claims, so a route wired without the authorizer (no claims) refuses everyone.
 */
function tokenProblem(event: HttpEvent, signIn: AdminSignIn, now: Date): string | undefined {
  const context = event.requestContext as { authorizer?: { jwt?: { claims?: Record<string, unknown> } } };
  const claims = context.authorizer?.jwt?.claims;
  if (!claims) return 'no token';
  if (claims.iss !== signIn.issuer) return 'a token from another issuer';
  if (claims.token_use !== 'access') return 'not an access token';
  if (claims.client_id !== signIn.clientId) return 'a token for another app';
  const expires = Number(claims.exp);
  if (!Number.isFinite(expires) || expires * 1000 <= now.getTime()) return 'an expired token';
  if (typeof claims.sub !== 'string' || claims.sub === '') return 'a token with no user';
  return undefined;
}

/** Lambda entry point (API Gateway HTTP API). It reads no secret: the table's settings and the report's sign-in. */
export const handler = lambdaEntry(
  (config) => makeAdminHandler(adminDeps(config), { signIn: adminSignIn(config) }),
  () => loadAdminConfig(),
);
