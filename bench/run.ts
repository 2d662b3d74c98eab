/**
 * `npm run bench`: the numbers issue #2 asks for, measured on this machine against the local emulators.
 *   1. speed to lead: sign-up request → SES accepted the welcome (the answer waits for it), p50 / p99
 *   2. throughput: one dispatcher run holding a configured rate (14, 100, 500 a second) with latency in front of
 *      the emulators, and where its ceiling is (bench/throughput.ts); ratio: dispatch as a ratio to raw SendRawEmail
 *      calls at the same concurrency
 *   3. due-lead collection time with 1k vs 100k idle leads in the table
 *   4. the report (`npm run report`, /admin) over 100k leads (BENCH_REPORT_LEADS): from the counters, and the rebuild
 *      (a Scan of the whole table and the recount) beside it
 *   5. load: 50 sign-ups/s for 60 s while the dispatcher works 10,000 due leads at MAX_SEND_RATE (bench/load.ts)
 *   6. bundles: each Lambda bundle's size and its import time in a fresh Node process (bench/bundles.ts)
 *   7. writes: DynamoDB write units, AWS SDK calls and runtime CPU per email over whole sequences, with their SES
 *      events, and the report's counters they keep (bench/writes.ts)
 *   8. experiments: the decision rule's false-winner rate with equal variants and how often it promotes a planted
 *      better one, over seeded runs on a virtual clock (bench/experiments.ts; no emulator involved)
 * `npm run bench -- --only load` (or speed, throughput, ratio, due, report, bundles, writes, experiments; comma-separated) runs
 * some of them.
 * Prints a table and writes bench/results/latest.json, keeping the last result of any scenario not run; each result
 * carries its own time and machine. What it is doing goes to stderr as it goes (local/progress.ts). The measurements
 * are in bench/scenarios.ts and bench/load.ts; the results file and the table in bench/results.ts.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { dynamoClient } from '../lambdas/adapters/clients.ts';
import { resolveSecrets } from '../lambdas/adapters/secrets.ts';
import { composeService } from '../lambdas/compose.ts';
import { loadConfig } from '../lambdas/config.ts';
import { bad, command } from '../local/cli.ts';
import { elapsed, progress } from '../local/progress.ts';
import { ensureTable } from '../local/table.ts';
import { load } from './load.ts';
import { ms, writeAndPrint } from './results.ts';
import { sustainedThroughput } from './throughput.ts';
import { experimentRates } from './experiments.ts';
import { writesPerEmail } from './writes.ts';
import { bundleImports, dueCollection, reportTime, speedToLead, throughput, type Bench } from './scenarios.ts';

process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
const SCENARIOS = [
  'speed',
  'throughput',
  'ratio',
  'due',
  'report',
  'load',
  'bundles',
  'writes',
  'experiments',
] as const;
const USAGE = `usage: npm run bench [-- [--only SCENARIOS]]
  --only SCENARIOS   run only these, comma-separated, like --only due,report (default: all)
                     ${SCENARIOS.join(', ')}
  -h, --help         show this help
Prints a table and writes bench/results/latest.json; says what it is doing on stderr as it goes. The whole bench
takes several minutes. Sizes: BENCH_SIGNUPS (300), BENCH_SENDS (2000), BENCH_IDLE (100000), BENCH_REPORT_LEADS (10000),
BENCH_ARRIVAL_RATE (50), BENCH_LOAD_SECONDS (60), BENCH_BACKLOG (10000), BENCH_SEND_RATE (100), BENCH_IMPORT_RUNS (9),
BENCH_RATES (14,100,500), BENCH_RATE_SECONDS (25), BENCH_SES_LATENCY_MS (30), BENCH_DYNAMO_LATENCY_MS (5),
BENCH_MAX_WORKERS (8), BENCH_WORKER_RATE (50), BENCH_WRITE_LEADS (100), BENCH_EXPERIMENT_RUNS (1000); BENCH_CPU_PROF=1 writes CPU profiles to
bench/results/.`;
const { values } = command({
  name: 'bench',
  usage: USAGE,
  options: { only: { type: 'string' } },
  schema: z.object({
    only: z
      .string()
      .transform((list) => list.split(','))
      .pipe(
        z.array(z.enum(SCENARIOS, { error: bad(`is not a scenario: use ${SCENARIOS.join(', ')} (comma-separated)`) })),
      )
      .optional(),
  }),
});
const only = values.only ?? [...SCENARIOS];
const runs = (name: (typeof SCENARIOS)[number]) => only.includes(name);
const say = progress('bench');
const CONCURRENCY = 8;

// The emulators get their own process (and core), as DynamoDB and SES are other machines in AWS.
const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir=bench/results'] : [];
say.step(`running ${only.join(', ')}; starting the emulators`);
const child = spawn(process.execPath, ['--import', 'tsx', ...profile, 'bench/emulators-process.ts'], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
const lines = createInterface({ input: child.stdout });
const nextLine = async (): Promise<unknown> => JSON.parse(((await once(lines, 'line')) as [string])[0]);
const emulators = {
  ...((await nextLine()) as { dynamoEndpoint: string; sesEndpoint: string }),
  /** CPU time the emulators have used so far. */
  cpuMs: async () => {
    child.stdin.write('cpu\n');
    return ((await nextLine()) as { cpuMs: number }).cpuMs;
  },
  stop: async () => {
    child.kill('SIGTERM');
    await once(child, 'exit');
  },
};
say.step(`emulators ready: DynamoDB at ${emulators.dynamoEndpoint}, SES at ${emulators.sesEndpoint}`);
const baseEnv = {
  SES_CONFIGURATION_SET: 'bench',
  PUBLIC_BASE_URL: 'https://nurture.clinic.example',
  UNSUBSCRIBE_SECRET: 'bench-secret-bench-secret-bench-secret',
  DYNAMODB_ENDPOINT: emulators.dynamoEndpoint,
  SES_ENDPOINT: emulators.sesEndpoint,
  DISPATCH_CONCURRENCY: String(CONCURRENCY),
  BATCH_PER_SHARD: '1000',
};
const setup = async (table: string) => {
  const config = await resolveSecrets(loadConfig({ ...baseEnv, TABLE_NAME: table }));
  const dynamo = dynamoClient(config);
  await ensureTable(dynamo, table);
  return { config, dynamo, wiring: composeService(config, { sendRate: 1_000_000, dynamo }) };
};
const clearInbox = () => fetch(`${emulators.sesEndpoint}/clear-store`, { method: 'POST' });
const bench: Bench = { setup, clearInbox, say, concurrency: CONCURRENCY };

