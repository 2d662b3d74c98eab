import type { EventStore, Log } from './ports.ts';
import { parseSesEvent, type EngagementEvent } from './ses-event.ts';
import { stopLead, type StopDeps } from './stop.ts';

export interface EngagementDeps extends StopDeps {
  events: EventStore;
  log: Log;
}

export type EngagementResult = 'recorded' | 'duplicate' | 'skipped';

/**
 * Record one SES event. A malformed or unknown event is logged (its shape only) and skipped, never failing the batch.
 * A permanent bounce or a complaint stops the lead and puts its address on the suppression list.
 */
export async function recordEngagement(deps: EngagementDeps, input: unknown): Promise<EngagementResult> {
  const parsed = parseSesEvent(input);
  if (!parsed.ok) {
    deps.log.warn('SES event skipped: not a recognised shape', { reason: parsed.reason });
    return 'skipped';
  }
  const event = parsed.event;
  if (!(await deps.events.recordEvent(event))) return 'duplicate';
  if (event.suppresses) await suppress(deps, event, event.suppresses);
  return 'recorded';
}

async function suppress(deps: EngagementDeps, event: EngagementEvent, reason: NonNullable<EngagementEvent['suppresses']>) {
  const lead = await deps.store.get(event.leadId);
  if (!lead) return;
  await deps.events.suppress(lead.email, reason, new Date(event.at));
  const result = await stopLead(deps, event.leadId, reason);
  deps.log.info('lead suppressed', { leadId: event.leadId, stepId: event.stepId, reason, outcome: result.outcome });
}
