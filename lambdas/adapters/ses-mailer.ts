/**
 * Sends through SES SendRawEmail. MIME is built by nodemailer's MailComposer; nothing here concatenates headers.
 * The SDK's own retries are off: a retried request after a dropped connection could send twice, so the
 * dispatcher decides what to retry from the outcome returned here.
 */
import { SendRawEmailCommand, type SESClient } from '@aws-sdk/client-ses';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { Mailer, OutgoingEmail, SendOutcome } from '../domain/ports.ts';

export interface SesMailerOptions {
  from: { name: string; address: string };
  replyTo: string;
  configurationSet: string;
  /**
   * Resolves when the request may leave without exceeding the send rate (the pacer's `admit`), with a function
   * to call as it leaves.
   */
  admit?: () => Promise<() => void>;
}

/** Build the raw MIME message. Exported for tests and the test-send tool. */
export async function composeMime(
  email: Omit<OutgoingEmail, 'tags'>,
  options: Pick<SesMailerOptions, 'from' | 'replyTo'>,
): Promise<Buffer> {
  const composer = new MailComposer({
    from: options.from,
    to: email.to,
    replyTo: options.replyTo,
    subject: email.subject,
    text: email.text,
    html: email.html,
    // RFC 8058 one-click unsubscribe, on marketing only: a care email (about a booked visit) is not bulk mail, and a
    // one-click unsubscribe stops marketing alone. The URL is ours (base URL + signed token), never user text.
    ...(email.class === 'marketing' && {
      headers: {
        'List-Unsubscribe': `<${email.unsubscribeUrl}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
    }),
  });
  return composer.compile().build();
}

export class SesMailer implements Mailer {
  constructor(
    private readonly ses: SESClient,
    private readonly options: SesMailerOptions,
  ) {}

  async send(email: OutgoingEmail): Promise<SendOutcome> {
    const raw = await composeMime(email, this.options);
    const command = new SendRawEmailCommand({
      RawMessage: { Data: raw },
      ConfigurationSetName: this.options.configurationSet,
      // Ids only. The link count the machine-click rules need goes back with the outcome, into our own record of the
      // message: variants of one step have different counts, so as a tag it would tell the lead's interest.
      Tags: Object.entries(email.tags).map(([Name, Value]) => ({ Name, Value })),
    });
    const admit = this.options.admit;
    // Admission as late as the SDK allows: after the body is serialized and signed, right before the request,
    // which is marked leaving as it goes on to the HTTP handler.
    if (admit)
      command.middlewareStack.add((next) => async (args) => ((await admit())(), next(args)), {
        step: 'finalizeRequest',
        priority: 'low',
        name: 'admitUnderSendRate',
      });
    try {
      const result = await this.ses.send(command);
      return { kind: 'sent', messageId: result.MessageId!, links: trackedLinks(email.html) };
    } catch (error) {
      return classifySesError(error);
    }
  }
}

/**
 * How many distinct links SES's click tracking rewrites in this HTML: the http(s) URLs of anchors without
 * `ses:no-track`, at most 250 (SES's metrics FAQ: "modifies each link in the body", "a maximum of 250 links"). It
 * reads our own rendered templates, whose anchors react-email writes as `<a href="…">`.
 */
export function trackedLinks(html: string): number {
  const urls = new Set<string>();
  for (const [anchor] of html.matchAll(/<a\s[^>]*>/gi)) {
    if (/\sses:no-track[\s>=]/i.test(anchor)) continue;
    const href = /\shref\s*=\s*(?:"([^"]*)"|'([^']*)')/i.exec(anchor);
    const url = (href?.[1] ?? href?.[2] ?? '').replaceAll('&amp;', '&');
    if (/^https?:\/\//i.test(url)) urls.add(url);
  }
  return Math.min(urls.size, 250);
}

/**
 * SES refusals that are about the account, the sending identity or the dispatcher's own permissions, never about one
 * lead: sending them again to the next lead fails the same way. By the SDK's error name (what `@aws-sdk/client-ses`
 * makes of the wire code: `ConfigurationSetDoesNotExist` arrives as `ConfigurationSetDoesNotExistException`).
 * The errors, with AWS's documentation for each, are in test/fixtures/ses-errors.ts.
 */
const ACCOUNT_ERRORS: Readonly<Record<string, PauseCause>> = {
  AccountSendingPausedException: 'account-paused',
  ConfigurationSetSendingPausedException: 'configuration-set-paused',
  ConfigurationSetDoesNotExistException: 'configuration-set-missing',
  ConfigurationSetDoesNotExist: 'configuration-set-missing',
  MailFromDomainNotVerifiedException: 'mail-from-not-verified',
  MailFromDomainNotVerified: 'mail-from-not-verified',
  AccessDenied: 'access-denied',
  AccessDeniedException: 'access-denied',
  NotAuthorized: 'access-denied',
  InvalidClientTokenId: 'credentials',
  OptInRequired: 'credentials',
};

/**
 * `MessageRejected` (and `Throttling`) cover both one message and the whole account; SES tells them apart only in
 * the message text. These are the texts SES documents (or was seen sending) for the account-wide cases. Read here,
 * never logged or stored: the unverified-identity text names addresses.
 */
const ACCOUNT_MESSAGES: readonly (readonly [RegExp, PauseCause])[] = [
  // An unverified From/Return-Path identity (DKIM still pending counts), or a sandbox account's unverified recipient.
  [/email address is not verified/i, 'identity-not-verified'],
  [/sending (paused|suspended) for this account|account is paused/i, 'account-paused'],
  [/mail from domain is not verified/i, 'mail-from-not-verified'],
  [/configuration set .*does not exist/i, 'configuration-set-missing'],
  [/not authorized to perform|access denied/i, 'access-denied'],
  [/daily message quota exceeded/i, 'daily-quota-exceeded'],
];

/** What is wrong when SES refuses to send for the account: a short, fixed word for logs and alarms, never SES's text. */
export type PauseCause =
  | 'identity-not-verified'
  | 'account-paused'
  | 'configuration-set-paused'
  | 'configuration-set-missing'
  | 'mail-from-not-verified'
  | 'access-denied'
  | 'credentials'
  | 'daily-quota-exceeded';

/**
 * What an SES error means for the lead:
 * - `paused`: the account, the identity or our permissions; no send can succeed until someone fixes it. The lead is
 *   released unharmed and the run ends.
 * - `rejected`: SES refused this message or this recipient for good (`MessageRejected` with any other text: a
 *   suppressed address, a virus). Only that lead stops.
 * - `retry`: SES answered and refused for now (throttling, 5xx).
 * - `unknown`: the request left and no answer came; SES may have the message.
 */
export function classifySesError(error: unknown): SendOutcome {
  const err = error as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const name = err.name ?? 'Error';
  if (err.$metadata?.httpStatusCode) {
    const cause =
      ACCOUNT_ERRORS[name] ??
      (name === 'MessageRejected' || name === 'Throttling'
        ? ACCOUNT_MESSAGES.find(([pattern]) => pattern.test(err.message ?? ''))?.[1]
        : undefined);
    if (cause) return { kind: 'paused', reason: name, cause };
    return name === 'MessageRejected' ? { kind: 'rejected', reason: name } : { kind: 'retry', reason: name };
  }
  // No HTTP answer. If the connection was never made, SES never saw the message.
  const neverConnected =
    ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN'].includes(err.code ?? '') ||
    /without establishing a connection/i.test(err.message ?? '');
  return neverConnected ? { kind: 'retry', reason: err.code ?? name } : { kind: 'unknown', reason: err.code ?? name };
}
