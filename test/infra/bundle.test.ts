/**
 * The bundles CDK deploys, built once for the file by esbuild exactly as `cdk deploy` builds them, then run in a
 * plain Node process (not through vitest's loader): ESM with React email templates, the AWS SDK and source maps.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { httpEvent, inbox, signUp, testEnv, uniqueEmail } from '../integration/harness.ts';
import { logicalId, synth } from './synth.ts';

const run = promisify(execFile);
const app = synth({ 'aws:cdk:bundling-stacks': ['Nurture-dev'], 'aws:cdk:enable-asset-metadata': true });
const stack = app.stacks.dev!;
const resources = app.template('dev').toJSON().Resources as Record<string, { Metadata?: Record<string, string> }>;

/** The bundled entry file of a handler's function. */
const bundleOf = (handler: string) => {
  const assetPath = resources[logicalId(stack, stack.functions[handler]!)]!.Metadata!['aws:asset:path']!;
  return pathToFileURL(path.join(app.assembly.directory, assetPath, 'index.mjs')).href;
};

/** Import a bundle in a fresh Node process, call its handler with `event`, and return what it answered. */
async function invoke(handler: string, event: unknown, env: Record<string, string>) {
  const script = `const { handler } = await import(${JSON.stringify(bundleOf(handler))});
try { process.stdout.write(JSON.stringify({ result: await handler(${JSON.stringify(event)}) })); }
catch (error) { process.stdout.write(JSON.stringify({ error: error.stack })); }`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    env: {
      PATH: process.env.PATH,
      NODE_NO_WARNINGS: '1',
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      AWS_REGION: 'us-east-1',
      ...env,
    },
  });
  return JSON.parse(stdout) as { result?: { statusCode: number; body: string }; error?: string };
}

/** What the stack sets in AWS, pointed at this run's emulators and a fresh table (secrets as plain values). */
const emulatorEnv = ({ config }: Awaited<ReturnType<typeof testEnv>>) => ({
  TABLE_NAME: config.TABLE_NAME,
  DYNAMODB_ENDPOINT: config.DYNAMODB_ENDPOINT!,
  SES_ENDPOINT: config.SES_ENDPOINT!,
  SES_CONFIGURATION_SET: config.SES_CONFIGURATION_SET,
  PUBLIC_BASE_URL: config.PUBLIC_BASE_URL,
  UNSUBSCRIBE_SECRET: config.UNSUBSCRIBE_SECRET,
});

