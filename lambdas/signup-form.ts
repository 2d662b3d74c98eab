/**
 * The sign-up form as plain HTML: the local runtime's page shows it, and the stack outputs it for the clinic's site.
 */
import { escapeHtml } from './handlers/http.ts';
import { INTERESTS } from './domain/lead.ts';
import { HONEYPOT_FIELD } from './domain/signup.ts';

const INTEREST_LABELS: Record<(typeof INTERESTS)[number], string> = {
  'chronic-migraine': 'Chronic migraine (15+ headache days a month)',
  'refractory-migraine': 'Migraine that has not responded to treatment',
  'status-migrainosus': 'Status migrainosus (an attack lasting over 72 hours)',
  'migraine-with-aura': 'Migraine with aura',
  other: 'Something else',
};

/**
 * The sign-up form alone, as a clinic pastes it into its own site (the stack prints it with the deployed URL).
 * It needs no stylesheet: the honeypot is hidden inline, and a line of script fills in the visitor's time zone.
 */
export function signupForm({
  action,
  clinicName,
  consentVersion,
}: {
  action: string;
  clinicName: string;
  consentVersion?: string;
}): string {
  const options = INTERESTS.map((id) => `<option value="${id}">${escapeHtml(INTEREST_LABELS[id])}</option>`).join('');
  return `<form method="post" action="${escapeHtml(action)}">
  <label for="firstName">First name</label><input id="firstName" name="firstName" required maxlength="80" autocomplete="given-name">
  <label for="lastName">Last name <small>(optional)</small></label><input id="lastName" name="lastName" maxlength="80" autocomplete="family-name">
  <label for="email">Email</label><input id="email" name="email" type="email" required maxlength="254" autocomplete="email">
  <label for="phone">Phone <small>(optional)</small></label><input id="phone" name="phone" type="tel" maxlength="32" autocomplete="tel">
  <label for="interest">What brings you here? <small>(optional)</small></label><select id="interest" name="interest"><option value="">Prefer not to say</option>${options}</select>
  <div style="position:absolute;left:-10000px" aria-hidden="true"><label for="${HONEYPOT_FIELD}">Leave this empty</label><input id="${HONEYPOT_FIELD}" name="${HONEYPOT_FIELD}" tabindex="-1" autocomplete="off"></div>
  <input type="hidden" name="timeZone" id="timeZone">${consentVersion ? `\n  <input type="hidden" name="consentVersion" value="${escapeHtml(consentVersion)}">` : ''}
  <label class="check"><input type="checkbox" name="consent" value="true" required> I agree to receive educational emails from ${escapeHtml(clinicName)}. I can unsubscribe at any time.</label>
  <button type="submit">Sign up</button>
</form>
<script>document.getElementById('timeZone').value = Intl.DateTimeFormat().resolvedOptions().timeZone || '';</script>`;
}
