/**
 * The local runtime under load, in its own process (forked by bench/load.ts): POST /signup behind the local HTTP
 * server, and the dispatcher working whatever is due, run after run, sharing one pacer at the configured
 * MAX_SEND_RATE. It records when each SendRawEmail request leaves for SES and samples its own memory, and hands
 * both back over IPC when asked.
 */
import { SendRawEmailCommand, type SendRawEmailCommandInput } from '@aws-sdk/client-ses';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../lambdas/config.ts';
import { resolveSecrets } from '../lambdas/adapters/secrets.ts';
import { sesClient } from '../lambdas/adapters/clients.ts';
import { composeService } from '../lambdas/compose.ts';
import { dispatchDue } from '../lambdas/domain/dispatch.ts';
import { makeSignupHandler } from '../lambdas/handlers/signup.ts';
import { startHttpServer } from '../local/http-server.ts';

export type ToRuntime = { type: 'dispatch' } | { type: 'finish' };
export type FromRuntime =
  | { type: 'ready'; url: string }
  | {
      type: 'finished';
      sendTimes: number[];
      welcomeTimes: number[];
      handlerMs: number[];
      memory: MemoryReport;
      runs: number;
      cpuPercent: number;
    };

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
const welcomeTimes: number[] = [];
// When the request leaves for SES, after everything of ours and of the SDK's: the moment SES's rate limit counts.
ses.middlewareStack.add(
  (next, context) => async (args) => {
    if (context.commandName === SendRawEmailCommand.name) {
      const at = performance.timeOrigin + performance.now();
      sendTimes.push(at);
      const { Tags = [] } = args.input as SendRawEmailCommandInput;
      if (Tags.some((tag) => tag.Name === 'stepId' && tag.Value === 'welcome')) welcomeTimes.push(at);
    }
    return next(args);
  },
  { step: 'deserialize', priority: 'high', name: 'timeSends' },
);
const wiring = composeService(config, { sendRate: config.MAX_SEND_RATE!, ses });
const signup = makeSignupHandler(wiring);
// Time inside the handler, to tell our own latency from time spent queued in a busy machine.
const handlerMs: number[] = [];
const server = await startHttpServer(
  {
    'POST /signup': async (event) => {
      const started = performance.now();
      const result = await signup(event);
      handlerMs.push(performance.now() - started);
      return result;
    },
  },
  0,
);

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

let cpuFrom = { usage: process.cpuUsage(), at: performance.now() };
let finishing = false;
let runs = 0;
let dispatching: Promise<void> = Promise.resolve();
const RUN_BUDGET_MS = 5_000;
const sleep = (ms: number) => new Promise<undefined>((resolve) => setTimeout(resolve, ms));
// Short runs, so the loop stops soon after the load does; the next run picks up what the last one left.
const dispatch = { ...wiring.dispatch, settings: { ...wiring.dispatch.settings, runBudgetMs: RUN_BUDGET_MS } };
// Run after run while work remains, as overlapping scheduled invocations would: a run past its budget finishes the
// leads it holds while the next one starts, so the pacer never waits on a run winding down.
async function dispatchLoop() {
  const running = new Set<Promise<unknown>>();
  while (!finishing) {
    const run = dispatchDue(dispatch).finally(() => {
      runs++;
      running.delete(run);
    });
    running.add(run);
    const report = await Promise.race([run, sleep(RUN_BUDGET_MS)]);
    if (report?.due === 0) await sleep(200);
  }
  await Promise.all(running);
}

process.on('message', async (message: ToRuntime) => {
  if (message.type === 'dispatch') {
    start = collected();
    handlerMs.length = 0;
    cpuFrom = { usage: process.cpuUsage(), at: performance.now() };
    heapSeries.length = 0;
    dispatching = dispatchLoop();
  } else {
    const used = process.cpuUsage(cpuFrom.usage);
    const cpuPercent = Math.round(((used.user + used.system) / 1000 / (performance.now() - cpuFrom.at)) * 100);
    finishing = true;
    await dispatching;
    clearInterval(sampler);
    const end = collected();
    server.close();
    process.send!(
      {
        type: 'finished',
        sendTimes,
        welcomeTimes,
        handlerMs,
        runs,
        cpuPercent,
        memory: { start, peak, end, heapSeries },
      } satisfies FromRuntime,
      () => process.exit(0),
    );
  }
});
process.send!({
  type: 'ready',
  url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
} satisfies FromRuntime);
