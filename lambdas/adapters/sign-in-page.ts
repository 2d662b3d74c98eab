/**
 * The `/admin` page in AWS: a page with no data whose one script signs the marketer in with Cognito's managed login
 * and then shows the report. Locally `/admin` is the report itself (`report-page.tsx`), with no sign-in.
 *
 * The script follows the authorization code grant with PKCE for a public client (no client secret in a browser):
 *   1. no token: a random `state` and PKCE verifier go to sessionStorage, and the browser goes to the managed login's
 *      /oauth2/authorize with the verifier's S256 challenge;
 *   2. back with `?code=…&state=…`: the code is removed from the address bar and history at once
 *      (history.replaceState), the state checked, and the code exchanged at /oauth2/token with the verifier;
 *   3. only the access token is kept, in sessionStorage (this tab only, gone when it closes), until it expires; the
 *      ID and refresh tokens are dropped, so a stolen copy is worth at most the access token's hour;
 *   4. the report is fetched from /admin/report with `Authorization: Bearer <access token>` (API Gateway's JWT
 *      authorizer checks it) and shown in the page: the same markup, chart and tables as the local /admin;
 *   5. "Sign out" clears what the tab holds and goes to the managed login's /logout, which ends Cognito's own session
 *      and returns to the page, which then says "signed out" and offers to sign in again.
 * The Content-Security-Policy allows this one script (by its hash) and requests to this origin and the sign-in
 * domain only.
 */
import { createHash } from 'node:crypto';

export interface SignInPageSettings {
  /** Base URL of the user pool's managed login domain, e.g. https://nurture-prod-1234.auth.us-east-1.amazoncognito.com */
  signInUrl: string;
  /** The app client (public: no secret). */
  clientId: string;
  /** The page's own URL: the app client's callback URL and sign-out URL. */
  pageUrl: string;
  /** The path the report is fetched from, on the page's own origin. */
  reportPath: string;
}

export interface SignInPage {
  html: string;
  contentSecurityPolicy: string;
}

