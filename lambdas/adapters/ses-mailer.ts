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
    // RFC 8058 one-click unsubscribe. The URL is ours (base URL + signed token), never user text.
    headers: { 'List-Unsubscribe': `<${email.unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
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
      return { kind: 'sent', messageId: result.MessageId! };
    } catch (error) {
      return classifySesError(error);
    }
  }
}

const PERMANENT = new Set(['MessageRejected']);

/** Retry what SES answered and refused for now; stop a lead only on a permanent rejection; flag what never got an answer. */
export function classifySesError(error: unknown): SendOutcome {
  const err = error as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const name = err.name ?? 'Error';
  if (err.$metadata?.httpStatusCode) {
    return PERMANENT.has(name) ? { kind: 'rejected', reason: name } : { kind: 'retry', reason: name };
  }
  // No HTTP answer. If the connection was never made, SES never saw the message.
  const neverConnected =
    ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN'].includes(err.code ?? '') ||
    /without establishing a connection/i.test(err.message ?? '');
  return neverConnected ? { kind: 'retry', reason: err.code ?? name } : { kind: 'unknown', reason: err.code ?? name };
}
