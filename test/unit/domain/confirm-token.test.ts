import { describe, expect, it } from 'vitest';
import { signConfirmToken, verifyConfirmToken } from '../../../lambdas/domain/confirm-token.ts';
import { signUnsubscribeToken, verifyUnsubscribeToken } from '../../../lambdas/domain/unsubscribe-token.ts';

const secret = 'a-secret-of-at-least-thirty-two-chars';
const sentAt = new Date('2026-03-02T15:00:00Z');
const expiresAt = new Date('2026-03-09T15:00:00Z');

describe('confirmation tokens', () => {
  it('a token confirms the lead it was issued for until its expiry, and not from that second on', () => {
    const token = signConfirmToken('01JLEAD', expiresAt, secret);
    expect(verifyConfirmToken(token, secret, sentAt)).toEqual({ ok: true, leadId: '01JLEAD', expiresAt });
    expect(verifyConfirmToken(token, secret, new Date(expiresAt.getTime() - 1000))).toMatchObject({ ok: true });
    expect(verifyConfirmToken(token, secret, expiresAt)).toEqual({ ok: false, reason: 'expired', leadId: '01JLEAD' });
  });

  it('its expiry cannot be pushed later, nor its lead changed', () => {
    const token = signConfirmToken('01JLEAD', expiresAt, secret);
    const [leadId, expiry, signature] = token.split('.');
    const later = (parseInt(expiry!, 36) + 86_400).toString(36);
    expect(verifyConfirmToken(`${leadId}.${later}.${signature}`, secret, sentAt)).toEqual({
      ok: false,
      reason: 'invalid',
    });
    expect(verifyConfirmToken(`01JOTHER.${expiry}.${signature}`, secret, sentAt)).toEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  it('truncated, tampered and foreign tokens are refused', () => {
    const token = signConfirmToken('01JLEAD', expiresAt, secret);
    for (const bad of [
      token.slice(0, -3),
      `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`,
      '',
      '..',
      'a.b',
      `${token}.x`,
    ])
      expect(verifyConfirmToken(bad, secret, sentAt)).toEqual({ ok: false, reason: 'invalid' });
    expect(verifyConfirmToken(token, 'another-secret-of-thirty-two-chars!!', sentAt)).toEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  it('an unsubscribe token cannot confirm, and a confirmation token cannot unsubscribe', () => {
    expect(verifyConfirmToken(signUnsubscribeToken('01JLEAD', secret), secret, sentAt)).toEqual({
      ok: false,
      reason: 'invalid',
    });
    const confirm = signConfirmToken('01JLEAD', expiresAt, secret);
    expect(verifyUnsubscribeToken(confirm, secret)).toBeUndefined();
    // Not even with its expiry cut out, which leaves the unsubscribe token's shape.
    const [leadId, , signature] = confirm.split('.');
    expect(verifyUnsubscribeToken(`${leadId}.${signature}`, secret)).toBeUndefined();
  });
});
