/**
 * What every email must say and must not say. `npm run check:emails` (and `npm test`) hold every email to these.
 * Marketing edits this file: add a phrase to `claims` and every email is checked for it from then on.
 */

export interface ClaimRule {
  /**
   * The forms to look for, matched as whole words, ignoring case, line breaks, and hyphen versus space:
   * "cure" finds "Cure" but not "secure"; "FDA-approved" also finds "FDA approved".
   */
  words: readonly string[];
  /** Shown when an email uses one of them: what to write instead. */
  instead: string;
}

/**
 * Words and phrases the clinic must not use without evidence it can show (the FTC asks that health claims be
 * backed by competent and reliable scientific evidence). Add a line to add a rule; list every form you mean.
 */
export const claims: readonly ClaimRule[] = [
  { words: ['cure', 'cures', 'cured'], instead: 'Say what a study found, with its source link, e.g. "pain scores fell in a study of 77 patients".' },
  { words: ['guarantee', 'guaranteed', 'guarantees'], instead: 'Promise only what the clinic controls (a free consultation, an estimate), never a result.' },
  { words: ['100%'], instead: 'Give the number a study measured, with its source link, or say "many people" or "some people".' },
  { words: ['FDA-approved for migraine'], instead: 'Ketamine is not FDA-approved for migraine: say that its use for migraine is off-label.' },
  { words: ['no side effects', 'side-effect free', 'risk-free'], instead: 'Every treatment has side effects: name the common ones and how they are watched for.' },
  { words: ['miracle', 'breakthrough'], instead: 'Describe what a study found, with its source link, and that results vary.' },
  { words: ['permanent relief'], instead: 'Say how long relief lasted in a study, with its source link, and that results vary.' },
];

/**
 * The medical disclaimer: every email must contain each of these phrases (the shared layout's footer does).
 * Change the wording in `emails/_shared/layout.tsx`, and these phrases with it.
 */
export const disclaimerPhrases: readonly string[] = ['not medical advice', 'off-label', 'results vary'];
