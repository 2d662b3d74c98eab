/** The dispatcher's per-run metrics, which the stack's alarms read (same names, from `lambdas/contract.ts`). */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DISPATCH_METRICS } from '../../../lambdas/contract.ts';
import { makeRunReporter } from '../../../lambdas/adapters/dispatch-metrics.ts';
import type { DispatchReport } from '../../../lambdas/domain/dispatch.ts';

/** The EMF lines Powertools writes to stdout while `work` runs. */
function emfLines(work: () => void): any[] {
  const lines: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true));
  try {
    work();
  } finally {
    write.mockRestore();
  }
  return lines
    .flatMap((line) => line.split('\n'))
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line));
}

const report = (counts: Partial<DispatchReport> = {}): DispatchReport => ({
  due: 0,
  sent: 0,
  retry: 0,
  rejected: 0,
  unconfirmed: 0,
  paused: 0,
  rescheduled: 0,
  completed: 0,
  skipped: 0,
  untried: 0,
  ...counts,
});

afterEach(() => vi.unstubAllEnvs());

describe('dispatcher run metrics', () => {
  it("each run publishes the heartbeat and every outcome's count, under the stage's service", () => {
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'nurture-prod');
    const publish = makeRunReporter();
    const [line, ...rest] = emfLines(() =>
      publish(report({ due: 40, sent: 30, retry: 4, rejected: 1, unconfirmed: 2, paused: 3, untried: 0 })),
    );
    expect(rest).toEqual([]);
    const directive = line._aws.CloudWatchMetrics[0];
    expect(directive.Namespace).toBe(DISPATCH_METRICS.namespace);
    expect(directive.Dimensions).toEqual([['service']]);
    const { namespace: _namespace, ...names } = DISPATCH_METRICS;
    expect(directive.Metrics.map((m: { Name: string }) => m.Name).sort()).toEqual(Object.values(names).sort());
    expect(line).toMatchObject({
      service: 'nurture-prod',
      DispatchRuns: 1,
      LeadsDue: 40,
      Sent: 30,
      SendsRejected: 1,
      SendsUnconfirmed: 2,
      SendsRetried: 4,
      AccountPaused: 3,
    });
  });

  it('a run with nothing due still publishes its heartbeat, with every count at zero', () => {
    const publish = makeRunReporter();
    const [line] = emfLines(() => publish(report()));
    expect(line).toMatchObject({ DispatchRuns: 1, LeadsDue: 0, Sent: 0, AccountPaused: 0 });
  });
});