describe('the deployed bundles', () => {
  it("every function's bundle loads as ESM in plain Node and exports handler", async () => {
    const handlers = Object.keys(stack.functions);
    const script = `for (const url of ${JSON.stringify(handlers.map(bundleOf))}) { const m = await import(url); console.log(typeof m.handler); }`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH, NODE_NO_WARNINGS: '1', POWERTOOLS_LOG_LEVEL: 'ERROR' },
    });
    expect(stdout.trim().split('\n')).toEqual(handlers.map(() => 'function'));
  });

  it('each function is built from its own handler file, and from no other handler', async () => {
    for (const handler of Object.keys(stack.functions)) {
      const map = JSON.parse(await readFile(new URL(`${bundleOf(handler)}.map`), 'utf8')) as { sources: string[] };
      const handlerFiles = map.sources
        .filter((source) => /lambdas\/handlers\/(?!http\.ts)/.test(source))
        .map((source) => source.replace(/^.*lambdas\//, 'lambdas/'));
      expect(handlerFiles, handler).toEqual([`lambdas/handlers/${handler}.ts`]);
    }
  });

  it('the unsubscribe and SES-event bundles carry no templates, renderer, React or SES client: their builders never reach them', async () => {
    const sources = async (handler: string) =>
      (JSON.parse(await readFile(new URL(`${bundleOf(handler)}.map`), 'utf8')) as { sources: string[] }).sources;
    const sendingOnly =
      /node_modules\/(react|react-dom|react-email|@react-email|@aws-sdk\/client-ses)\/|(^|\/)emails\/(?!clinic\.ts|outline\.ts)|adapters\/(renderer|ses-mailer)\.ts/;
    for (const handler of ['unsubscribe', 'ses-events'])
      expect(
        (await sources(handler)).filter((source) => sendingOnly.test(source)),
        handler,
      ).toEqual([]);
    // The same check finds them where they belong.
    const signup = await sources('signup');
    for (const part of ['react-dom', 'react-email', 'client-ses', 'emails/welcome.tsx', 'adapters/renderer.ts'])
      expect(
        signup.some((source) => sendingOnly.test(source) && source.includes(part)),
        part,
      ).toBe(true);
  });

  it("the bundles hold the prettier stub, not prettier, and React's production build alone (lib/nurture-function.ts)", async () => {
    for (const handler of ['signup', 'booking', 'dispatch', 'admin']) {
      const { sources } = JSON.parse(await readFile(new URL(`${bundleOf(handler)}.map`), 'utf8')) as {
        sources: string[];
      };
      const unwanted = sources.filter((source) =>
        /node_modules\/(prettier\/|react(-dom)?\/.*\.development\.js$)/.test(source),
      );
      expect(unwanted, handler).toEqual([]);
      if (handler === 'admin') continue;
      // The same check finds what takes their place in the bundles that render emails.
      for (const part of ['react-dom/cjs/react-dom-server.node.production.js', 'lib/stubs/prettier.ts'])
        expect(
          sources.some((source) => source.endsWith(part)),
          `${handler}: ${part}`,
        ).toBe(true);
    }
  });

  it('the unsubscribe bundle unsubscribes a lead through its one-click link', async () => {
    const env = await testEnv();
    const leadId = await signUp(env, { email: uniqueEmail('bundle-unsubscribe') });
    const url = new URL(env.dispatch.unsubscribeUrl(leadId));
    const event = httpEvent('POST', `${url.pathname}${url.search}`, {
      body: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const { result, error } = await invoke('unsubscribe', event, emulatorEnv(env));
    expect(error).toBeUndefined();
    expect(result!.statusCode).toBe(200);
    expect(await env.store.get(leadId)).toMatchObject({ status: 'unsubscribed' });
  });

  it('the sign-up bundle stores a lead and sends the rendered welcome through SES', async () => {
    const env = await testEnv();
    const email = uniqueEmail('bundle');
    const event = httpEvent('POST', '/signup', { body: { email, firstName: 'Bundled', consent: true } });
    const { result, error } = await invoke('signup', event, emulatorEnv(env));
    expect(error).toBeUndefined();
    expect(result!.statusCode).toBe(201);
    const mail = await inbox(email);
    expect(mail.map((m) => m.subject)).toEqual(['Welcome, Bundled: here is what happens next']);
    expect(mail[0]!.body.html).toContain('Bundled');
  });

  it('the booking bundle refuses an unsigned request with 401 and says how to sign it', async () => {
    const env = await testEnv();
    const { result, error } = await invoke(
      'booking',
      httpEvent('POST', '/booking', {
        body: { email: uniqueEmail('booking'), appointmentAt: '2026-12-01T10:00:00-05:00', status: 'booked' },
      }),
      { ...emulatorEnv(env), BOOKING_SECRET: 'booking-secret-booking-secret-booking!' },
    );
    expect(error).toBeUndefined();
    expect(result!.statusCode).toBe(401);
    expect(JSON.parse(result!.body)).toMatchObject({
      error: 'invalid_signature',
      message: expect.stringContaining('X-Nurture-Signature'),
    });
  });

  it("the admin bundle: its sign-in page holds no data, the report answers a current access token of the report's client, /admin/api/report an IAM-signed request", async () => {
    const env = await testEnv();
    const awsEnv = {
      TABLE_NAME: env.config.TABLE_NAME,
      DYNAMODB_ENDPOINT: env.config.DYNAMODB_ENDPOINT!,
      PUBLIC_BASE_URL: 'https://api.clinic.example',
      ADMIN_USER_POOL_ID: 'us-east-1_Bundle',
      ADMIN_CLIENT_ID: 'bundleclient',
      ADMIN_SIGN_IN_URL: 'https://nurture-dev-123456789012.auth.us-east-1.amazoncognito.com',
    };
    const page = await invoke('admin', httpEvent('GET', '/admin'), awsEnv);
    expect(page.error).toBeUndefined();
    expect(page.result!.statusCode).toBe(200);
    expect(page.result!.body).toContain('/oauth2/authorize');
    expect(page.result!.body).not.toContain('data-step');

    const anonymous = await invoke('admin', httpEvent('GET', '/admin/report'), awsEnv);
    expect(anonymous.result!.statusCode).toBe(401);
    const signedIn = httpEvent('GET', '/admin/report', { headers: { accept: 'text/html' } }) as {
      requestContext: Record<string, unknown>;
    };
    signedIn.requestContext.authorizer = {
      jwt: {
        claims: {
          sub: 'a1b2c3d4-0000-4000-8000-000000000001',
          iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Bundle',
          client_id: 'bundleclient',
          token_use: 'access',
          exp: String(Math.floor(Date.now() / 1000) + 3600),
        },
      },
    };
    const { result, error } = await invoke('admin', signedIn, awsEnv);
    expect(error).toBeUndefined();
    expect(result!.statusCode).toBe(200);
    expect(result!.body).toMatch(/<svg[^>]*role="img"/);
    expect(result!.body).toContain('data-step="welcome"');

    const script = httpEvent('GET', '/admin/api/report') as { requestContext: Record<string, unknown> };
    expect((await invoke('admin', script, awsEnv)).result!.statusCode).toBe(403);
    script.requestContext.authorizer = { iam: { userArn: 'arn:aws:iam::123456789012:user/ops-script' } };
    expect((await invoke('admin', script, awsEnv)).result!.statusCode).toBe(200);
  });

  it("the privacy bundle exports a person's data for an IAM caller (AWS's sample event) and refuses a request without one", async () => {
    const env = await testEnv();
    const email = uniqueEmail('bundle-privacy');
    const leadId = await signUp(env, { email });
    const sample = JSON.parse(
      await readFile(new URL('../fixtures/api-gateway/http-api-iam-request.json', import.meta.url), 'utf8'),
    ) as { requestContext: { http: Record<string, string>; authorizer?: unknown } } & Record<string, unknown>;
    const event = {
      ...sample,
      routeKey: 'POST /admin/api/privacy/export',
      rawPath: '/admin/api/privacy/export',
      rawQueryString: '',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email }),
      requestContext: { ...sample.requestContext, http: { ...sample.requestContext.http, method: 'POST' } },
    };
    const privacyEnv = {
      TABLE_NAME: env.config.TABLE_NAME,
      DYNAMODB_ENDPOINT: env.config.DYNAMODB_ENDPOINT!,
      UNSUBSCRIBE_SECRET: env.config.UNSUBSCRIBE_SECRET,
    };
    const { result, error } = await invoke('privacy', event, privacyEnv);
    expect(error).toBeUndefined();
    expect(result!.statusCode).toBe(200);
    expect(JSON.parse(result!.body)).toMatchObject({ found: true, leadId, email });

    const { authorizer: _iam, ...unauthorised } = event.requestContext;
    expect((await invoke('privacy', { ...event, requestContext: unauthorised }, privacyEnv)).result!.statusCode).toBe(
      403,
    );
  });

  it('the admin bundle without the sign-in settings fails at start, naming them, and serves nothing', async () => {
    const env = await testEnv();
    const { result, error } = await invoke('admin', httpEvent('GET', '/admin/report'), {
      TABLE_NAME: env.config.TABLE_NAME,
      DYNAMODB_ENDPOINT: env.config.DYNAMODB_ENDPOINT!,
    });
    expect(result).toBeUndefined();
    expect(error).toMatch(/the report's sign-in needs ADMIN_USER_POOL_ID, ADMIN_CLIENT_ID, ADMIN_SIGN_IN_URL/);
  });

  it('an error in a bundle points at the TypeScript source line (source maps)', async () => {
    const { error } = await invoke('signup', httpEvent('POST', '/signup', { body: {} }), {});
    expect(error).toMatch(/Invalid configuration: TABLE_NAME/);
    expect(error).toMatch(/lambdas\/config\.ts:\d+:\d+/);
  });
});
