/** The sign-up page the local runtime serves at `/`: the same plain HTML form a clinic would put on its site. */
import type { Clinic } from '../emails/clinic.ts';
import { escapeHtml } from '../lambdas/handlers/http.ts';
import { INTERESTS } from '../lambdas/domain/lead.ts';
import { HONEYPOT_FIELD } from '../lambdas/domain/signup.ts';

const INTEREST_LABELS: Record<(typeof INTERESTS)[number], string> = {
  'chronic-migraine': 'Chronic migraine (15+ headache days a month)',
  'refractory-migraine': 'Migraine that has not responded to treatment',
  'status-migrainosus': 'Status migrainosus (an attack lasting over 72 hours)',
  'migraine-with-aura': 'Migraine with aura',
  other: 'Something else',
};

export function signupPage(clinic: Clinic, links: { inbox: string; clock: string; report: string }): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Free consultation · ${escapeHtml(clinic.name)}</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:32rem;margin:2.5rem auto;padding:0 1rem;color:#1f2933;line-height:1.5}
label{display:block;margin-top:1rem;font-weight:600}input,select{width:100%;padding:.5rem;font:inherit;box-sizing:border-box;margin-top:.25rem}
.check{display:flex;gap:.5rem;align-items:flex-start;font-weight:400}.check input{width:auto;margin-top:.35rem}
button{margin-top:1.5rem;padding:.7rem 1.4rem;font:inherit;font-weight:600;background:#1d4e89;color:#fff;border:0;border-radius:6px;cursor:pointer}
.dev{margin-top:2.5rem;padding:1rem;background:#f3f6f9;border-radius:6px;font-size:.9rem}
</style></head>
<body>
<h1>Book a free consultation</h1>
<p>Tell us a little about yourself and ${escapeHtml(clinic.name)} will send you a short series of emails about ketamine treatment for migraine: how it works, who it suits, what the research says and what it costs.</p>
${signupForm({ action: '/signup', clinicName: clinic.name })}
<div class="dev"><strong>Local runtime.</strong> Emails land in the <a href="${escapeHtml(links.inbox)}">local inbox</a>; clicks, bookings and unsubscribes show in the <a href="${escapeHtml(links.report)}">report</a>. Virtual time: <a href="${escapeHtml(links.clock)}">${escapeHtml(links.clock)}</a>.</div>
</body></html>`;
}

/**
 * The sign-up form alone, as a clinic pastes it into its own site (the stack prints it with the deployed URL).
 * It needs no stylesheet: the honeypot is hidden inline, and a line of script fills in the visitor's time zone.
 */
export function signupForm({ action, clinicName, consentVersion }: { action: string; clinicName: string; consentVersion?: string }): string {
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
