import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { ROUTES } from '../../lambdas/contract.ts';
import { LOCAL_PRIVACY_CALLER, startLocal, type LocalOptions, type LocalRuntime } from '../../local/runtime.ts';
import { localAudit, localEvents, localReport, localStore } from '../support/local-store.ts';

const runtime = await startLocal({ port: 0, sesPort: 0, dynamoPort: 0, speed: 1 });
afterAll(() => runtime.stop());
const store = localStore(runtime);
const events = localEvents(runtime);
/** What SES events told of the lead's welcome, as the report counts it. */
const welcomeCounts = async (leadId: string) =>
  (await localReport(runtime).read()).messages.find((m) => m.leadId === leadId && m.stepId === 'welcome')?.counts;

/** Sign up through the runtime's HTTP API, as a site's fetch would, and return the lead's id. */
async function signUp(target: LocalRuntime, fields: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${target.apiUrl}/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ firstName: 'Rae', consent: true, ...fields }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { leadId: string }).leadId;
}

describe('npm start', () => {
  it('serves the sign-up page, sends the welcome during sign-up, and records Send and Delivery for it', async () => {
    const page = await fetch(`${runtime.apiUrl}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<form method="post" action="\/signup">/);

    const response = await fetch(`${runtime.apiUrl}/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: new URLSearchParams({ email: 'local-runtime@example.com', firstName: 'Rae', consent: 'on', website: '' }),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Thank you');

    const { emails } = (await (await fetch(`${runtime.inboxUrl.replace('localhost', '127.0.0.1')}/store`)).json()) as {
      emails: { destination: { to: string[] } }[];
    };
    expect(emails.filter((e) => e.destination.to.some((to) => to.includes('local-runtime@example.com')))).toHaveLength(
      1,
    );
  });

  it('feeds each accepted send back as the Send and Delivery events SES would publish', async () => {
    const leadId = await signUp(runtime, { email: 'local-feed@example.com' });
    expect(await welcomeCounts(leadId)).toMatchObject({ Delivery: 1 });
  });

  it('a link clicked in the local inbox records a Click (a machine’s, this fast) and then redirects; the open pixel records an Open', async () => {
    const email = 'local-click@example.com';
    const leadId = await signUp(runtime, { email });
    const { emails } = (await (await fetch(`${runtime.inboxUrl.replace('localhost', '127.0.0.1')}/store`)).json()) as {
      emails: { destination: { to: string[] }; body: { html: string } }[];
    };
    const html = emails.find((e) => e.destination.to.some((to) => to.includes(email)))!.body.html;

    const tracked = [...html.matchAll(/href="([^"]+\/t\/click\?[^"]+)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&'));
    expect(tracked.length).toBeGreaterThan(0);
    const click = await fetch(tracked[0]!, { redirect: 'manual' });
    expect(click.status).toBe(302);
    // The welcome's first link: the cost page, named for the engagement branches.
    expect(click.headers.get('location')).toBe('https://clinic.example/cost?utm_content=cost');

    const pixel = html.match(/src="([^"]+\/t\/open\?[^"]+)"/)![1]!.replaceAll('&amp;', '&');
    expect((await fetch(pixel)).headers.get('content-type')).toBe('image/gif');

    // At the 1x clock, this click came within a second of the delivery: what a mail scanner does, and judged so
    // (docs/engagement.md#machine-clicks). It is recorded all the same, and the report shows it apart.
    expect(await welcomeCounts(leadId)).toMatchObject({ MachineClick: 1, Open: 1 });

    // The unsubscribe link is left alone, and a tampered tracking link redirects nowhere.
    expect(html).toMatch(/href="http:\/\/localhost:\d+\/unsubscribe\?token=/);
    const tampered = tracked[0]!.replace(/u=[^&]+/, `u=${encodeURIComponent('https://evil.example')}`);
    expect((await fetch(tampered, { redirect: 'manual' })).status).toBe(400);
  });

  it('the booking command in docs/engagement.md, run as it is, switches ana@example.com to the follow-up and confirms at once', async () => {
    const leadId = await signUp(runtime, { email: 'ana@example.com', firstName: 'Ana' });
    const page = readFileSync(new URL('../../docs/engagement.md', import.meta.url), 'utf8');
    const command = page.match(/<!-- booking-curl[^>]*-->\s*```sh\n([\s\S]*?)```/)![1]!;
    const { BOOKING_SECRET: _unset, ...env } = process.env;
    // Asynchronously: the runtime answering the command lives in this process.
    const { stdout } = await promisify(execFile)('bash', ['-c', command], {
      env: { ...env, PORT: new URL(runtime.apiUrl).port },
      timeout: 20_000,
    });
    const answer = JSON.parse(stdout);
    expect(answer).toMatchObject({ leadId, changed: true, sequence: 'follow-up' });

    const { emails } = (await (await fetch(`${runtime.inboxUrl.replace('localhost', '127.0.0.1')}/store`)).json()) as {
      emails: { subject: string; destination: { to: string[] } }[];
    };
    expect(
      emails.filter((e) => e.destination.to.some((to) => to.includes('ana@example.com'))).map((e) => e.subject),
    ).toEqual(['Welcome, Ana: here is what happens next', "You're booked, Ana: what to expect and what to bring"]);
  });

  it("serves a person's data on localhost (no IAM here): export answers the lead, erase deletes it, the audit names local:http", async () => {
    // The command in docs/operations.md, as it is: ana@example.com (signed up here unless an earlier test did).
    const page = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');
    const command = page.match(/<!-- privacy-curl[^>]*-->\s*```sh\n([\s\S]*?)```/)![1]!;
    const ana = await fetch(`${runtime.apiUrl}/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ana@example.com', firstName: 'Ana', consent: true }),
    });
    expect(ana.status).toBeLessThan(300);
    const { stdout } = await promisify(execFile)('bash', ['-c', command], {
      env: { ...process.env, PORT: new URL(runtime.apiUrl).port },
      timeout: 20_000,
    });
    expect(JSON.parse(stdout)).toMatchObject({ found: true, email: 'ana@example.com', lead: { firstName: 'Ana' } });

    const email = 'local-privacy@example.com';
    const leadId = await signUp(runtime, { email });
    const post = async (path: string, body: unknown) => {
      const response = await fetch(`${runtime.apiUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    expect(await post(ROUTES.adminPrivacyExport, { email })).toMatchObject({ status: 200, body: { leadId, email } });
    expect(await post(ROUTES.adminPrivacyErase, { email })).toMatchObject({
      status: 200,
      body: { found: true, leadId },
    });
    expect(await post(ROUTES.adminPrivacyExport, { email })).toMatchObject({ status: 404 });
    expect(await post(ROUTES.adminPrivacyExport, { email: 'not an address' })).toMatchObject({ status: 400 });
    expect(await store.get(leadId)).toBeUndefined();

    const audit = await localAudit(runtime);
    expect(audit.filter((item) => item.leadId === leadId).map((item) => [item.who, item.action])).toEqual([
      [LOCAL_PRIVACY_CALLER, 'export'],
      [LOCAL_PRIVACY_CALLER, 'erase'],
    ]);
  });

  it('npm run simulate -- bounce <email> stops the lead and suppresses the address', async () => {
    const email = 'local-bounce@example.com';
    const leadId = await signUp(runtime, { email });
    const { DYNAMODB_ENDPOINT: _endpoint, TABLE_NAME: _table, ...env } = process.env;
    const { stdout } = await promisify(execFile)('npm', ['run', '--silent', 'simulate', '--', 'bounce', email], {
      env: { ...env, DYNAMODB_PORT: new URL(runtime.dynamoEndpoint).port },
      timeout: 30_000,
    });
    expect(stdout).toMatch(/^bounce for "welcome" \(message .+\): recorded\. Lead is now bounced\.$/m);
    expect(await store.get(leadId)).toMatchObject({ status: 'bounced' });
    expect(await events.suppressedAs(email)).toBe('bounced');
  });
});

describe('npm start, stopped and started again', () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it(
    'keeps leads and the virtual clock in its data directory, resuming time where it stopped; reset starts clean',
    { timeout: 120_000 },
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'nurture-state-'));
      const running = new Set<LocalRuntime>();
      const start = async (options: Partial<LocalOptions>) => {
        const started = await startLocal({ port: 0, sesPort: 0, dynamoPort: 0, speed: 1, dataDir, ...options });
        running.add(started);
        return started;
      };
      const stop = async (target: LocalRuntime) => (running.delete(target), target.stop());
      onTestFinished(async () => {
        for (const target of running) await target.stop();
        rmSync(dataDir, { recursive: true, force: true });
      });

      // A fast clock (a day in about two seconds) runs virtual time well ahead of real time, and the dispatcher sends
      // the second email while it runs.
      const first = await start({ speed: 40_000 });
      const leadId = await signUp(first, { email: 'restart@example.com', timeZone: 'America/Denver' });
      const firstStore = localStore(first);
      let before = await firstStore.get(leadId);
      while (before!.sentSteps.length < 2) {
        await sleep(100);
        before = await firstStore.get(leadId);
      }
      const stoppedAt = first.now();
      await stop(first);
      const stopped = first.now(); // the first clock runs on; the time saved lies between the two

      const startedAt = Date.now();
      const second = await start({ speed: 1 });
      expect(await localStore(second).get(leadId)).toEqual(before);
      expect(second.now().getTime()).toBeGreaterThanOrEqual(stoppedAt.getTime());
      expect(second.now().getTime()).toBeLessThanOrEqual(stopped.getTime() + (Date.now() - startedAt));
      await stop(second);

      const third = await start({ speed: 1, reset: true });
      expect(await localStore(third).get(leadId)).toBeUndefined();
      expect(third.now().getTime()).toBeLessThan(stoppedAt.getTime()); // real time again, a day or more behind
    },
  );
});
