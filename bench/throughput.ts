/**
 * `npm run bench -- --only throughput`: does one scheduled dispatcher run keep up with SES? For each configured rate
 * (MAX_SEND_RATE), a backlog of about `seconds` of sending is seeded, and one run of the dispatch handler works it,
 * split across in-process workers as the stage's settings decide (lambdas/domain/fan-out.ts). Latency is added in
 * front of the emulators, in the SDK clients' middleware: `sesLatencyMs` per SES request, `dynamoLatencyMs` per
 * DynamoDB request, half before the request and half after the answer. A delay there costs no CPU, as the network
 * in AWS costs none of the Lambda's; a proxy process would take CPU from the two cores the runtime and the emulators
 * already share.
 *
 * Measured: the rate SES received (requests, from the first to the last), against the target; CPU of this process
 * (the runtime: the dispatcher's code, rendering and the SDK) and of the emulators' process per email; SDK calls per
 * email. From those, where the ceiling is on this machine, and what it would be in AWS, where DynamoDB and SES are
 * not on our cores.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendRawEmailCommand, type SESClient } from '@aws-sdk/client-ses';
import os from 'node:os';
import { dynamoClient, sesClient } from '../lambdas/adapters/clients.ts';
import { resolveSecrets } from '../lambdas/adapters/secrets.ts';
import { composeService, fanOutSettings } from '../lambdas/compose.ts';
import { loadConfig } from '../lambdas/config.ts';
import { concurrencyFor, planWorkers } from '../lambdas/domain/fan-out.ts';
import { makeDispatchHandler } from '../lambdas/handlers/dispatch.ts';
import type { Progress } from '../local/progress.ts';
import { ensureTable } from '../local/table.ts';
import { seedLeads } from './seed.ts';

export interface ThroughputOptions {
  /** The rates to hold, emails a second. */
  rates: number[];
  /** Seconds of sending each backlog holds at its rate. */
  seconds: number;
  sesLatencyMs: number;
  dynamoLatencyMs: number;
  /** DISPATCH_MAX_WORKERS and DISPATCH_WORKER_RATE for the runs. */
  maxWorkers: number;
  workerRate: number;
  /** The bench's environment (emulator endpoints and the rest), CPU time of the emulators' process, progress. */
  env: Record<string, string>;
  emulatorCpuMs: () => Promise<number>;
  say: Progress;
}

/** Memory a Lambda needs for one full vCPU (AWS Lambda docs), and the dispatcher's (lib/handlers.ts). */
const LAMBDA_MB_PER_VCPU = 1769;
const DISPATCH_MEMORY_MB = 1024;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Add `latencyMs` to every request of `client` (half each way), counting requests by command. */
function withLatency<C extends DynamoDBClient | SESClient>(client: C, latencyMs: number, calls: Map<string, number>) {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      calls.set(context.commandName!, (calls.get(context.commandName!) ?? 0) + 1);
      await sleep(latencyMs / 2);
      const result = await next(args);
      await sleep(latencyMs / 2);
      return result;
    },
    { step: 'initialize', name: 'benchLatency' },
  );
  return client;
}

export async function sustainedThroughput(options: ThroughputOptions) {
  const runs = [];
  for (const rate of options.rates) runs.push(await atRate(rate, options));
  return {
    seconds: options.seconds,
    latencyMs: { ses: options.sesLatencyMs, dynamo: options.dynamoLatencyMs },
    maxWorkers: options.maxWorkers,
    workerRate: options.workerRate,
    runs,
  };
}

