/**
 * The Lambda bundles hold a stub in place of prettier (`BUNDLE_ALIASES` in lib/nurture-function.ts), which
 * @react-email/render loads only to pretty-print. Every email the sending Lambdas can send, rendered through a bundle
 * built as theirs are, is byte for byte what the same bundle renders with prettier in: the stub changes nothing a
 * lead receives (and, as it throws when called, it is never called).
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
const [stubbed, whole] = await Promise.all([
  buildEntry(entry, path.join(outDir, 'stubbed', 'index.mjs')),
  buildEntry(entry, path.join(outDir, 'whole', 'index.mjs'), { stubs: false }),
]);

interface Rendered {
  sequence: string;
  step: string;
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

describe('the Lambda bundles without prettier', () => {
  it('a bundle built as the Lambdas are holds the stub and no prettier; built without the stub, it holds prettier', () => {
    expect(prettier(stubbed.inputs)).toEqual([]);
    expect(stubbed.inputs).toContain('lib/stubs/prettier.ts');
    expect(prettier(whole.inputs).length).toBeGreaterThan(0);
    expect(whole.bytes - stubbed.bytes).toBeGreaterThan(100_000);
  });

  it('renders every version of every step byte for byte as the bundle with prettier does', async () => {
    const [withStub, withPrettier] = await Promise.all([renderedBy(stubbed.file), renderedBy(whole.file)]);
    const expected = Object.values(sequences).flatMap((sequence) =>
      sequence.steps.flatMap((step) =>
        ['preview', ...Object.keys(step.template.Variants ?? {})].map((version) => ({
          sequence: sequence.id,
          step: step.id,
          version,
        })),
      ),
    );
    expect(withStub.emails.map(({ sequence, step, version }) => ({ sequence, step, version }))).toEqual(expected);
    for (const email of withStub.emails) {
      const which = `${email.step} (${email.version})`;
      expect(email.subject, which).not.toBe('');
      expect(email.html, which).toContain('</html>');
      expect(email.text.length, which).toBeGreaterThan(100);
    }
    expect(withStub.printed).toBe(withPrettier.printed);
  });
});
