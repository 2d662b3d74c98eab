import type { EventStore, Log } from './ports.ts';
import { parseSesEvent, type EngagementEvent } from './ses-event.ts';
import { stopLead, type StopDeps } from './stop.ts';

export interface EngagementDeps extends StopDeps {
  events: EventStore;
  log: Log;
}

export type EngagementResult = 'recorded' | 'duplicate' | 'skipped';

/**
 * Record one SES event. A malformed or unknown event, or one about a message we did not send, is logged (its shape or
 * its ids only) and skipped, never failing the batch.
 * A permanent bounce or a complaint stops the lead and puts its address on the suppression list, on its retry too.
 */
export async function recordEngagement(deps: EngagementDeps, input: unknown): Promise<EngagementResult> {
  const parsed = parseSesEvent(input);
  if (!parsed.ok) {
    deps.log.warn('SES event skipped: not a recognised shape', { reason: parsed.reason });
    return 'skipped';
  }
  const event = parsed.event;
  const sent = await deps.store.sentMessage(event.leadId, event.sequenceId, event.stepId, event.messageId);
  if (!sent.ours) {
    deps.log.warn('SES event skipped: not a message we sent', {
      leadId: event.leadId,
      sequenceId: event.sequenceId,
      stepId: event.stepId,
      type: event.type,
    });
    return 'skipped';
  }
  // SES's Send event says what the lead's record of the send already says: SES accepted it. It is kept only for a
  // send with no answer (unconfirmed) or not recorded yet, where it is the news that SES has the message. (The report
  // never counts a Send event: "sent" is the lead's own record.)
  if (event.type === 'Send' && sent.recorded === 'sent') return 'recorded';
  const recorded = await deps.events.recordEvent(event);
  if (!recorded) {
    // A bounce or complaint delivered again may be the retry of one that failed after it was recorded, before it
    // stopped the lead or suppressed the address: finish that. Otherwise a duplicate changes nothing.
    if (event.suppresses && (await unfinished(deps, event))) await suppress(deps, event, event.suppresses);
    return 'duplicate';
  }
  // Counted in memory; the caller writes the counters once, at the end of its batch (`Counting.flush`). A retry finds
  // the event recorded and counts nothing again.
  await deps.counting?.recorded(event, recorded.first);
  if (event.suppresses) await suppress(deps, event, event.suppresses);
  return 'recorded';
}

/** The event's lead is there and not yet both stopped by a bounce or complaint and suppressed. */
async function unfinished(deps: EngagementDeps, event: EngagementEvent): Promise<boolean> {
  const lead = await deps.store.get(event.leadId);
  if (!lead) return false;
  if (lead.status !== 'bounced' && lead.status !== 'complained') return true;
  return (await deps.events.suppressedAs(lead.email)) === undefined;
}

async function suppress(
  deps: EngagementDeps,
  event: EngagementEvent,
  reason: NonNullable<EngagementEvent['suppresses']>,
) {
  const lead = await deps.store.get(event.leadId);
  if (!lead) return;
  await deps.events.suppress(lead.email, reason, new Date(event.at));
  const result = await stopLead(deps, event.leadId, reason);
  deps.log.info('lead suppressed', { leadId: event.leadId, stepId: event.stepId, reason, outcome: result.outcome });
}
