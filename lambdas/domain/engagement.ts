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
 * A permanent bounce or a complaint stops the lead and puts its address on the suppression list.
 */
export async function recordEngagement(deps: EngagementDeps, input: unknown): Promise<EngagementResult> {
  const parsed = parseSesEvent(input);
  if (!parsed.ok) {
    deps.log.warn('SES event skipped: not a recognised shape', { reason: parsed.reason });
    return 'skipped';
  }
  const event = parsed.event;
  if (!(await sentByUs(deps, event))) {
    deps.log.warn('SES event skipped: not a message we sent', {
      leadId: event.leadId,
      sequenceId: event.sequenceId,
      stepId: event.stepId,
      type: event.type,
    });
    return 'skipped';
  }
  const recorded = await deps.events.recordEvent(event);
  if (!recorded) return 'duplicate';
  // Counted in memory; the caller writes the counters once, at the end of its invocation (`Counting.flush`).
  await deps.counting?.recorded(event, recorded.first);
  if (event.suppresses) await suppress(deps, event, event.suppresses);
  return 'recorded';
}

/**
 * Whether the event is about a message we sent: the step's record holds its message id (or none yet: SES's answer was
 * lost), or the lead is sending that step right now (an event can overtake our own record of the send). Anything
 * else, such as another message id on a step we sent or a step the lead was never sent, must not touch the lead.
 */
async function sentByUs(deps: EngagementDeps, event: EngagementEvent): Promise<boolean> {
  const record = (await deps.store.messages(event.leadId)).find(
    (m) => m.sequenceId === event.sequenceId && m.stepId === event.stepId,
  );
  if (record && (record.messageId === undefined || record.messageId === event.messageId)) return true;
  const sending = (await deps.store.get(event.leadId))?.sending;
  return sending?.sequenceId === event.sequenceId && sending.stepId === event.stepId;
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
