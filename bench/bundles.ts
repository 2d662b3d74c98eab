/**
 * Each handler's Lambda bundle, built by esbuild with the options CDK's NodejsFunction passes it for our functions
 * (lib/nurture-function.ts: ESM, minified, source maps without sources content, the require banner, JSX automatic,
 * the AWS SDK bundled, prettier stubbed out, React's production build only), plus a metafile: which files and
 * packages each bundle holds, and its size. The infra tests (test/infra/bundle-size.test.ts, bundle-render.test.ts) pin sizes and contents with it;
 * `npm run bench` times importing each bundle.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { BUNDLE_ALIASES, BUNDLE_DEFINE, PROJECT_ROOT, REQUIRE_BANNER } from '../lib/nurture-function.ts';

/** The handlers with a Lambda: every file in lambdas/handlers/ but the shared http.ts. */
export const BUNDLED_HANDLERS = readdirSync(path.join(PROJECT_ROOT, 'lambdas', 'handlers'))
  .filter((file) => file.endsWith('.ts') && file !== 'http.ts')
  .map((file) => file.replace(/\.ts$/, ''))
  .sort();

export interface Bundle {
  handler: string;
  /** The bundle's entry file (what Lambda imports). */
  file: string;
  /** Bytes of index.mjs. */
  bytes: number;
  /** Repository-relative paths of the files that put code in the bundle (`node_modules/react-dom/...` for a package). */
  inputs: string[];
  /** Bytes each package (or, for our own code, each top folder) contributes, largest first. */
  packages: [string, number][];
}

/**
 * esbuild's options for a Lambda bundle of `entry` written to `outfile`: what CDK's NodejsFunction passes it for our
 * functions. `trim: false` leaves out `BUNDLE_ALIASES` and `BUNDLE_DEFINE` (prettier and React's development build
 * stay in), to compare against.
 */
export function bundleOptions(entry: string, outfile: string, { trim = true } = {}): BuildOptions & { metafile: true } {
  return {
    entryPoints: [entry],
    absWorkingDir: PROJECT_ROOT,
    outfile,
    bundle: true,
    platform: 'node',
    // CDK's target for Runtime.NODEJS_24_X.
    target: 'node24',
    format: 'esm',
    mainFields: ['module', 'main'],
    banner: { js: REQUIRE_BANNER },
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    jsx: 'automatic',
    ...(trim && { alias: { ...BUNDLE_ALIASES }, define: { ...BUNDLE_DEFINE } }),
    metafile: true,
    logLevel: 'error',
  };
}

/** Build `entry`'s bundle into `outfile`, with what it holds. */
export async function buildEntry(entry: string, outfile: string, options?: { trim?: boolean }) {
  const { metafile } = await build(bundleOptions(entry, outfile, options));
  const output = Object.values(metafile.outputs).find((out) => out.entryPoint !== undefined)!;
  return { file: outfile, bytes: output.bytes, ...contents(output) };
}

/** Build `handler`'s bundle into `outDir/<handler>/index.mjs`. */
export async function buildBundle(handler: string, outDir: string): Promise<Bundle> {
  const entry = path.join(PROJECT_ROOT, 'lambdas', 'handlers', `${handler}.ts`);
  return { handler, ...(await buildEntry(entry, path.join(outDir, handler, 'index.mjs'))) };
}

function contents(output: Metafile['outputs'][string]) {
  const inputs = Object.entries(output.inputs)
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([input]) => input.replace(/^.*?node_modules\//, 'node_modules/'));
  const bytes = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const owner = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ?? input.split('/').slice(0, -1).join('/');
    bytes.set(owner, (bytes.get(owner) ?? 0) + bytesInOutput);
  }
  return { inputs, packages: [...bytes].sort((a, b) => b[1] - a[1]) };
}

const run = promisify(execFile);

/**
 * Milliseconds to import `bundle` in a fresh Node process (as a cold Lambda does before its first event), each run
 * its own process, `runs` times, sorted. Measured inside the process, from just before `import()` to its end: Node's
 * own start is not counted.
 */
export async function importTimes(bundle: string, runs: number): Promise<number[]> {
  const script = `const started = performance.now(); await import(${JSON.stringify(pathToFileURL(bundle).href)});
process.stdout.write(String(performance.now() - started));`;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const { stdout } = await run(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH, NODE_NO_WARNINGS: '1', POWERTOOLS_LOG_LEVEL: 'ERROR', AWS_REGION: 'us-east-1' },
    });
    times.push(Number(stdout));
  }
  return times.sort((a, b) => a - b);
}
