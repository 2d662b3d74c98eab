/**
 * How a scheduled dispatcher run divides its work when one worker cannot keep up with SES: how many workers, which
 * shards each reads, and at what rate each sends. Pure: the handler reads what is due and starts the workers (in AWS,
 * the dispatcher invokes itself once per worker; locally and in tests, workers run in the same process).
 *
 * - Every shard goes to exactly one worker, so no two workers read the same leads (a lead's claim would keep them
 *   from sending it twice anyway; disjoint shards keep them from wasting reads and claims on each other).
 * - A worker's rate is the run's rate times its share of the shards (leads are spread over the shards by a hash of
 *   their id, so each shard holds about as much), rounded down: all workers together never pass the run's rate.
 * - As few workers as keep each under `workerRate`, the most one worker sustains; one alone while what is due fits
 *   in what one worker sends in a run (a quiet minute starts nothing more).
 */
import * as z from 'zod';
import type { DispatchReport } from './dispatch.ts';

export interface FanOutSettings {
  /** Shards of the due index (DUE_SHARDS). */
  shards: number;
  /** At most this many workers (DISPATCH_MAX_WORKERS); 1 turns fan-out off. */
  maxWorkers: number;
  /** Emails a second one worker sustains (DISPATCH_WORKER_RATE): a run faster than this is split. */
  workerRate: number;
  /** How long a run takes leads (the dispatcher's `runBudgetMs`). */
  runBudgetMs: number;
}

/** One worker's share of a run. */
export interface WorkerShare {
  shards: number[];
  /** Emails a second. */
  rate: number;
}

/** Rates are kept to a thousandth of an email a second, rounded down. */
const roundDown = (rate: number) => Math.floor(rate * 1000) / 1000;

/** Leads to read from each shard to tell whether one worker is enough: one worker's run, spread over the shards. */
export function backlogProbe(settings: FanOutSettings, rate: number): number {
  return Math.ceil(oneWorkerSends(settings, rate) / settings.shards) + 1;
}

/**
 * How many leads are due, from the probe's pages (each shard read up to `limit`): a full page means that shard holds
 * more, and, leads being spread over the shards by a hash, the others about as many.
 */
export function backlogFrom(pageSizes: number[], limit: number): number {
  const read = pageSizes.reduce((sum, size) => sum + size, 0);
  return pageSizes.some((size) => size >= limit) ? Math.max(read, limit * pageSizes.length) : read;
}

function oneWorkerSends({ workerRate, runBudgetMs }: FanOutSettings, rate: number): number {
  return Math.ceil(Math.min(rate, workerRate) * (runBudgetMs / 1000));
}

/**
 * The workers for a run at `rate` emails a second. `due`: how many leads the probe found due (each shard read up to
 * `backlogProbe`), or undefined to plan from the rate alone.
 */
export function planWorkers(settings: FanOutSettings, rate: number, due?: number): WorkerShare[] {
  const { shards, maxWorkers, workerRate } = settings;
  if (!(rate > 0)) throw new Error(`a run's rate must be positive, not ${rate}`);
  const allShards = Array.from({ length: shards }, (_, shard) => shard);
  const most = Math.max(1, Math.min(maxWorkers, shards));
  const fitsOne = rate <= workerRate || (due !== undefined && due < oneWorkerSends(settings, rate));
  if (most === 1 || fitsOne) return [{ shards: allShards, rate }];

  // The fewest workers whose busiest one (the one with the most shards) stays within workerRate; else as many as allowed.
  let count = most;
  for (let n = Math.ceil(rate / workerRate); n < most; n++) {
    if ((rate * Math.ceil(shards / n)) / shards <= workerRate) {
      count = n;
      break;
    }
  }
  const split: number[][] = Array.from({ length: count }, () => []);
  for (const shard of allShards) split[shard % count]!.push(shard);
  return split.map((own) => ({ shards: own, rate: roundDown((rate * own.length) / shards) }));
}

/** Leads one worker works on at once: enough to keep its rate with every lead taking up to `secondsPerLead`. */
export function concurrencyFor(rate: number, floor: number, secondsPerLead = 0.25, ceiling = 256): number {
  return Math.max(floor, Math.min(ceiling, Math.ceil(rate * secondsPerLead)));
}

/** What the scheduled run sends each worker it starts (in AWS, the payload of the dispatcher invoking itself). */
export const workerEventSchema = z.strictObject({
  kind: z.literal('dispatch-worker'),
  /** The shards this worker reads: distinct, at least one. */
  shards: z
    .array(z.number().int().min(0).max(63))
    .min(1)
    .refine((shards) => new Set(shards).size === shards.length, 'must not repeat a shard'),
  /** Emails a second for this worker. */
  rate: z.number().positive().max(100_000),
  /** When the run stops taking leads (epoch ms): a worker started late takes only what time is left. */
  stopAt: z.number().int().positive(),
  /** Which worker of how many, for the logs. */
  worker: z.number().int().min(0),
  of: z.number().int().min(1),
});

export type WorkerEvent = z.infer<typeof workerEventSchema>;

/**
 * The worker's event, if `event` is one; undefined for anything else (the schedule's event). An event that says it is
 * a worker's and is malformed throws, naming what is wrong: it is never taken for a scheduled run.
 */
export function workerEvent(event: unknown): WorkerEvent | undefined {
  if (typeof event !== 'object' || event === null || (event as { kind?: unknown }).kind !== 'dispatch-worker')
    return undefined;
  const parsed = workerEventSchema.safeParse(event);
  if (!parsed.success)
    throw new Error(
      `bad dispatch worker event: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
    );
  return parsed.data;
}

/** The events for a planned run. */
export function workerEvents(shares: WorkerShare[], stopAt: number): WorkerEvent[] {
  return shares.map((share, worker) => ({
    kind: 'dispatch-worker',
    shards: share.shards,
    rate: share.rate,
    stopAt,
    worker,
    of: shares.length,
  }));
}

/** The counts of a run's workers as one report, with how many workers there were. */
export function mergeReports(reports: DispatchReport[]): DispatchReport {
  const merged: DispatchReport = { ...emptyReport(), workers: reports.length };
  for (const report of reports) {
    for (const key of COUNTS) merged[key] += report[key];
    merged.pausedBy ??= report.pausedBy;
  }
  return merged;
}

const COUNTS = [
  'due',
  'untried',
  'sent',
  'retry',
  'rejected',
  'unconfirmed',
  'paused',
  'rescheduled',
  'completed',
  'skipped',
] as const satisfies (keyof DispatchReport)[];

/** A run that took nothing up. */
export function emptyReport(): DispatchReport {
  return Object.fromEntries(COUNTS.map((key) => [key, 0])) as Record<(typeof COUNTS)[number], number>;
}
