import { describe, expect, it } from 'vitest';
import { optInOutline, nurtureOutline } from '../../../emails/outline.ts';
import { isLapsed, type Lead, type LeadProfile } from '../../../lambdas/domain/lead.ts';
import { confirmLead, signUpPending, type OptInDeps } from '../../../lambdas/domain/opt-in.ts';
import type {
  LeadStore,
  Log,
  MessageRecord,
  OutgoingEmail,
  SendOutcome,
  StoredLead,
} from '../../../lambdas/domain/ports.ts';
import { countLead } from '../../../lambdas/domain/report-counts.ts';
import type { ReportLead } from '../../../lambdas/domain/report.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const silent: Log = { info: () => {}, warn: () => {}, error: () => {} };

const profile: LeadProfile = {
  email: 'avery@example.com',
  firstName: 'Avery',
  timeZone: 'America/Denver',
  consent: { at: '2026-03-02T15:00:00.000Z', textVersion: 'v1' },
  attribution: {},
};

/**
 * The lead store's double opt-in writes, in memory, with the conditions the DynamoDB store puts on them; the mailer
 * answers what the test says.
 */
function fakes(answers: SendOutcome['kind'][]) {
  let now = new Date('2026-03-02T15:00:00Z');
  const leads = new Map<string, StoredLead>();
  const byEmail = new Map<string, string>();
  const sent: OutgoingEmail[] = [];
  const records: MessageRecord[] = [];
  let id = 0;
  const store: Partial<LeadStore> = {
    create: async (lead: Lead) => {
      const taken = byEmail.get(lead.email);
      if (taken && !isLapsed(leads.get(taken)!, new Date(lead.createdAt))) return { created: false, leadId: taken };
      leads.set(lead.leadId, { ...lead });
      byEmail.set(lead.email, lead.leadId);
      return { created: true, lead: { ...lead } };
    },
    get: async (leadId) => structuredClone(leads.get(leadId)),
    markConfirmationSent: async (leadId, _email, _step, at, notBefore, pendingUntil) => {
      const lead = leads.get(leadId)!;
      if (lead.status !== 'pending' || isLapsed(lead, at)) return false;
      if (lead.confirmationSentAt && Date.parse(lead.confirmationSentAt) > notBefore.getTime()) return false;
      lead.confirmationSentAt = at.toISOString();
      lead.pendingUntil = pendingUntil.toISOString();
      return true;
    },
    unmarkConfirmationSent: async (leadId, at, previous) => {
      const lead = leads.get(leadId)!;
      if (lead.confirmationSentAt !== at.toISOString()) return;
      if (previous) lead.confirmationSentAt = previous;
      else delete lead.confirmationSentAt;
    },
    recordConfirmation: async (_leadId, message) => void records.push(message),
    confirm: async (seen, at, first) => {
      const lead = leads.get(seen.leadId)!;
      if (lead.status !== 'pending' || isLapsed(lead, at)) return undefined;
      Object.assign(lead, { status: 'active', confirmedAt: at.toISOString(), nextStepId: first?.stepId });
      delete lead.pendingUntil;
      return structuredClone(lead);
    },
  };
  const deps: OptInDeps = {
    store: store as LeadStore,
    events: { suppressedAs: async () => undefined },
    clock: { now: () => new Date(now) },
    log: silent,
    newId: () => `LEAD${++id}`,
    sequence: nurtureOutline,
    optIn: optInOutline,
    mailer: {
      send: async (email) => {
        sent.push(email);
        const kind = answers.shift() ?? 'sent';
        return kind === 'sent'
          ? { kind, messageId: `m-${sent.length}`, links: 1 }
          : { kind, reason: 'Test', cause: 'test' };
      },
    },
    renderer: { render: async (_s, _t, props) => ({ subject: 'Confirm', html: props.confirmUrl ?? '', text: '' }) },
    pace: async () => {},
    unsubscribeUrl: (leadId) => `https://x.example/unsubscribe?${leadId}`,
    confirmUrl: (leadId, expiresAt) => `https://x.example/confirm?${leadId}.${expiresAt.toISOString()}`,
  };
  return { deps, sent, records, leads, advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
}

describe('double opt-in sign-up', () => {
  it('sends one care email with a link that expires in 7 days, and nothing more for the address within a day', async () => {
    const { deps, sent, records, advance } = fakes([]);
    expect(await signUpPending(deps, profile)).toEqual({ outcome: 'asked', leadId: 'LEAD1', sent: true });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      class: 'care',
      tags: { leadId: 'LEAD1', sequenceId: 'opt-in', stepId: 'confirm-address' },
    });
    expect(sent[0]!.html).toBe('https://x.example/confirm?LEAD1.2026-03-09T15:00:00.000Z');
    expect(records).toMatchObject([{ state: 'sent', messageId: 'm-1', stepId: 'confirm-address' }]);

    advance(DAY - 1000);
    expect(await signUpPending(deps, profile)).toEqual({ outcome: 'quiet', leadId: 'LEAD1' });
    expect(sent).toHaveLength(1);
    advance(1000);
    expect(await signUpPending(deps, profile)).toEqual({ outcome: 'resent', leadId: 'LEAD1' });
    expect(sent).toHaveLength(2);
  });

  it('when SES throttles the email, the mark is undone: the next sign-up sends it; a lost answer keeps the mark', async () => {
    const { deps, sent, leads } = fakes(['retry', 'unknown']);
    expect(await signUpPending(deps, profile)).toMatchObject({ outcome: 'asked', sent: false });
    expect(leads.get('LEAD1')!.confirmationSentAt).toBeUndefined();
    expect(await signUpPending(deps, profile)).toEqual({ outcome: 'resent', leadId: 'LEAD1' });
    expect(await signUpPending(deps, profile)).toEqual({ outcome: 'quiet', leadId: 'LEAD1' });
    expect(sent).toHaveLength(2);
  });

  it('a lapsed lead is as good as gone: its address signs up anew, and its link confirms nothing', async () => {
    const { deps, sent, advance } = fakes([]);
    await signUpPending(deps, profile);
    advance(7 * DAY);
    expect(await confirmLead(deps, 'LEAD1')).toEqual({ outcome: 'expired' });
    expect(await signUpPending(deps, profile)).toEqual({ outcome: 'asked', leadId: 'LEAD2', sent: true });
    expect(sent).toHaveLength(2);
  });

  it('confirming turns the lead active with the welcome next, once', async () => {
    const { deps } = fakes([]);
    await signUpPending(deps, profile);
    const result = await confirmLead(deps, 'LEAD1');
    expect(result).toMatchObject({ outcome: 'confirmed', lead: { status: 'active', nextStepId: 'welcome' } });
    expect(await confirmLead(deps, 'LEAD1')).toEqual({ outcome: 'already' });
    expect(await confirmLead(deps, 'NOBODY')).toEqual({ outcome: 'expired' });
  });

  it('a suppressed address gets nothing and no lead', async () => {
    const { deps, sent, leads } = fakes([]);
    deps.events = { suppressedAs: async () => 'bounced' };
    expect(await signUpPending(deps, profile)).toEqual({ outcome: 'quiet' });
    expect(sent).toHaveLength(0);
    expect(leads.size).toBe(0);
  });
});

