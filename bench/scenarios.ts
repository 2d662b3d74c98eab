/**
 * The measurements of `npm run bench` (bench/run.ts) but the load test (bench/load.ts), each against the emulators the
 * run started, on a table of its own.
 */
import { SendRawEmailCommand } from '@aws-sdk/client-ses';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ulid } from 'ulid';
import { sesClient } from '../lambdas/adapters/clients.ts';
import { DynamoReportSource } from '../lambdas/adapters/dynamo-report-source.ts';
import { composeMime } from '../lambdas/adapters/ses-mailer.ts';
import type { ResolvedConfig, Service } from '../lambdas/compose.ts';
import { dispatchDue } from '../lambdas/domain/dispatch.ts';
import { DynamoReportCounters } from '../lambdas/adapters/dynamo-report-counters.ts';
import { SEQUENCE_IDS } from '../lambdas/contract.ts';
import { reportFromCounts } from '../lambdas/domain/report.ts';
import { recount } from '../lambdas/domain/report-counts.ts';
import { makeSignupHandler } from '../lambdas/handlers/signup.ts';
import { sequences } from '../emails/sequences.ts';
import { startHttpServer } from '../local/http-server.ts';
import type { Progress } from '../local/progress.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildBundle, BUNDLED_HANDLERS, importTimes } from './bundles.ts';
import { batchWrite, midSequenceItems, seedLeads } from './seed.ts';

/** What every scenario is given by bench/run.ts. */
export interface Bench {
  /** A fresh table of this name, and the whole service composed over it (sending as fast as SES answers). */
  setup: (table: string) => Promise<{ config: ResolvedConfig; dynamo: DynamoDBClient; wiring: Service }>;
  /** Empty the SES emulator's store, so a scenario's mail does not weigh on the next. */
  clearInbox: () => Promise<unknown>;
  say: Progress;
  /** How many sends run at once, in the dispatcher and in the bare SendRawEmail loop alike. */
  concurrency: number;
}

export const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

// 1. Speed to lead, through the local HTTP server as a browser's fetch would see it.
export async function speedToLead({ setup, clearInbox, say }: Bench, count: number) {
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
export async function throughput({ setup, clearInbox, say, concurrency }: Bench, count: number) {
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
    {
      to: { address: 'raw@example.com', name: 'Raw' },
      ...sample,
      unsubscribeUrl: 'https://nurture.clinic.example/u',
      class: 'marketing',
    },
    { from: { name: 'Clinic', address: 'care@clinic.example' }, replyTo: 'frontdesk@clinic.example' },
  );
  const ses = sesClient(config);
  let remaining = count;
  let rawSent = 0;
  say.step(`throughput: dispatched in ${dispatchSeconds.toFixed(1)} s; now ${count} bare SendRawEmail calls`);
  const rawStarted = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
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
    concurrency,
    dispatchPerSecond: dispatchRate,
    rawPerSecond: rawRate,
    ratio: dispatchRate / rawRate,
  };
}

// 3. Due collection: the sparse, sharded index makes it cost what is due, not what exists.
export async function dueCollection({ setup, say }: Bench, idleSizes: number[], due: number) {
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

// 4. The report (/admin, npm run report) reads the counters kept at write time: a Query of a few items, whatever the
// table holds. Beside it, the rebuild (`npm run report -- --rebuild`): a Scan of the whole table and the recount, whose
// time grows with the table. Leads as they look mid-sequence (`midSequenceItems`), written straight into the table, so
// the rebuild's repair writes their counters first, as after deploying the counters onto an existing table.
export async function reportTime({ setup, say }: Bench, leads: number) {
  const { config, dynamo } = await setup('bench-report');
  say.step(`report: making ${leads} leads mid-sequence, with their messages and events`);
  const items = midSequenceItems(leads);
  await batchWrite(dynamo, config.TABLE_NAME, items, (written) =>
    say.count(`report: writing ${leads} leads mid-sequence, items`, written, items.length),
  );
  const source = new DynamoReportSource(dynamo, config.TABLE_NAME);
  const counters = new DynamoReportCounters(dynamo, { tableName: config.TABLE_NAME, retentionDays: 0 });
  const options = () => ({ now: new Date(), sequences });
  const reads: number[] = [];
  const builds: number[] = [];
  let recounted = {};
  // The rebuild over a big table takes minutes: once is enough to show how it grows.
  const rebuilds = leads > 20_000 ? 1 : 3;
  for (let run = 0; run < rebuilds; run++) {
    say.step(`report: the rebuild, a Scan of the whole table and the recount, run ${run + 1} of ${rebuilds}`);
    let started = performance.now();
    const input = await source.read();
    reads.push(performance.now() - started);
    started = performance.now();
    recounted = recount(input, SEQUENCE_IDS.nurture);
    const report = reportFromCounts(recounted, options());
    builds.push(performance.now() - started);
    if (report.nurture.leads !== leads) throw new Error(`report counted ${report.nurture.leads} of ${leads} leads`);
  }
  await counters.replace(recounted);
  const fromCounters: number[] = [];
  for (let run = 0; run < 21; run++) {
    say.count('report: from the counters, runs', run + 1, 21);
    const started = performance.now();
    const report = reportFromCounts(await counters.read(), options());
    if (run > 0) fromCounters.push(performance.now() - started); // the first run warms up
    if (report.nurture.leads !== leads) throw new Error(`counters counted ${report.nurture.leads} of ${leads} leads`);
  }
  const median = (times: number[]) =>
    quantile(
      times.sort((a, b) => a - b),
      0.5,
    );
  return {
    leads,
    items: items.length,
    // How many counts the report is made of (each a number in one of a few items).
    countKeys: Object.keys(recounted).length,
    countersMs: median(fromCounters),
    countersMaxMs: fromCounters.at(-1)!,
    rebuilds,
    readMs: median(reads),
    buildMs: median(builds),
  };
}

// 6. Each Lambda bundle (built as CDK builds it): its size, its largest packages, and how long a fresh Node process
// takes to import it (what a cold start pays before the first event), the median of `runs` processes.
export async function bundleImports({ say }: Pick<Bench, 'say'>, runs: number) {
  const outDir = mkdtempSync(path.join(tmpdir(), 'nurture-bench-bundles-'));
  const bundles = [];
  for (const [i, handler] of BUNDLED_HANDLERS.entries()) {
    const bundle = await buildBundle(handler, outDir);
    const times = await importTimes(bundle.file, runs);
    bundles.push({
      handler,
      bytes: bundle.bytes,
      importMedianMs: quantile(times, 0.5),
      importMinMs: times[0]!,
      importMaxMs: times.at(-1)!,
      /** The five packages (or folders of our own code) that weigh most, in bytes of the bundle. */
      largest: Object.fromEntries(bundle.packages.slice(0, 5)),
    });
    say.count('bundles: handlers', i + 1, BUNDLED_HANDLERS.length);
  }
  rmSync(outDir, { recursive: true, force: true });
  return { runs, bundles };
}
