/**
 * `npm run bench`: the numbers issue #2 asks for, measured on this machine against the local emulators.
 *   1. speed to lead: sign-up request → SES accepted the welcome (the answer waits for it), p50 / p99
 *   2. dispatch throughput as a ratio to raw SendRawEmail calls at the same concurrency
 *   3. due-lead collection time with 1k vs 100k idle leads in the table
 *   4. the report (`npm run report`, /admin) over 10k leads: reading the table, and computing the report
 *   5. load: 50 sign-ups/s for 60 s while the dispatcher works 10,000 due leads at MAX_SEND_RATE (bench/load.ts)
 * `npm run bench -- --only load` (or speed, throughput, due, report; comma-separated) runs some of them.
 * Prints a table and writes bench/results/latest.json, keeping the last result of any scenario not run; each result
 * carries its own time and machine. What it is doing goes to stderr as it goes (local/progress.ts).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { SendRawEmailCommand } from '@aws-sdk/client-ses';
import { ulid } from 'ulid';
import { loadConfig } from '../lambdas/config.ts';
import { resolveSecrets } from '../lambdas/adapters/secrets.ts';
import { dynamoClient, sesClient } from '../lambdas/adapters/clients.ts';
import { composeService } from '../lambdas/compose.ts';
import { composeMime } from '../lambdas/adapters/ses-mailer.ts';
import { dispatchDue } from '../lambdas/domain/dispatch.ts';
import { buildReport } from '../lambdas/domain/report.ts';
import { DynamoReportSource } from '../lambdas/adapters/dynamo-report-source.ts';
import { eventKey, leadKey, messageKey } from '../lambdas/adapters/dynamo-keys.ts';
import { sequences } from '../emails/sequences.ts';
import { load } from './load.ts';
import { batchWrite, seedLeads } from './seed.ts';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { startHttpServer } from '../local/http-server.ts';
import { ensureTable } from '../local/table.ts';
import { makeSignupHandler } from '../lambdas/handlers/signup.ts';
import { z } from 'zod';
import { bad, command } from '../local/cli.ts';
import { elapsed, progress } from '../local/progress.ts';

process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
const SCENARIOS = ['speed', 'throughput', 'due', 'report', 'load'] as const;
const USAGE = `usage: npm run bench [-- [--only SCENARIOS]]
  --only SCENARIOS   run only these, comma-separated, like --only due,report (default: all)
                     ${SCENARIOS.join(', ')}
  -h, --help         show this help
Prints a table and writes bench/results/latest.json; says what it is doing on stderr as it goes. The whole bench
takes several minutes. Sizes: BENCH_SIGNUPS (300), BENCH_SENDS (2000), BENCH_IDLE (100000), BENCH_REPORT_LEADS (10000),
BENCH_ARRIVAL_RATE (50), BENCH_LOAD_SECONDS (60), BENCH_BACKLOG (10000), BENCH_SEND_RATE (100); BENCH_CPU_PROF=1 writes
CPU profiles to bench/results/.`;
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
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const ms = (n: number) => `${n.toFixed(1)} ms`;

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

// 1. Speed to lead, through the local HTTP server as a browser's fetch would see it.
async function speedToLead(count: number) {
  const { wiring } = await setup('bench-signup');
  const server = await startHttpServer({ 'POST /signup': makeSignupHandler(wiring) }, 0);
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/signup`;
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: `lead${i}-${ulid()}@example.com`,
        firstName: 'Bench',
        consent: true,
        timeZone: 'America/Chicago',
      }),
    });
    await response.text();
    if (response.status !== 201) throw new Error(`sign-up answered ${response.status}`);
    times.push(performance.now() - started);
    say.count('speed: sign-ups', i + 1, count);
  }
  server.close();
  await clearInbox();
  times.sort((a, b) => a - b);
  return { count, p50Ms: quantile(times, 0.5), p99Ms: quantile(times, 0.99), maxMs: times.at(-1)! };
}

// 2. Dispatch throughput vs raw SendRawEmail at the same concurrency and message size.
async function throughput(count: number) {
  const { config, dynamo, wiring } = await setup('bench-dispatch');
  await seedLeads(
    config.TABLE_NAME,
    dynamo,
    count,
    () => Date.now() - 60_000,
    config.DUE_SHARDS,
    (written) => say.count('throughput: seeding due leads', written, count),
  );

  say.step(`throughput: dispatching ${count} due leads`);
  const started = performance.now();
  const report = await dispatchDue(wiring.dispatch);
  const dispatchSeconds = (performance.now() - started) / 1000;
  if (report.sent !== count) throw new Error(`dispatch sent ${report.sent} of ${count}`);

  const sample = await wiring.dispatch.renderer.render('nurture', 'how-it-works', {
    firstName: 'Seed',
    unsubscribeUrl: 'https://nurture.clinic.example/unsubscribe?token=x',
  });
  const raw = await composeMime(
    { to: { address: 'raw@example.com', name: 'Raw' }, ...sample, unsubscribeUrl: 'https://nurture.clinic.example/u' },
    { from: { name: 'Clinic', address: 'care@clinic.example' }, replyTo: 'frontdesk@clinic.example' },
  );
  const ses = sesClient(config);
  let remaining = count;
  let rawSent = 0;
  say.step(`throughput: dispatched in ${dispatchSeconds.toFixed(1)} s; now ${count} bare SendRawEmail calls`);
  const rawStarted = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (remaining-- > 0) {
        await ses.send(new SendRawEmailCommand({ RawMessage: { Data: raw }, ConfigurationSetName: 'bench' }));
        say.count('throughput: bare SendRawEmail calls', ++rawSent, count);
      }
    }),
  );
  const rawSeconds = (performance.now() - rawStarted) / 1000;
  await clearInbox();
  const dispatchRate = count / dispatchSeconds;
  const rawRate = count / rawSeconds;
  return {
    count,
    concurrency: CONCURRENCY,
    dispatchPerSecond: dispatchRate,
    rawPerSecond: rawRate,
    ratio: dispatchRate / rawRate,
  };
}

// 3. Due collection: the sparse, sharded index makes it cost what is due, not what exists.
async function dueCollection(idleSizes: number[], due: number) {
  // Seed every table first, then measure them interleaved, so heap size and warm-up weigh on both alike.
  const tables = [];
  for (const idle of idleSizes) {
    const { config, dynamo, wiring } = await setup(`bench-due-${idle}`);
    const future = Date.now() + 30 * 86_400_000;
    say.step(`due: making ${idle} idle and ${due} due leads for ${config.TABLE_NAME}, then writing them`);
    const seeding = (written: number) => say.count(`due: seeding ${config.TABLE_NAME}, leads`, written, idle + due);
    await seedLeads(config.TABLE_NAME, dynamo, idle, (i) => future + i, config.DUE_SHARDS, seeding);
    await seedLeads(
      config.TABLE_NAME,
      dynamo,
      due,
      () => Date.now() - 1000,
      config.DUE_SHARDS,
      (written) => seeding(idle + written),
    );
    tables.push({ idle, shards: config.DUE_SHARDS, store: wiring.store, times: [] as number[] });
  }
  for (let run = 0; run < 41; run++) {
    say.count(`due: collecting ${due} due leads from each table, runs`, run + 1, 41);
    for (const table of tables) {
      const started = performance.now();
      const ids = (
        await Promise.all(Array.from({ length: table.shards }, (_, shard) => table.store.due(shard, new Date(), 1000)))
      ).flat();
      if (run > 0) table.times.push(performance.now() - started); // the first run warms up
      if (ids.length !== due) throw new Error(`collected ${ids.length} of ${due}`);
    }
  }
  return tables.map(({ idle, times }) => ({
    idle,
    due,
    medianMs: quantile(
      times.sort((a, b) => a - b),
      0.5,
    ),
  }));
}

// 4. The report reads the whole table (a Scan): its time grows with the table. Leads as they look mid-sequence:
// a profile, one to eight messages with their counters, a click on every fourth email, and one booking in twenty.
async function reportTime(leads: number) {
  const { config, dynamo } = await setup('bench-report');
  say.step(`report: making ${leads} leads mid-sequence, with their messages and events`);
  const steps = sequences.nurture!.steps.map((step) => step.id);
  const start = Date.parse('2026-01-05T15:00:00Z');
  const items: Record<string, unknown>[] = [];
  for (let i = 0; i < leads; i++) {
    const leadId = ulid();
    const sent = steps.slice(0, 1 + (i % steps.length));
    const iso = (day: number) => new Date(start + day * 86_400_000).toISOString();
    items.push({
      ...leadKey(leadId),
      type: 'lead',
      leadId,
      email: `report-${leadId.toLowerCase()}@example.com`,
      firstName: 'Seed',
      timeZone: 'America/New_York',
      consent: { at: iso(0), textVersion: 'bench' },
      attribution: {},
      createdAt: iso(0),
      status: i % 20 === 0 ? 'booked' : 'active',
      sequenceId: 'nurture',
      sentSteps: sent,
      ...(i % 20 === 0 && { bookedAt: iso(sent.length * 3) }),
      deliveries: sent.length,
    });
    sent.forEach((stepId, n) => {
      const clicked = (i + n) % 4 === 0;
      items.push({
        ...messageKey(leadId, 'nurture', stepId),
        type: 'message',
        leadId,
        sequenceId: 'nurture',
        stepId,
        state: 'sent',
        at: iso(n * 3),
        messageId: ulid(),
        countSend: 1,
        countDelivery: 1,
        countOpen: 1,
        ...(clicked && { countClick: 1 }),
      });
      for (const type of ['Send', 'Delivery', 'Open', ...(clicked ? ['Click'] : [])]) {
        items.push({
          ...eventKey(leadId, `${type}|${stepId}`),
          type: 'event',
          eventType: type,
          sequenceId: 'nurture',
          stepId,
          at: iso(n * 3 + 1),
        });
      }
    });
  }
  await batchWrite(dynamo, config.TABLE_NAME, items, (written) =>
    say.count(`report: writing ${leads} leads mid-sequence, items`, written, items.length),
  );
  const source = new DynamoReportSource(dynamo, config.TABLE_NAME);
  const reads: number[] = [];
  const builds: number[] = [];
  for (let run = 0; run < 3; run++) {
    say.step(`report: reading the table and computing the report, run ${run + 1} of 3`);
    let started = performance.now();
    const input = await source.read();
    reads.push(performance.now() - started);
    started = performance.now();
    const report = buildReport(input, { now: new Date(), sequences });
    builds.push(performance.now() - started);
    if (report.nurture.leads !== leads) throw new Error(`report counted ${report.nurture.leads} of ${leads} leads`);
  }
  return {
    leads,
    items: items.length,
    readMs: quantile(
      reads.sort((a, b) => a - b),
      0.5,
    ),
    buildMs: quantile(
      builds.sort((a, b) => a - b),
      0.5,
    ),
  };
}

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
  () => speedToLead(Number(process.env.BENCH_SIGNUPS ?? 300)),
  (r) => `p50 ${ms(r.p50Ms)}, p99 ${ms(r.p99Ms)} over ${r.count} sign-ups (target: p99 < 1000 ms)`,
);
const rate = await scenario(
  'throughput',
  () => throughput(Number(process.env.BENCH_SENDS ?? 2000)),
  (r) =>
    `${r.dispatchPerSecond.toFixed(0)} sends/s vs ${r.rawPerSecond.toFixed(0)} bare SendRawEmail/s: ratio ${r.ratio.toFixed(2)} (target: >= 0.80)`,
);
const collection = await scenario(
  'due',
  async () => ({ runs: await dueCollection([1_000, Number(process.env.BENCH_IDLE ?? 100_000)], 200) }),
  ({ runs: [small, big] }) =>
    `median ${ms(small!.medianMs)} with ${small!.idle} idle vs ${ms(big!.medianMs)} with ${big!.idle} idle: ${(big!.medianMs / small!.medianMs).toFixed(2)}x (target: <= 1.2x)`,
);
const reporting = await scenario(
  'report',
  () => reportTime(Number(process.env.BENCH_REPORT_LEADS ?? 10_000)),
  (r) => `read ${ms(r.readMs)}, compute ${ms(r.buildMs)} for ${r.leads} leads (${r.items} items)`,
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
say.step('stopping the emulators');
await emulators.stop();
say.done('done');

const growth = collection && collection.runs[1]!.medianMs / collection.runs[0]!.medianMs;
// Files written before each scenario kept its own machine had one label for all: it is dropped, not guessed.
const {
  machine: _oneLabelForAll,
  at: _written,
  ...previous
} = (
  existsSync('bench/results/latest.json') ? JSON.parse(readFileSync('bench/results/latest.json', 'utf8')) : {}
) as Record<string, unknown>;
/** This run's scenarios; the others keep what the last run of them wrote. */
const fresh = {
  ...(speed && { speedToLead: { ...speed, targetP99Ms: 1000, pass: speed.p99Ms < 1000 } }),
  ...(rate && { dispatchThroughput: { ...rate, targetRatio: 0.8, pass: rate.ratio >= 0.8 } }),
  ...(collection && { dueCollection: { ...collection, growth, targetGrowth: 1.2, pass: growth! <= 1.2 } }),
  ...(reporting && { report: reporting }),
  ...(loaded && {
    load: {
      ...loaded,
      targets: {
        errors: 0,
        p99Ms: 250,
        sendRatioAtLeast: 0.95,
        maxInAnySecondAtMost: loaded.sends.limit,
        memoryGrowthMiBAtMost: 5,
      },
      pass: {
        errors: loaded.signups.errors === 0,
        p99: loaded.signups.p99Ms < 250,
        sendRate: loaded.sends.ratio >= 0.95 && loaded.sends.ratio <= 1,
        neverAboveLimit: loaded.sends.maxInAnySecond <= loaded.sends.limit,
        noMemoryGrowth: loaded.memoryMiB.end.heapUsed - loaded.memoryMiB.start.heapUsed <= 5,
      },
    },
  }),
};
const results = { ...previous, ...fresh };
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/latest.json', JSON.stringify(results, null, 2));

