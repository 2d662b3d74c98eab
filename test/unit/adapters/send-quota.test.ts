/**
 * The dispatcher's SES quota metrics, which the stack's quota alarm reads (same names, from the same module).
 * aws-ses-v2-local has no GetSendQuota, so SES's answer is put into the real SDK client's middleware here.
 */
import { SESClient } from '@aws-sdk/client-ses';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SEND_QUOTA_METRICS } from '../../../lambdas/contract.ts';
import { makeQuotaReporter } from '../../../lambdas/adapters/send-quota.ts';

function sesAnswering(answer: () => object): SESClient {
  const ses = new SESClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  ses.middlewareStack.add(() => async () => ({ output: answer() as never, response: {} }), {
    step: 'initialize',
    name: 'sesAnswer',
  });
  return ses;
}

/** The EMF lines Powertools writes to stdout while `work` runs. */
async function emfLines(work: () => Promise<void>): Promise<any[]> {
  const lines: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true));
  try {
    await work();
  } finally {
    write.mockRestore();
  }
  return lines
    .flatMap((line) => line.split('\n'))
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line));
}

afterEach(() => vi.unstubAllEnvs());

describe('SES quota metrics', () => {
  it("each dispatcher run publishes the 24-hour quota and what was sent in it, for the stage's service", async () => {
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'nurture-prod');
    const report = makeQuotaReporter(
      sesAnswering(() => ({ Max24HourSend: 50_000, MaxSendRate: 14, SentLast24Hours: 41_000 })),
    );
    const [line, ...rest] = await emfLines(report);
    expect(rest).toEqual([]);
    const directive = line._aws.CloudWatchMetrics[0];
    expect(directive.Namespace).toBe(SEND_QUOTA_METRICS.namespace);
    expect(directive.Dimensions).toEqual([['service']]);
    expect(directive.Metrics.map((m: { Name: string }) => m.Name).sort()).toEqual(
      [SEND_QUOTA_METRICS.max24HourSend, SEND_QUOTA_METRICS.sentLast24Hours].sort(),
    );
    expect(line).toMatchObject({
      service: 'nurture-prod',
      [SEND_QUOTA_METRICS.sentLast24Hours]: 41_000,
      [SEND_QUOTA_METRICS.max24HourSend]: 50_000,
    });
  });

  it('a quota SES does not answer publishes nothing and does not fail the run', async () => {
    const report = makeQuotaReporter(
      sesAnswering(() => {
        throw Object.assign(new Error('Throttling'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } });
      }),
    );
    expect(await emfLines(report)).toEqual([]);
  });
});
