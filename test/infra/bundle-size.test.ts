/**
 * What each Lambda bundle holds, and how big it may grow. The bundles are built by esbuild with the options CDK's
 * NodejsFunction uses for our functions (bench/bundles.ts, after lib/nurture-function.ts), with a metafile naming
 * every file that put code in each. A handler that sends nothing carries no renderer, mailer or SES client, and a
 * bundle past its budget fails here: a Lambda loads its whole bundle before its first event.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildBundle, BUNDLED_HANDLERS, type Bundle } from '../../bench/bundles.ts';
import { HANDLERS } from '../../lib/handlers.ts';

/**
 * Bytes of each handler's index.mjs: about 5% over what they measured (issue #14: after the split of compose, zod
 * imported as a namespace, the admin report on the sequences' outline, prettier stubbed out and React's production
 * build alone). Raise one only with the reason in the commit; `npm run bench -- --only bundles` lists what each
 * bundle holds.
 */
const BUDGET: Record<string, number> = {
  admin: 740_000, // +10 kB: the experiments' and the holdout's charts with their intervals (#17)
  booking: 1_325_000, // +10 kB for subject-line experiments and the holdout (#17)
  confirm: 1_310_000, // as signup: renders and sends the welcome
  dispatch: 1_400_000, // also the Lambda client, to start its fan-out workers (#14 item 1)
  privacy: 600_000, // 571 KB measured (#15 item 4): the DynamoDB and Secrets Manager clients, zod, luxon
  // 505,208 measured (#14 item 2); 510,006 with machine clicks and the branches' checks at start (#16); 510,727 on
  // the variants branch with machine clicks (509,791 without) and the per-variant counts (#16)
  'ses-events': 515_000,
  signup: 1_320_000, // +10 kB for subject-line experiments (assignment, the decision rule) (#17)
  unsubscribe: 625_000, // the preference page (#15 item 2) plans a held step in the lead's zone: luxon and the planner
};

/** What rendering and sending an email loads: none of it belongs in a handler that sends nothing. */
const SENDING = [
  /^node_modules\/(@react-email\/render|nodemailer|html-to-text|prettier)\//,
  /^node_modules\/@aws-sdk\/client-ses\//,
  /^lambdas\/adapters\/(renderer|ses-mailer|send-quota)\.ts$/,
  /^lambdas\/compose\/sending\.ts$/,
];
/** React, the email templates and their components. */
// The outline (each step's id, timing and class) is not a template: the unsubscribe reads each step's class from it.
const REACT_AND_TEMPLATES = [
  /^node_modules\/(react|react-dom|react-email|@react-email)\//,
  /^emails\/(?!clinic\.ts$|outline\.ts$)/,
];

const outDir = mkdtempSync(path.join(tmpdir(), 'nurture-bundles-'));
const bundles = Object.fromEntries(
  await Promise.all(BUNDLED_HANDLERS.map(async (handler) => [handler, await buildBundle(handler, outDir)] as const)),
) as Record<string, Bundle>;
const holding = (handler: string, patterns: RegExp[]) =>
  bundles[handler]!.inputs.filter((input) => patterns.some((pattern) => pattern.test(input)));

describe('the Lambda bundles', () => {
  it('there is one bundle, and one budget, per function the stack deploys', () => {
    expect(BUNDLED_HANDLERS).toEqual(HANDLERS.map((spec) => spec.handler).sort());
    expect(Object.keys(BUDGET).sort()).toEqual(BUNDLED_HANDLERS);
  });

  it.each(BUNDLED_HANDLERS)('the %s bundle stays within its size budget', (handler) => {
    expect(bundles[handler]!.bytes).toBeGreaterThan(0);
    expect(bundles[handler]!.bytes, `${handler}: ${bundles[handler]!.bytes} bytes`).toBeLessThanOrEqual(
      BUDGET[handler]!,
    );
  });

  it('the unsubscribe, SES-event and privacy bundles hold no React, templates, renderer, mailer or SES client', () => {
    for (const handler of ['unsubscribe', 'ses-events', 'privacy'])
      expect(holding(handler, [...SENDING, ...REACT_AND_TEMPLATES]), handler).toEqual([]);
  });

  it('the admin bundle renders its page with react-dom/server but holds no renderer, mailer or SES client', () => {
    expect(holding('admin', SENDING)).toEqual([]);
    expect(bundles.admin!.inputs.some((input) => input.startsWith('node_modules/react-dom/'))).toBe(true);
  });

  it('the admin bundle holds the sequences as their outline with their experiments, without a template or react-email', () => {
    expect(
      holding('admin', [
        /^emails\/(?!clinic\.ts$|outline\.ts$|experiments\.ts$|[a-z-]+\.experiment\.ts$)/,
        /^node_modules\/(react-email|@react-email)\//,
      ]),
    ).toEqual([]);
    expect(bundles.admin!.inputs).toEqual(
      expect.arrayContaining(['emails/outline.ts', 'emails/experiments.ts', 'emails/how-it-works.experiment.ts']),
    );
  });

  it("no bundle holds React's development build, only its production one", () => {
    for (const handler of BUNDLED_HANDLERS)
      expect(holding(handler, [/^node_modules\/react(-dom)?\/.*\.development\.js$/]), handler).toEqual([]);
    for (const handler of ['signup', 'booking', 'dispatch'])
      expect(bundles[handler]!.inputs, handler).toContain(
        'node_modules/react-dom/cjs/react-dom-server.node.production.js',
      );
  });

  it('no bundle holds prettier: a stub stands in for it (lib/stubs/prettier.ts)', () => {
    for (const handler of BUNDLED_HANDLERS)
      expect(holding(handler, [/^node_modules\/prettier\//]), handler).toEqual([]);
    for (const handler of ['signup', 'booking', 'dispatch'])
      expect(bundles[handler]!.inputs, handler).toContain('lib/stubs/prettier.ts');
  });

  it('the handlers that read no secret hold no Secrets Manager client', () => {
    for (const handler of ['admin', 'ses-events'])
      expect(
        bundles[handler]!.inputs.filter((input) =>
          /^node_modules\/(@aws-sdk\/client-secrets-manager|@aws-lambda-powertools\/parameters)\//.test(input),
        ),
        handler,
      ).toEqual([]);
  });

  it('the same checks find the renderer, mailer and templates where they belong: in the handlers that send', () => {
    for (const handler of ['signup', 'booking', 'dispatch']) {
      const found = holding(handler, [...SENDING, ...REACT_AND_TEMPLATES]);
      for (const part of ['lambdas/adapters/renderer.ts', 'lambdas/adapters/ses-mailer.ts', 'emails/welcome.tsx'])
        expect(found, `${handler}: ${part}`).toContain(part);
      expect(
        found.some((input) => input.startsWith('node_modules/nodemailer/')),
        handler,
      ).toBe(true);
    }
  });
});
