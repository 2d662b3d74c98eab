/**
 * `npm run emails` for real: react-email's preview server on emails/, checked in Debian's Chromium.
 * Needs /usr/bin/chromium (test/support/browser.ts): without it the test is skipped, and says so.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clinic } from '../../emails/clinic.ts';
import { sequences } from '../../emails/sequences.ts';
import type { StepTemplate } from '../../emails/_shared/types.ts';
import { templateFiles } from '../../local/email-templates.ts';
import { browserSuiteTitle, hasChromium, launchChromium } from '../support/browser.ts';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

const slugs = templateFiles('emails').map((file) => file.replace(/^emails\//, '').replace(/\.tsx$/, ''));

describe.skipIf(!hasChromium)(browserSuiteTitle('npm run emails'), () => {
  let preview: ChildProcess;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://localhost:${port}`;
    // Its own process group, so stopping it also stops the Next.js server it starts.
    preview = spawn('npm', ['run', 'emails', '--', '--port', String(port)], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CI: '1' },
    });
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`preview server did not start:\n${output}`)), 45_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (/Ready in/.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      preview.stdout!.on('data', onData);
      preview.stderr!.on('data', onData);
      preview.on('exit', (code) => reject(new Error(`npm run emails exited with ${code}:\n${output}`)));
    });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (preview?.pid) process.kill(-preview.pid, 'SIGTERM');
  });

  it('lists every email template, each interest variant included, and nothing else (not clinic.ts, sequences.ts, content-rules.ts or _shared/)', async () => {
    const page = await browser.newPage();
    await page.goto(base);
    const listed = await page
      .locator('a[href^="/preview/"]')
      .evaluateAll((links) => links.map((link) => link.getAttribute('href')!.replace('/preview/', '')));
    expect(listed.sort()).toEqual(slugs.sort());
    expect(slugs.length).toBeGreaterThanOrEqual(8);
    // Every email a sequence sends is there under its own name: each step's, and each of its variants by interest.
    const sent = Object.values(sequences).flatMap((sequence) =>
      sequence.steps.flatMap((step) => [step.id, ...Object.keys(step.variants ?? {})]),
    );
    expect(sent).toContain('the-research-aura');
    expect(listed).toEqual(expect.arrayContaining(sent));
    await page.close();
  });

  it.each(slugs)(
    'shows %s rendered with its preview props: address, disclaimer, unsubscribe link',
    async (slug) => {
      const { default: template } = (await import(`../../emails/${slug}.tsx`)) as { default: StepTemplate };
      const page = await browser.newPage();
      await page.goto(`${base}/preview/${slug}`);
      const email = page.frameLocator('iframe').first();
      // Marketing emails say "Unsubscribe"; care emails (about a booked visit) "Stop all emails from us".
      const care = template.PreviewProps.messageClass === 'care';
      const unsubscribe = email.locator('a', { hasText: care ? 'Stop all emails from us' : 'Unsubscribe' });
      await unsubscribe.waitFor({ timeout: 30_000 });
      // The text as rendered, not as styled: the frame's styles may still be applying under load.
      const text = (await email.locator('body').textContent())!.replace(/\s+/g, ' ');
      expect(text).toContain(clinic.name);
      for (const line of clinic.postalAddress) expect(text).toContain(line);
      expect(text).toMatch(/not medical advice/);
      expect(await unsubscribe.getAttribute('href')).toBe(template.PreviewProps.unsubscribeUrl);
      await page.close();
    },
    40_000,
  );
});
