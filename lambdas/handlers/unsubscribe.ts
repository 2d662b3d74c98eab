/**
 * /unsubscribe?token=…: the preference page, behind the signed link in every email (and the List-Unsubscribe header of
 * the marketing ones). Plain HTML forms: no JavaScript.
 *   GET   what the lead gets now, and one form per choice: pause the education emails for 30 days, at most one a week,
 *         back to the usual pace (when paused or weekly), stop the education emails (marketing), stop everything (care
 *         emails about a booked visit too). GET alone never changes anything: link scanners prefetch links.
 *   POST  RFC 8058 one-click (body `List-Unsubscribe=One-Click`, sent by mail providers): marketing only. The page's
 *         stop buttons post `stop=marketing` or `stop=everything`, its other buttons `choice=pause|weekly|resume`.
 * The token is the lead id signed with HMAC; a forged, truncated or tampered token gets 400 and changes nothing, and
 * so does any other form (a `stop` or `choice` other than those, two of them, or both fields).
 */
import { DateTime } from 'luxon';
import * as z from 'zod';
import { lambdaEntry, readConfig, unsubscribeDeps, type Clinic, type ResolvedConfig } from '../compose/unsubscribe.ts';
import { ROUTES } from '../contract.ts';
import type { Counting } from '../domain/counting.ts';
import type { Clock, LeadStore, Log } from '../domain/ports.ts';
import {
  choosePreference,
  currentSetting,
  type PreferenceChoice,
  type PreferenceResult,
  type PreferenceSetting,
} from '../domain/preferences.ts';
import type { Sequence } from '../domain/sequence.ts';
import { UNSUBSCRIBE_CHOICES } from '../domain/unsubscribe.ts';
import { verifyUnsubscribeToken } from '../domain/unsubscribe-token.ts';
import { escapeHtml, html, MAX_BODY_BYTES, rawBody, type HttpEvent, type HttpResult } from './http.ts';

export interface UnsubscribeHandlerDeps {
  /** Reads the lead for the page; records a choice (waiting out a send in flight, at most the SES timeout). */
  store: LeadStore;
  clock: Clock;
  log: Log;
  clinic: Pick<Clinic, 'name'>;
  /** The sequences' outline: whether the lead's next email is marketing or care, and the send windows. */
  sequences: Readonly<Record<string, Sequence>>;
  /** The key the links are signed with. */
  config: Pick<ResolvedConfig, 'UNSUBSCRIBE_SECRET' | 'SES_TIMEOUT_SECONDS'>;
  /** The report's counters: an unsubscribe changes why the lead left. */
  counting?: Counting;
}

const BUTTON = 'font:inherit;padding:.6rem 1.2rem';

/** No form field at all is a mail provider's one-click (RFC 8058): marketing. Else exactly one field, once. */
const formSchema = z.union([
  z.object({ stop: z.tuple([]), choice: z.tuple([]) }).transform((): PreferenceChoice => 'marketing'),
  z.object({ stop: z.tuple([z.enum(UNSUBSCRIBE_CHOICES)]), choice: z.tuple([]) }).transform(({ stop }) => stop[0]),
  z
    .object({ stop: z.tuple([]), choice: z.tuple([z.enum(['pause', 'weekly', 'resume'])]) })
    .transform(({ choice }) => choice[0]),
]);

/**
 * What the POST chooses, or undefined for a form the page never sends. A body too large to be our form is a mail
 * provider's one-click at most: marketing.
 */
function choiceOf(event: HttpEvent): PreferenceChoice | undefined {
  const raw = rawBody(event);
  if (raw.length > MAX_BODY_BYTES) return 'marketing';
  const form = new URLSearchParams(raw.toString('utf8'));
  const parsed = formSchema.safeParse({ stop: form.getAll('stop'), choice: form.getAll('choice') });
  return parsed.success ? parsed.data : undefined;
}

/** A date as the page says it, in the lead's zone: "Saturday, January 2". */
const day = (iso: string, zone: string) => DateTime.fromISO(iso, { zone }).setLocale('en-US').toFormat('cccc, LLLL d');

