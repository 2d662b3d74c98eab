/**
 * POST /signup: validate, store the lead once per email, and send the welcome before answering.
 * With DOUBLE_OPT_IN, store it as pending and send the confirmation email instead (`domain/opt-in.ts`); the answer
 * is then the same whatever the address's state, so the form tells no one whether an address is known.
 * A fetch gets JSON; a plain HTML form post gets a thank-you page.
 */
import { lambdaEntry, readConfig, signupDeps, type Clinic, type Config } from '../compose/signup.ts';
import { SEQUENCE_IDS } from '../contract.ts';
import { deliverNext, type DispatchDeps } from '../domain/dispatch.ts';
import { enroll } from '../domain/enroll.ts';
import { CONFIRM_LINK_DAYS, signUpPending } from '../domain/opt-in.ts';
import type { EventStore } from '../domain/ports.ts';
import { parseSignup } from '../domain/signup.ts';
import { decodeBody, escapeHtml, header, html, json, wantsHtml, type HttpEvent, type HttpResult } from './http.ts';

export interface SignupHandlerDeps {
  /** The dispatcher's parts: the welcome goes out through them, and the lead store, clock, log and sequences are theirs. */
  dispatch: DispatchDeps;
  /** A suppressed address starts no sequence. */
  events: Pick<EventStore, 'suppressedAs'>;
  clinic: Pick<Clinic, 'name' | 'phone'>;
  config: Pick<Config, 'DEFAULT_TIME_ZONE' | 'CONSENT_TEXT_VERSION' | 'DOUBLE_OPT_IN' | 'HOLDOUT_SHARE'>;
  newId: () => string;
  /** Double opt-in: the signed link that confirms a lead, expiring at `expiresAt`. */
  confirmUrl: (leadId: string, expiresAt: Date) => string;
}

export function makeSignupHandler(deps: SignupHandlerDeps) {
  const { config, clinic, dispatch } = deps;

  const thanks = (event: HttpEvent, kind: 'json' | 'form', status: 200 | 201, body: object): HttpResult =>
    wantsHtml(event, kind)
      ? html(
          200,
          'Thank you',
          `<h1>Thank you</h1><p>Check your inbox: we have sent you a short welcome from ${escapeHtml(clinic.name)}.</p><p>Questions? Call us at ${escapeHtml(clinic.phone)}.</p>`,
        )
      : json(status, body);

  // Double opt-in: one answer for a new address, a pending one, a known one and a bot alike.
  const checkInbox = (event: HttpEvent, kind: 'json' | 'form'): HttpResult =>
    wantsHtml(event, kind)
      ? html(
          202,
          'Please check your inbox',
          `<h1>Please check your inbox</h1><p>We have sent you an email to confirm your address. The emails you asked for from ${escapeHtml(clinic.name)} start once you click the link in it.</p><p>Nothing there? Look in your spam folder. The link works for ${CONFIRM_LINK_DAYS} days.</p><p>Questions? Call us at ${escapeHtml(clinic.phone)}.</p>`,
        )
      : json(202, { status: 'confirm-by-email' });

  const invalid = (
    event: HttpEvent,
    kind: 'json' | 'form' | undefined,
    status: number,
    fields: Record<string, string>,
  ): HttpResult =>
    wantsHtml(event, kind)
      ? html(
          status,
          'Please check the form',
          `<h1>Please check the form</h1><ul>${Object.values(fields)
            .map((m) => `<li>${escapeHtml(m)}</li>`)
            .join('')}</ul><p><a href="javascript:history.back()">Go back</a></p>`,
        )
      : json(status, { error: 'invalid_signup', message: 'Please check the highlighted fields.', fields });

  return async (event: HttpEvent): Promise<HttpResult> => {
    const decoded = decodeBody(event);
    if (!decoded.ok) return invalid(event, undefined, decoded.status, { body: decoded.message });

    const parsed = parseSignup(decoded.value, {
      now: dispatch.clock.now(),
      defaultTimeZone: config.DEFAULT_TIME_ZONE,
      consentTextVersion: config.CONSENT_TEXT_VERSION,
      referer: header(event, 'referer'),
    });
    if (!parsed.ok) return invalid(event, decoded.kind, 400, parsed.fields);
    // A bot filled the hidden field: answer as if all went well, store nothing.
    if (parsed.honeypot)
      return config.DOUBLE_OPT_IN
        ? checkInbox(event, decoded.kind)
        : thanks(event, decoded.kind, 201, { leadId: deps.newId(), created: true });

    if (config.DOUBLE_OPT_IN) {
      const result = await signUpPending(
        {
          store: dispatch.store,
          events: deps.events,
          clock: dispatch.clock,
          log: dispatch.log,
          newId: deps.newId,
          sequence: dispatch.sequences[SEQUENCE_IDS.nurture]!,
          optIn: dispatch.sequences[SEQUENCE_IDS.optIn]!,
          mailer: dispatch.mailer,
          renderer: dispatch.renderer,
          pace: dispatch.pace,
          unsubscribeUrl: dispatch.unsubscribeUrl,
          confirmUrl: deps.confirmUrl,
          counting: dispatch.counting,
          holdoutShare: config.HOLDOUT_SHARE,
        },
        parsed.profile,
      );
      dispatch.log.info('sign-up pending confirmation', {
        outcome: result.outcome,
        ...(result.leadId && { leadId: result.leadId }),
      });
      return checkInbox(event, decoded.kind);
    }

    const sequence = dispatch.sequences[SEQUENCE_IDS.nurture]!;
    const result = await enroll(
      {
        store: dispatch.store,
        events: deps.events,
        clock: dispatch.clock,
        newId: deps.newId,
        sequence,
        counting: dispatch.counting,
        holdoutShare: config.HOLDOUT_SHARE,
      },
      parsed.profile,
    );
    if (!result.created) return thanks(event, decoded.kind, 200, { created: false });

    // Speed to lead: the welcome goes out now, ahead of any backlog. If this fails the lead is saved and the
    // dispatcher sends it.
    try {
      await deliverNext(dispatch, result.lead, 'first');
    } catch (error) {
      dispatch.log.error('welcome not sent at sign-up; the dispatcher will retry', {
        leadId: result.leadId,
        error: (error as Error).name,
      });
    }
    return thanks(event, decoded.kind, 201, { leadId: result.leadId, created: true });
  };
}

/** Lambda entry point. */
export const handler = lambdaEntry((config) => makeSignupHandler(signupDeps(config)), readConfig);
