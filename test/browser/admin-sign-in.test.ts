/**
 * The report's sign-in page in a real browser (issue #18): Debian's chromium, driven by playwright-core, runs the
 * page's own script under its own Content-Security-Policy. Two small local servers stand in for what AWS runs:
 *   - the managed login (Cognito's domain): /oauth2/authorize answers as if the marketer had just signed in with
 *     password and MFA (a redirect back with a code), /oauth2/token checks the PKCE verifier against the challenge
 *     and issues tokens, /logout redirects to the logout_uri. A stand-in, not Cognito: it shows what the page sends
 *     and does with the answers, the endpoints' parameters being those of Cognito's reference.
 *   - API Gateway: /admin and /admin/report go to the real admin handler with the AWS settings; /admin/report passes
 *     claims on only for a Bearer token the stand-in issued, and answers 401 otherwise, as the JWT authorizer does.
 * The report is read from a real table (dynalite).
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminDeps, adminSignIn } from '../../lambdas/compose/admin.ts';
import { loadAdminConfig } from '../../lambdas/config.ts';
import { makeAdminHandler } from '../../lambdas/handlers/admin.ts';
import { httpEvent, signUp, testEnv, uniqueEmail } from '../integration/harness.ts';
import { browserSuiteTitle, hasChromium, launchChromium } from '../support/browser.ts';

const CLIENT = 'report-page-client';
const POOL = 'us-east-1_StandIn';

interface Issued {
  challenge: string;
  method: string;
  redirectUri: string;
}

/** What the stand-ins were asked, in order. */
const seen = {
  authorize: [] as URLSearchParams[],
  token: [] as URLSearchParams[],
  logout: [] as URLSearchParams[],
  report: [] as (string | undefined)[],
};
const codes = new Map<string, Issued>();
const accessTokens = new Set<string>();

const base64url = (bytes: Buffer) => bytes.toString('base64url');
const body = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};
const listen = async (server: Server) => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

let apiUrl = '';

/** Cognito's managed login, as far as the page uses it. */
const signInServer = createServer((req, res) => {
  void (async () => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    if (req.method === 'GET' && url.pathname === '/oauth2/authorize') {
      seen.authorize.push(url.searchParams);
      const code = randomUUID();
      codes.set(code, {
        challenge: url.searchParams.get('code_challenge') ?? '',
        method: url.searchParams.get('code_challenge_method') ?? '',
        redirectUri: url.searchParams.get('redirect_uri') ?? '',
      });
      const back = new URL(url.searchParams.get('redirect_uri')!);
      back.search = new URLSearchParams({ code, state: url.searchParams.get('state') ?? '' }).toString();
      return redirect(res, back.href);
    }
    if (req.method === 'POST' && url.pathname === '/oauth2/token') {
      const form = new URLSearchParams(await body(req));
      seen.token.push(form);
      const issued = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      const valid =
        issued &&
        issued.method === 'S256' &&
        base64url(createHash('sha256').update(verifier).digest()) === issued.challenge &&
        form.get('grant_type') === 'authorization_code' &&
        form.get('client_id') === CLIENT &&
        form.get('redirect_uri') === issued.redirectUri;
      res.setHeader('access-control-allow-origin', apiUrl);
      if (!valid) return send(res, 400, { error: 'invalid_grant' });
      const access = `access-${randomUUID()}`;
      accessTokens.add(access);
      return send(res, 200, {
        access_token: access,
        id_token: `id-${randomUUID()}`,
        refresh_token: `refresh-${randomUUID()}`,
        expires_in: 3600,
        token_type: 'Bearer',
      });
    }
    if (req.method === 'GET' && url.pathname === '/logout') {
      seen.logout.push(url.searchParams);
      return redirect(res, url.searchParams.get('logout_uri')!);
    }
    send(res, 404, { error: 'not_found' });
  })();
});

let admin: ReturnType<typeof makeAdminHandler>;
let now: () => number;

/** API Gateway in front of the admin handler, with the JWT authorizer on /admin/report. */
const apiServer = createServer((req, res) => {
  void (async () => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    const event = httpEvent(req.method ?? 'GET', `${url.pathname}${url.search}`, { headers }) as {
      requestContext: Record<string, unknown>;
    };
    if (url.pathname === '/admin/report') {
      seen.report.push(req.headers.authorization);
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!token || !accessTokens.has(token)) return send(res, 401, { message: 'Unauthorized' });
      event.requestContext.authorizer = {
        jwt: {
          claims: {
            sub: 'a1b2c3d4-0000-4000-8000-000000000001',
            iss: `https://cognito-idp.us-east-1.amazonaws.com/${POOL}`,
            client_id: CLIENT,
            token_use: 'access',
            scope: 'openid email',
            exp: String(now() + 3600),
          },
          scopes: ['openid', 'email'],
        },
      };
    } else if (url.pathname !== '/admin') return send(res, 404, { message: 'Not Found' });
    const result = await admin(event as never);
    res.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
    res.end(result.body);
  })();
});

