import type { Counting } from './counting.ts';
import { holdoutGroup } from './holdout.ts';
import { firstSchedule } from './plan.ts';
import type { Lead, LeadProfile } from './lead.ts';
import type { Clock, EventStore, LeadStore, StoredLead } from './ports.ts';
import type { Sequence } from './sequence.ts';

export interface EnrollDeps {
  store: LeadStore;
  events: Pick<EventStore, 'suppressedAs'>;
  clock: Clock;
  newId: () => string;
  sequence: Sequence;
  /** The report's counters: a new lead enters the nurture. */
  counting?: Counting;
  /** The share of new leads held out of the nurture (HOLDOUT_SHARE, `holdout.ts`); 0 or unset: none. */
  holdoutShare?: number;
}

/** `lead`: the lead as stored, so its first step can be sent without reading it back. */
export type EnrollResult = { created: true; leadId: string; lead: StoredLead } | { created: false; leadId?: string };

/**
 * Turn a validated sign-up into a lead with its first step due, once per normalised email.
 * A second sign-up with the same email changes nothing and starts no second sequence.
 */
export async function enroll(deps: EnrollDeps, profile: LeadProfile): Promise<EnrollResult> {
  // An address that bounced or complained gets no email, whoever signs it up.
  if (await deps.events.suppressedAs(profile.email)) return { created: false };
  const now = deps.clock.now();
  const first = firstSchedule(deps.sequence, now, profile.timeZone);
  const leadId = deps.newId();
  // The group is recorded once, here, only while a holdout runs.
  const grp = holdoutGroup(leadId, deps.holdoutShare ?? 0);
  const lead: Lead = {
    ...profile,
    leadId,
    ...(grp && { grp }),
    createdAt: now.toISOString(),
    status: first ? 'active' : 'completed',
    sequenceId: deps.sequence.id,
    sentSteps: [],
    ...(first && { nextStepId: first.stepId, nextSendAt: first.at.toISOString() }),
  };
  // What the lead adds to the report's totals is stored on it with it: no write of its own.
  const counted = deps.counting?.of(lead);
  const result = await deps.store.create(lead, counted);
  if (result.created && counted) {
    deps.counting!.created(counted);
    await deps.counting!.flush();
  }
  return result.created
    ? { created: true, leadId: result.lead.leadId, lead: result.lead }
    : { created: false, leadId: result.leadId };
}
