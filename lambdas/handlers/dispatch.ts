/** The dispatcher: run every minute by a schedule. Sends whatever is due through the sharded due index. */
import { loadConfig } from '../config.ts';
import { systemClock } from '../adapters/clock.ts';
import { sesClient, wire } from '../adapters/clients.ts';
import { log } from '../adapters/log.ts';
import { resolveSecrets } from '../adapters/secrets.ts';
import { sesMaxSendRate } from '../adapters/ses-mailer.ts';
import { dispatchDue, type DispatchDeps, type DispatchReport } from '../domain/dispatch.ts';

export function makeDispatchHandler(deps: DispatchDeps) {
  return async (): Promise<DispatchReport> => {
    const report = await dispatchDue(deps);
    if (report.due > 0) log.info('dispatch run', { ...report });
    return report;
  };
}

let handle: (() => Promise<DispatchReport>) | undefined;

/** Lambda entry point. In AWS the pace is SES's own maximum send rate unless MAX_SEND_RATE is set. */
export const handler = async () => {
  if (!handle) {
    const config = await resolveSecrets(loadConfig());
    const ses = sesClient(config);
    const sendRate = config.MAX_SEND_RATE ?? (await sesMaxSendRate(ses)) ?? 1;
    handle = makeDispatchHandler(wire(config, { clock: systemClock, sendRate, ses }).dispatch);
  }
  return handle();
};
