import { Readable } from 'node:stream';
import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { describe, expect, it } from 'vitest';
import { classifySesError, composeMime, trackedLinks } from '../../../lambdas/adapters/ses-mailer.ts';
import type { OutgoingEmail } from '../../../lambdas/domain/ports.ts';
import { SES_ERRORS, errorResponseXml, type SesErrorFixture } from '../../fixtures/ses-errors.ts';

const email = (overrides: Partial<OutgoingEmail> = {}): OutgoingEmail => ({
  to: { address: 'zoe@example.com', name: 'Zoë Ölund' },
  subject: 'Zoë, here is how it works',
  html: '<p>Hello</p>',
  text: 'Hello',
  unsubscribeUrl: 'https://nurture.clinic.example/unsubscribe?token=01ABC.sig',
  class: 'marketing',
  tags: { leadId: '01ABC', sequenceId: 'nurture', stepId: 'welcome' },
  ...overrides,
});
const options = {
  from: { name: 'Ketamine Center', address: 'care@clinic.example' },
  replyTo: 'frontdesk@clinic.example',
};
/** The header block, unfolded (a long header may be folded onto a continuation line). */
const headersOf = (raw: Buffer) =>
  raw
    .toString('utf8')
    .split('\r\n\r\n')[0]!
    .replace(/\r\n[ \t]+/g, ' ');

describe('the MIME message', () => {
  it('carries one-click unsubscribe headers (RFC 8058) with the https link', async () => {
    const headers = headersOf(await composeMime(email(), options));
    expect(headers).toMatch(/^List-Unsubscribe: <https:\/\/nurture\.clinic\.example\/unsubscribe\?token=01ABC\.sig>$/m);
    expect(headers).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
    expect(headers).toMatch(/^Reply-To: frontdesk@clinic\.example$/m);
  });

  it('a care email (about a booked visit) carries neither unsubscribe header: it is not bulk mail', async () => {
    const headers = headersOf(
      await composeMime(
        email({ class: 'care', tags: { leadId: '01ABC', sequenceId: 'follow-up', stepId: 'reminder' } }),
        options,
      ),
    );
    expect(headers).not.toMatch(/^List-Unsubscribe/im);
    expect(headers).toMatch(/^Reply-To: frontdesk@clinic\.example$/m);
  });

  it('has an HTML part and a plain-text part', async () => {
    const raw = (await composeMime(email(), options)).toString('utf8');
    expect(raw).toMatch(/multipart\/alternative/);
    expect(raw).toMatch(/Content-Type: text\/plain/);
    expect(raw).toMatch(/Content-Type: text\/html/);
  });

  it('encodes a non-ASCII name and subject instead of writing them raw into headers', async () => {
    const headers = headersOf(await composeMime(email(), options));
    expect(headers).not.toContain('Zoë');
    expect(headers).toMatch(/^To: =\?UTF-8\?/m);
    expect(headers).toMatch(/^Subject: =\?UTF-8\?/m);
  });

  it('cannot be made to add a header through the name', async () => {
    const headers = headersOf(
      await composeMime(email({ to: { address: 'a@example.com', name: 'A\r\nBcc: victim@example.com' } }), options),
    );
    expect(headers).not.toMatch(/^Bcc:/m);
  });
});

