/**
 * Which sentences of an email are factual statements a medical director must see (the claims sheet lists them), and
 * which are greetings, sign-offs, questions or pure calls to action (left out).
 */

export type SentenceRole = 'statement' | 'greeting' | 'sign-off' | 'question' | 'call to action';

const GREETING = /^(?:hi|hello|hey|dear|welcome|good (?:morning|afternoon|evening))\b[^.!?]{0,40}[,!:.]?$/i;
const SIGN_OFF =
  /^(?:(?:wishing you|warm(?:ly| regards| wishes)?|best(?: wishes| regards)?|kind regards|regards|sincerely|take care|with care|talk soon|see you soon)\b[^.!?]{0,60}[,!.]?|the (?:\w+ )?team at [^.!?]{1,80}|— ?[^.!?]{1,60})$/i;
const CALL_TO_ACTION =
  /\b(?:reply|call|book|schedule|pick|choose|use the link|click|tap|ask us|contact us|email us|text us|get in touch|reach us|manage your appointment)\b/i;
/** What makes a call to action say something a director should see. */
const SUBSTANCE =
  /\b(?:ketamine|migraine|headache|aura|pain|relief|treat\w*|therap\w*|sessions?|infusions?|spray|dos(?:e|es|ing)|drugs?|medicines?|medications?|saf(?:e|ety)|side effects?|risks?|results?|stud(?:y|ies)|research|evidence|fda|approved|off-label|insur\w*|costs?|prices?|financing|pay|reimburs\w*|superbill|discounts?|clinicians?|doctors?|diagnos\w*|symptoms?|blood pressure|pregnan\w*|heart|emergency|911)\b/i;

/** Whether a sentence is a factual statement to list, or a greeting, sign-off, question or pure call to action. */
export function roleOf(sentence: string, numbers = 0): SentenceRole {
  const text = sentence.replace(/\s+/g, ' ').trim();
  if (numbers > 0) return 'statement';
  if (GREETING.test(text) && text.split(' ').length <= 6) return 'greeting';
  if (SIGN_OFF.test(text)) return 'sign-off';
  if (/\?["”’)]*$/.test(text)) return 'question';
  if (CALL_TO_ACTION.test(text) && !SUBSTANCE.test(text)) return 'call to action';
  return 'statement';
}
