/** The dispatcher: run every minute by a schedule. Sends whatever is due through the sharded due index. */
import type { SESClient } from '@aws-sdk/client-ses';
import { systemClock } from '../adapters/clock.ts';
import { sesClient, lambdaEntry, wire } from '../adapters/clients.ts';
import { log } from '../adapters/log.ts';
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

/** Lambda entry point. In AWS the pace is SES's own maximum send rate unless MAX_SEND_RATE is set. */
export const handler = lambdaEntry(async (config) => {
  const ses = sesClient(config);
  const sendRate = config.MAX_SEND_RATE ?? (await readSendQuota(ses))?.maxSendRate ?? 1;
  const dispatch = makeDispatchHandler(wire(config, { clock: systemClock, sendRate, ses }).dispatch);
  const reportQuota = makeQuotaReporter(ses);
  return async (_event: unknown) => {
    const report = await dispatch();
    await reportQuota();
    return report;
  };
});
