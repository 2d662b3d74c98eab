/**
 * /confirm?token=… (double opt-in: the link in the confirmation email)
 *   GET   a page with one button. GET alone never confirms: mail scanners prefetch links.
 *   POST  the button: the lead turns active with its welcome due now, and the welcome goes out before the answer.
 * The token is the lead id and the link's expiry, signed with HMAC for this purpose only (`domain/confirm-token.ts`):
 * a forged or cut-short token gets 400, an expired one (or a lead that lapsed or is gone) 410, and neither changes
 * anything.
 */
import { confirmDeps, lambdaEntry, readConfig, type Clinic, type ResolvedConfig } from '../compose/confirm.ts';
import { ROUTES, SEQUENCE_IDS } from '../contract.ts';
import { verifyConfirmToken } from '../domain/confirm-token.ts';
import { deliverNext, type DispatchDeps } from '../domain/dispatch.ts';
import { isLapsed } from '../domain/lead.ts';
import { confirmLead } from '../domain/opt-in.ts';
import { escapeHtml, html, type HttpEvent, type HttpResult } from './http.ts';

export interface ConfirmHandlerDeps {
  /** The dispatcher's parts: the welcome goes out through them, and the lead store, clock, log and sequences are theirs. */
  dispatch: DispatchDeps;
  clinic: Pick<Clinic, 'name' | 'phone'>;
  /** The key the links are signed with. */
  config: Pick<ResolvedConfig, 'UNSUBSCRIBE_SECRET'>;
}

const BUTTON = 'font:inherit;padding:.6rem 1.2rem';

export function makeConfirmHandler(deps: ConfirmHandlerDeps) {
  const { dispatch, clinic, config } = deps;
  const name = escapeHtml(clinic.name);
  const phone = escapeHtml(clinic.phone);

  const notValid = () =>
    html(
      400,
      'Link not valid',
      `<h1>This confirmation link is not valid</h1><p>It may have been cut short when it was copied. Please open the link in the email from ${name} again, or call us at ${phone}.</p>`,
    );
  const expired = () =>
    html(
      410,
      'Link expired',
      `<h1>This confirmation link has expired</h1><p>Nothing was changed. If you still want emails from ${name}, please sign up again: we will send you a new link. If you received more than one email, the link in the newest one may still work.</p>`,
    );
  const already = () =>
    html(
      200,
      'Already confirmed',
      `<h1>Your address is already confirmed</h1><p>There is nothing more to do. Questions? Call us at ${phone}.</p>`,
    );

  return async (event: HttpEvent): Promise<HttpResult> => {
    const token = new URLSearchParams(event.rawQueryString ?? '').get('token') ?? '';
    const check =
      token.length <= 300
        ? verifyConfirmToken(token, config.UNSUBSCRIBE_SECRET, dispatch.clock.now())
        : ({ ok: false, reason: 'invalid' } as const);
    if (!check.ok) return check.reason === 'expired' ? expired() : notValid();

    if (event.requestContext.http.method !== 'POST') {
      const lead = await dispatch.store.get(check.leadId);
      if (lead?.confirmedAt) return already();
      if (!lead || lead.status !== 'pending' || isLapsed(lead, dispatch.clock.now())) return expired();
      const action = escapeHtml(`${ROUTES.confirm}?token=${encodeURIComponent(token)}`);
      return html(
        200,
        'Confirm your email address',
        `<h1>Confirm your email address</h1><p>One click, and ${name} will start sending you the emails you asked for.</p>
<form method="post" action="${action}"><p><button type="submit" style="${BUTTON}">Confirm my email address</button></p></form>`,
      );
    }

    const result = await confirmLead(
      {
        store: dispatch.store,
        clock: dispatch.clock,
        sequence: dispatch.sequences[SEQUENCE_IDS.nurture]!,
        counting: dispatch.counting,
      },
      check.leadId,
    );
    dispatch.log.info('confirm', { leadId: check.leadId, outcome: result.outcome });
    if (result.outcome !== 'confirmed') return result.outcome === 'already' ? already() : expired();

    // Speed to lead, as at sign-up: the welcome goes out now. If this fails the lead is saved and the dispatcher
    // sends it.
    try {
      await deliverNext(dispatch, result.lead, 'first');
    } catch (error) {
      dispatch.log.error('welcome not sent at confirmation; the dispatcher will retry', {
        leadId: check.leadId,
        error: (error as Error).name,
      });
    }
    return html(
      200,
      'Address confirmed',
      `<h1>Thank you: your address is confirmed</h1><p>Check your inbox: we have sent you a short welcome from ${name}.</p><p>Questions? Call us at ${phone}.</p>`,
    );
  };
}

/** Lambda entry point. */
export const handler = lambdaEntry((config) => makeConfirmHandler(confirmDeps(config)), readConfig);
