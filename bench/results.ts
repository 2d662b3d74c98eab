/** What `npm run bench` keeps and shows: its results against their targets in bench/results/latest.json, and a table. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { load } from './load.ts';
import type { sustainedThroughput } from './throughput.ts';
import type { bundleImports, dueCollection, reportTime, speedToLead, throughput } from './scenarios.ts';
import type { experimentRates } from './experiments.ts';
import type { writesPerEmail } from './writes.ts';

export const ms = (n: number) => `${n.toFixed(1)} ms`;

/** Per email, over whole sequences with their SES events (issue #14 item 2). */
const WRITE_TARGETS = { writeUnits: 6, sendCalls: 3, cpuMs: 2 };

/** The share of runs an experiment may promote a variant that is not the best (issue #17). */
const EXPERIMENT_WRONG_WINNER = 0.05;

/** When and where a scenario ran, kept with its result. */
interface Ran {
  at: string;
  machine: { cpus: number; cpu: string | undefined; memoryGiB: number; node: string; loadAverageAtStart: number };
}
type Result<F extends (...args: never[]) => Promise<object>> = (Ran & Awaited<ReturnType<F>>) | undefined;

/** This run's results (undefined for a scenario not run). */
export interface BenchResults {
  speed: Result<typeof speedToLead>;
  sustained: Result<typeof sustainedThroughput>;
  rate: Result<typeof throughput>;
  collection: (Ran & { runs: Awaited<ReturnType<typeof dueCollection>> }) | undefined;
  reporting: Result<typeof reportTime>;
  loaded: Result<typeof load>;
  bundles: Result<typeof bundleImports>;
  writes: Result<typeof writesPerEmail>;
  experiments: (Ran & ReturnType<typeof experimentRates>) | undefined;
}

/**
 * Write bench/results/latest.json: this run's scenarios with their targets and whether each met them, and what the last
 * run of each other scenario wrote. Then print the table of this run's numbers.
 */
