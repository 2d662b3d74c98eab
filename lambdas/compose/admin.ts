/**
 * GET /admin, /admin/report's parts: the report's reader over the table, and the page it is shown on (rendered with
 * react-dom/server). Reads no secret and sends nothing: no SES client, mailer, renderer or email template (the report
 * reads the sequences' outline, emails/outline.ts: each one's steps, in order).
 */
import { outlines } from '../../emails/outline.ts';
import { systemClock } from '../adapters/clock.ts';
import { dynamoClient } from '../adapters/clients.ts';
import { DynamoReportSource } from '../adapters/dynamo-report-source.ts';
import { adminPage } from '../adapters/report-page.tsx';
import type { AdminConfig } from '../config.ts';
import type { Parts } from './shared.ts';

export { loadAdminConfig, type AdminConfig } from '../config.ts';
export { lambdaEntry } from './entry.ts';

export function adminDeps(config: AdminConfig, { clock = systemClock, dynamo = dynamoClient(config) }: Parts = {}) {
  return {
    reports: new DynamoReportSource(dynamo, config.TABLE_NAME),
    sequences: outlines,
    clock,
    page: adminPage,
  };
}
