/**
 * GET /admin, /admin/report's parts: the report's counters in the table, and the page it is shown on (rendered with
 * react-dom/server). Reads no secret and sends nothing: no SES client, mailer or renderer.
 */
import { sequences as defaultSequences } from '../../emails/sequences.ts';
import { systemClock } from '../adapters/clock.ts';
import { dynamoClient } from '../adapters/clients.ts';
import { DynamoReportCounters } from '../adapters/dynamo-report-counters.ts';
import { adminPage } from '../adapters/report-page.tsx';
import type { AdminConfig } from '../config.ts';
import type { Parts } from './shared.ts';

export { loadAdminConfig, type AdminConfig } from '../config.ts';
export { lambdaEntry } from './entry.ts';

export function adminDeps(config: AdminConfig, { clock = systemClock, dynamo = dynamoClient(config) }: Parts = {}) {
  return {
    // Admin only reads: the retention (for the items counting writes) does not matter here.
    counters: new DynamoReportCounters(dynamo, { tableName: config.TABLE_NAME, retentionDays: 0 }),
    sequences: defaultSequences,
    clock,
    page: adminPage,
  };
}
