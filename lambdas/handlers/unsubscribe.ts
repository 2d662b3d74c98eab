/**
 * /unsubscribe?token=…
 *   GET   a page with one button. GET alone never unsubscribes: link scanners prefetch links.
 *   POST  RFC 8058 one-click (body `List-Unsubscribe=One-Click`, sent by mail providers), or that button.
 * The token is the lead id signed with HMAC; a forged, truncated or tampered token gets 400 and changes nothing.
 */
import { lambdaEntry, readConfig, unsubscribeDeps, type Clinic, type ResolvedConfig } from '../compose/unsubscribe.ts';
import { ROUTES } from '../contract.ts';
import type { Counting } from '../domain/counting.ts';
import type { Clock, LeadStore, Log } from '../domain/ports.ts';
import { stopLead } from '../domain/stop.ts';
import { verifyUnsubscribeToken } from '../domain/unsubscribe-token.ts';
import { escapeHtml, html, type HttpEvent, type HttpResult } from './http.ts';

export interface UnsubscribeHandlerDeps {
  /** Stops the lead (waiting out a send in flight, at most the SES timeout). */
  store: LeadStore;
  clock: Clock;
  log: Log;
  clinic: Pick<Clinic, 'name'>;
  /** The key the links are signed with. */
  config: Pick<ResolvedConfig, 'UNSUBSCRIBE_SECRET' | 'SES_TIMEOUT_SECONDS'>;
  /** The report's counters: an unsubscribe changes why the lead left. */
  counting?: Counting;
}

export function makeUnsubscribeHandler(deps: UnsubscribeHandlerDeps) {
  const { config, clinic } = deps;
  const name = escapeHtml(clinic.name);

  return async (event: HttpEvent): Promise<HttpResult> => {
    const token = new URLSearchParams(event.rawQueryString ?? '').get('token') ?? '';
    const leadId = token.length <= 200 ? verifyUnsubscribeToken(token, config.UNSUBSCRIBE_SECRET) : undefined;
    if (!leadId) {
      return html(
        400,
        'Link not valid',
        `<h1>This unsubscribe link is not valid</h1><p>It may have been cut short when it was copied. Please use the link at the bottom of any email from ${name}, or reply to that email and we will unsubscribe you.</p>`,
      );
    }

    if (event.requestContext.http.method !== 'POST') {
      const action = `${ROUTES.unsubscribe}?token=${encodeURIComponent(token)}`;
      return html(
        200,
        'Unsubscribe',
        `<h1>Unsubscribe from ${name}?</h1><p>You will get no more emails from us about your consultation enquiry.</p>
<form method="post" action="${escapeHtml(action)}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit" style="font:inherit;padding:.6rem 1.2rem">Unsubscribe</button></form>`,
      );
    }

    const result = await stopLead(
      {
        store: deps.store,
        clock: deps.clock,
        sendTimeoutMs: config.SES_TIMEOUT_SECONDS * 1000,
        counting: deps.counting,
      },
      leadId,
      'unsubscribed',
    );
    deps.log.info('unsubscribe', {
      leadId,
      outcome: result.outcome,
      ...(result.outcome === 'stopped' && { previous: result.previous }),
    });
    const already = result.outcome === 'stopped' && result.previous === 'unsubscribed';
    return html(
      200,
      'Unsubscribed',
      already
        ? `<h1>You were already unsubscribed</h1><p>You will not get any more emails from ${name}.</p>`
        : `<h1>You are unsubscribed</h1><p>You will not get any more emails from ${name}.</p>`,
    );
  };
}

/** Lambda entry point. */
export const handler = lambdaEntry((config) => makeUnsubscribeHandler(unsubscribeDeps(config)), readConfig);