// Welcomes count against the limit too: at 50 sign-ups/s, 100/s leaves 50/s for the backlog (why 100: see docs/benchmarks.md).
const LOAD_SEND_RATE = Number(process.env.BENCH_SEND_RATE ?? 100);
const machine = {
  cpus: os.cpus().length,
  cpu: os.cpus()[0]?.model,
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
};
/**
 * Run a scenario if it was asked for, and keep when it started and on what machine (with the load average then) with
 * its result: latest.json keeps the results of scenarios not run this time, which may come from another machine.
 */
async function scenario<T extends object>(
  name: (typeof SCENARIOS)[number],
  measure: () => Promise<T>,
  headline: (result: T) => string,
) {
  if (!runs(name)) return undefined;
  say.step(`${name}: started`);
  const started = performance.now();
  const ran = {
    at: new Date().toISOString(),
    machine: { ...machine, loadAverageAtStart: Number(os.loadavg()[0]!.toFixed(2)) },
  };
  const result = await measure();
  say.step(`${name}: done in ${elapsed(performance.now() - started)}: ${headline(result)}`);
  return { ...ran, ...result };
}
const speed = await scenario(
  'speed',
  () => speedToLead(bench, Number(process.env.BENCH_SIGNUPS ?? 300)),
  (r) => `p50 ${ms(r.p50Ms)}, p99 ${ms(r.p99Ms)} over ${r.count} sign-ups (target: p99 < 1000 ms)`,
);
const sustained = await scenario(
  'throughput',
  () =>
    sustainedThroughput({
      rates: (process.env.BENCH_RATES ?? '14,100,500').split(',').map(Number),
      seconds: Number(process.env.BENCH_RATE_SECONDS ?? 25),
      sesLatencyMs: Number(process.env.BENCH_SES_LATENCY_MS ?? 30),
      dynamoLatencyMs: Number(process.env.BENCH_DYNAMO_LATENCY_MS ?? 5),
      maxWorkers: Number(process.env.BENCH_MAX_WORKERS ?? 8),
      workerRate: Number(process.env.BENCH_WORKER_RATE ?? 50),
      env: baseEnv,
      emulatorCpuMs: emulators.cpuMs,
      say,
    }),
  (r) =>
    `${r.runs
      .map(
        (run) =>
          `${run.achievedPerSecond.toFixed(1)}/s of ${run.rate} (${run.percentOfTarget.toFixed(0)}%, ${run.workers} worker(s))`,
      )
      .join('; ')} on ${machine.cpus} x ${machine.cpu}`,
);
const rate = await scenario(
  'ratio',
  () => throughput(bench, Number(process.env.BENCH_SENDS ?? 2000)),
  (r) =>
    `${r.dispatchPerSecond.toFixed(0)} sends/s vs ${r.rawPerSecond.toFixed(0)} bare SendRawEmail/s: ratio ${r.ratio.toFixed(2)} (target: >= 0.80)`,
);
const collection = await scenario(
  'due',
  async () => ({ runs: await dueCollection(bench, [1_000, Number(process.env.BENCH_IDLE ?? 100_000)], 200) }),
  ({ runs: [small, big] }) =>
    `median ${ms(small!.medianMs)} with ${small!.idle} idle vs ${ms(big!.medianMs)} with ${big!.idle} idle: ${(big!.medianMs / small!.medianMs).toFixed(2)}x (target: <= 1.2x)`,
);
const reporting = await scenario(
  'report',
  () => reportTime(bench, Number(process.env.BENCH_REPORT_LEADS ?? 100_000)),
  (r) =>
    `from the counters ${ms(r.countersMs)} (target: < 1 s); the rebuild: Scan ${ms(r.readMs)}, recount ${ms(r.buildMs)}; ${r.leads} leads (${r.items} items)`,
);
const loaded = await scenario(
  'load',
  () =>
    load({
      env: baseEnv,
      emulatorCpuMs: emulators.cpuMs,
      arrivalRate: Number(process.env.BENCH_ARRIVAL_RATE ?? 50),
      seconds: Number(process.env.BENCH_LOAD_SECONDS ?? 60),
      backlog: Number(process.env.BENCH_BACKLOG ?? 10_000),
      sendRate: LOAD_SEND_RATE,
      progress: say,
    }),
  (r) =>
    `sign-up p99 ${ms(r.signups.p99Ms)}, ${r.signups.errors} errors of ${r.signups.sent}, ${r.sends.perSecond.toFixed(1)} sends/s of ${r.sends.limit}`,
);
const bundles = await scenario(
  'bundles',
  () => bundleImports(bench, Number(process.env.BENCH_IMPORT_RUNS ?? 9)),
  (r) =>
    r.bundles.map((b) => `${b.handler} ${Math.round(b.bytes / 1024)} KiB, import ${ms(b.importMedianMs)}`).join('; '),
);
const writes = await scenario(
  'writes',
  () =>
    writesPerEmail({
      env: baseEnv,
      sesEndpoint: emulators.sesEndpoint,
      leads: Number(process.env.BENCH_WRITE_LEADS ?? 100),
      progress: say,
    }),
  (r) =>
    `${r.writeUnitsPerEmail.total} write units (${r.writeUnitsPerEmail.table} table + ${r.writeUnitsPerEmail.index} due index; ${r.oneEventPerBatch.writeUnitsPerEmail.total} with one SES event per batch), ${r.sendCallsPerEmail} calls to send (${r.callsPerEmailWithEvents} with events), ${r.cpuMsPerEmail} ms CPU per email over ${r.emails} emails on ${r.backend}, SES events in batches of up to ${r.eventBatches.maxRecords} (${r.eventBatches.eventsPerBatch} on average)`,
);
const experiments = await scenario(
  'experiments',
  async () => experimentRates(Number(process.env.BENCH_EXPERIMENT_RUNS ?? 1000), (message) => say.step(message)),
  (r) =>
    r.scenarios
      .map(
        (s) =>
          `${s.name}: wrong winner ${(s.wrongWinner.share * 100).toFixed(1)}% [${(s.wrongWinner.low * 100).toFixed(1)}, ${(s.wrongWinner.high * 100).toFixed(1)}]${s.rates.some((x) => x !== s.rates[0]) ? `, better one promoted ${(Math.max(...s.promotedShare) * 100).toFixed(1)}%` : ''}`,
      )
      .join('; '),
);
say.step('stopping the emulators');
await emulators.stop();
say.done('done');

writeAndPrint({ speed, sustained, rate, collection, reporting, loaded, bundles, writes, experiments }, machine);
