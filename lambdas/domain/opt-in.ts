/**
 * Double opt-in (DOUBLE_OPT_IN): a sign-up is stored as a `pending` lead, due for no step, and gets one care-class
 * email asking to confirm the address; the welcome and the nurture start only once the lead confirms. Unconfirmed, it
 * lapses when its link expires (DynamoDB's TTL deletes it; until then it counts as gone: `isLapsed`).
 *
 * No flooding: while the lead is pending, another sign-up with the address sends nothing for a day after the last
 * confirmation email, and one more after that. The form's answer is the same whatever happened.
 */
import type { Counting } from './counting.ts';
import { holdoutGroup } from './holdout.ts';
import { isLapsed, type Lead, type LeadProfile } from './lead.ts';
import { firstSchedule } from './plan.ts';
import type { Clock, EventStore, LeadStore, Log, Mailer, MessageRecord, Renderer, StoredLead } from './ports.ts';
import type { Sequence } from './sequence.ts';

/** How long a confirmation link works; an unconfirmed lead lapses with its last link. */
export const CONFIRM_LINK_DAYS = 7;
/** No second confirmation email to a pending address sooner than this after the last one. */
export const RESEND_AFTER_HOURS = 24;

const HOUR = 3_600_000;

export interface OptInDeps {
  store: LeadStore;
  events: Pick<EventStore, 'suppressedAs'>;
  clock: Clock;
  log: Log;
  newId: () => string;
  /** The sequence a confirmed lead enters (the nurture). */
  sequence: Sequence;
  /** The one-step sequence of the confirmation email. */
  optIn: Sequence;
  mailer: Mailer;
  renderer: Renderer;
  /** Resolves at this send's turn under the maximum send rate. */
  pace: (priority?: 'first') => Promise<void>;
  unsubscribeUrl: (leadId: string) => string;
  /** The link that confirms the lead, signed to expire at `expiresAt`. */
  confirmUrl: (leadId: string, expiresAt: Date) => string;
  counting?: Counting;
  /** The share of new leads held out of the nurture (HOLDOUT_SHARE, `holdout.ts`); 0 or unset: none. */
  holdoutShare?: number;
}

/**
 * `asked`: a new pending lead, its confirmation email sent (or not, when SES refused: `sent` false). `resent`: the
 * address was pending and its last confirmation a day old or more: one more went. `quiet`: nothing sent (a
 * confirmation went less than a day ago, the address has a lead that is not pending, or must never be emailed).
 */
export type OptInSignup =
  | { outcome: 'asked'; leadId: string; sent: boolean }
  | { outcome: 'resent'; leadId: string }
  | { outcome: 'quiet'; leadId?: string };

/** A validated sign-up, with double opt-in on. */
export async function signUpPending(deps: OptInDeps, profile: LeadProfile): Promise<OptInSignup> {
  try {
    // An address that bounced, complained or was erased gets no email, whoever signs it up.
    if (await deps.events.suppressedAs(profile.email)) return { outcome: 'quiet' };
    const now = deps.clock.now();
    const leadId = deps.newId();
    const grp = holdoutGroup(leadId, deps.holdoutShare ?? 0);
    const lead: Lead = {
      ...profile,
      leadId,
      ...(grp && { grp }),
      createdAt: now.toISOString(),
      status: 'pending',
      sequenceId: deps.sequence.id,
      sentSteps: [],
      pendingUntil: linkExpiry(now).toISOString(),
    };
    // What the lead adds to the report's totals is stored on it with it: no write of its own.
    const counted = deps.counting?.of(lead);
    const result = await deps.store.create(lead, counted);
    if (result.created) {
      // Counted as asked to confirm (a lapsed lead this one replaced still is, until TTL deletes it).
      if (counted) deps.counting!.created(counted);
      const sent = await sendConfirmation(deps, result.lead, undefined);
      return { outcome: 'asked', leadId: result.lead.leadId, sent };
    }
    const existing = await deps.store.get(result.leadId);
    if (!existing || existing.status !== 'pending' || isLapsed(existing, now))
      return { outcome: 'quiet', leadId: result.leadId };
    return (await sendConfirmation(deps, existing, existing.confirmationSentAt))
      ? { outcome: 'resent', leadId: existing.leadId }
      : { outcome: 'quiet', leadId: existing.leadId };
  } finally {
    await deps.counting?.flush();
  }
}