describe('a pending lead', () => {
  it('lapses at its pendingUntil, not a second before; a lead that is not pending never lapses', () => {
    const until = '2026-03-09T15:00:00.000Z';
    expect(isLapsed({ status: 'pending', pendingUntil: until }, new Date(Date.parse(until) - 1))).toBe(false);
    expect(isLapsed({ status: 'pending', pendingUntil: until }, new Date(until))).toBe(true);
    expect(isLapsed({ status: 'active' }, new Date('2030-01-01T00:00:00Z'))).toBe(false);
  });

  it('counts as asked to confirm and nothing else; once confirmed, as confirmed and in the nurture', () => {
    const lead: ReportLead = { leadId: 'L', status: 'pending', sequenceId: 'nurture' };
    expect(countLead({ lead, messages: [], clicks: [] }, 'nurture')).toEqual({ 'lead/optIn.asked': 1 });
    const confirmed: ReportLead = { ...lead, status: 'active', confirmedAt: '2026-03-03T10:00:00Z' };
    expect(countLead({ lead: confirmed, messages: [], clicks: [] }, 'nurture')).toEqual({
      'lead/optIn.asked': 1,
      'lead/optIn.confirmed': 1,
      'lead/nurture': 1,
      'lead/left.active': 1,
    });
    // Without double opt-in, no opt-in counts.
    expect(countLead({ lead: { ...lead, status: 'active' }, messages: [], clicks: [] }, 'nurture')).toEqual({
      'lead/nurture': 1,
      'lead/left.active': 1,
    });
  });
});
