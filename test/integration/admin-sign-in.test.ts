/**
 * The admin handler as it runs in AWS, with the report's sign-in (issue #18), over a real table (dynalite): the page
 * at /admin holds no data; /admin/report answers only a request whose claims (what API Gateway's JWT authorizer
 * passes on) are a current access token of the report's app client; /admin/api/report only an IAM-signed one.
 * Claims arrive as API Gateway passes them, every value a string.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { adminDeps, adminSignIn } from '../../lambdas/compose/admin.ts';
import { loadAdminConfig } from '../../lambdas/config.ts';
import { makeAdminHandler } from '../../lambdas/handlers/admin.ts';
import { httpEvent, signUp, testEnv, uniqueEmail } from './harness.ts';

const env = await testEnv();
const POOL = 'us-east-1_Fake7Report';
const CLIENT = '5n1tq1pclientfake0report7';
const SIGN_IN_URL = 'https://nurture-prod-123456789012.auth.us-east-1.amazoncognito.com';
const ISSUER = `https://cognito-idp.us-east-1.amazonaws.com/${POOL}`;
const config = loadAdminConfig({
  TABLE_NAME: env.config.TABLE_NAME,
  DYNAMODB_ENDPOINT: env.config.DYNAMODB_ENDPOINT,
  AWS_REGION: 'us-east-1',
  PUBLIC_BASE_URL: 'https://api.nurture-fixture-clinic.com',
  ADMIN_USER_POOL_ID: POOL,
  ADMIN_CLIENT_ID: CLIENT,
  ADMIN_SIGN_IN_URL: SIGN_IN_URL,
});
const admin = makeAdminHandler(adminDeps(config, { clock: env.clock }), { signIn: adminSignIn(config) });
await signUp(env, { email: uniqueEmail('sign-in'), interest: 'chronic-migraine' });

const now = () => Math.floor(env.clock.now().getTime() / 1000);
/** The claims of a current access token of the report's client, as API Gateway passes them on. */
const accessClaims = (): Record<string, string> => ({
  sub: 'a1b2c3d4-0000-4000-8000-000000000001',
  iss: ISSUER,
  client_id: CLIENT,
  token_use: 'access',
  scope: 'openid email',
  auth_time: String(now() - 60),
  iat: String(now() - 60),
  exp: String(now() + 3540),
  username: 'a1b2c3d4-0000-4000-8000-000000000001',
});

function request(path: string, { claims, iam, accept }: { claims?: object; iam?: boolean; accept?: string } = {}) {
  const event = httpEvent('GET', path, accept ? { headers: { accept } } : {}) as {
    requestContext: Record<string, unknown>;
  };
  if (claims) event.requestContext.authorizer = { jwt: { claims, scopes: ['openid', 'email'] } };
  if (iam) event.requestContext.authorizer = { iam: { userArn: 'arn:aws:iam::123456789012:user/ops-script' } };
  return admin(event as never);
}

describe('GET /admin in AWS: the sign-in page', () => {
  it('holds no data: no count, step or chart, only the script that signs in and the settings it needs', async () => {
    const page = await request('/admin');
    expect(page.statusCode).toBe(200);
    expect(page.headers).toMatchObject({ 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    expect(page.body).not.toMatch(/data-step|data-metric|<svg|welcome/);
    expect(page.body).toContain(`"clientId":"${CLIENT}"`);
    expect(page.body).toContain('"pageUrl":"https://api.nurture-fixture-clinic.com/admin"');
  });

  it('allows only its own script (by hash), and requests only to its own origin and the sign-in domain', async () => {
    const page = await request('/admin');
    const csp = String(page.headers!['content-security-policy']);
    const script = /<script>([\s\S]*)<\/script>/.exec(page.body!)![1]!;
    const hash = createHash('sha256').update(script).digest('base64');
    expect(csp).toContain(`script-src 'sha256-${hash}'`);
    expect(csp).toContain(`connect-src 'self' ${SIGN_IN_URL}`);
    expect(csp).toMatch(/default-src 'none'/);
    expect(page.headers!['referrer-policy']).toBe('no-referrer');
  });
});

describe('GET /admin/report in AWS: only for a current access token of the report’s client', () => {
  it('a request without token claims (no authorizer ran) is refused, 401, with nothing of the report', async () => {
    const refused = await request('/admin/report');
    expect(refused.statusCode).toBe(401);
    expect(refused.headers!['www-authenticate']).toBe('Bearer');
    expect(refused.body).not.toMatch(/welcome|sequences|bookings/);
  });

  it.each([
    ['another pool’s token', { iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other' }, 'another issuer'],
    ['another app client’s token', { client_id: 'someotherclient' }, 'another app'],
    ['an ID token', { token_use: 'id', aud: CLIENT }, 'not an access token'],
    ['an expired token', { exp: String(now() - 1) }, 'an expired token'],
    ['a token with no user', { sub: '' }, 'no user'],
  ])('%s is refused, 401', async (_, change, why) => {
    const refused = await request('/admin/report', { claims: { ...accessClaims(), ...change } });
    expect(refused.statusCode).toBe(401);
    expect(JSON.parse(refused.body!).message).toContain(why);
  });

  it('an IAM-signed request is not a sign-in: 401 here (scripts use /admin/api/report)', async () => {
    expect((await request('/admin/report', { iam: true })).statusCode).toBe(401);
  });

  it('a current access token gets the report: JSON, or the page’s markup (chart included, no JSON link) for text/html', async () => {
    const asJson = await request('/admin/report', { claims: accessClaims() });
    expect(asJson.statusCode).toBe(200);
    expect(asJson.headers).toMatchObject({ 'cache-control': 'no-store', vary: 'accept' });
    expect(JSON.parse(asJson.body!).sequences.length).toBeGreaterThan(0);

    const asPage = await request('/admin/report', { claims: accessClaims(), accept: 'text/html' });
    expect(asPage.statusCode).toBe(200);
    expect(asPage.headers!['content-type']).toBe('text/html; charset=utf-8');
    expect(asPage.body).toMatch(/<svg[^>]*role="img"/);
    expect(asPage.body).toContain('data-step="welcome"');
    expect(asPage.body).not.toContain('The same as JSON');
  });
});

describe('GET /admin/api/report in AWS: for scripts with AWS credentials', () => {
  it('answers an IAM-signed request with the JSON report, and refuses everyone else, a signed-in marketer included', async () => {
    expect((await request('/admin/api/report')).statusCode).toBe(403);
    expect((await request('/admin/api/report', { claims: accessClaims() })).statusCode).toBe(403);
    const signed = await request('/admin/api/report', { iam: true });
    expect(signed.statusCode).toBe(200);
    expect(JSON.parse(signed.body!).sequences.length).toBeGreaterThan(0);
  });

  it('any other path under the handler is 404', async () => {
    expect((await request('/admin/other', { iam: true, claims: accessClaims() })).statusCode).toBe(404);
  });
});

describe('start-up in AWS', () => {
  it('a Lambda without the sign-in settings fails at start, naming them, rather than serve the report unguarded', () => {
    const { ADMIN_CLIENT_ID: _, ADMIN_SIGN_IN_URL: __, ...without } = config;
    expect(() => adminSignIn(without)).toThrow(
      "Invalid configuration: the report's sign-in needs ADMIN_CLIENT_ID, ADMIN_SIGN_IN_URL (set by the stack)",
    );
  });
});
