/**
 * Re-takes the README's screenshots from a running `npm start`, through the same pages a person uses: Ana signs up
 * on the sign-up page (shot filled in), her welcome in the local inbox (shot), she clicks its link; Ben signs up,
 * clicks and books (a signed booking webhook); Cleo signs up and unsubscribes; then the report (shot).
 *
 *   PORT=3900 SES_PORT=8905 DYNAMODB_PORT=8906 npm start -- --reset     # in one terminal: --reset, so only these 3 leads
 *   PORT=3900 SES_PORT=8905 npx tsx docs/images/capture.ts               # in another
 *
 * Needs Debian's chromium (`apt-get install chromium`); pngquant (`apt-get install pngquant`), when installed,
 * shrinks the PNGs.
 */
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chromium, type Page } from 'playwright-core';
import { LOCAL_BOOKING_SECRET } from '../../local/local-config.ts';

const api = `http://localhost:${process.env.PORT ?? 3000}`;
const inbox = `http://localhost:${process.env.SES_PORT ?? 8005}`;
const out = (name: string) => new URL(`./${name}.png`, import.meta.url).pathname;

async function fillSignUp(page: Page, firstName: string) {
  await page.goto(`${api}/`);
  await page.getByLabel('First name').fill(firstName);
  await page.getByLabel('Email', { exact: true }).fill(`${firstName.toLowerCase()}@example.com`);
  await page.getByLabel(/I agree to receive/).check();
}

async function submitSignUp(page: Page) {
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByRole('heading', { name: 'Thank you' }).waitFor();
}

/** The lead's welcome in the inbox viewer, its HTML shown. */
async function openWelcome(page: Page, firstName: string) {
  await page.goto(inbox);
  const welcome = page.locator('.email', { hasText: `Welcome, ${firstName}` });
  // Each email slides open (a CSS animation, overflow hidden): until it ends, the email is cut off.
  await welcome.evaluate((element) => Promise.all(element.getAnimations().map((animation) => animation.finished)));
  await welcome.getByRole('button', { name: 'Toggle HTML view' }).click();
  const email = welcome.locator('iframe').contentFrame();
  await email.locator('a[href*="/t/click"]').first().waitFor();
  return email;
}

async function clickFirstLink(page: Page, firstName: string) {
  const email = await openWelcome(page, firstName);
  const recorded = page.context().waitForEvent('response', (response) => response.url().includes('/t/click'));
  await email.locator('a[href*="/t/click"]').first().click();
  await recorded;
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu'],
});
try {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 }, timezoneId: 'America/Denver' });
  // The tracked links end at the clinic's site, which does not exist offline: answer for it.
  await context.route('https://clinic.example/**', (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: '<h1>Clinic site</h1>' }),
  );
  const page = await context.newPage();

  // Ana: the sign-up page, filled in; her welcome in the inbox; a click on its link.
  await fillSignUp(page, 'Ana');
  await page.screenshot({ path: out('signup'), fullPage: true });
  await submitSignUp(page);
  await openWelcome(page, 'Ana');
  await page.screenshot({ path: out('inbox'), fullPage: true, clip: { x: 0, y: 0, width: 1200, height: 1000 } });
  await clickFirstLink(page, 'Ana');

  // Ben clicks, then books: the booking webhook as the clinic's scheduling system sends it.
  await fillSignUp(page, 'Ben');
  await submitSignUp(page);
  await clickFirstLink(page, 'Ben');
  const body = JSON.stringify({
    email: 'ben@example.com',
    appointmentAt: '2027-01-12T15:00:00-07:00',
    status: 'booked',
  });
  const ts = String(Math.floor(Date.now() / 1000));
  const sig = createHmac('sha256', process.env.BOOKING_SECRET ?? LOCAL_BOOKING_SECRET)
    .update(`${ts}.${body}`)
    .digest('hex');
  const booked = await fetch(`${api}/booking`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-nurture-timestamp': ts, 'x-nurture-signature': `v1=${sig}` },
    body,
  });
  if (!booked.ok) throw new Error(`booking: ${booked.status} ${await booked.text()}`);

  // Cleo unsubscribes with the link in her welcome and its one button.
  await fillSignUp(page, 'Cleo');
  await submitSignUp(page);
  const unsubscribe = await (
    await openWelcome(page, 'Cleo')
  )
    .locator('a[href*="/unsubscribe?token="]')
    .getAttribute('href');
  await page.goto(unsubscribe!);
  await page.getByRole('button', { name: 'Unsubscribe' }).click();
  await page.getByRole('heading', { name: 'You are unsubscribed' }).waitFor();

  // The report, down to the end of the nurture's table.
  await page.goto(`${api}/admin`);
  const table = await page.locator('table').first().boundingBox();
  await page.screenshot({
    path: out('report'),
    fullPage: true,
    clip: { x: 0, y: 0, width: 1200, height: Math.ceil(table!.y + table!.height + 32) },
  });
} finally {
  await browser.close();
}

const pngs = ['signup', 'inbox', 'report'].map(out);
if (existsSync('/usr/bin/pngquant'))
  execFileSync('/usr/bin/pngquant', ['--force', '--skip-if-larger', '--ext', '.png', '--quality', '70-90', ...pngs]);
console.log(`Wrote ${pngs.join(', ')}`);
