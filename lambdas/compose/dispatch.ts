/**
 * The scheduled dispatcher's parts. In AWS its pace is SES's own maximum send rate unless MAX_SEND_RATE is set, and
 * after each run it publishes what the run did (the heartbeat and one count per outcome) and SES's quota use. With
 * DISPATCH_MAX_WORKERS above 1 a run may be split across workers: the function invokes itself once per worker, and
 * each worker paces at its own share of the rate (one pacer per rate, kept for the container's life).
 */
import { dynamoClient, sesClient } from '../adapters/clients.ts';
import { makeRunReporter } from '../adapters/dispatch-metrics.ts';
import { makeQuotaReporter, readSendQuota } from '../adapters/send-quota.ts';
import { lambdaWorkerStarter } from '../adapters/start-worker.ts';
import type { ResolvedConfig } from '../config.ts';
import type { DispatchDeps } from '../domain/dispatch.ts';
import type { FanOutSettings } from '../domain/fan-out.ts';
import { sendingDeps } from './sending.ts';
import type { Parts } from './shared.ts';

export { lambdaEntry } from './entry.ts';
export { readConfig } from './shared.ts';

export async function dispatcherDeps(config: ResolvedConfig, parts: Parts = {}) {
  const ses = parts.ses ?? sesClient(config);
  const dynamo = parts.dynamo ?? dynamoClient(config);
  const sendRate = parts.sendRate ?? config.MAX_SEND_RATE ?? (await readSendQuota(ses))?.maxSendRate ?? 1;
  const byRate = new Map<number, DispatchDeps>();
  const dispatchAt = (rate: number) => {
    let deps = byRate.get(rate);
    if (!deps) byRate.set(rate, (deps = sendingDeps(config, { ...parts, ses, dynamo, sendRate: rate })));
    return deps;
  };
  const dispatch = dispatchAt(sendRate);
  const functionName = config.AWS_LAMBDA_FUNCTION_NAME;
  return {
    dispatch,
    fanOut: {
      settings: fanOutSettings(config, dispatch.settings.runBudgetMs),
      rate: sendRate,
      dispatchAt,
      // In a Lambda, workers are invocations of this function; elsewhere they run in this process.
      ...(functionName && config.DISPATCH_MAX_WORKERS > 1 && { start: lambdaWorkerStarter(functionName) }),
    },
    reportRun: makeRunReporter(),
    reportQuota: makeQuotaReporter(ses),
  };
}

/** How the stage divides a run across workers (DUE_SHARDS, DISPATCH_MAX_WORKERS, DISPATCH_WORKER_RATE). */
export function fanOutSettings(config: ResolvedConfig, runBudgetMs: number): FanOutSettings {
  return {
    shards: config.DUE_SHARDS,
    maxWorkers: config.DISPATCH_MAX_WORKERS,
    workerRate: config.DISPATCH_WORKER_RATE,
    runBudgetMs,
  };
}
