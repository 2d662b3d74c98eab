/**
 * `npm run bench`: the numbers issue #2 asks for, measured on this machine against the local emulators.
 *   1. speed to lead: sign-up request → SES accepted the welcome (the answer waits for it), p50 / p99
 *   2. dispatch throughput as a ratio to raw SendRawEmail calls at the same concurrency
 *   3. due-lead collection time with 1k vs 100k idle leads in the table
 *   4. the report (`npm run report`, /admin) over 10k leads: reading the table, and computing the report
 * Prints a table and writes bench/results/latest.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { SendRawEmailCommand } from '@aws-sdk/client-ses';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { loadConfig } from '../lambdas/config.ts';
import { resolveSecrets } from '../lambdas/adapters/secrets.ts';
import { dynamoClient, sesClient, wire } from '../lambdas/adapters/clients.ts';
import { leadKey } from '../lambdas/adapters/dynamo-lead-store.ts';
import { composeMime } from '../lambdas/adapters/ses-mailer.ts';
import { dispatchDue } from '../lambdas/domain/dispatch.ts';
import { shardFor } from '../lambdas/domain/lead.ts';
import { buildReport } from '../lambdas/domain/report.ts';
import { DynamoReportSource } from '../lambdas/adapters/dynamo-report-source.ts';
import { sequences } from '../emails/sequences.ts';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { startHttpServer } from '../local/http-server.ts';
import { ensureTable } from '../local/table.ts';
import { makeSignupHandler } from '../lambdas/handlers/signup.ts';

process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
const CONCURRENCY = 8;
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const ms = (n: number) => `${n.toFixed(1)} ms`;

// The emulators get their own process (and core), as DynamoDB and SES are other machines in AWS.
const child = spawn(process.execPath, ['--import', 'tsx', 'bench/emulators-process.ts'], { stdio: ['ignore', 'pipe', 'inherit'] });
const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
const emulators = { ...(JSON.parse(line) as { dynamoEndpoint: string; sesEndpoint: string }), stop: async () => void child.kill('SIGTERM') };
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
  return { config, dynamo, wiring: wire(config, { clock: { now: () => new Date() }, sendRate: 1_000_000, dynamo }) };
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
      body: JSON.stringify({ email: `lead${i}-${ulid()}@example.com`, firstName: 'Bench', consent: true, timeZone: 'America/Chicago' }),
    });
    await response.text();
    if (response.status !== 201) throw new Error(`sign-up answered ${response.status}`);
    times.push(performance.now() - started);
  }
  server.close();
  await clearInbox();
  times.sort((a, b) => a - b);
  return { count, p50Ms: quantile(times, 0.5), p99Ms: quantile(times, 0.99), maxMs: times.at(-1)! };
}

async function batchWrite(dynamo: ReturnType<typeof dynamoClient>, table: string, items: Record<string, unknown>[]) {
  const doc = DynamoDBDocumentClient.from(dynamo);
  const batches: (typeof items)[] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  const workers = Array.from({ length: 8 }, async () => {
    for (let batch = batches.shift(); batch; batch = batches.shift()) {
      await doc.send(new BatchWriteCommand({ RequestItems: { [table]: batch.map((Item) => ({ PutRequest: { Item } })) } }));
    }
  });
  await Promise.all(workers);
}

async function seedLeads(table: string, dynamo: ReturnType<typeof dynamoClient>, count: number, dueAt: (i: number) => number, shards: number) {
  const now = new Date().toISOString();
  const items = Array.from({ length: count }, (_, i) => {
    const leadId = ulid();
    const at = dueAt(i);
    return {
      ...leadKey(leadId), type: 'lead', leadId, email: `seed-${leadId.toLowerCase()}@example.com`, firstName: 'Seed', timeZone: 'America/New_York',
      consent: { at: now, textVersion: 'bench' }, attribution: {}, createdAt: now, status: 'active', sequenceId: 'nurture',
      sentSteps: ['welcome'], nextStepId: 'how-it-works', nextSendAt: new Date(at).toISOString(), dueShard: shardFor(leadId, shards), dueAt: at,
    };
  });
  await batchWrite(dynamo, table, items);
}

// 2. Dispatch throughput vs raw SendRawEmail at the same concurrency and message size.
async function throughput(count: number) {
  const { config, dynamo, wiring } = await setup('bench-dispatch');
  await seedLeads(config.TABLE_NAME, dynamo, count, () => Date.now() - 60_000, config.DUE_SHARDS);

  const started = performance.now();
  const report = await dispatchDue(wiring.dispatch);
  const dispatchSeconds = (performance.now() - started) / 1000;
  if (report.sent !== count) throw new Error(`dispatch sent ${report.sent} of ${count}`);

  const sample = await wiring.dispatch.renderer.render('nurture', 'how-it-works', { firstName: 'Seed', unsubscribeUrl: 'https://nurture.clinic.example/unsubscribe?token=x' });
  const raw = await composeMime(
    { to: { address: 'raw@example.com', name: 'Raw' }, ...sample, unsubscribeUrl: 'https://nurture.clinic.example/u' },
    { from: { name: 'Clinic', address: 'care@clinic.example' }, replyTo: 'frontdesk@clinic.example' },
  );
  const ses = sesClient(config);
  let remaining = count;
  const rawStarted = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (remaining-- > 0) await ses.send(new SendRawEmailCommand({ RawMessage: { Data: raw }, ConfigurationSetName: 'bench' }));
    }),
  );
  const rawSeconds = (performance.now() - rawStarted) / 1000;
  await clearInbox();
  const dispatchRate = count / dispatchSeconds;
  const rawRate = count / rawSeconds;
  return { count, concurrency: CONCURRENCY, dispatchPerSecond: dispatchRate, rawPerSecond: rawRate, ratio: dispatchRate / rawRate };
}

// 3. Due collection: the sparse, sharded index makes it cost what is due, not what exists.
async function dueCollection(idleSizes: number[], due: number) {
  // Seed every table first, then measure them interleaved, so heap size and warm-up weigh on both alike.
  const tables = [];
  for (const idle of idleSizes) {
    const { config, dynamo, wiring } = await setup(`bench-due-${idle}`);
    const future = Date.now() + 30 * 86_400_000;
    await seedLeads(config.TABLE_NAME, dynamo, idle, (i) => future + i, config.DUE_SHARDS);
    await seedLeads(config.TABLE_NAME, dynamo, due, () => Date.now() - 1000, config.DUE_SHARDS);
    tables.push({ idle, shards: config.DUE_SHARDS, store: wiring.store, times: [] as number[] });
  }
  for (let run = 0; run < 41; run++) {
    for (const table of tables) {
      const started = performance.now();
      const ids = (await Promise.all(Array.from({ length: table.shards }, (_, shard) => table.store.due(shard, new Date(), 1000)))).flat();
      if (run > 0) table.times.push(performance.now() - started); // the first run warms up
      if (ids.length !== due) throw new Error(`collected ${ids.length} of ${due}`);
    }
  }
  return tables.map(({ idle, times }) => ({ idle, due, medianMs: quantile(times.sort((a, b) => a - b), 0.5) }));
}

// 4. The report reads the whole table (a Scan): its time grows with the table. Leads as they look mid-sequence:
// a profile, one to eight messages with their counters, a click on every fourth email, and one booking in twenty.
async function reportTime(leads: number) {
  const { config, dynamo } = await setup('bench-report');
  const steps = sequences.nurture!.steps.map((step) => step.id);
  const start = Date.parse('2026-01-05T15:00:00Z');
  const items: Record<string, unknown>[] = [];
  for (let i = 0; i < leads; i++) {
    const leadId = ulid();
    const sent = steps.slice(0, 1 + (i % steps.length));
    const iso = (day: number) => new Date(start + day * 86_400_000).toISOString();
    items.push({
      ...leadKey(leadId), type: 'lead', leadId, email: `report-${leadId.toLowerCase()}@example.com`, firstName: 'Seed', timeZone: 'America/New_York',
      consent: { at: iso(0), textVersion: 'bench' }, attribution: {}, createdAt: iso(0), status: i % 20 === 0 ? 'booked' : 'active', sequenceId: 'nurture', sentSteps: sent,
      ...(i % 20 === 0 && { bookedAt: iso(sent.length * 3) }), deliveries: sent.length,
    });
    sent.forEach((stepId, n) => {
      const clicked = (i + n) % 4 === 0;
      items.push({ pk: `LEAD#${leadId}`, sk: `MSG#nurture#${stepId}`, type: 'message', leadId, sequenceId: 'nurture', stepId, state: 'sent', at: iso(n * 3), messageId: ulid(), countSend: 1, countDelivery: 1, countOpen: 1, ...(clicked && { countClick: 1 }) });
      for (const type of ['Send', 'Delivery', 'Open', ...(clicked ? ['Click'] : [])]) {
        items.push({ pk: `LEAD#${leadId}`, sk: `EVT#${type}|${stepId}`, type: 'event', eventType: type, sequenceId: 'nurture', stepId, at: iso(n * 3 + 1) });
      }
    });
  }
  await batchWrite(dynamo, config.TABLE_NAME, items);
  const source = new DynamoReportSource(dynamo, config.TABLE_NAME);
  const reads: number[] = [];
  const builds: number[] = [];
  for (let run = 0; run < 3; run++) {
    let started = performance.now();
    const input = await source.read();
    reads.push(performance.now() - started);
    started = performance.now();
    const report = buildReport(input, { now: new Date(), sequences });
    builds.push(performance.now() - started);
    if (report.nurture.leads !== leads) throw new Error(`report counted ${report.nurture.leads} of ${leads} leads`);
  }
  return { leads, items: items.length, readMs: quantile(reads.sort((a, b) => a - b), 0.5), buildMs: quantile(builds.sort((a, b) => a - b), 0.5) };
}

const speed = await speedToLead(Number(process.env.BENCH_SIGNUPS ?? 300));
const rate = await throughput(Number(process.env.BENCH_SENDS ?? 2000));
const collection = await dueCollection([1_000, Number(process.env.BENCH_IDLE ?? 100_000)], 200);
const reporting = await reportTime(Number(process.env.BENCH_REPORT_LEADS ?? 10_000));
await emulators.stop();

const growth = collection[1]!.medianMs / collection[0]!.medianMs;
const results = {
  machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
  at: new Date().toISOString(),
  speedToLead: { ...speed, targetP99Ms: 1000, pass: speed.p99Ms < 1000 },
  dispatchThroughput: { ...rate, targetRatio: 0.8, pass: rate.ratio >= 0.8 },
  dueCollection: { runs: collection, growth, targetGrowth: 1.2, pass: growth <= 1.2 },
  report: reporting,
};
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/latest.json', JSON.stringify(results, null, 2));

const mark = (pass: boolean) => (pass ? 'ok' : 'MISSED');
console.table({
  'speed to lead p50': { value: ms(speed.p50Ms), target: '', result: '' },
  'speed to lead p99': { value: ms(speed.p99Ms), target: '< 1000 ms', result: mark(results.speedToLead.pass) },
  'dispatch sends/s': { value: rate.dispatchPerSecond.toFixed(0), target: '', result: '' },
  'raw SendRawEmail/s': { value: rate.rawPerSecond.toFixed(0), target: '', result: '' },
  'throughput ratio': { value: rate.ratio.toFixed(2), target: '>= 0.80', result: mark(results.dispatchThroughput.pass) },
  [`due collect, ${collection[0]!.idle} idle`]: { value: ms(collection[0]!.medianMs), target: '', result: '' },
  [`due collect, ${collection[1]!.idle} idle`]: { value: ms(collection[1]!.medianMs), target: '', result: '' },
  'due collect growth': { value: `${growth.toFixed(2)}x`, target: '<= 1.2x', result: mark(results.dueCollection.pass) },
  [`report read, ${reporting.leads} leads`]: { value: ms(reporting.readMs), target: '', result: `${reporting.items} items` },
  [`report compute, ${reporting.leads} leads`]: { value: ms(reporting.buildMs), target: '', result: '' },
});
console.log(`Wrote bench/results/latest.json (${results.machine.cpus} cores, ${results.machine.cpu}).`);
