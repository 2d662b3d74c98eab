import { describe, expect, it } from 'vitest';
import { normalizeEmail } from '../../../lambdas/domain/email-address.ts';
import { parseSignup } from '../../../lambdas/domain/signup.ts';

const context = {
  now: new Date('2026-11-24T12:00:00Z'),
  defaultTimeZone: 'America/New_York',
  consentTextVersion: 'v7',
  referer: 'https://clinic.example/migraine?utm_source=x',
};

describe('sign-up validation', () => {
  it('normalises an email: trimmed, lower case, international domain in ASCII', () => {
    expect(normalizeEmail('  Jo.Smith+Migraine@Bücher.Example ')).toBe('jo.smith+migraine@xn--bcher-kva.example');
  });

  it('fills the clinic’s time zone when the lead gives none, and records consent with version and page', () => {
    const parsed = parseSignup({ email: 'a@example.com', firstName: ' Ana ', consent: 'on' }, context);
    expect(parsed).toMatchObject({
      ok: true,
      profile: {
        email: 'a@example.com',
        firstName: 'Ana',
        timeZone: 'America/New_York',
        consent: { at: '2026-11-24T12:00:00.000Z', textVersion: 'v7', page: 'https://clinic.example/migraine' },
      },
    });
  });

  it('keeps source and UTM fields for attribution', () => {
    const parsed = parseSignup(
      { email: 'a@example.com', firstName: 'A', consent: true, source: 'facebook', utm_campaign: 'spring' },
      context,
    );
    expect(parsed.ok && !parsed.honeypot && parsed.profile.attribution).toEqual({
      source: 'facebook',
      utmCampaign: 'spring',
    });
  });

  it.each([
    ['plus tag', 'name+tag@example.com', true],
    ['subdomain', 'x@mail.clinic.example.org', true],
    ['IDN domain', 'x@münchen.de', true],
    ['quoted local part', '"john doe"@example.com', false],
    ['unicode local part', 'jöhn@example.com', false],
    ['no domain dot', 'x@localhost', false],
  ])('an address with a %s is %s accepted', (_label, email, accepted) => {
    expect(parseSignup({ email, firstName: 'A', consent: true }, context).ok).toBe(accepted);
  });

  it('names a line break in a name or the email as such', () => {
    const parsed = parseSignup(
      {
        email: 'a@example.com\r\nBcc: x@example.org',
        firstName: 'Ana\nBcc: x@example.org',
        lastName: 'B\rC',
        consent: true,
      },
      context,
    );
    expect(parsed).toMatchObject({
      ok: false,
      fields: {
        email: 'Email must not contain line breaks.',
        firstName: 'First name must not contain line breaks.',
        lastName: 'Last name must not contain line breaks.',
      },
    });
  });

  it('refuses right-to-left overrides and control characters in a name', () => {
    const parsed = parseSignup(
      { email: 'a@example.com', firstName: 'Ann\u202Egnp.exe', lastName: 'B\u0007', consent: true },
      context,
    );
    expect(parsed).toMatchObject({
      ok: false,
      fields: { firstName: expect.stringMatching(/not allowed/), lastName: expect.stringMatching(/not allowed/) },
    });
  });

  it('refuses half a surrogate pair (broken text) in a name, and keeps whole ones such as emoji', () => {
    const broken = parseSignup(
      { email: 'a@example.com', firstName: 'Samhé', lastName: '\ud800B', consent: true },
      context,
    );
    expect(broken).toMatchObject({ ok: false, fields: { lastName: expect.stringMatching(/not allowed/) } });
    expect(parseSignup({ email: 'a@example.com', firstName: 'Sam 😀', consent: true }, context)).toMatchObject({
      ok: true,
      profile: { firstName: 'Sam 😀' },
    });
  });

  it('refuses MIME encoded-word syntax in a name, which a mail client would decode into a header line', () => {
    const parsed = parseSignup(
      {
        email: 'a@example.com',
        firstName: '=?UTF-8?B?DQpCY2M6IHZpY3RpbUBldmlsLmV4YW1wbGU=?=LJ',
        lastName: 'Eve =?utf-8?q?=0D=0ABcc:_x?=',
        consent: true,
      },
      context,
    );
    expect(parsed).toMatchObject({
      ok: false,
      fields: { firstName: expect.stringMatching(/not allowed/), lastName: expect.stringMatching(/not allowed/) },
    });
    expect(parseSignup({ email: 'a@example.com', firstName: 'Ana =? Bo ?=', consent: true }, context)).toMatchObject({
      ok: true,
    });
  });

  it('refuses a body that is not an object', () => {
    expect(parseSignup([1], context)).toEqual({ ok: false, fields: { body: expect.any(String) } });
    expect(parseSignup('x', context)).toEqual({ ok: false, fields: { body: expect.any(String) } });
  });

  it('wrong types get a message, not a crash', () => {
    const parsed = parseSignup({ email: 42, firstName: { a: 1 }, consent: 'maybe', interest: ['x'] }, context);
    expect(parsed).toMatchObject({ ok: false });
    expect(Object.keys((parsed as { fields: object }).fields).sort()).toEqual([
      'consent',
      'email',
      'firstName',
      'interest',
    ]);
  });
});
