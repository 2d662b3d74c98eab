/**
 * GET /admin          the report as a page with a chart (clicks and bookings first)
 * GET /admin/report   the same report as JSON
 * Both read the report's counters (a few items), never a Scan of the table.
 * In AWS both routes sit behind IAM authorisation, and this handler refuses a request that did not pass it, so a
 * route wired without it exposes nothing. Locally (`npm start`) they are open on localhost.
 */
import { adminDeps, lambdaEntry, loadAdminConfig } from '../compose/admin.ts';
import { ROUTES } from '../contract.ts';
import { reportFromCounts, type Report, type ReportOptions } from '../domain/report.ts';
import type { Clock, ReportCounters } from '../domain/ports.ts';
import { json, type HttpEvent, type HttpResult } from './http.ts';

export interface AdminDeps {
  /** The counters kept at write time: a Query of a few items, whatever the table holds. */
  counters: Pick<ReportCounters, 'read'>;
  sequences: ReportOptions['sequences'];
  clock: Clock;
  /** The report as an HTML page (no script, nothing loaded from elsewhere). */
  page: (report: Report) => string;
}

export interface AdminOptions {
  /** Answer 403 unless API Gateway's IAM authoriser identified the caller (AWS). */
  requireIam?: boolean;
}

const NO_STORE = { 'cache-control': 'no-store' };

export function makeAdminHandler(deps: AdminDeps, { requireIam = false }: AdminOptions = {}) {
  return async (event: HttpEvent): Promise<HttpResult> => {
    if (requireIam && !iamCaller(event))
      return json(403, {
        error: 'forbidden',
        message: 'The admin pages need AWS IAM credentials (a SigV4-signed request).',
      });
    const path = event.rawPath.replace(/\/+$/, '');
    if (path !== ROUTES.admin && path !== ROUTES.adminReport)
      return json(404, { error: 'not_found', message: `No admin page at ${path}.` });

    const report = reportFromCounts(await deps.counters.read(), { now: deps.clock.now(), sequences: deps.sequences });
    if (path === ROUTES.adminReport) {
      const result = json(200, report);
      return { ...result, headers: { ...result.headers, ...NO_STORE } };
    }
    return {
      statusCode: 200,
      headers: {
        'content-type': 'text/html; charset=utf-8',
        // The page runs no script and loads nothing from elsewhere; say so to the browser.
        'content-security-policy':
          "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
        ...NO_STORE,
      },
      body: deps.page(report),
    };
  };
}

/** The caller API Gateway's IAM authoriser verified, if any. */
function iamCaller(event: HttpEvent): string | undefined {
  const context = event.requestContext as { authorizer?: { iam?: { userArn?: string } } };
  return context.authorizer?.iam?.userArn;
}

/** Lambda entry point (API Gateway HTTP API, IAM-authorised routes). It reads no secret: only the table's settings. */
export const handler = lambdaEntry(
  (config) => makeAdminHandler(adminDeps(config), { requireIam: true }),
  () => loadAdminConfig(),
);
