/**
 * A lead's whole path, as a new user walks it in a browser (issue #3's "Done when"): sign up on the local sign-up page
 * (which sends the browser's time zone), open the email in the local inbox, click a link in it, see the click on
 * /admin, unsubscribe with one click, and receive nothing more.
 * Debian's chromium driven by playwright-core (test/support/browser.ts): without it the test is skipped, and says so.
 */
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocal, type LocalRuntime } from '../../local/runtime.ts';
import { browserSuiteTitle, hasChromium, launchChromium } from '../support/browser.ts';
import { localStore } from '../support/local-store.ts';

const DAY = 86_400_000;

/** What the local inbox (aws-ses-v2-local) holds for one address. */
async function inboxFor(runtime: LocalRuntime, address: string): Promise<{ subject: string }[]> {
  const { emails } = (await (await fetch(`${runtime.sesEndpoint}/store`)).json()) as {
    emails: { subject: string; destination: { to: string[] } }[];
  };
  return emails.filter((email) => email.destination.to.some((to) => to.includes(address)));
}

/** Let virtual time run (the runtime's fast clock) until `until`. */
async function waitForVirtualTime(runtime: LocalRuntime, until: Date) {
  while (runtime.now() < until) await new Promise((resolve) => setTimeout(resolve, 200));
}

describe.skipIf(!hasChromium)(browserSuiteTitle('from sign-up to unsubscribe (browser)'), () => {
  let browser: Browser;
  let context: BrowserContext;
  let runtime: LocalRuntime;

  beforeAll(async () => {
    browser = await launchChromium();
    context = await browser.newContext({ timezoneId: 'America/Denver' });
    // The tracked link ends at the clinic's own site; there is no internet here, so answer for it.
    await context.route('https://clinic.example/**', (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: '<h1>Clinic site</h1>' }),
    );
    // A fast virtual clock (a day in about two seconds), in memory, on free ports.
    runtime = await startLocal({ port: 0, sesPort: 0, dynamoPort: 0, speed: 40_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await runtime?.stop();
  });

  it(
    'sign up, click a link in the email, see the click in /admin, unsubscribe with one click, and receive nothing more',
    { timeout: 120_000 },
    async () => {
      const address = 'done-when@example.com';
      const page = await context.newPage();

      // 1. Sign up on the sign-up page.
      await page.goto(`${runtime.apiUrl}/`);
      await page.getByLabel('First name').fill('Dana');
      await page.getByLabel('Email', { exact: true }).fill(address);
      await page.getByLabel(/I agree to receive/).check();
      await page.getByRole('button', { name: 'Sign up' }).click();
      await page.getByRole('heading', { name: 'Thank you' }).waitFor();
      // The page sent the browser's own time zone (the context's, America/Denver), not the clinic's.
      const store = localStore(runtime);
      expect(await store.get((await store.leadIdForEmail(address))!)).toMatchObject({
        email: address,
        timeZone: 'America/Denver',
      });

      // 2. Open the welcome in the local inbox viewer and click the booking link in it.
      await page.goto(runtime.inboxUrl);
      const welcome = page.locator('.email', { hasText: 'Welcome, Dana' });
      await welcome.getByRole('button', { name: 'Toggle HTML view' }).click();
      const email = welcome.locator('iframe').contentFrame();
      const clickRecorded = context.waitForEvent('response', (response) => response.url().includes('/t/click'));
      await email.locator('a[href*="/t/click"]').first().click();
      expect((await clickRecorded).status()).toBe(302);

      // 3. The click shows on /admin, on the welcome's row.
      await page.goto(`${runtime.apiUrl}/admin`);
      expect(await page.locator('tr[data-step="welcome"] td[data-column="clicked"]').textContent()).toBe('1 (100%)');
      expect(await page.locator('[data-metric="nurture-leads"] strong').textContent()).toBe('1');

      // 4. Unsubscribe: the link in the email's footer, then the page's first button (the education emails).
      await page.goto(runtime.inboxUrl);
      await welcome.getByRole('button', { name: 'Toggle HTML view' }).click();
      const unsubscribeLink = await email.locator('a[href*="/unsubscribe?token="]').getAttribute('href');
      await page.goto(unsubscribeLink!);
      await page.getByRole('button', { name: 'Stop the education emails' }).click();
      await page.getByRole('heading', { name: 'You are unsubscribed' }).waitFor();
      const receivedBefore = (await inboxFor(runtime, address)).length;
      const unsubscribedAt = runtime.now();

      // 5. Nothing more arrives, over longer than the longest gap in the sequence, while someone who stayed gets theirs.
      const stayed = 'stayed@example.com';
      const signup = await fetch(`${runtime.apiUrl}/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: stayed, firstName: 'Sam', consent: true, timeZone: 'America/Denver' }),
      });
      expect(signup.status).toBe(201);
      await waitForVirtualTime(runtime, new Date(unsubscribedAt.getTime() + 9 * DAY));
      expect((await inboxFor(runtime, stayed)).length).toBeGreaterThanOrEqual(2); // the dispatcher ran: the welcome, then the next step
      expect(await inboxFor(runtime, address)).toHaveLength(receivedBefore);

      await page.goto(`${runtime.apiUrl}/admin`);
      expect(await page.locator('[data-reason="unsubscribed"] text').last().textContent()).toBe('1');
    },
  );
});
