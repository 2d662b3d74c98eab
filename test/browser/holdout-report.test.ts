/**
 * The holdout comparison on /admin, as a marketer's browser shows it: the two groups' sizes and booking rates, the
 * verdict in words, and the chart of both rates with their 95% intervals, named for a screen reader. The page is the
 * admin handler's own, from the report's counters as the service keeps them (`lead/group.*`). Beside it, a subject-line
 * experiment's chart: each variant's click rate with its 95% credible interval (`arm/*` counters).
 * Debian's chromium driven by playwright-core (test/support/browser.ts): without it the test is skipped, and says so.
 */
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outlinesWithExperiments } from '../../emails/experiments.ts';
import { adminPage } from '../../lambdas/adapters/report-page.tsx';
import { experimentTag } from '../../lambdas/domain/experiments.ts';
import { armKey, type ArmMetric, type Counts } from '../../lambdas/domain/report-counts.ts';
import { makeAdminHandler } from '../../lambdas/handlers/admin.ts';
import { browserSuiteTitle, hasChromium, launchChromium } from '../support/browser.ts';

/** A bar of a chart as drawn: the second rect of the group's bar (the first is its track). */
const barOf = async (chart: Locator, group: string) =>
  (await chart.locator(`g[data-group="${group}"] rect`).nth(1).boundingBox())!;

/** The /admin page for these counters, as the admin handler serves it. */
async function adminHtml(counts: Counts, holdoutShare: number): Promise<string> {
  const admin = makeAdminHandler({
    counters: { read: async () => counts },
    sequences: outlinesWithExperiments,
    holdoutShare,
    clock: { now: () => new Date('2026-03-02T15:00:00Z') },
    page: adminPage,
  });
  const response = await admin({
    version: '2.0',
    rawPath: '/admin',
    rawQueryString: '',
    headers: {},
    requestContext: { http: { method: 'GET', path: '/admin' } },
  } as never);
  return response.body!;
}

describe.skipIf(!hasChromium)(browserSuiteTitle('the holdout comparison on /admin (browser)'), () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await launchChromium();
    page = await browser.newPage();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it(
    'shows each group, the verdict, and a chart whose bars follow the booking rates',
    { timeout: 60_000 },
    async () => {
      await page.setContent(
        await adminHtml(
          {
            'lead/nurture': 1000,
            'lead/group.nurture': 900,
            'lead/group.nurture.booked': 135,
            'lead/group.holdout': 100,
            'lead/group.holdout.booked': 5,
          },
          0.1,
        ),
      );
      const section = page.locator('#holdout');
      await expect.poll(() => section.getAttribute('data-verdict')).toBe('helps');
      expect(await section.locator('[data-group="nurture"] [data-column="leads"]').textContent()).toBe('900');
      expect(await section.locator('[data-group="nurture"] [data-column="rate"]').textContent()).toBe('15.0%');
      expect(await section.locator('[data-group="holdout"] [data-column="leads"]').textContent()).toBe('100');
      expect(await section.locator('[data-group="holdout"] [data-column="rate"]').textContent()).toBe('5.0%');
      expect(await section.locator('p.verdict').textContent()).toMatch(
        /^The nurture's leads booked 10\.0 points more often than the holdout's \(95% interval \d+\.\d to \d+\.\d points\): the emails likely help\.$/,
      );

      // The chart, by its accessible name, with a text equivalent of both rates and intervals.
      const chart = page.getByRole('img', { name: /Booking rate of the nurture and of the holdout/ });
      expect(await chart.isVisible()).toBe(true);
      expect(await chart.locator('desc').textContent()).toMatch(
        /Nurture \(every email\): 15\.0% booked \(135 of 900\), 95% interval 12\.8% to 17\.5%\. Holdout \(welcome only\): 5\.0% booked \(5 of 100\), 95% interval 2\.2% to 11\.2%\./,
      );
      // The bars as drawn: the nurture's three times the holdout's, as 15% is to 5%.
      const [nurtureBar, holdoutBar] = [await barOf(chart, 'nurture'), await barOf(chart, 'holdout')];
      expect(nurtureBar.width / holdoutBar.width).toBeCloseTo(3, 1);
      // Each interval's line runs across the end of its bar, from the lower end to the upper.
      for (const [group, drawn] of [
        ['nurture', nurtureBar],
        ['holdout', holdoutBar],
      ] as const) {
        const line = (await chart.locator(`line[data-interval="${group}"]`).boundingBox())!;
        expect(line.x).toBeLessThan(drawn.x + drawn.width);
        expect(line.x + line.width).toBeGreaterThan(drawn.x + drawn.width);
      }
    },
  );

  it(
    "draws each subject line's click rate with its 95% interval beside the experiment's rows, the better one's bar the longer",
    { timeout: 60_000 },
    async () => {
      const arm = (variant: string, metric: ArmMetric) =>
        armKey('nurture', 'how-it-works', experimentTag('how-it-works-subject'), variant, metric);
      await page.setContent(
        await adminHtml(
          {
            'lead/nurture': 400,
            'step/nurture/how-it-works/sent': 400,
            'step/nurture/how-it-works/delivered': 400,
            'step/nurture/how-it-works/clicked': 30,
            [arm('a', 'sent')]: 200,
            [arm('a', 'delivered')]: 200,
            [arm('a', 'clicked')]: 10,
            [arm('b', 'sent')]: 200,
            [arm('b', 'delivered')]: 200,
            [arm('b', 'clicked')]: 20,
          },
          0,
        ),
      );
      const chart = page.getByRole('img', { name: /Click rate of each subject line of how-it-works/ });
      expect(await chart.isVisible()).toBe(true);
      expect(await chart.locator('desc').textContent()).toMatch(
        /^Variant a: 5\.0% clicked \(10 of 200 delivered\), 95% interval \d+\.\d% to \d+\.\d%\. Variant b: 10\.0% clicked \(20 of 200 delivered\), 95% interval \d+\.\d% to \d+\.\d%\.$/,
      );
      expect((await barOf(chart, 'b')).width / (await barOf(chart, 'a')).width).toBeCloseTo(2, 1);
      // The table beside it gives the same counts, and b the higher chance of being best.
      const table = page.locator('table[data-experiment-of="how-it-works"]');
      expect(await table.locator('[data-variant="b"] [data-column="clicked"]').textContent()).toBe('20');
      const best = Number(await table.locator('[data-variant="b"] [data-column="probabilityBest"]').textContent());
      expect(best).toBeGreaterThan(0.9);
    },
  );

  it(
    'says the holdout is off, and how to turn it on, with no chart, while the share is 0 and no lead is in a group',
    { timeout: 60_000 },
    async () => {
      await page.setContent(await adminHtml({ 'lead/nurture': 3 }, 0));
      const section = page.locator('#holdout');
      expect(await section.getAttribute('data-verdict')).toBe('off');
      expect(await section.textContent()).toMatch(/The holdout is off.*Set HOLDOUT_SHARE/);
      expect(await section.getByRole('img').count()).toBe(0);
    },
  );
});
