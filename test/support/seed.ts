/** Leads put straight into the store with their first step due now, for tests where sign-up is not what is tested. */
import type { Lead } from '../../lambdas/domain/lead.ts';
import type { TestEnv } from '../integration/harness.ts';

/**
 * `count` active leads in the nurture sequence, the welcome due at the env's current time. Their ids are fixed
 * (`01JSEED…0001`, in ULID form), so a seeded fault endpoint meets them with the same faults on every run; `first`
 * numbers them on from there, for a second seeding on the same table.
 */
export async function seedDueLeads(env: TestEnv, count: number, label = 'seed', first = 0): Promise<Lead[]> {
  const now = env.clock.now().toISOString();
  const leads: Lead[] = Array.from({ length: count }, (_, i) => ({
    leadId: `01JSEED${String(first + i).padStart(19, '0')}`,
    email: `${label}-${i}@example.com`,
    firstName: 'Seeded',
    timeZone: 'America/Chicago',
    consent: { at: now, textVersion: 'test' },
    attribution: {},
    createdAt: now,
    status: 'active',
    sequenceId: 'nurture',
    sentSteps: [],
    nextStepId: 'welcome',
    nextSendAt: now,
  }));
  const queue = [...leads];
  // The store's own create (conditional puts), a few at a time.
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let lead = queue.shift(); lead; lead = queue.shift()) await env.store.create(lead);
    }),
  );
  return leads;
}

/**
 * Record that a due lead was sent its next step and SES accepted it as `messageId`, as a dispatcher does: its claim,
 * then its settlement with the message's record. The lead stays active, its next step `after` later.
 */
export async function recordSent(
  env: TestEnv,
  leadId: string,
  message: { sequenceId: string; stepId: string; at: Date; messageId: string },
  next = { stepId: 'how-it-works', after: 2 * 86_400_000 },
): Promise<void> {
  const lead = await env.store.get(leadId);
  const token = lead && (await env.store.claim(lead, { ...message, class: 'marketing' }, env.clock.now()));
  if (!token) throw new Error(`lead ${leadId} could not be claimed`);
  await env.store.settle(
    leadId,
    { token },
    {
      settledStepId: message.stepId,
      sentAt: message.at,
      message: { leadId, ...message, state: 'sent' },
      next: { stepId: next.stepId, at: new Date(message.at.getTime() + next.after) },
    },
  );
}