/**
 * Send the confirmation email, if none went to this lead in the last day: marked on the lead first, with one
 * conditional write, so two sign-ups at once send one email. When SES did not take it (or the send failed before
 * reaching SES), the mark is undone, so the next sign-up may try again. True when it went (or may have).
 */
async function sendConfirmation(
  deps: OptInDeps,
  lead: Pick<StoredLead, 'leadId' | 'email' | 'firstName' | 'lastName'>,
  previous: string | undefined,
): Promise<boolean> {
  const { store, log } = deps;
  const at = deps.clock.now();
  const expiresAt = linkExpiry(at);
  const notBefore = new Date(at.getTime() - RESEND_AFTER_HOURS * HOUR);
  const step = deps.optIn.steps[0]!;
  const ids = { leadId: lead.leadId, sequenceId: deps.optIn.id, stepId: step.id };
  if (!(await store.markConfirmationSent(lead.leadId, lead.email, ids, at, notBefore, expiresAt))) return false;

  const record = (message: Omit<MessageRecord, keyof typeof ids | 'at'>) =>
    store.recordConfirmation(lead.leadId, { ...ids, at: deps.clock.now(), ...message });
  let outcome;
  try {
    const unsubscribeUrl = deps.unsubscribeUrl(lead.leadId);
    const rendered = await deps.renderer.render(deps.optIn.id, step.id, {
      firstName: lead.firstName,
      unsubscribeUrl,
      confirmUrl: deps.confirmUrl(lead.leadId, expiresAt),
    });
    await deps.pace('first');
    outcome = await deps.mailer.send({
      to: { address: lead.email, name: [lead.firstName, lead.lastName].filter(Boolean).join(' ') },
      subject: rendered.subject,
      html: rendered.html,
      text: rendered.text,
      unsubscribeUrl,
      class: step.class,
      tags: ids,
    });
  } catch (error) {
    log.error('confirmation email not sent; a new sign-up may try again', { ...ids, error: errorName(error) });
    await store.unmarkConfirmationSent(lead.leadId, at, previous);
    return false;
  }
  switch (outcome.kind) {
    case 'sent':
      await record({ state: 'sent', messageId: outcome.messageId, links: outcome.links });
      deps.counting?.sent(deps.optIn.id, step.id);
      return true;
    case 'unknown':
      // SES may have it: keep the mark, never send it twice in a day.
      log.error('no answer from SES for the confirmation email; not resending', { ...ids, reason: outcome.reason });
      await record({ state: 'unconfirmed', reason: outcome.reason });
      return true;
    case 'rejected':
      log.warn('SES rejected the confirmation email', { ...ids, reason: outcome.reason });
      await record({ state: 'rejected', reason: outcome.reason });
      return false;
    case 'retry':
    case 'paused':
      log.error('SES did not take the confirmation email; a new sign-up may try again', {
        ...ids,
        reason: outcome.reason,
      });
      await store.unmarkConfirmationSent(lead.leadId, at, previous);
      return false;
  }
}

/**
 * `confirmed`: the lead is active now, its first step (the welcome) due at once; send it. `already`: it confirmed
 * before. `expired`: it lapsed, is gone, or was stopped before confirming: sign up again.
 */
export type ConfirmOutcome = { outcome: 'confirmed'; lead: StoredLead } | { outcome: 'already' | 'expired' };

export type ConfirmDeps = Pick<OptInDeps, 'store' | 'clock' | 'sequence' | 'counting'>;

/** The lead's click on its confirmation link (a POST: the page's button), the link's token already checked. */
export async function confirmLead(deps: ConfirmDeps, leadId: string): Promise<ConfirmOutcome> {
  try {
    const now = deps.clock.now();
    const lead = await deps.store.get(leadId);
    if (!lead) return { outcome: 'expired' };
    if (lead.confirmedAt) return { outcome: 'already' };
    if (lead.status !== 'pending' || isLapsed(lead, now)) return { outcome: 'expired' };
    const confirmed = await deps.store.confirm(lead, now, firstSchedule(deps.sequence, now, lead.timeZone));
    if (!confirmed) {
      // Another click got there first, or the lead lapsed or was stopped in between.
      const after = await deps.store.get(leadId);
      return { outcome: after?.confirmedAt ? 'already' : 'expired' };
    }
    await deps.counting?.changed(leadId);
    return { outcome: 'confirmed', lead: confirmed };
  } finally {
    await deps.counting?.flush();
  }
}

const linkExpiry = (from: Date) => new Date(from.getTime() + CONFIRM_LINK_DAYS * 24 * HOUR);

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown';
}