async function atRate(rate: number, options: ThroughputOptions) {
  const { say } = options;
  const table = `bench-rate-${rate}`;
  const config = await resolveSecrets(
    loadConfig({
      ...options.env,
      TABLE_NAME: table,
      MAX_SEND_RATE: String(rate),
      DISPATCH_MAX_WORKERS: String(options.maxWorkers),
      DISPATCH_WORKER_RATE: String(options.workerRate),
    }),
  );
  const plain = dynamoClient(config);
  await ensureTable(plain, table);
  const backlog = Math.round(rate * options.seconds);
  await seedLeads(
    table,
    plain,
    backlog,
    () => Date.now() - 60_000,
    config.DUE_SHARDS,
    (written) => say.count(`throughput ${rate}/s: seeding due leads`, written, backlog),
  );

  const dynamoCalls = new Map<string, number>();
  const sesCalls = new Map<string, number>();
  const dynamo = withLatency(dynamoClient(config), options.dynamoLatencyMs, dynamoCalls);
  const ses = withLatency(sesClient(config), options.sesLatencyMs, sesCalls);
  const sendTimes: number[] = [];
  ses.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === SendRawEmailCommand.name) sendTimes.push(performance.now());
      return next(args);
    },
    { step: 'initialize', name: 'timeSends', priority: 'high' },
  );
  const wiring = composeService(config, { sendRate: rate, dynamo, ses });
  const settings = fanOutSettings(config, wiring.dispatch.settings.runBudgetMs);
  // In-process workers share this process's pacer (at `rate`): all of them together keep the rate.
  const handler = makeDispatchHandler({
    dispatch: wiring.dispatch,
    fanOut: { settings, rate, dispatchAt: () => wiring.dispatch },
  });
  const workersPlanned = planWorkers(settings, rate, backlog);
  const concurrency = workersPlanned.reduce(
    (sum, worker) => sum + concurrencyFor(worker.rate, config.DISPATCH_CONCURRENCY),
    0,
  );

  say.step(`throughput ${rate}/s: one run over ${backlog} due leads, ${workersPlanned.length} worker(s)`);
  const ticker = setInterval(() => say.count(`throughput ${rate}/s: sent`, sendTimes.length, backlog), 500);
  const loadBefore = os.loadavg()[0]!;
  const cpuFrom = process.cpuUsage();
  const emulatorsFrom = await options.emulatorCpuMs();
  const started = performance.now();
  const report = await handler();
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuFrom);
  const emulatorMs = (await options.emulatorCpuMs()) - emulatorsFrom;
  const loadAfter = os.loadavg()[0]!;
  clearInterval(ticker);
  await fetch(`${options.env.SES_ENDPOINT}/clear-store`, { method: 'POST' });

  const sent = report.sent;
  const spanSeconds = (sendTimes.at(-1)! - sendTimes[0]!) / 1000;
  const achieved = sent > 1 ? (sent - 1) / spanSeconds : 0;
  const runtimeCpuMs = (cpu.user + cpu.system) / 1000;
  const perEmail = {
    runtimeCpuMs: runtimeCpuMs / sent,
    emulatorCpuMs: emulatorMs / sent,
    dynamoCalls: sum(dynamoCalls) / sent,
    sesCalls: sum(sesCalls) / sent,
  };
  // One lead's time, claim to settle, when nothing queues: its requests' latency and its share of our CPU.
  const leadFloorMs =
    perEmail.dynamoCalls * options.dynamoLatencyMs + perEmail.sesCalls * options.sesLatencyMs + perEmail.runtimeCpuMs;
  const ceilings = {
    /** Node runs our code on one thread: one core, whatever the number of in-process workers. */
    runtimeCpu: 1000 / perEmail.runtimeCpuMs,
    /** dynalite and aws-ses-v2-local share one Node process: one core. */
    emulatorCpu: 1000 / perEmail.emulatorCpuMs,
    /** Both processes on this machine's cores together. */
    machineCpu: (1000 * cpuCount()) / (perEmail.runtimeCpuMs + perEmail.emulatorCpuMs),
    /** Leads at once, each taking at least `leadFloorMs`. */
    concurrencyLatency: (concurrency * 1000) / leadFloorMs,
  };
  const runtimePercent = (runtimeCpuMs / wallMs) * 100;
  const emulatorPercent = (emulatorMs / wallMs) * 100;
  const workerVcpu = DISPATCH_MEMORY_MB / LAMBDA_MB_PER_VCPU;
  const awsPerWorker = (workerVcpu * 1000) / perEmail.runtimeCpuMs;
  return {
    rate,
    backlog,
    report,
    sent,
    workers: report.workers ?? 1,
    concurrency,
    achievedPerSecond: achieved,
    percentOfTarget: (achieved / rate) * 100,
    pass: achieved >= 0.95 * rate && report.untried === 0,
    wallSeconds: wallMs / 1000,
    cpuPercent: { runtime: runtimePercent, emulators: emulatorPercent },
    perEmail,
    leadFloorMs,
    ceilings,
    /** The machine's 1-minute load average before and after the run: above its core count, others took CPU too. */
    loadAverage: { before: loadBefore, after: loadAfter, cores: cpuCount() },
    saturated: saturated(achieved, rate, runtimePercent, emulatorPercent, Math.max(loadBefore, loadAfter)),
    aws: {
      /** A 1,024-MB dispatcher worker has this share of a vCPU, and sends at most this many a second on it. */
      workerVcpu,
      perWorker: awsPerWorker,
      /** The workers the run is split into (as here), and the busiest one's rate: within `perWorker`? */
      workers: workersPlanned.length,
      busiestWorkerRate: Math.max(...workersPlanned.map((worker) => worker.rate)),
      fits: Math.max(...workersPlanned.map((worker) => worker.rate)) <= awsPerWorker,
    },
  };
}

function saturated(
  achieved: number,
  rate: number,
  runtimePercent: number,
  emulatorPercent: number,
  loadAverage: number,
): string {
  if (achieved >= 0.95 * rate) return 'nothing: the pacer holds the rate';
  const busy = [
    runtimePercent >= 85 && `the runtime's CPU (${runtimePercent.toFixed(0)}% of a core)`,
    emulatorPercent >= 85 && `the emulators' CPU (${emulatorPercent.toFixed(0)}% of a core)`,
  ].filter(Boolean);
  if (busy.length > 0) return busy.join(' and ');
  const ours = (runtimePercent + emulatorPercent) / 100;
  if (loadAverage > cpuCount())
    return `the machine: load average ${loadAverage.toFixed(1)} on ${cpuCount()} cores, our two processes got ${ours.toFixed(2)} of a core between them`;
  return `no process's CPU (runtime ${runtimePercent.toFixed(0)}%, emulators ${emulatorPercent.toFixed(0)}%): leads at once x latency`;
}

const sum = (calls: Map<string, number>) => [...calls.values()].reduce((total, n) => total + n, 0);

const cpuCount = () => Math.max(1, os.cpus().length);
