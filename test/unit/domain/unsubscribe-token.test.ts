import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signUnsubscribeToken, verifyUnsubscribeToken } from '../../../lambdas/domain/unsubscribe-token.ts';

const secret = 'a-secret-of-at-least-thirty-two-chars';

describe('unsubscribe tokens', () => {
  it('a token verifies to the lead it was issued for', () => {
    expect(verifyUnsubscribeToken(signUnsubscribeToken('01JLEAD', secret), secret)).toBe('01JLEAD');
  });

  it('a token for one lead cannot be edited into another lead’s', () => {
    const token = signUnsubscribeToken('01JLEAD', secret);
    expect(verifyUnsubscribeToken(token.replace('01JLEAD', '01JOTHER'), secret)).toBeUndefined();
  });

  it('truncated, tampered and foreign tokens are refused', () => {
    const token = signUnsubscribeToken('01JLEAD', secret);
    expect(verifyUnsubscribeToken(token.slice(0, -3), secret)).toBeUndefined();
    expect(verifyUnsubscribeToken(`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`, secret)).toBeUndefined();
    expect(verifyUnsubscribeToken(token, 'another-secret-of-thirty-two-chars!!')).toBeUndefined();
    expect(verifyUnsubscribeToken('', secret)).toBeUndefined();
    expect(verifyUnsubscribeToken('.', secret)).toBeUndefined();
  });

  it('a token issued for any lead id, however short, verifies to that id; one issued for no id at all is refused', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), (leadId) => {
        expect(verifyUnsubscribeToken(signUnsubscribeToken(leadId, secret), secret)).toBe(leadId);
      }),
    );
    expect(verifyUnsubscribeToken(signUnsubscribeToken('a', secret), secret)).toBe('a');
    expect(verifyUnsubscribeToken(signUnsubscribeToken('', secret), secret)).toBeUndefined();
  });
});
