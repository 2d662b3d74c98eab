/**
 * The local runtime under load, in its own process (forked by bench/load.ts): POST /signup behind the local HTTP
 * server, and the dispatcher working whatever is due, run after run, sharing one pacer at the configured
 * MAX_SEND_RATE. It records when each SendRawEmail request leaves for SES and samples its own memory, and hands
 * both back over IPC when asked.
 */
import { SendRawEmailCommand } from '@aws-sdk/client-ses';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../lambdas/config.ts';
import { resolveSecrets } from '../lambdas/adapters/secrets.ts';
import { systemClock } from '../lambdas/adapters/clock.ts';
import { dynamoClient, sesClient, wire } from '../lambdas/adapters/clients.ts';
import { dispatchDue } from '../lambdas/domain/dispatch.ts';
import { makeSignupHandler } from '../lambdas/handlers/signup.ts';
import { startHttpServer } from '../local/http-server.ts';

export type ToRuntime = { type: 'dispatch' } | { type: 'finish' };
export type FromRuntime =
  | { type: 'ready'; url: string }
  | { type: 'finished'; sendTimes: number[]; memory: MemoryReport; runs: number };

export interface MemoryReport {
  /** After a forced GC, when dispatching starts (MiB). */
  start: { heapUsed: number; rss: number };
  /** The highest seen, sampled every 100 ms (MiB). */
  peak: { heapUsed: number; rss: number };
  /** After a forced GC, once the load is over (MiB). */
  end: { heapUsed: number; rss: number };
  /** heapUsed once a second, MiB. */
  heapSeries: number[];
}

const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
const sample = () => {
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsed: mib(heapUsed), rss: mib(rss) };
};
const collected = () => {
  globalThis.gc?.();
  return sample();
};

const config = await resolveSecrets(loadConfig(process.env));
const ses = sesClient(config);
const sendTimes: number[] = [];
// When the request leaves for SES (after pacing, the in-flight mark and MIME building): what SES's rate limit sees.
ses.middlewareStack.add(
  (next, context) => async (args) => {
    if (context.commandName === SendRawEmailCommand.name) sendTimes.push(performance.timeOrigin + performance.now());
    return next(args);
  },
  { step: 'finalizeRequest', name: 'timeSends' },
);
const wiring = wire(config, { clock: systemClock, sendRate: config.MAX_SEND_RATE!, dynamo: dynamoClient(config), ses });
const server = await startHttpServer({ 'POST /signup': makeSignupHandler(wiring) }, 0);

let start = sample();
const peak = { ...start };
const heapSeries: number[] = [];
let ticks = 0;
const sampler = setInterval(() => {
  const now = sample();
  peak.heapUsed = Math.max(peak.heapUsed, now.heapUsed);
  peak.rss = Math.max(peak.rss, now.rss);
  if (++ticks % 10 === 0) heapSeries.push(now.heapUsed);
}, 100);

let finishing = false;
let runs = 0;
let dispatching: Promise<void> = Promise.resolve();
// Short runs, so the loop stops soon after the load does; the next run picks up what the last one left.
const dispatch = { ...wiring.dispatch, settings: { ...wiring.dispatch.settings, runBudgetMs: 5_000 } };
// As `npm start` does, but without waiting a tick while work remains: a backlog is worked run after run.
async function dispatchLoop() {
  while (!finishing) {
    const report = await dispatchDue(dispatch);
    runs++;
    if (report.due === 0) await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

process.on('message', async (message: ToRuntime) => {
  if (message.type === 'dispatch') {
    start = collected();
    heapSeries.length = 0;
    dispatching = dispatchLoop();
  } else {
    finishing = true;
    await dispatching;
    clearInterval(sampler);
    const end = collected();
    server.close();
    process.send!({ type: 'finished', sendTimes, runs, memory: { start, peak, end, heapSeries } } satisfies FromRuntime, () => process.exit(0));
  }
});
process.send!({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` } satisfies FromRuntime);
