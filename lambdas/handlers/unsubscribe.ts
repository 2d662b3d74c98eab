/**
 * /unsubscribe?token=…
 *   GET   a page with two buttons: stop the education emails (marketing), or stop everything (care emails about a
 *         booked visit too). GET alone never unsubscribes: link scanners prefetch links.
 *   POST  RFC 8058 one-click (body `List-Unsubscribe=One-Click`, sent by mail providers): marketing only. The page's
 *         buttons post `stop=marketing` or `stop=everything`.
 * The token is the lead id signed with HMAC; a forged, truncated or tampered token gets 400 and changes nothing, and
 * so does a `stop` other than those two.
 */
import { lambdaEntry, readConfig, unsubscribeDeps, type Clinic, type ResolvedConfig } from '../compose/unsubscribe.ts';
import { ROUTES } from '../contract.ts';
import type { Counting } from '../domain/counting.ts';
import type { Clock, LeadStore, Log } from '../domain/ports.ts';
import type { Sequence } from '../domain/sequence.ts';
import { unsubscribe, UNSUBSCRIBE_CHOICES, type UnsubscribeChoice } from '../domain/unsubscribe.ts';
import { verifyUnsubscribeToken } from '../domain/unsubscribe-token.ts';
import { escapeHtml, html, MAX_BODY_BYTES, rawBody, type HttpEvent, type HttpResult } from './http.ts';

export interface UnsubscribeHandlerDeps {
  /** Stops the lead (waiting out a send in flight, at most the SES timeout). */
  store: LeadStore;
  clock: Clock;
  log: Log;
  clinic: Pick<Clinic, 'name'>;
  /** The sequences' steps: whether the lead's next email is marketing or care. */
  sequences: Readonly<Record<string, Pick<Sequence, 'steps'>>>;
  /** The key the links are signed with. */
  config: Pick<ResolvedConfig, 'UNSUBSCRIBE_SECRET' | 'SES_TIMEOUT_SECONDS'>;
  /** The report's counters: an unsubscribe changes why the lead left. */
  counting?: Counting;
}

const BUTTON = 'font:inherit;padding:.6rem 1.2rem';

/**
 * What the POST asks to stop: marketing, unless it carries exactly one `stop` (the page's buttons); undefined for any
 * other `stop`. A body too large to be our form is a mail provider's one-click at most: marketing.
 */
function choiceOf(event: HttpEvent): UnsubscribeChoice | undefined {
  const raw = rawBody(event);
  if (raw.length > MAX_BODY_BYTES) return 'marketing';
  const stop = new URLSearchParams(raw.toString('utf8')).getAll('stop');
  if (stop.length === 0) return 'marketing';
  return stop.length === 1 && (UNSUBSCRIBE_CHOICES as readonly string[]).includes(stop[0]!)
    ? (stop[0] as UnsubscribeChoice)
    : undefined;
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

    const action = escapeHtml(`${ROUTES.unsubscribe}?token=${encodeURIComponent(token)}`);
    if (event.requestContext.http.method !== 'POST') {
      return html(
        200,
        'Unsubscribe',
        `<h1>Unsubscribe from ${name}?</h1>
<form method="post" action="${action}"><input type="hidden" name="stop" value="marketing"><p><button type="submit" style="${BUTTON}">Stop the education emails</button></p><p>No more emails about treatment, research and costs. If you book a visit, we still send its confirmation, a reminder and a note afterwards.</p></form>
<form method="post" action="${action}"><input type="hidden" name="stop" value="everything"><p><button type="submit" style="${BUTTON}">Stop everything</button></p><p>No email from us at all, not even about a visit you booked. For your appointment, call us instead.</p></form>`,
      );
    }

    const choice = choiceOf(event);
    if (!choice) {
      return html(
        400,
        'Choice not valid',
        `<h1>We could not tell what to stop</h1><p>Nothing was changed. Please open the unsubscribe link again and choose one of the two buttons.</p>`,
      );
    }
    const result = await unsubscribe(
      {
        store: deps.store,
        clock: deps.clock,
        sendTimeoutMs: config.SES_TIMEOUT_SECONDS * 1000,
        sequences: deps.sequences,
        counting: deps.counting,
      },
      leadId,
      choice,
    );
    deps.log.info('unsubscribe', {
      leadId,
      choice,
      outcome: result.outcome,
      ...(result.outcome === 'done' && { previous: result.previous, already: result.already }),
    });
    const already = result.outcome === 'done' && result.already;
    if (choice === 'everything') {
      return html(
        200,
        'Unsubscribed',
        already
          ? `<h1>You were already unsubscribed</h1><p>You will not get any more emails from ${name}.</p>`
          : `<h1>You are unsubscribed from everything</h1><p>You will not get any more emails from ${name}, not even about an appointment.</p>`,
      );
    }
    const care = result.outcome === 'done' && result.careGoesOn;
    return html(
      200,
      'Unsubscribed',
      `<h1>${already ? 'You were already unsubscribed' : 'You are unsubscribed'}</h1><p>You will not get any more education emails from ${name}.${
        care ? ' We will still email you about the visit you booked: its reminder and a note afterwards.' : ''
      }</p>
<form method="post" action="${action}"><input type="hidden" name="stop" value="everything"><p><button type="submit" style="${BUTTON}">Stop everything</button></p><p>No email from us at all, not even about a visit you booked.</p></form>`,
    );
  };
}

/** Lambda entry point. */
export const handler = lambdaEntry((config) => makeUnsubscribeHandler(unsubscribeDeps(config)), readConfig);