function redirect(res: ServerResponse, location: string) {
  res.writeHead(302, { location });
  res.end();
}
function send(res: ServerResponse, status: number, value: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

describe.skipIf(!hasChromium)(browserSuiteTitle('the report’s sign-in page (browser)'), () => {
  let browser: Browser;
  let signInUrl: string;

  beforeAll(async () => {
    const env = await testEnv();
    now = () => Math.floor(env.clock.now().getTime() / 1000);
    await signUp(env, { email: uniqueEmail('report-sign-in'), interest: 'chronic-migraine' });
    signInUrl = await listen(signInServer);
    apiUrl = await listen(apiServer);
    const config = loadAdminConfig({
      TABLE_NAME: env.config.TABLE_NAME,
      DYNAMODB_ENDPOINT: env.config.DYNAMODB_ENDPOINT,
      AWS_REGION: 'us-east-1',
      PUBLIC_BASE_URL: apiUrl,
      ADMIN_USER_POOL_ID: POOL,
      ADMIN_CLIENT_ID: CLIENT,
      ADMIN_SIGN_IN_URL: signInUrl,
    });
    admin = makeAdminHandler(adminDeps(config, { clock: env.clock }), { signIn: adminSignIn(config) });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    signInServer.close();
    apiServer.close();
  });

  /** Wait for the report; if it never comes, fail saying what the page shows instead. */
  const reportShown = async (page: Page) => {
    try {
      await page.locator('[data-metric="bookings"]').waitFor({ state: 'visible', timeout: 10_000 });
    } catch {
      const status = await page.locator('#status').textContent();
      throw new Error(`no report at ${page.url()}; the page says "${status}"; seen ${JSON.stringify(seen)}`);
    }
  };
  const stored = (page: Page) => page.evaluate(() => JSON.stringify(sessionStorage));

  it('signs in with code and PKCE, keeps only the access token, sends it as a Bearer header, and signs out', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (message) => void (message.type() === 'error' && errors.push(message.text())));

    // 1. No token: off to the managed login with an S256 challenge and a state, then back with a code.
    await page.goto(`${apiUrl}/admin`);
    await reportShown(page);
    expect(seen.authorize).toHaveLength(1);
    const authorize = Object.fromEntries(seen.authorize[0]!);
    expect(authorize).toMatchObject({
      response_type: 'code',
      client_id: CLIENT,
      redirect_uri: `${apiUrl}/admin`,
      scope: 'openid email',
      code_challenge_method: 'S256',
    });
    expect(authorize.state).toMatch(/^[\w-]{43}$/);
    expect(authorize.code_challenge).toMatch(/^[\w-]{43}$/);

    // 2. The code was exchanged once, with the verifier whose hash is the challenge, and no client secret.
    expect(seen.token).toHaveLength(1);
    const token = Object.fromEntries(seen.token[0]!);
    expect(token).toMatchObject({
      grant_type: 'authorization_code',
      client_id: CLIENT,
      redirect_uri: `${apiUrl}/admin`,
    });
    expect(base64url(createHash('sha256').update(token.code_verifier!).digest())).toBe(authorize.code_challenge);
    expect(token.client_secret).toBeUndefined();

    // 3. The code is gone from the address bar; the report came with the access token as a Bearer header.
    expect(page.url()).toBe(`${apiUrl}/admin`);
    expect(seen.report.at(-1)).toMatch(/^Bearer access-/);
    const kept = await stored(page);
    expect(kept).toContain('access-');
    expect(kept).not.toMatch(/refresh-|id-|code_verifier|verifier/);
    expect(await page.locator('[data-step="welcome"]').count()).toBeGreaterThan(0);
    expect(await page.locator('svg[role="img"]').count()).toBeGreaterThan(0);

    // 4. A reload uses the kept token: no second trip to the sign-in.
    await page.reload();
    await reportShown(page);
    expect(seen.authorize).toHaveLength(1);

    // 5. Sign-out clears the tab's tokens and ends Cognito's session at /logout, which returns to the page.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You are signed out.').waitFor();
    expect(seen.logout).toHaveLength(1);
    expect(Object.fromEntries(seen.logout[0]!)).toEqual({ client_id: CLIENT, logout_uri: `${apiUrl}/admin` });
    expect(await stored(page)).not.toContain('access-');
    expect(await page.locator('[data-metric]').count()).toBe(0);
    expect(seen.authorize).toHaveLength(1);

    // 6. Signing in again is one click.
    await page.getByRole('button', { name: 'Sign in' }).click();
    await reportShown(page);
    expect(seen.authorize).toHaveLength(2);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a code that comes back with a state this tab did not send is not exchanged, and leaves the address bar', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const exchanges = seen.token.length;
    await page.goto(`${apiUrl}/admin?code=forged-code&state=not-ours`);
    await page.getByText('That sign-in was not started in this tab').waitFor();
    expect(seen.token).toHaveLength(exchanges);
    expect(page.url()).toBe(`${apiUrl}/admin`);
    expect(await page.locator('[data-metric]').count()).toBe(0);
    await context.close();
  });

  it('a token the report refuses (revoked, say) is dropped, and the page signs in again', async () => {
    const context = await browser.newContext();
    await context.addInitScript(() => {
      if (!sessionStorage.getItem('nurture.report.seeded')) {
        sessionStorage.setItem('nurture.report.seeded', '1');
        sessionStorage.setItem(
          'nurture.report.token',
          JSON.stringify({ accessToken: 'revoked-token', expiresAt: Date.now() + 600_000 }),
        );
      }
    });
    const page = await context.newPage();
    const trips = seen.authorize.length;
    await page.goto(`${apiUrl}/admin`);
    await reportShown(page);
    expect(seen.report).toContain('Bearer revoked-token');
    expect(seen.authorize).toHaveLength(trips + 1);
    await context.close();
  });
});