const mark = (pass: boolean) => (pass ? 'ok' : 'MISSED');
const row = (value: string, target = '', pass?: boolean) => ({
  value,
  target,
  result: pass === undefined ? '' : mark(pass),
});
console.table({
  ...(speed && {
    'speed to lead p50': row(ms(speed.p50Ms)),
    'speed to lead p99': row(ms(speed.p99Ms), '< 1000 ms', fresh.speedToLead?.pass),
  }),
  ...(rate && {
    'dispatch sends/s': row(rate.dispatchPerSecond.toFixed(0)),
    'raw SendRawEmail/s': row(rate.rawPerSecond.toFixed(0)),
    'throughput ratio': row(rate.ratio.toFixed(2), '>= 0.80', fresh.dispatchThroughput?.pass),
  }),
  ...(collection && {
    [`due collect, ${collection.runs[0]!.idle} idle`]: row(ms(collection.runs[0]!.medianMs)),
    [`due collect, ${collection.runs[1]!.idle} idle`]: row(ms(collection.runs[1]!.medianMs)),
    'due collect growth': row(`${growth!.toFixed(2)}x`, '<= 1.2x', fresh.dueCollection?.pass),
  }),
  ...(reporting && {
    [`report read, ${reporting.leads} leads`]: {
      value: ms(reporting.readMs),
      target: '',
      result: `${reporting.items} items`,
    },
    [`report compute, ${reporting.leads} leads`]: row(ms(reporting.buildMs)),
  }),
  ...(loaded && {
    [`load: sign-ups at ${loaded.arrivalRate}/s, p50`]: row(ms(loaded.signups.p50Ms)),
    'load: sign-up p99': row(ms(loaded.signups.p99Ms), '< 250 ms', fresh.load?.pass.p99),
    'load: sign-up max': row(ms(loaded.signups.maxMs)),
    'load: in the handler p50/p99/max': row(
      `${ms(loaded.signups.inHandler.p50Ms)} / ${ms(loaded.signups.inHandler.p99Ms)} / ${ms(loaded.signups.inHandler.maxMs)}`,
    ),
    'load: errors': row(`${loaded.signups.errors} of ${loaded.signups.sent}`, '0', fresh.load?.pass.errors),
    'load: sends/s (MAX_SEND_RATE)': row(
      `${loaded.sends.perSecond.toFixed(1)} (${loaded.sends.limit})`,
      '95-100% of limit',
      fresh.load?.pass.sendRate,
    ),
    'load: most sends in any 1 s': row(
      String(loaded.sends.maxInAnySecond),
      `<= ${loaded.sends.limit}`,
      fresh.load?.pass.neverAboveLimit,
    ),
    'load: heap start/peak/end MiB': row(
      `${loaded.memoryMiB.start.heapUsed} / ${loaded.memoryMiB.peak.heapUsed} / ${loaded.memoryMiB.end.heapUsed}`,
      'end - start <= 5',
      fresh.load?.pass.noMemoryGrowth,
    ),
    'load: RSS start/peak/end MiB': row(
      `${loaded.memoryMiB.start.rss} / ${loaded.memoryMiB.peak.rss} / ${loaded.memoryMiB.end.rss}`,
    ),
    'load: runtime CPU (% of a core)': row(`${loaded.runtimeCpuPercent}%`),
    'load: emulators CPU (% of a core)': row(`${loaded.emulatorCpuPercent}%`),
    'load: load average before/after': row(
      `${loaded.loadAverage.before[0]!.toFixed(2)} / ${loaded.loadAverage.after[0]!.toFixed(2)}`,
    ),
  }),
});
console.log(`Wrote bench/results/latest.json (${machine.cpus} cores, ${machine.cpu}).`);
