/** The sign-up page the local runtime serves at `/`: the same plain HTML form a clinic would put on its site. */
import type { Clinic } from '../emails/clinic.ts';
import { escapeHtml } from '../lambdas/handlers/http.ts';
import { ROUTES, signupForm } from '../lambdas/contract.ts';

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
${signupForm({ action: ROUTES.signup, clinicName: clinic.name })}
<div class="dev"><strong>Local runtime.</strong> Emails land in the <a href="${escapeHtml(links.inbox)}">local inbox</a>; clicks, bookings and unsubscribes show in the <a href="${escapeHtml(links.report)}">report</a>. Virtual time: <a href="${escapeHtml(links.clock)}">${escapeHtml(links.clock)}</a>.</div>
</body></html>`;
}
