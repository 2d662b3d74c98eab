/**
 * Unsubscribes, by the class of email they stop (`MessageClass` in `sequence.ts`):
 * - `marketing` (RFC 8058's one-click POST, or the page's first button): no marketing email after it. A lead whose
 *   next email is care (a booked lead waiting for the reminder) stays active and gets it; any other lead's emails end
 *   (status 'unsubscribed'), as they did before classes. A later booking still starts the care emails.
 * - `everything` (the page's second button): no email of any class, ever (status 'stopped'), as a hard bounce or a
 *   complaint does.
 * Either waits out a send in flight, so the record reads truthfully: that email went out before the unsubscribe.
 */
import { STOPPED_FOR_GOOD, type LeadStatus } from './lead.ts';
import { classOf, type Sequence } from './sequence.ts';
import { stopLead, whileSendInFlight, type StopDeps } from './stop.ts';

export const UNSUBSCRIBE_CHOICES = ['marketing', 'everything'] as const;
export type UnsubscribeChoice = (typeof UNSUBSCRIBE_CHOICES)[number];

export interface UnsubscribeDeps extends StopDeps {
  /** The sequences' steps (the outline is enough): which class the lead's next step is. */
  sequences: Readonly<Record<string, Pick<Sequence, 'steps'>>>;
}

export type UnsubscribeResult =
  | {
      outcome: 'done';
      /** The lead had already made this choice (or a stronger one: stopped, bounced, complained). */
      already: boolean;
      /** Care emails still go: a marketing unsubscribe with a care email ahead. */
      careGoesOn: boolean;
      previous: LeadStatus;
    }
  | { outcome: 'not-found' };

export async function unsubscribe(
  deps: UnsubscribeDeps,
  leadId: string,
  choice: UnsubscribeChoice,
): Promise<UnsubscribeResult> {
  if (choice === 'everything') {
    const result = await stopLead(deps, leadId, 'stopped');
    if (result.outcome === 'not-found') return result;
    return { outcome: 'done', already: result.previous === 'stopped', careGoesOn: false, previous: result.previous };
  }
  const result = await whileSendInFlight(deps, async (since): Promise<UnsubscribeResult | 'in-flight' | 'conflict'> => {
    const lead = await deps.store.get(leadId);
    if (!lead) return { outcome: 'not-found' };
    const previous = lead.status;
    if (previous === 'unsubscribed' || STOPPED_FOR_GOOD.has(previous))
      return { outcome: 'done', already: true, careGoesOn: false, previous };
    const care = previous === 'active' && classOf(deps.sequences, lead.sequenceId, lead.nextStepId) === 'care';
    if (care && lead.optedOutAt) return { outcome: 'done', already: true, careGoesOn: true, previous };
    const written = await deps.store.optOut(leadId, lead, !care, deps.clock.now(), since);
    if (written === 'not-found') return { outcome: 'not-found' };
    if (written !== 'opted-out') return written;
    return { outcome: 'done', already: false, careGoesOn: care, previous };
  });
  if (result.outcome === 'done' && !result.already && deps.counting) {
    await deps.counting.changed(leadId);
    await deps.counting.flush();
  }
  return result;
}
