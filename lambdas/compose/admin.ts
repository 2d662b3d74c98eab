/**
 * GET /admin, /admin/report's parts: the report's counters in the table, the page it is shown on (rendered with
 * react-dom/server), and in AWS the report's sign-in (Cognito's managed login, and the page that uses it). Reads no
 * secret and sends nothing: no SES client, mailer, renderer or email template (the report reads the sequences'
 * outline, emails/outline.ts: each one's steps, in order, with their subject-line experiments, emails/experiments.ts).
 */
import { outlinesWithExperiments } from '../../emails/experiments.ts';
import { systemClock } from '../adapters/clock.ts';
import { dynamoClient } from '../adapters/clients.ts';
import { DynamoExperimentStore } from '../adapters/dynamo-experiments.ts';
import { DynamoReportCounters } from '../adapters/dynamo-report-counters.ts';
import { adminPage } from '../adapters/report-page.tsx';
import { signInPage } from '../adapters/sign-in-page.ts';
import type { AdminConfig } from '../config.ts';
import { ROUTES } from '../contract.ts';
import type { Parts } from './shared.ts';

export { loadAdminConfig, type AdminConfig } from '../config.ts';
export { lambdaEntry } from './entry.ts';

export function adminDeps(config: AdminConfig, { clock = systemClock, dynamo = dynamoClient(config) }: Parts = {}) {
  return {
    // Admin only reads: the retention (for the items counting writes) does not matter here.
    counters: new DynamoReportCounters(dynamo, { tableName: config.TABLE_NAME, retentionDays: 0 }),
    experiments: new DynamoExperimentStore(dynamo, { tableName: config.TABLE_NAME, retentionDays: 0 }),
    sequences: outlinesWithExperiments,
    holdoutShare: config.HOLDOUT_SHARE,
    clock,
    page: adminPage,
  };
}

/**
 * The report's sign-in, from the settings the stack gives the admin Lambda. In AWS all of them are required: a
 * Lambda without them fails at start, naming what is missing, rather than serve the report unguarded.
 */
export function adminSignIn(config: AdminConfig) {
  const { ADMIN_USER_POOL_ID: poolId, ADMIN_CLIENT_ID: clientId, ADMIN_SIGN_IN_URL: signInUrl } = config;
  const base = config.PUBLIC_BASE_URL;
  const missing = Object.entries({
    ADMIN_USER_POOL_ID: poolId,
    ADMIN_CLIENT_ID: clientId,
    ADMIN_SIGN_IN_URL: signInUrl,
    PUBLIC_BASE_URL: base,
  }).filter(([, value]) => !value);
  if (!poolId || !clientId || !signInUrl || !base)
    throw new Error(
      `Invalid configuration: the report's sign-in needs ${missing.map(([name]) => name).join(', ')} (set by the stack)`,
    );
  return {
    issuer: `https://cognito-idp.${config.AWS_REGION}.amazonaws.com/${poolId}`,
    clientId,
    page: signInPage({ signInUrl, clientId, pageUrl: `${base}${ROUTES.admin}`, reportPath: ROUTES.adminReport }),
  };
}
