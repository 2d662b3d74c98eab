import { describe, expect, it } from 'vitest';
import { classifySesError, composeMime } from '../../../lambdas/adapters/ses-mailer.ts';
import type { OutgoingEmail } from '../../../lambdas/domain/ports.ts';

const email = (overrides: Partial<OutgoingEmail> = {}): OutgoingEmail => ({
  to: { address: 'zoe@example.com', name: 'Zoë Ölund' },
  subject: 'Zoë, here is how it works',
  html: '<p>Hello</p>',
  text: 'Hello',
  unsubscribeUrl: 'https://nurture.clinic.example/unsubscribe?token=01ABC.sig',
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
  const answered = (name: string, status: number) =>
    Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

  it('a rejection of the message is permanent', () => {
    expect(classifySesError(answered('MessageRejected', 400))).toEqual({ kind: 'rejected', reason: 'MessageRejected' });
  });

  it('throttling and server errors are retried', () => {
    expect(classifySesError(answered('Throttling', 400)).kind).toBe('retry');
    expect(classifySesError(answered('ServiceUnavailable', 503)).kind).toBe('retry');
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
