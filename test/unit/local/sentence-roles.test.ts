import { describe, expect, it } from 'vitest';
import { roleOf } from '../../../local/sentence-roles.ts';

describe('which sentences the claims sheet lists', () => {
  it.each([
    ['Hi Jordan,', 'greeting'],
    ['Welcome, Jordan', 'greeting'],
    ['Wishing you more good days,', 'sign-off'],
    ['The team at Ketamine Center of Central Georgia', 'sign-off'],
    ['Running late or need another time?', 'question'],
    ['How are you feeling today?', 'question'],
    ['You can also call us at +1 (478) 555-0100.', 'call to action'],
    ['Reply to this email or call us, and we will sort it out.', 'call to action'],
    ['Book a free consultation', 'call to action'],
    ['Choose a new time', 'call to action'],
  ])('"%s" is a %s, left out', (sentence, role) => {
    expect(roleOf(sentence)).toBe(role);
  });

  it.each([
    'Ketamine is not safe for everyone.',
    'If a migraine flares before your visit, call us at +1 (478) 555-0100: we would rather hear from you than have you push through alone.',
    'If you have questions about safety, side effects or cost, ask us: that is what the consultation is for.',
    'Talk it through with a clinician',
    'And if now is not the right time, that is fine too.',
  ])('"%s" is listed', (sentence) => {
    expect(roleOf(sentence)).toBe('statement');
  });

  it('a question or call to action with a number in it is listed', () => {
    expect(roleOf('Did you know 49.1% rated it very effective?', 1)).toBe('statement');
    expect(roleOf('Book now: 55 of the 77 responded.', 2)).toBe('statement');
  });
});
