/**
 * The load scenario: sign-ups arrive at a fixed rate (open loop: an arrival never waits for an earlier answer)
 * through the local HTTP server, while the dispatcher in the same runtime works a backlog of due leads seeded
 * straight into the table. The runtime runs in its own process (bench/runtime-process.ts), the emulators in
 * theirs, and this process only generates the load and measures it.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';
import { ulid } from 'ulid';
import { dynamoClient } from '../lambdas/adapters/clients.ts';
import { loadConfig } from '../lambdas/config.ts';
import { ensureTable } from '../local/table.ts';
import type { Progress } from '../local/progress.ts';
import type { FromRuntime, ToRuntime } from './runtime-process.ts';
import { seedLeads } from './seed.ts';

export interface LoadOptions {
  env: Record<string, string>;
  /** Sign-ups per second. */
  arrivalRate: number;
  seconds: number;
  backlog: number;
  /** MAX_SEND_RATE of the runtime: every send (welcomes and backlog) shares it. */
  sendRate: number;
  /** CPU time the emulators' process has used so far. */
  emulatorCpuMs: () => Promise<number>;
  /** Where to say what it is doing (stderr lines). */
  progress?: Progress;
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

/** The most sends in any window [t, t + 1 s), t being any send time. */
export function maxInAnySecond(times: number[]): number {
  let max = 0;
  for (let first = 0, last = 0; first < times.length; first++) {
    while (last < times.length && times[last]! < times[first]! + 1000) last++;
    max = Math.max(max, last - first);
  }
  return max;
}

export async function load({ env, arrivalRate, seconds, backlog, sendRate, emulatorCpuMs, progress }: LoadOptions) {
  const table = `bench-load-${ulid().toLowerCase()}`;
  const config = loadConfig({ ...env, TABLE_NAME: table });
  const dynamo = dynamoClient(config);
  await ensureTable(dynamo, table);
  await seedLeads(
    table,
    dynamo,
    backlog,
    () => Date.now() - 60_000,
    config.DUE_SHARDS,
    (written) => progress?.count('load: seeding the backlog of due leads', written, backlog),
  );

  progress?.step('load: starting the runtime in its own process');
  const runtime = fork('bench/runtime-process.ts', {
    // BENCH_CPU_PROF=1 writes CPU profiles of the runtime and the emulators to bench/results/ (Chrome DevTools opens them).
    execArgv: [
      '--import',
      'tsx',
      '--expose-gc',
      ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir=bench/results'] : []),
    ],
    env: { ...process.env, ...env, TABLE_NAME: table, MAX_SEND_RATE: String(sendRate), POWERTOOLS_LOG_LEVEL: 'ERROR' },
  });
  const send = (message: ToRuntime) => runtime.send(message);
  const next = async <T extends FromRuntime['type']>(type: T) => {
    for (;;) {
      const [message] = (await once(runtime, 'message')) as [FromRuntime];
      if (message.type === type) return message as Extract<FromRuntime, { type: T }>;
    }
  };
  const { url } = await next('ready');
  const signUp = (label: string) =>
    fetch(`${url}/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: `${label}-${ulid().toLowerCase()}@example.com`,
        firstName: 'Load',
        consent: true,
        timeZone: 'America/Chicago',
      }),
    }).then(async (response) => {
      await response.text();
      return response.status;
    });
  // Warm up connections and code paths; not measured.
  progress?.step('load: warming up (20 sign-ups, not measured)');
  for (let i = 0; i < 20; i++) await signUp('warmup');

  const loadBefore = os.loadavg();
  const emulatorCpuBefore = await emulatorCpuMs();
  send({ type: 'dispatch' });
  const started = performance.timeOrigin + performance.now();
  const total = arrivalRate * seconds;
  progress?.step(`load: ${arrivalRate} sign-ups/s for ${seconds} s while the dispatcher works the backlog`);
  const latencies: number[] = [];
  // Latency per second of the run (worst of each), to tell a steady delay from a stall.
  const worstBySecond: number[] = Array.from({ length: seconds }, () => 0);
  const errors: Record<string, number> = {};
  const inFlight: Promise<void>[] = [];
  let maxLagMs = 0;
  for (let i = 0; i < total; i++) {
    // Arrival i is due at a fixed time whatever happened before: latency counts from then, not from when we got to it.
    const due = started + (i * 1000) / arrivalRate;
    const wait = due - (performance.timeOrigin + performance.now());
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    maxLagMs = Math.max(maxLagMs, performance.timeOrigin + performance.now() - due);
    if (i % arrivalRate === 0) progress?.count('load: seconds of sign-ups', i / arrivalRate, seconds);
    inFlight.push(
      signUp('load').then(
        (status) => {
          const latency = performance.timeOrigin + performance.now() - due;
          latencies.push(latency);
          const second = Math.floor(i / arrivalRate);
          worstBySecond[second] = Math.max(worstBySecond[second]!, Math.round(latency));
          if (status !== 201) errors[`HTTP ${status}`] = (errors[`HTTP ${status}`] ?? 0) + 1;
        },
        (error: Error) => void (errors[error.name] = (errors[error.name] ?? 0) + 1),
      ),
    );
  }
  progress?.count('load: seconds of sign-ups', seconds, seconds);
  progress?.step("load: waiting for the last answers, then the runtime's numbers");
  await Promise.all(inFlight);
  const ended = started + seconds * 1000;
  const emulatorCpuPercent = Math.round(
    (((await emulatorCpuMs()) - emulatorCpuBefore) / (performance.timeOrigin + performance.now() - started)) * 100,
  );
  const loadAfter = os.loadavg();

  send({ type: 'finish' });
  const { sendTimes, welcomeTimes, handlerMs, memory, runs, cpuPercent } = await next('finished');
  handlerMs.sort((a, b) => a - b);
  await once(runtime, 'exit');

  const during = (times: number[]) => times.filter((t) => t >= started && t < ended).sort((a, b) => a - b);
  const inWindow = during(sendTimes);
  const perSecond = inWindow.length / seconds;
  const maxOneSecond = maxInAnySecond(inWindow);
  latencies.sort((a, b) => a - b);
  const errorCount = Object.values(errors).reduce((sum, n) => sum + n, 0);
  return {
    arrivalRate,
    seconds,
    backlog,
    signups: {
      sent: total,
      answered: latencies.length,
      errors: errorCount,
      errorKinds: errors,
      p50Ms: quantile(latencies, 0.5),
      p99Ms: quantile(latencies, 0.99),
      maxMs: latencies.at(-1) ?? NaN,
      generatorMaxLagMs: maxLagMs,
      worstBySecond,
      inHandler: { p50Ms: quantile(handlerMs, 0.5), p99Ms: quantile(handlerMs, 0.99), maxMs: handlerMs.at(-1) ?? NaN },
    },
    sends: {
      limit: sendRate,
      concurrency: Number(env.DISPATCH_CONCURRENCY),
      total: inWindow.length,
      welcomes: during(welcomeTimes).length,
      perSecond,
      ratio: perSecond / sendRate,
      maxInAnySecond: maxOneSecond,
      dispatchRuns: runs,
    },
    memoryMiB: memory,
    runtimeCpuPercent: cpuPercent,
    emulatorCpuPercent,
    loadAverage: { before: loadBefore, after: loadAfter },
  };
}