describe('what an SES error means for the lead', () => {
  const answered = (name: string, status: number, message = name) =>
    Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

  /**
   * The fixture's answer as SES sends it (status, XML body), put through the real `@aws-sdk/client-ses` SendRawEmail
   * parser: the error our code sees is the one the SDK makes of SES's answer. Only the HTTP exchange is replaced.
   */
  async function sdkErrorFor(fixture: SesErrorFixture): Promise<unknown> {
    const ses = new SESClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      maxAttempts: 1,
      requestHandler: {
        handle: async () => ({
          response: {
            statusCode: fixture.status,
            headers: { 'content-type': 'text/xml', 'x-amzn-requestid': 'b25f48e8-84fd-11e6-80d2-0b0c9f1c5ff1' },
            body: Readable.from([Buffer.from(errorResponseXml(fixture, 'b25f48e8-84fd-11e6-80d2-0b0c9f1c5ff1'))]),
          },
        }),
      },
    });
    return ses
      .send(new SendRawEmailCommand({ RawMessage: { Data: Buffer.from('Subject: x\r\n\r\nx') } }))
      .then(() => expect.unreachable('SES answered an error'))
      .catch((error: unknown) => error);
  }

  describe.each(SES_ERRORS.map((fixture) => [fixture.label, fixture] as const))('%s', (_label, fixture) => {
    it(`${fixture.code} ${fixture.status} is ${fixture.expected}${fixture.cause ? ` (${fixture.cause})` : ''}`, async () => {
      const error = await sdkErrorFor(fixture);
      expect(error).toMatchObject({
        name: fixture.sdkName ?? fixture.code,
        $metadata: { httpStatusCode: fixture.status },
      });
      const outcome = classifySesError(error);
      expect(outcome.kind).toBe(fixture.expected);
      expect(outcome).toEqual({
        kind: fixture.expected,
        reason: fixture.sdkName ?? fixture.code,
        ...(fixture.cause && { cause: fixture.cause }),
      });
      // What the dispatcher logs and stores is the error name and a fixed word, never SES's text (it names addresses).
      expect(JSON.stringify(outcome)).not.toContain('@');
    });
  });

  it('every kind of answer is covered by a fixture, and every documented account error pauses', () => {
    const kinds = new Set(SES_ERRORS.map((fixture) => fixture.expected));
    expect([...kinds].sort()).toEqual(['paused', 'rejected', 'retry']);
    const pausedCodes = new Set(SES_ERRORS.filter((f) => f.expected === 'paused').map((f) => f.code));
    for (const code of [
      'AccountSendingPausedException',
      'ConfigurationSetSendingPausedException',
      'ConfigurationSetDoesNotExist',
      'MailFromDomainNotVerifiedException',
      'AccessDenied',
      'AccessDeniedException',
      'MessageRejected',
    ])
      expect(pausedCodes).toContain(code);
  });

  it('a rejection whose text SES does not document as account-wide stops only the lead', () => {
    expect(classifySesError(answered('MessageRejected', 400, 'Some new reason.'))).toEqual({
      kind: 'rejected',
      reason: 'MessageRejected',
    });
  });

  it('a refused connection never reached SES, so it is retried', () => {
    expect(classifySesError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })).kind).toBe(
      'retry',
    );
  });

  it('a dropped connection after the request left is unknown: SES may have sent it', () => {
    expect(classifySesError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })).kind).toBe('unknown');
  });
});

describe("the links SES's click tracking rewrites (the count the mailer returns for the message's record)", () => {
  it('counts each distinct http(s) link of an anchor once, and leaves out ses:no-track, mailto and tel links', () => {
    const html = [
      '<a href="https://clinic.example/book?utm_content=book&amp;utm_source=email">Book</a>',
      '<a class="button" href="https://clinic.example/book?utm_content=book&utm_source=email">Book again</a>',
      "<a href='http://clinic.example/cost'>Cost</a>",
      '<a ses:no-track href="https://clinic.example/untracked">Not tracked</a>',
      '<a href="mailto:frontdesk@clinic.example">Write</a> <a href="tel:+15550100">Call</a>',
      '<link href="https://fonts.example/css" rel="stylesheet"><img src="https://clinic.example/logo.png">',
    ].join('\n');
    expect(trackedLinks(html)).toBe(2);
    expect(trackedLinks('<p>No links</p>')).toBe(0);
  });

  it('counts at most the 250 links SES tracks', () => {
    const html = Array.from({ length: 300 }, (_, i) => `<a href="https://clinic.example/${i}">${i}</a>`).join('');
    expect(trackedLinks(html)).toBe(250);
  });
});
