import { humanEntries, isEntryOf, judge, tally, type MessageClicks, type Verdict } from './machine-clicks.ts';
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
 * A Click, or a Delivery (which can turn earlier clicks into a machine's), judges the message's clicks
 * (`machine-clicks.ts`) before and after it: the report counts the difference, and the lead's `humanClicks` follow.
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
    // Likewise a click whose `humanClicks` change failed after it was recorded: the lead catches up with the message.
    if (judged(event) && sent.clicks)
      await followClicks(deps, event, judge(withLinks(sent.clicks, sent.links)), sent.humanClicks);
    return 'duplicate';
  }
  // Counted in memory; the caller writes the counters once, at the end of its batch (`Counting.flush`). A retry finds
  // the event recorded and counts nothing again.
  // The rows the lead's record names: its interest variant's, its experiment variant's (`Sent`).
  const as = {
    ...(sent.variant !== undefined && { variant: sent.variant }),
    ...(sent.arm !== undefined && { arm: sent.arm }),
    ...(sent.experimentTag !== undefined && { experimentTag: sent.experimentTag }),
  };
  await deps.counting?.recorded(event, recorded.first, as);
  if (judged(event) && recorded.before) {
    const facts = withLinks(recorded.before, sent.links);
    const before = judge(facts);
    const after = judge(withEvent(facts, event));
    const [was, is] = [tally(before), tally(after)];
    if (was.human !== is.human || was.machine !== is.machine)
      await deps.counting?.clicks(event, { before: was, after: is }, humanChanged(before, after), as);
    if (is.human < was.human)
      deps.log.info("earlier clicks judged a machine's", {
        leadId: event.leadId,
        stepId: event.stepId,
        clicks: was.human - is.human,
      });
    await followClicks(deps, event, after, sent.humanClicks);
  }
  if (event.suppresses) await suppress(deps, event, event.suppresses);
  return 'recorded';
}

/** The events that change how a message's clicks are judged. */
const judged = (event: EngagementEvent) => event.type === 'Click' || event.type === 'Delivery';

/**
 * The message's clicks with how many links SES tracks in it, from the lead's record of the send (`sentMessage`): never
 * from the event, as SES tags carry ids only. An event that overtakes our record of the send (SES published before the
 * dispatcher's settle wrote it; or the lead is gone, or its record predates the count) has no count: it is judged
 * without the every-link rule. The verdicts are recomputed from the recorded facts on every read (`judge`), so the
 * next event after the record, and the report's recount, judge the same clicks with the count; the report's counters,
 * which count each event's difference, can then be off by those clicks until a recount.
 */
function withLinks(clicks: MessageClicks, links: number | undefined): MessageClicks {
  return links === undefined ? clicks : { ...clicks, links };
}

/** The message's clicks and times once this event is recorded (the store keeps the earliest Delivery). */
export function withEvent(before: MessageClicks, event: EngagementEvent): MessageClicks {
  if (event.type === 'Delivery') {
    const earlier = !before.deliveredAt || Date.parse(event.at) < Date.parse(before.deliveredAt);
    return earlier ? { ...before, deliveredAt: event.at } : before;
  }
  if (!event.click) return before;
  return {
    ...before,
    sentAt: before.sentAt ?? event.sentAt,
    clicks: [...before.clicks, event.click],
  };
}

/** Whether the clicks judged a person's are other clicks now (the booking's attribution reads them). */
function humanChanged(before: readonly Verdict[], after: readonly Verdict[]): boolean {
  const people = (verdicts: readonly Verdict[]) =>
    verdicts
      .filter((v) => !v.machine)
      .map((v) => `${v.click.at}|${v.click.link}`)
      .join(' ');
  return people(before) !== people(after);
}

/**
 * Bring the lead's `humanClicks` entries for this step in line with the message's verdicts: add what a person's
 * click calls for, take back what only clicks now judged a machine's had called for. Nothing is written when they
 * agree (a machine's click, a redelivery, a person's second click on the same link). `current`: the lead's entries
 * as read with the message (none: the lead is gone).
 */
async function followClicks(
  deps: EngagementDeps,
  event: EngagementEvent,
  verdicts: readonly Verdict[],
  current: readonly string[] | undefined,
): Promise<void> {
  if (!current) return;
  const want = new Set(humanEntries(event.stepId, verdicts));
  const have = new Set(current.filter((entry) => isEntryOf(event.stepId, entry)));
  const add = [...want].filter((entry) => !have.has(entry));
  const remove = [...have].filter((entry) => !want.has(entry));
  if (add.length > 0 || remove.length > 0) await deps.events.setHumanClicks(event.leadId, { add, remove });
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
