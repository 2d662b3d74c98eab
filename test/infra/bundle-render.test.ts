/**
 * What the Lambda bundles leave out changes no email. Built as the Lambdas are, a bundle holds a stub in place of
 * prettier (`BUNDLE_ALIASES` in lib/nurture-function.ts), which @react-email/render loads only to pretty-print, and
 * React's production build alone (`BUNDLE_DEFINE`). Every email the sending Lambdas can send, rendered through such a
 * bundle, is byte for byte what a bundle built without either renders (and the stub, which throws, is never called).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { buildEntry } from '../../bench/bundles.ts';
import { sequences } from '../../emails/sequences.ts';
import { PROJECT_ROOT } from '../../lib/nurture-function.ts';

const run = promisify(execFile);
const entry = path.join(PROJECT_ROOT, 'test', 'support', 'render-every-email.ts');
const outDir = mkdtempSync(path.join(tmpdir(), 'nurture-bundle-render-'));
const [trimmed, whole] = await Promise.all([
  buildEntry(entry, path.join(outDir, 'trimmed', 'index.mjs')),
  buildEntry(entry, path.join(outDir, 'whole', 'index.mjs'), { trim: false }),
]);

interface Rendered {
  sequence: string;
  step: string;
  /** A variant by interest of the step, rendered in its place. */
  variant?: string;
  version: string;
  subject: string;
  html: string;
  text: string;
}

/** What the bundle prints: every version of every step, rendered. */
async function renderedBy(bundle: string): Promise<{ printed: string; emails: Rendered[] }> {
  const { stdout } = await run(process.execPath, ['--enable-source-maps', bundle], {
    env: { PATH: process.env.PATH, NODE_NO_WARNINGS: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { printed: stdout, emails: JSON.parse(stdout) as Rendered[] };
}

const prettier = (inputs: string[]) => inputs.filter((input) => input.startsWith('node_modules/prettier/'));
const reactDevelopment = (inputs: string[]) =>
  inputs.filter((input) => /^node_modules\/react(-dom)?\/.*\.development\.js$/.test(input));

describe('the Lambda bundles without prettier or React development builds', () => {
  it('a bundle built as the Lambdas are holds the stub and React production only; built without them, it holds prettier and React development', () => {
    expect(prettier(trimmed.inputs)).toEqual([]);
    expect(trimmed.inputs).toContain('lib/stubs/prettier.ts');
    expect(reactDevelopment(trimmed.inputs)).toEqual([]);
    expect(prettier(whole.inputs).length).toBeGreaterThan(0);
    expect(reactDevelopment(whole.inputs).length).toBeGreaterThan(0);
  });

  it('renders every version of every step, and of its variants by interest, byte for byte as the bundle with prettier and React development does', async () => {
    const [trimmedRendered, wholeRendered] = await Promise.all([renderedBy(trimmed.file), renderedBy(whole.file)]);
    const expected = Object.values(sequences).flatMap((sequence) =>
      sequence.steps.flatMap((step) =>
        [[undefined, step.template] as const, ...Object.entries(step.variants ?? {})].flatMap(([variant, template]) =>
          ['preview', ...Object.keys(template.Variants ?? {})].map((version) => ({
            sequence: sequence.id,
            step: step.id,
            ...(variant !== undefined && { variant }),
            version,
          })),
        ),
      ),
    );
    expect(expected.filter((email) => 'variant' in email)).toHaveLength(4);
    expect(
      trimmedRendered.emails.map(({ sequence, step, variant, version }) => ({
        sequence,
        step,
        ...(variant !== undefined && { variant }),
        version,
      })),
    ).toEqual(expected);
    for (const email of trimmedRendered.emails) {
      const which = `${email.variant ?? email.step} (${email.version})`;
      expect(email.subject, which).not.toBe('');
      expect(email.html, which).toContain('</html>');
      expect(email.text.length, which).toBeGreaterThan(100);
    }
    expect(trimmedRendered.printed).toBe(wholeRendered.printed);
  });
});
