/**
 * The dispatcher: run every minute by a schedule. Sends whatever is due through the sharded due index, for as long as
 * something is due and the run's budget lasts. When one worker cannot keep up with the rate, the scheduled run splits
 * the shards and the rate across workers (lambdas/domain/fan-out.ts): in AWS it invokes itself once per worker with a
 * worker's event, and returns; elsewhere the workers run in this process and the run returns all their counts.
 */
import { dispatcherDeps, lambdaEntry, readConfig } from '../compose/dispatch.ts';
import { dispatchDue, type DispatchDeps, type DispatchReport } from '../domain/dispatch.ts';
import {
  backlogFrom,
  backlogProbe,
  concurrencyFor,
  emptyReport,
  mergeReports,
  planWorkers,
  workerEvent,
  workerEvents,
  type FanOutSettings,
  type WorkerEvent,
} from '../domain/fan-out.ts';

export interface FanOut {
  settings: FanOutSettings;
  /** The whole run's rate, emails a second: the stage's share of SES's (MAX_SEND_RATE), else SES's own. */
  rate: number;
  /** What a worker sends with, paced at its rate. */
  dispatchAt: (rate: number) => DispatchDeps;
  /** Start a worker elsewhere and return once it is started (in AWS: this function, invoked asynchronously). Unset: workers run here. */
  start?: (event: WorkerEvent) => Promise<void>;
}

export interface DispatchHandlerDeps {
  /** The lead store, mailer, renderer, sequences, pace, clock and log a run sends with. */
  dispatch: DispatchDeps;
  /** After each completed run (each worker's): its counts as metrics (the heartbeat, sent, rejected, paused...) for the alarms. */
  reportRun?: (report: DispatchReport) => void;
  /** After each scheduled run in AWS: SES's 24-hour quota use, for the quota alarm. */
  reportQuota?: () => Promise<void>;
  /** How to split a run across workers. Unset: every run is one worker over every shard, as `dispatchDue` runs. */
  fanOut?: FanOut;
}

export function makeDispatchHandler({ dispatch, reportRun, reportQuota, fanOut }: DispatchHandlerDeps) {
  const { clock, log } = dispatch;
  const speed = () => clock.speed ?? 1;

  /** One worker's run: its shards, at its rate, taking leads until `stopAt` (or its own budget, if sooner). */
  const runWorker = async (event: WorkerEvent | undefined): Promise<DispatchReport> => {
    const deps = event && fanOut ? fanOut.dispatchAt(event.rate) : dispatch;
    const left = event ? Math.max(0, (event.stopAt - clock.now().getTime()) / speed()) : Infinity;
    const settings = { ...deps.settings, runBudgetMs: Math.min(deps.settings.runBudgetMs, left) };
    const report = await dispatchDue(
      { ...deps, settings },
      event && { shards: event.shards, concurrency: concurrencyFor(event.rate, deps.settings.concurrency) },
    );
    const { pausedBy, ...counts } = report;
    const worker = event && event.of > 1 ? { worker: event.worker, of: event.of } : {};
    if (report.due > 0) log.info('dispatch run', { ...counts, ...worker });
    // SES's error name and a fixed word for the cause: never SES's text, which can name addresses.
    if (pausedBy)
      log.error('sending paused: SES refused to send for the account; leads released, retrying next run', {
        ...pausedBy,
        paused: report.paused,
        untried: report.untried,
        ...worker,
      });
    reportRun?.(report);
    return report;
  };

  /** The scheduled run: alone when one worker keeps up, else split across workers. */
  const scheduled = async (): Promise<DispatchReport> => {
    if (!fanOut) return runWorker(undefined);
    const { settings, rate } = fanOut;
    const now = clock.now();
    // Only when the rate calls for more than one worker: is there more due than one worker sends in a run?
    let due: number | undefined;
    if (settings.maxWorkers > 1 && rate > settings.workerRate) {
      const limit = backlogProbe(settings, rate);
      const shards = Array.from({ length: settings.shards }, (_, shard) => shard);
      const pages = await Promise.all(shards.map((shard) => dispatch.store.due(shard, now, limit)));
      due = backlogFrom(
        pages.map((page) => page.length),
        limit,
      );
    }
    const events = workerEvents(
      planWorkers(settings, rate, due),
      now.getTime() + dispatch.settings.runBudgetMs * speed(),
    );
    if (events.length === 1) return runWorker(events[0]);
    if (fanOut.start) {
      await Promise.all(events.map(fanOut.start));
      log.info('dispatch run split across workers', { workers: events.length, rate });
      return { ...emptyReport(), workers: events.length };
    }
    return mergeReports(await Promise.all(events.map(runWorker)));
  };

  return async (event?: unknown): Promise<DispatchReport> => {
    const worker = workerEvent(event);
    if (worker) return runWorker(worker);
    const report = await scheduled();
    await reportQuota?.();
    return report;
  };
}

/** Lambda entry point. In AWS the pace is SES's own maximum send rate unless MAX_SEND_RATE is set. */
export const handler = lambdaEntry(async (config) => makeDispatchHandler(await dispatcherDeps(config)), readConfig);