export function writeAndPrint(
  { speed, sustained, rate, collection, reporting, loaded, bundles, writes, experiments }: BenchResults,
  machine: Pick<Ran['machine'], 'cpus' | 'cpu'>,
) {
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
    ...(sustained && {
      sustainedRate: { ...sustained, targetPercent: 95, pass: sustained.runs.every((run) => run.pass) },
    }),
    ...(rate && { dispatchThroughput: { ...rate, targetRatio: 0.8, pass: rate.ratio >= 0.8 } }),
    ...(collection && { dueCollection: { ...collection, growth, targetGrowth: 1.2, pass: growth! <= 1.2 } }),
    ...(reporting && { report: { ...reporting, targetMs: 1000, pass: reporting.countersMs < 1000 } }),
    ...(bundles && { bundles }),
    ...(writes && {
      writesPerEmail: {
        ...writes,
        targets: WRITE_TARGETS,
        pass: {
          writeUnits: writes.writeUnitsPerEmail.total <= WRITE_TARGETS.writeUnits,
          sendCalls: writes.sendCallsPerEmail <= WRITE_TARGETS.sendCalls,
          cpuMs: writes.cpuMsPerEmail <= WRITE_TARGETS.cpuMs,
        },
      },
    }),
    ...(experiments && {
      experiments: {
        ...experiments,
        targets: { wrongWinnerShareAtMost: EXPERIMENT_WRONG_WINNER },
        pass: experiments.scenarios.every((s) => s.wrongWinner.share <= EXPERIMENT_WRONG_WINNER),
      },
    }),
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
    ...(sustained &&
      Object.fromEntries(
        sustained.runs.flatMap((run) => [
          [
            `rate ${run.rate}/s: achieved (workers, leads at once)`,
            row(
              `${run.achievedPerSecond.toFixed(1)}/s, ${run.percentOfTarget.toFixed(1)}% (${run.workers}, ${run.concurrency})`,
              '>= 95%',
              run.pass,
            ),
          ],
          [
            `rate ${run.rate}/s: CPU ms/email runtime, emulators`,
            row(
              `${run.perEmail.runtimeCpuMs.toFixed(2)}, ${run.perEmail.emulatorCpuMs.toFixed(2)} (${run.cpuPercent.runtime.toFixed(0)}%, ${run.cpuPercent.emulators.toFixed(0)}% of a core)`,
            ),
          ],
          [
            `rate ${run.rate}/s: ceilings runtime/emulators/machine/concurrency`,
            row(
              [
                run.ceilings.runtimeCpu,
                run.ceilings.emulatorCpu,
                run.ceilings.machineCpu,
                run.ceilings.concurrencyLatency,
              ]
                .map((ceiling) => ceiling.toFixed(0))
                .join(' / '),
            ),
          ],
          [`rate ${run.rate}/s: what saturates`, row(run.saturated)],
          [
            `rate ${run.rate}/s: load average before/after (cores)`,
            row(
              `${run.loadAverage.before.toFixed(1)} / ${run.loadAverage.after.toFixed(1)} (${run.loadAverage.cores})`,
            ),
          ],
          [
            `rate ${run.rate}/s: AWS, a 1,024-MB worker's ceiling; workers x rate`,
            row(
              `${run.aws.perWorker.toFixed(0)}/s; ${run.aws.workers} x ${run.aws.busiestWorkerRate}/s${run.aws.fits ? '' : ' (over: more shards, or more memory)'}`,
            ),
          ],
        ]),
      )),
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
      [`report from the counters, ${reporting.leads} leads`]: row(
        ms(reporting.countersMs),
        '< 1000 ms',
        fresh.report?.pass,
      ),
      [`report rebuild: Scan, ${reporting.leads} leads`]: {
        value: ms(reporting.readMs),
        target: '',
        result: `${reporting.items} items`,
      },
      [`report rebuild: recount, ${reporting.leads} leads`]: row(ms(reporting.buildMs)),
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
    ...(experiments &&
      Object.fromEntries(
        experiments.scenarios.flatMap((s) => {
          const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
          const planted = s.rates.some((rate) => rate !== s.rates[0]);
          return [
            [
              `experiments, ${s.name}: wrong winner [95% interval]`,
              row(
                `${pct(s.wrongWinner.share)} [${pct(s.wrongWinner.low)}, ${pct(s.wrongWinner.high)}] of ${s.runs}`,
                '<= 5%',
                s.wrongWinner.share <= EXPERIMENT_WRONG_WINNER,
              ),
            ],
            ...(planted
              ? [
                  [
                    `experiments, ${s.name}: better one promoted; median deliveries/variant, days`,
                    row(
                      `${pct(Math.max(...s.promotedShare))}; ${s.medianDeliveriesPerVariantAtPromotion?.toFixed(0)}, ${s.medianDaysAtPromotion?.toFixed(1)}`,
                    ),
                  ],
                ]
              : []),
          ];
        }),
      )),
    ...(bundles &&
      Object.fromEntries(
        bundles.bundles.map((bundle) => [
          `bundle ${bundle.handler}: bytes, import median`,
          row(`${bundle.bytes} B, ${ms(bundle.importMedianMs)}`, '', undefined),
        ]),
      )),
    ...(writes && {
      [`writes: write units/email (${writes.backend})`]: row(
        `${writes.writeUnitsPerEmail.total} = ${writes.writeUnitsPerEmail.table} table + ${writes.writeUnitsPerEmail.index} due index${writes.indexUnitsReported ? '' : ' (not reported)'}`,
        `<= ${WRITE_TARGETS.writeUnits}`,
        fresh.writesPerEmail?.pass.writeUnits,
      ),
      'writes: of which the report counters, units, calls/email': row(
        `${writes.writeUnitsPerEmail.counters}, ${writes.counterCallsPerEmail}`,
      ),
      'writes: SES event batches (up to, window), events per batch': row(
        `${writes.eventBatches.maxRecords}, ${writes.eventBatches.windowSeconds} s; ${writes.eventBatches.eventsPerBatch}`,
      ),
      'writes: one SES event per batch: units/email (counters)': row(
        `${writes.oneEventPerBatch.writeUnitsPerEmail.total} (${writes.oneEventPerBatch.writeUnitsPerEmail.counters})`,
      ),
      'writes: SDK calls/email to send': row(
        String(writes.sendCallsPerEmail),
        `<= ${WRITE_TARGETS.sendCalls}`,
        fresh.writesPerEmail?.pass.sendCalls,
      ),
      'writes: SDK calls/email with events': row(String(writes.callsPerEmailWithEvents)),
      'writes: lead item bytes at the end, median/max': row(
        `${writes.leadItemBytes.median} / ${writes.leadItemBytes.max}`,
        '< 1024',
        writes.leadItemBytes.max < 1024,
      ),
      'writes: runtime CPU ms/email (rendering)': row(
        `${writes.cpuMsPerEmail} (${writes.renderCpuMsPerEmail})`,
        `<= ${WRITE_TARGETS.cpuMs}`,
        fresh.writesPerEmail?.pass.cpuMs,
      ),
      ...Object.fromEntries(
        (['signup', 'send', 'events'] as const).map((phase) => {
          const p = writes.phases[phase];
          return [
            `writes: ${phase} units, calls/email`,
            row(
              `${p.writeUnitsPerEmail.table} + ${p.writeUnitsPerEmail.index} index, ${p.callsPerEmail} (counters ${p.counters.writeUnitsPerEmail}, ${p.counters.callsPerEmail})`,
            ),
          ];
        }),
      ),
    }),
  });
  console.log(`Wrote bench/results/latest.json (${machine.cpus} cores, ${machine.cpu}).`);
}
