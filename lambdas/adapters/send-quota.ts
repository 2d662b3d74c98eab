/**
 * SES's send quota: the dispatcher paces itself by the maximum send rate and publishes the 24-hour use as
 * CloudWatch metrics (Powertools Metrics, embedded metric format in the log: no API call), which the stack's
 * quota alarm reads. The names are in `lambdas/contract.ts`, which `lib/` reads too, so the alarm and the metric
 * cannot drift apart.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { GetSendQuotaCommand, type SESClient } from '@aws-sdk/client-ses';
import { SEND_QUOTA_METRICS } from '../contract.ts';

export interface SendQuota {
  /** Emails per second. */
  maxSendRate: number;
  max24HourSend: number;
  sentLast24Hours: number;
}

/** The account's quota, or undefined when SES does not answer (the caller keeps going without it). */
export async function readSendQuota(ses: SESClient): Promise<SendQuota | undefined> {
  try {
    const quota = await ses.send(new GetSendQuotaCommand({}));
    if (quota.MaxSendRate === undefined || quota.Max24HourSend === undefined || quota.SentLast24Hours === undefined)
      return undefined;
    return {
      maxSendRate: quota.MaxSendRate,
      max24HourSend: quota.Max24HourSend,
      sentLast24Hours: quota.SentLast24Hours,
    };
  } catch {
    return undefined;
  }
}

/** Metrics for one stage: the `service` dimension is POWERTOOLS_SERVICE_NAME, set per stack. */
export function quotaMetrics(): Metrics {
  return new Metrics({ namespace: SEND_QUOTA_METRICS.namespace });
}

/** After each dispatcher run in AWS: SES's 24-hour quota use, for the quota alarm. A failed read skips one data point. */
export function makeQuotaReporter(ses: SESClient, metrics = quotaMetrics()) {
  return async (): Promise<void> => {
    const quota = await readSendQuota(ses);
    if (quota) publishSendQuota(metrics, quota);
  };
}

/** Write the quota's use as one EMF log line. */
export function publishSendQuota(metrics: Metrics, quota: SendQuota): void {
  metrics.addMetric(SEND_QUOTA_METRICS.sentLast24Hours, MetricUnit.Count, quota.sentLast24Hours);
  metrics.addMetric(SEND_QUOTA_METRICS.max24HourSend, MetricUnit.Count, quota.max24HourSend);
  metrics.publishStoredMetrics();
}
