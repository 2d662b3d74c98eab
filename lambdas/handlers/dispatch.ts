/** The dispatcher: run every minute by a schedule. Sends whatever is due through the sharded due index. */
import { dispatcherDeps, lambdaEntry } from '../compose.ts';
import { dispatchDue, type DispatchDeps, type DispatchReport } from '../domain/dispatch.ts';

export interface DispatchHandlerDeps {
  /** The lead store, mailer, renderer, sequences, pace, clock and log a run sends with. */
  dispatch: DispatchDeps;
  /** After each run in AWS: SES's 24-hour quota use, for the quota alarm. */
  reportQuota?: () => Promise<void>;
}

export function makeDispatchHandler({ dispatch, reportQuota }: DispatchHandlerDeps) {
  return async (_event?: unknown): Promise<DispatchReport> => {
    const report = await dispatchDue(dispatch);
    if (report.due > 0) dispatch.log.info('dispatch run', { ...report });
    await reportQuota?.();
    return report;
  };
}

/** Lambda entry point. In AWS the pace is SES's own maximum send rate unless MAX_SEND_RATE is set. */
export const handler = lambdaEntry(async (config) => makeDispatchHandler(await dispatcherDeps(config)));