/** The page's one script, allowed by its hash. On sign-out it removes every key it set but the note that the tab signed out. */
const SCRIPT = `(() => {
  'use strict';
  const settings = JSON.parse(document.getElementById('sign-in-settings').textContent);
  const TOKEN = 'nurture.report.token';
  const PENDING = 'nurture.report.pending';
  const SIGNED_OUT = 'nurture.report.signed-out';
  const byId = (id) => document.getElementById(id);
  const say = (text) => {
    byId('status').textContent = text;
    byId('status').hidden = !text;
  };
  const base64url = (bytes) =>
    btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/[+]/g, '-').replace(/[/]/g, '_').replace(/=+$/, '');
  const random = () => base64url(crypto.getRandomValues(new Uint8Array(32)));
  const endpoint = (path, params) => {
    const url = new URL(path, settings.signInUrl);
    url.search = new URLSearchParams(params).toString();
    return url.href;
  };

  async function signIn() {
    sessionStorage.removeItem(SIGNED_OUT);
    const state = random();
    const verifier = random();
    const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
    sessionStorage.setItem(PENDING, JSON.stringify({ state, verifier }));
    location.assign(
      endpoint('/oauth2/authorize', {
        response_type: 'code',
        client_id: settings.clientId,
        redirect_uri: settings.pageUrl,
        scope: 'openid email',
        state,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
    );
  }

  async function finishSignIn(params) {
    // The code leaves the address bar and the history before anything else happens.
    history.replaceState(null, '', location.pathname);
    const pending = JSON.parse(sessionStorage.getItem(PENDING) || 'null');
    sessionStorage.removeItem(PENDING);
    if (params.get('error')) throw new Error('Sign-in did not complete (' + params.get('error') + ').');
    if (!pending || params.get('state') !== pending.state)
      throw new Error('That sign-in was not started in this tab, or has already been used.');
    const response = await fetch(new URL('/oauth2/token', settings.signInUrl).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: settings.clientId,
        code: params.get('code') || '',
        redirect_uri: settings.pageUrl,
        code_verifier: pending.verifier,
      }),
    });
    if (!response.ok) throw new Error('The sign-in code was refused (' + response.status + ').');
    const tokens = await response.json();
    const token = { accessToken: tokens.access_token, expiresAt: Date.now() + Number(tokens.expires_in) * 1000 };
    sessionStorage.setItem(TOKEN, JSON.stringify(token));
    return token;
  }

  function storedToken() {
    const token = JSON.parse(sessionStorage.getItem(TOKEN) || 'null');
    if (token && token.expiresAt > Date.now() + 30000) return token;
    sessionStorage.removeItem(TOKEN);
    return null;
  }

  async function showReport(token) {
    say('Loading the report…');
    const response = await fetch(settings.reportPath, {
      headers: { authorization: 'Bearer ' + token.accessToken, accept: 'text/html' },
    });
    if (response.status === 401 || response.status === 403) {
      sessionStorage.removeItem(TOKEN);
      return false;
    }
    if (!response.ok) throw new Error('The report did not load (' + response.status + '). Reload to try again.');
    const report = new DOMParser().parseFromString(await response.text(), 'text/html');
    for (const style of report.head.querySelectorAll('style')) document.head.append(document.adoptNode(style));
    // A copy of the list first: adopting a node takes it out of the live childNodes.
    byId('report').replaceChildren(...[...report.body.childNodes].map((node) => document.adoptNode(node)));
    say('');
    byId('sign-out').hidden = false;
    return true;
  }

  function signOut() {
    sessionStorage.removeItem(TOKEN);
    sessionStorage.removeItem(PENDING);
    sessionStorage.setItem(SIGNED_OUT, '1');
    byId('report').replaceChildren();
    byId('sign-out').hidden = true;
    location.assign(endpoint('/logout', { client_id: settings.clientId, logout_uri: settings.pageUrl }));
  }

  function failed(error) {
    say(error.message);
    byId('sign-in').hidden = false;
  }

  async function main() {
    byId('sign-out').addEventListener('click', signOut);
    byId('sign-in').addEventListener('click', () => void signIn().catch(failed));
    const params = new URLSearchParams(location.search);
    const returning = params.has('code') || params.has('error');
    const token = returning ? await finishSignIn(params) : storedToken();
    if (token && (await showReport(token))) return;
    if (returning) throw new Error('The report refused this sign-in. Sign in again, or ask ops to check your account.');
    if (sessionStorage.getItem(SIGNED_OUT)) {
      say('You are signed out.');
      byId('sign-in').hidden = false;
      return;
    }
    say('Signing in…');
    await signIn();
  }

  main().catch(failed);
})();`;

const SCRIPT_HASH = `sha256-${createHash('sha256').update(SCRIPT).digest('base64')}`;

const CSS = `
.session{display:flex;justify-content:flex-end;align-items:center;gap:1rem;font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:60rem;margin:1rem auto 0;padding:0 1rem}
.session button{font:inherit;padding:.35rem .9rem;border:1px solid #9aa5b1;border-radius:4px;background:#fff;cursor:pointer}
#status{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
`;

/** JSON that is safe inside a script element (no `</script>` or `<!--` can close or confuse it). */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

/** The page, and the Content-Security-Policy to serve it with. */
export function signInPage(settings: SignInPageSettings): SignInPage {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer"><title>Nurture report</title>
<style>${CSS}</style>
<script type="application/json" id="sign-in-settings">${scriptJson(settings)}</script>
</head><body>
<div class="session"><button id="sign-in" type="button" hidden>Sign in</button><button id="sign-out" type="button" hidden>Sign out</button></div>
<p id="status" role="status">Signing in…</p>
<noscript><p>The report's sign-in needs JavaScript: turn it on for this page, then reload.</p></noscript>
<main id="report"></main>
<script>${SCRIPT}</script>
</body></html>`;
  const contentSecurityPolicy = [
    "default-src 'none'",
    `script-src '${SCRIPT_HASH}'`,
    // The report's own <style> element, moved into this page.
    "style-src 'unsafe-inline'",
    `connect-src 'self' ${new URL(settings.signInUrl).origin}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return { html, contentSecurityPolicy };
}
