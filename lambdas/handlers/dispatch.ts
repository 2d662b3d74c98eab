/** The dispatcher: run every minute by a schedule. Sends whatever is due through the sharded due index. */
import { dispatcherDeps, lambdaEntry, readConfig } from '../compose/dispatch.ts';
import { dispatchDue, type DispatchDeps, type DispatchReport } from '../domain/dispatch.ts';

export interface DispatchHandlerDeps {
  /** The lead store, mailer, renderer, sequences, pace, clock and log a run sends with. */
  dispatch: DispatchDeps;
  /** After each completed run: its counts as metrics (the heartbeat, sent, rejected, paused...) for the alarms. */
  reportRun?: (report: DispatchReport) => void;
  /** After each run in AWS: SES's 24-hour quota use, for the quota alarm. */
  reportQuota?: () => Promise<void>;
}

export function makeDispatchHandler({ dispatch, reportRun, reportQuota }: DispatchHandlerDeps) {
  return async (_event?: unknown): Promise<DispatchReport> => {
    const report = await dispatchDue(dispatch);
    const { pausedBy, ...counts } = report;
    if (report.due > 0) dispatch.log.info('dispatch run', counts);
    // SES's error name and a fixed word for the cause: never SES's text, which can name addresses.
    if (pausedBy)
      dispatch.log.error('sending paused: SES refused to send for the account; leads released, retrying next run', {
        ...pausedBy,
        paused: report.paused,
        untried: report.untried,
      });
    reportRun?.(report);
    await reportQuota?.();
    return report;
  };
}

/** Lambda entry point. In AWS the pace is SES's own maximum send rate unless MAX_SEND_RATE is set. */
export const handler = lambdaEntry(async (config) => makeDispatchHandler(await dispatcherDeps(config)), readConfig);
