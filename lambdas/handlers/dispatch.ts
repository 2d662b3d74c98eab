/** The dispatcher: run every minute by a schedule. Sends whatever is due through the sharded due index. */
import type { SESClient } from '@aws-sdk/client-ses';
import { loadConfig } from '../config.ts';
import { systemClock } from '../adapters/clock.ts';
import { sesClient, wire } from '../adapters/clients.ts';
import { log } from '../adapters/log.ts';
import { resolveSecrets } from '../adapters/secrets.ts';
import { publishSendQuota, quotaMetrics, readSendQuota } from '../adapters/send-quota.ts';
import { dispatchDue, type DispatchDeps, type DispatchReport } from '../domain/dispatch.ts';

export function makeDispatchHandler(deps: DispatchDeps) {
  return async (): Promise<DispatchReport> => {
    const report = await dispatchDue(deps);
    if (report.due > 0) log.info('dispatch run', { ...report });
    return report;
  };
}

/** After each run in AWS: SES's 24-hour quota use, for the quota alarm. A failed read skips one data point. */
export function makeQuotaReporter(ses: SESClient, metrics = quotaMetrics()) {
  return async (): Promise<void> => {
    const quota = await readSendQuota(ses);
    if (quota) publishSendQuota(metrics, quota);
  };
}

let handle: (() => Promise<DispatchReport>) | undefined;
let reportQuota: (() => Promise<void>) | undefined;

/** Lambda entry point. In AWS the pace is SES's own maximum send rate unless MAX_SEND_RATE is set. */
export const handler = async () => {
  if (!handle || !reportQuota) {
    const config = await resolveSecrets(loadConfig());
    const ses = sesClient(config);
    const sendRate = config.MAX_SEND_RATE ?? (await readSendQuota(ses))?.maxSendRate ?? 1;
    handle = makeDispatchHandler(wire(config, { clock: systemClock, sendRate, ses }).dispatch);
    reportQuota = makeQuotaReporter(ses);
  }
  const report = await handle();
  await reportQuota();
  return report;
};
