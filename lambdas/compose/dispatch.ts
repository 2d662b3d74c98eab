/**
 * The scheduled dispatcher's parts. In AWS its pace is SES's own maximum send rate unless MAX_SEND_RATE is set, and
 * after each run it publishes what the run did (the heartbeat and one count per outcome) and SES's quota use.
 */
import { sesClient } from '../adapters/clients.ts';
import { makeRunReporter } from '../adapters/dispatch-metrics.ts';
import { makeQuotaReporter, readSendQuota } from '../adapters/send-quota.ts';
import type { ResolvedConfig } from '../config.ts';
import { sendingDeps } from './sending.ts';
import type { Parts } from './shared.ts';

export { lambdaEntry } from './entry.ts';
export { readConfig } from './shared.ts';

export async function dispatcherDeps(config: ResolvedConfig, parts: Parts = {}) {
  const ses = parts.ses ?? sesClient(config);
  const sendRate = parts.sendRate ?? config.MAX_SEND_RATE ?? (await readSendQuota(ses))?.maxSendRate ?? 1;
  return {
    dispatch: sendingDeps(config, { ...parts, ses, sendRate }),
    reportRun: makeRunReporter(),
    reportQuota: makeQuotaReporter(ses),
  };
}
