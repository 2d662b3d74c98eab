/**
 * What each dispatcher run did, as CloudWatch metrics (Powertools Metrics: embedded metric format in the log, no API
 * call), for the stack's alarms: a heartbeat (`DispatchRuns` = 1 per completed run: its absence means the dispatcher
 * stopped running), and one count per outcome, `AccountPaused` among them. The names are in `lambdas/contract.ts`,
 * which `lib/` reads too.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DISPATCH_METRICS } from '../contract.ts';
import type { DispatchReport } from '../domain/dispatch.ts';

/** Metrics for one stage: the `service` dimension is POWERTOOLS_SERVICE_NAME, set per stack. */
export function dispatchMetrics(): Metrics {
  return new Metrics({ namespace: DISPATCH_METRICS.namespace });
}

/** After each completed run: one EMF log line with every count (zeros too, so an alarm never reads a gap as zero). */
export function makeRunReporter(metrics = dispatchMetrics()) {
  return (report: DispatchReport): void => {
    const counts: [string, number][] = [
      [DISPATCH_METRICS.runs, 1],
      [DISPATCH_METRICS.due, report.due],
      [DISPATCH_METRICS.sent, report.sent],
      [DISPATCH_METRICS.rejected, report.rejected],
      [DISPATCH_METRICS.unconfirmed, report.unconfirmed],
      [DISPATCH_METRICS.retried, report.retry],
      [DISPATCH_METRICS.accountPaused, report.paused],
    ];
    for (const [name, value] of counts) metrics.addMetric(name, MetricUnit.Count, value);
    metrics.publishStoredMetrics();
  };
}
