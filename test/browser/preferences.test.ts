/**
 * The preference page in a real browser with JavaScript turned off (issue #15 item 2): open the link in a sent email,
 * see what the lead gets, pause the education emails, see the confirmation and the page's new state, and receive no
 * education email while someone who made no choice gets the next one.
 * Debian's chromium driven by playwright-core (test/support/browser.ts): without it the test is skipped, and says so.
 */
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocal, type LocalRuntime } from '../../local/runtime.ts';
import { browserSuiteTitle, hasChromium, launchChromium } from '../support/browser.ts';
import { localStore } from '../support/local-store.ts';

const DAY = 86_400_000;

interface StoredEmail {
  subject: string;
  destination: { to: string[] };
  body: { html?: string };
}

/** What the local inbox (aws-ses-v2-local) holds for one address. */
async function inboxFor(runtime: LocalRuntime, address: string): Promise<StoredEmail[]> {
  const { emails } = (await (await fetch(`${runtime.sesEndpoint}/store`)).json()) as { emails: StoredEmail[] };
  return emails.filter((email) => email.destination.to.some((to) => to.includes(address)));
}

async function signUp(runtime: LocalRuntime, email: string) {
  const answer = await fetch(`${runtime.apiUrl}/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, firstName: 'Rae', consent: true, timeZone: 'America/Chicago' }),
  });
  expect(answer.status).toBe(201);
}

/** Let virtual time run (the runtime's fast clock) until `until`. */
async function waitForVirtualTime(runtime: LocalRuntime, until: Date) {
  while (runtime.now() < until) await new Promise((resolve) => setTimeout(resolve, 200));
}

describe.skipIf(!hasChromium)(browserSuiteTitle('the preference page without JavaScript (browser)'), () => {
  let browser: Browser;
  let context: BrowserContext;
  let runtime: LocalRuntime;

  beforeAll(async () => {
    browser = await launchChromium();
    context = await browser.newContext({ javaScriptEnabled: false });
    // A fast virtual clock (a day in about two seconds), in memory, on free ports.
    runtime = await startLocal({ port: 0, sesPort: 0, dynamoPort: 0, speed: 40_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await runtime?.stop();
  });

  it(
    'open the link in the welcome, pause the education emails, see the confirmation, and get none for now',
    { timeout: 120_000 },
    async () => {
      const address = 'pauses@example.com';
      const stays = 'no-choice@example.com';
      await signUp(runtime, address);
      await signUp(runtime, stays);
      const pausedAt = runtime.now();

      // 1. The link at the bottom of the welcome, as the email carries it.
      const [welcome] = await inboxFor(runtime, address);
      const href = welcome!.body.html!.match(/href="([^"]*\/unsubscribe\?token=[^"]*)"/)![1]!.replaceAll('&amp;', '&');
      const page = await context.newPage();
      await page.goto(href);
      await page.getByRole('heading', { name: /Your emails from/ }).waitFor();
      expect(await page.locator('[data-setting]').textContent()).toContain('at the usual pace');
      expect(await page.locator('script').count()).toBe(0);

      // 2. Pause, with the page's own form (JavaScript is off: the browser posts the form itself).
      await page.getByRole('button', { name: 'Pause the education emails for 30 days' }).click();
      await page.getByRole('heading', { name: 'Your education emails are paused' }).waitFor();
      expect(await page.locator('body').textContent()).toMatch(/paused until \w+day, \w+ \d+/);

      // 3. The link again: the page shows the pause, and offers to go back to the usual pace.
      await page.goto(href);
      expect(await page.locator('[data-setting]').textContent()).toMatch(/paused until/);
      await page.getByRole('button', { name: 'Back to the usual pace' }).waitFor();
      const store = localStore(runtime);
      expect(await store.get((await store.leadIdForEmail(address))!)).toMatchObject({
        pausedUntil: expect.any(String),
        preference: { choice: 'pause' },
      });

      // 4. Past the second email's day: the lead who made no choice gets it; the paused lead gets nothing more.
      await waitForVirtualTime(runtime, new Date(pausedAt.getTime() + 4 * DAY));
      expect((await inboxFor(runtime, stays)).length).toBeGreaterThanOrEqual(2);
      expect(await inboxFor(runtime, address)).toHaveLength(1);
    },
  );
});
