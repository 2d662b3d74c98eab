/**
 * Pacing, end to end. A real wiring (`composeService`, as the local runtime, the bench and these tests build the
 * service: one pacer for every send the process makes, the dispatcher's and sign-up's alike) at MAX_SEND_RATE 5
 * sends through the SES endpoint of test/support/ses-fault-endpoint.ts, which records when each SendRawEmail request
 * reached it. The rate is judged there, on SES's side of the wire, by counting requests in sliding windows: not in
 * our own records, and not by how long anything took.
 *
 * The endpoint runs in a process of its own (test/support/ses-endpoint-child.ts), as SES does: in this process it
 * would note a request late whenever rendering held the event loop. Even so its clock misplaces a request now and
 * then: a new connection's handshake, or its process waiting for a CPU on a busy machine. Measured on the 2-core
 * machine these tests run on, at load average 10 to 17 (2026-12-01): up to about 150 ms, against the pacer's own
 * margin of 10 ms (it spaces every RATE + 1 requests 1,010 ms apart). So each window is judged with NOISE_MS of
 * that error: for every whole number of seconds m, no span of m seconds less NOISE_MS holds more than m × RATE.
 * These tests catch a pacer that is bypassed or not shared (verified by removing each); the rules of turns and
 * admission are test/unit/adapters/pace.test.ts's, on a fake clock, where each fails a test when removed.
 *
 * Why 5 a second: without the pacer the same wiring sends about 15 a second on that machine under that load (and
 * several times that on a quiet one), so a pacer bypassed or not shared fails these tests by a wide margin.
 */
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { dispatchDue } from '../../lambdas/domain/dispatch.ts';
import { makeSignupHandler } from '../../lambdas/handlers/signup.ts';
import { seedDueLeads } from '../support/seed.ts';
import { sesEndpointProcess, type EndpointReport } from '../support/ses-endpoint-child.ts';
import { httpEvent, testEnv, uniqueEmail, type TestEnv } from './harness.ts';

const RATE = 5;
/** How far the endpoint's clock may misplace a request (see above). */
const NOISE_MS = 250;

/** The most requests that reached SES within any `windowMs`: sliding, one window starting at each request. */
function busiest(times: number[], windowMs: number): number {
  let most = 0;
  for (let start = 0, end = 0; start < times.length; start++) {
    while (end < times.length && times[end]! - times[start]! < windowMs) end++;
    most = Math.max(most, end - start);
  }
  return most;
}

/**
 * For each whole number of seconds m the run spans: the most requests SES received within m seconds less
 * NOISE_MS, and the most the rate allows (m × RATE). Plus the busiest plain second, for the failure message.
 */
function windowsOverRate({ requests }: EndpointReport) {
  const times = requests.map((request) => request.arrivedAt).sort((a, b) => a - b);
  const seconds = Math.ceil((times.at(-1)! - times[0]!) / 1000) + 1;
  const over = [];
  for (let m = 1; m <= seconds; m++) {
    const most = busiest(times, m * 1000 - NOISE_MS);
    if (most > m * RATE) over.push({ seconds: m, requests: most, allowed: m * RATE });
  }
  return { over, busiestSecond: busiest(times, 1000) };
}

/** Each lead's steps as SES accepted them. */
function acceptedSteps({ accepted }: EndpointReport): Map<string, string[]> {
  const steps = new Map<string, string[]>();
  for (const { tags } of accepted) steps.set(tags.leadId!, [...(steps.get(tags.leadId!) ?? []), tags.stepId!]);
  return steps;
}

/** A wiring paced at RATE, sending to an SES endpoint in its own process. */
async function pacedEnv() {
  const endpoint = await sesEndpointProcess(inject('sesEndpoint'));
  onTestFinished(() => endpoint.stop());
  const env = await testEnv({ SES_ENDPOINT: endpoint.url, MAX_SEND_RATE: String(RATE) });
  return { endpoint, env };
}

async function signUp(env: TestEnv, label: string): Promise<string> {
  const result = await makeSignupHandler(env)(
    httpEvent('POST', '/signup', { body: { email: uniqueEmail(label), firstName: 'Jamie', consent: true } }),
  );
  expect(result.statusCode).toBe(201);
  return (JSON.parse(result.body!) as { leadId: string }).leadId;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe(`pacing at MAX_SEND_RATE ${RATE}, counted where SES receives the requests`, () => {
  it(`a backlog of 40 due leads: SES never receives more than ${RATE} requests a second, and each lead gets its welcome once`, async () => {
    const { endpoint, env } = await pacedEnv();
    const leads = await seedDueLeads(env, 40, 'paced');

    const report = await dispatchDue(env.dispatch);

    expect(report).toMatchObject({ due: 40, sent: 40, retry: 0, unconfirmed: 0 });
    const seen = await endpoint.report();
    expect(seen.requests).toHaveLength(40);
    const steps = acceptedSteps(seen);
    expect(steps.size).toBe(40);
    for (const lead of leads) expect(steps.get(lead.leadId)).toEqual(['welcome']);
    expect(windowsOverRate(seen)).toMatchObject({ over: [] });
  }, 60_000);

  it(`sign-ups arriving in bursts while 30 due leads are sent share the one pace: never more than ${RATE} requests a second at SES, each welcome once`, async () => {
    const { endpoint, env } = await pacedEnv();
    const backlog = await seedDueLeads(env, 30, 'paced-backlog');

    const run = dispatchDue(env.dispatch);
    while (env.sesRequests.length === 0) await sleep(10); // the backlog is going out
    // Three bursts of five sign-ups at once, a second apart; each is answered once its welcome is sent.
    const signups: Promise<string>[] = [];
    for (let burst = 0; burst < 3; burst++) {
      for (let i = 0; i < 5; i++) signups.push(signUp(env, `burst${burst}`));
      await sleep(1000);
    }
    const signedUp = await Promise.all(signups);
    const report = await run;

    expect(report).toMatchObject({ due: 30, sent: 30, retry: 0, unconfirmed: 0 });
    const seen = await endpoint.report();
    expect(seen.requests).toHaveLength(45);
    const steps = acceptedSteps(seen);
    expect(steps.size).toBe(45);
    for (const leadId of [...backlog.map((lead) => lead.leadId), ...signedUp])
      expect(steps.get(leadId)).toEqual(['welcome']);
    // The sign-ups came during the run: backlog requests reached SES both before and after their welcomes.
    const fromSignups = seen.requests.map((request) => signedUp.includes(request.tags.leadId!));
    expect(fromSignups.indexOf(true)).toBeGreaterThan(0);
    expect(fromSignups.lastIndexOf(false)).toBeGreaterThan(fromSignups.lastIndexOf(true));
    expect(windowsOverRate(seen)).toMatchObject({ over: [] });
  }, 60_000);
});