/** What the lead gets now, in one sentence. */
function describeSetting(setting: PreferenceSetting): string {
  if (setting.receives === 'nothing') return 'You get no emails from us.';
  if (setting.receives === 'care-only')
    return 'You get no education emails. If you book a visit, we still send its confirmation, a reminder and a note afterwards.';
  const pace = [
    setting.pausedUntil && `paused until ${day(setting.pausedUntil, setting.timeZone ?? 'UTC')}`,
    setting.weekly && 'at most one a week',
  ].filter(Boolean);
  return pace.length > 0
    ? `Your education emails are ${pace.join(', then ')}. Emails about a visit you book still come as usual.`
    : 'You get our education emails at the usual pace, and emails about any visit you book.';
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
    const form = (field: 'stop' | 'choice', value: string, label: string, explain: string) =>
      `<form method="post" action="${action}"><input type="hidden" name="${field}" value="${value}"><p><button type="submit" style="${BUTTON}">${label}</button></p><p>${explain}</p></form>`;
    const stopForms = (setting: PreferenceSetting) =>
      [
        setting.receives === 'all' &&
          form(
            'stop',
            'marketing',
            'Stop the education emails',
            'No more emails about treatment, research and costs. If you book a visit, we still send its confirmation, a reminder and a note afterwards.',
          ),
        setting.receives !== 'nothing' &&
          form(
            'stop',
            'everything',
            'Stop everything',
            'No email from us at all, not even about a visit you booked. For your appointment, call us instead.',
          ),
      ]
        .filter(Boolean)
        .join('\n');

    if (event.requestContext.http.method !== 'POST') {
      const setting = currentSetting(await deps.store.get(leadId), deps.clock.now());
      const paceForms =
        setting.receives === 'all'
          ? [
              form(
                'choice',
                'pause',
                'Pause the education emails for 30 days',
                'No education email for the next 30 days; then they start again where they left off.',
              ),
              !setting.weekly &&
                form(
                  'choice',
                  'weekly',
                  'At most one education email a week',
                  'The same emails, spaced at least a week apart.',
                ),
              (setting.weekly || setting.pausedUntil) &&
                form('choice', 'resume', 'Back to the usual pace', 'No pause, and the usual spacing between emails.'),
            ]
              .filter(Boolean)
              .join('\n')
          : '';
      return html(
        200,
        'Email preferences',
        `<h1>Your emails from ${name}</h1>
<p data-setting>${escapeHtml(describeSetting(setting))}</p>
${paceForms}
${stopForms(setting)}`,
      );
    }

    const choice = choiceOf(event);
    if (!choice) {
      return html(
        400,
        'Choice not valid',
        `<h1>We could not tell what you chose</h1><p>Nothing was changed. Please open the link in our email again and choose one of the buttons.</p>`,
      );
    }
    const result = await choosePreference(
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
    deps.log.info('preference', {
      leadId,
      choice,
      outcome: result.outcome,
      ...(result.outcome === 'done' && { already: result.already }),
    });
    return confirmation(result, choice, name, stopForms);
  };
}

/** The page after a choice: what changed, in the lead's terms. */
function confirmation(
  result: PreferenceResult,
  choice: PreferenceChoice,
  name: string,
  stopForms: (setting: PreferenceSetting) => string,
): HttpResult {
  const already = result.outcome === 'done' && result.already;
  if (result.outcome === 'moot') {
    const what =
      result.setting.receives === 'nothing'
        ? `You get no emails from ${name}, so there is nothing to change.`
        : `You already stopped the education emails from ${name}, so there is nothing to pause or space out. We still email you about a visit you book.`;
    return html(200, 'Nothing to change', `<h1>Nothing to change</h1><p>${what}</p>${stopForms(result.setting)}`);
  }
  if (choice === 'everything') {
    return html(
      200,
      'Unsubscribed',
      already
        ? `<h1>You were already unsubscribed</h1><p>You will not get any more emails from ${name}.</p>`
        : `<h1>You are unsubscribed from everything</h1><p>You will not get any more emails from ${name}, not even about an appointment.</p>`,
    );
  }
  if (choice === 'marketing') {
    const care = result.outcome === 'done' && result.careGoesOn;
    return html(
      200,
      'Unsubscribed',
      `<h1>${already ? 'You were already unsubscribed' : 'You are unsubscribed'}</h1><p>You will not get any more education emails from ${name}.${
        care ? ' We will still email you about the visit you booked: its reminder and a note afterwards.' : ''
      }</p>
${stopForms({ receives: 'care-only', weekly: false })}`,
    );
  }
  // A lead erased meanwhile: nothing is sent to it any more.
  const setting = result.outcome === 'done' ? result.setting : { receives: 'nothing' as const, weekly: false };
  const heading = {
    pause: 'Your education emails are paused',
    weekly: 'You will get at most one education email a week',
    resume: 'Your education emails are back to the usual pace',
  }[choice];
  return html(
    200,
    'Preferences saved',
    `<h1>${heading}</h1><p>${escapeHtml(describeSetting(setting))}</p><p>You can change this at any time from the link at the bottom of any of our emails.</p>
${stopForms(setting)}`,
  );
}

/** Lambda entry point. */
export const handler = lambdaEntry((config) => makeUnsubscribeHandler(unsubscribeDeps(config)), readConfig);
