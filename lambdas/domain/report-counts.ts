/**
 * The report's numbers as flat counts, and how each item the table holds contributes to them. Pure. The same
 * functions serve the recount from raw items (`buildReport`, `npm run report -- --rebuild`) and the counters kept at
 * write time (`counting.ts`), so the two cannot drift apart by definition, only by what was recorded.
 *
 * A count's key names what it counts, ids only:
 *   step/<sequenceId>/<stepId>/<metric>   a funnel column (`Funnel`) of one step
 *   variant/<sequenceId>/<stepId>/<variantId>/<metric>
 *                                         the same column, of the leads sent that step's variant (`withVariants`)
 *   arm/<sequenceId>/<stepId>/<tag>/<armId>/<metric>
 *                                         a subject-line experiment's variant (`a`..`d`) of the step: sent, delivered,
 *                                         clicked (a person's), booked (leads sent it who booked after it); only
 *                                         messages that went with the step's own email (`withArms`, `armBookings`).
 *                                         `<tag>`: the experiment's (`experimentTag`, 4 characters), as the message
 *                                         records it, so each experiment of a step counts apart; empty for a message
 *                                         recorded before experiments were told apart
 *                                         (`arm/nurture/how-it-works//b/sent`), which counts in no experiment
 *   lead/nurture                          leads that entered the nurture
 *   lead/left.<reason>                    of those, why each left it (`LeaveReason`)
 *   lead/bookings, lead/afterClick, lead/withoutClick
 *   lead/unsubscribed.marketing       every lead that unsubscribed from marketing (care may still go to it)
 *   lead/unsubscribed.everything      every lead that chose "stop everything"
 *   lead/optIn.asked                  double opt-in: leads asked to confirm their address (pending, or confirmed)
 *   lead/optIn.confirmed              of those, the ones that confirmed
 *   lead/group.<nurture|holdout>      the holdout comparison (`holdout.ts`): nurture leads enrolled while a holdout ran,
 *                                     by the group they got (leads with no group count in neither)
 *   lead/group.<nurture|holdout>.booked  of those, the ones that booked (once each, however many times they book)
 */
import type { HoldoutGroup } from './holdout.ts';
import type { Funnel, LeaveReason, ReportClick, ReportInput, ReportLead, ReportMessage } from './report.ts';

/** Sparse: a key that is absent counts 0. */
export type Counts = Record<string, number>;

export type LeadTotal =
  | 'nurture'
  | `left.${LeaveReason}`
  | 'bookings'
  | 'afterClick'
  | 'withoutClick'
  | 'unsubscribed.marketing'
  | 'unsubscribed.everything'
  | 'optIn.asked'
  | 'optIn.confirmed'
  | `group.${GroupName}`
  | `group.${GroupName}.booked`;

/** The holdout's groups by name, as the counters and the report call them (`Lead.grp` holds their first letter). */
export type GroupName = 'nurture' | 'holdout';
export const GROUP_NAMES: Record<HoldoutGroup, GroupName> = { n: 'nurture', h: 'holdout' };

export const stepKey = (sequenceId: string, stepId: string, metric: keyof Funnel) =>
  `step/${sequenceId}/${stepId}/${metric}`;
export const leadKey = (total: LeadTotal) => `lead/${total}`;

/** A step count's parts, or undefined for a lead total. */
export function parseStepKey(key: string): { sequenceId: string; stepId: string; metric: keyof Funnel } | undefined {
  if (!key.startsWith('step/')) return undefined;
  const parts = key.split('/');
  if (parts.length !== 4) return undefined;
  return { sequenceId: parts[1]!, stepId: parts[2]!, metric: parts[3] as keyof Funnel };
}

export const variantKey = (sequenceId: string, stepId: string, variant: string, metric: keyof Funnel) =>
  `variant/${sequenceId}/${stepId}/${variant}/${metric}`;

/** A variant count's parts, or undefined for any other key. */
export function parseVariantKey(
  key: string,
): { sequenceId: string; stepId: string; variant: string; metric: keyof Funnel } | undefined {
  if (!key.startsWith('variant/')) return undefined;
  const parts = key.split('/');
  if (parts.length !== 5) return undefined;
  return { sequenceId: parts[1]!, stepId: parts[2]!, variant: parts[3]!, metric: parts[4] as keyof Funnel };
}

/**
 * Per variant: every step count in `counts` counted again under the variant its lead was sent at that step (the
 * message's `variant`), if any. The step's row keeps every lead; its variants' rows split out those sent a variant.
 * Whatever a column counts per step, it counts per variant the same way.
 */
export function withVariants(
  counts: Counts,
  messages: readonly Pick<ReportMessage, 'sequenceId' | 'stepId' | 'variant'>[],
): Counts {
  for (const [key, value] of Object.entries(counts)) {
    const step = parseStepKey(key);
    const variant = step && messages.find((m) => m.sequenceId === step.sequenceId && m.stepId === step.stepId)?.variant;
    if (variant) increment(counts, variantKey(step.sequenceId, step.stepId, variant, step.metric), value);
  }
  return counts;
}

/** What a subject-line experiment's variant counts: the step's columns it is judged on, and bookings after it. */
export const ARM_METRICS = ['sent', 'delivered', 'clicked', 'booked'] as const;
export type ArmMetric = (typeof ARM_METRICS)[number];

export const armKey = (sequenceId: string, stepId: string, tag: string, arm: string, metric: ArmMetric) =>
  `arm/${sequenceId}/${stepId}/${tag}/${arm}/${metric}`;

/** An experiment variant count's parts, or undefined for any other key. */
export function parseArmKey(
  key: string,
): { sequenceId: string; stepId: string; tag: string; arm: string; metric: ArmMetric } | undefined {
  if (!key.startsWith('arm/')) return undefined;
  const parts = key.split('/');
  if (parts.length !== 6) return undefined;
  return { sequenceId: parts[1]!, stepId: parts[2]!, tag: parts[3]!, arm: parts[4]!, metric: parts[5] as ArmMetric };
}

/** Whether a message counts in its step's experiment: it went with the experiment's subject (no interest variant). */
const inExperiment = (message: Pick<ReportMessage, 'arm' | 'variant'>): message is { arm: string } =>
  message.arm !== undefined && message.variant === undefined;

/** The key a message's experiment variant counts under: its experiment's tag as recorded (none: empty), its letter. */
const armKeyOf = (
  message: Pick<ReportMessage, 'sequenceId' | 'stepId' | 'experimentTag'> & { arm: string },
  metric: ArmMetric,
) => armKey(message.sequenceId, message.stepId, message.experimentTag ?? '', message.arm, metric);

/**
 * Per experiment variant: the step counts its variants are judged on (`ARM_METRICS`) counted again under the
 * experiment variant its lead was sent at that step, and that variant's experiment (`armKey`), if it was sent the
 * step's own email.
 */
export function withArms(
  counts: Counts,
  messages: readonly Pick<ReportMessage, 'sequenceId' | 'stepId' | 'variant' | 'arm' | 'experimentTag'>[],
): Counts {
  for (const [key, value] of Object.entries(counts)) {
    const step = parseStepKey(key);
    if (!step || !(ARM_METRICS as readonly string[]).includes(step.metric)) continue;
    const message = messages.find((m) => m.sequenceId === step.sequenceId && m.stepId === step.stepId);
    if (message && inExperiment(message)) increment(counts, armKeyOf(message, step.metric as ArmMetric), value);
  }
  return counts;
}

/**
 * A booked lead's bookings per experiment variant: each variant it was sent (with the step's own email) before it
 * first booked. Not part of what the lead is counted as (`countLead`, stored on the lead item, which must stay small):
 * the counters add it when the lead is first counted as booked (`Counting.changed`), the recount from every lead.
 */
export function armBookings({ lead, messages }: Pick<LeadView, 'lead' | 'messages'>): Counts {
  const counts: Counts = {};
  if (!lead.bookedAt) return counts;
  for (const message of messages)
    if (inExperiment(message) && message.state === 'sent' && at(message.at) <= at(lead.bookedAt))
      increment(counts, armKeyOf(message, 'booked'));
  return counts;
}

export function increment(counts: Counts, key: string, by = 1): void {
  const value = (counts[key] ?? 0) + by;
  if (value === 0) delete counts[key];
  else counts[key] = value;
}

export function addCounts(into: Counts, more: Counts, sign = 1): Counts {
  for (const [key, value] of Object.entries(more)) increment(into, key, sign * value);
  return into;
}

/** `after − before`, without zeros. */
export const diffCounts = (after: Counts, before: Counts): Counts => addCounts({ ...after }, before, -1);

export const isEmpty = (counts: Counts) => Object.keys(counts).length === 0;

/**
 * What one message item adds, whoever its lead is: each counts once per step, however many events of a kind it had.
 * "Sent" is what the dispatcher recorded as accepted by SES; it never depends on SES's own Send event.
 */
export function countMessage(
  message: Pick<ReportMessage, 'sequenceId' | 'stepId' | 'state' | 'counts' | 'variant' | 'arm' | 'experimentTag'>,
): Counts {
  const counts: Counts = {};
  const { sequenceId, stepId } = message;
  if (message.state === 'sent') increment(counts, stepKey(sequenceId, stepId, 'sent'));
  for (const [type, metric] of FIRST_OF_TYPE)
    if (message.counts[type]) increment(counts, stepKey(sequenceId, stepId, metric));
  // Clicks as the rules judge them (`machine-clicks.ts`): a person's count as "clicked", a machine's apart.
  if (message.counts.Click) increment(counts, stepKey(sequenceId, stepId, 'clicked'));
  if (message.counts.MachineClick) increment(counts, stepKey(sequenceId, stepId, 'machineClicked'));
  return withVariants(withArms(counts, [message]), [message]);
}

/** SES event types whose first event on a message counts its step once, and the column it counts in. */
export const FIRST_OF_TYPE = [
  ['Delivery', 'delivered'],
  ['Open', 'opened'],
  ['Complaint', 'complained'],
] as const;

/** One lead with the items of its partition the report reads. */
export interface LeadView {
  lead: ReportLead;
  messages: readonly ReportMessage[];
  clicks: readonly ReportClick[];
}

/**
 * What one lead adds, from its state and its messages and clicks: whether it entered the nurture and why it left, its
 * booking and the step its last click before booking was in, and the step it unsubscribed or bounced after.
 */
export function countLead({ lead, messages, clicks }: LeadView, nurtureId: string): Counts {
  const counts: Counts = {};
  if (lead.status === 'pending' || lead.confirmedAt) increment(counts, leadKey('optIn.asked'));
  if (lead.confirmedAt) increment(counts, leadKey('optIn.confirmed'));
  // Not confirmed yet: it has not entered the nurture, and nothing else has happened to it.
  if (lead.status === 'pending') return counts;
  if (lead.sequenceId === nurtureId || messages.some((m) => m.sequenceId === nurtureId)) {
    increment(counts, leadKey('nurture'));
    increment(counts, leadKey(`left.${leaveReason(lead)}`));
    // The holdout comparison: every lead in a group, and whether it booked at all, whatever else happened to it.
    if (lead.grp) {
      increment(counts, leadKey(`group.${GROUP_NAMES[lead.grp]}`));
      if (lead.bookedAt) increment(counts, leadKey(`group.${GROUP_NAMES[lead.grp]}.booked`));
    }
  }
  if (lead.bookedAt) {
    increment(counts, leadKey('bookings'));
    const click = latest(clicks.filter((c) => at(c.at) <= at(lead.bookedAt)));
    if (click) {
      increment(counts, leadKey('afterClick'));
      increment(counts, stepKey(click.sequenceId, click.stepId, 'bookedAfter'));
    } else {
      increment(counts, leadKey('withoutClick'));
    }
  }
  // Either kind of unsubscribe is counted against the last email before it; a lead that unsubscribed from marketing
  // and later stopped everything, against the email before the first.
  const unsubscribedAt = lead.optedOutAt ?? (lead.status === 'stopped' ? lead.stoppedAt : undefined);
  if (lead.status === 'stopped') increment(counts, leadKey('unsubscribed.everything'));
  else if (lead.optedOutAt || lead.status === 'unsubscribed') increment(counts, leadKey('unsubscribed.marketing'));
  if (unsubscribedAt || lead.status === 'unsubscribed') {
    const step = lastSentBefore(messages, unsubscribedAt ?? lead.stoppedAt);
    if (step) increment(counts, stepKey(step.sequenceId, step.stepId, 'unsubscribed'));
  }
  if (lead.status === 'bounced') {
    const step = latest(messages.filter((m) => m.counts.Bounce)) ?? lastSentBefore(messages, lead.stoppedAt);
    if (step) increment(counts, stepKey(step.sequenceId, step.stepId, 'bounced'));
  }
  return withVariants(counts, messages);
}

/** Every count, from the raw items. Linear in the items read. */
export function recount(input: ReportInput, nurtureId: string): Counts {
  const counts: Counts = {};
  for (const message of input.messages) addCounts(counts, countMessage(message));
  const messagesByLead = groupBy(input.messages, (m) => m.leadId);
  const clicksByLead = groupBy(input.clicks, (c) => c.leadId);
  for (const lead of input.leads) {
    const view = {
      lead,
      messages: messagesByLead.get(lead.leadId) ?? [],
      clicks: clicksByLead.get(lead.leadId) ?? [],
    };
    addCounts(counts, countLead(view, nurtureId));
    addCounts(counts, armBookings(view));
  }
  return counts;
}

/**
 * Whichever came first: a booking, or the unsubscribe, bounce or complaint that stopped the lead. An unsubscribe
 * from the follow-up is still a booking; a booking after an unsubscribe still counts as a booking, not as the reason.
 */
export function leaveReason(
  lead: Pick<ReportLead, 'status' | 'bookedAt' | 'stoppedAt' | 'optedOutAt' | 'grp'>,
): LeaveReason {
  if (lead.bookedAt && !(lead.stoppedAt && at(lead.stoppedAt) < at(lead.bookedAt))) return 'booked';
  // Unsubscribed from the nurture, then booked: in the follow-up now (care goes on), it left by unsubscribing.
  if (lead.optedOutAt && (lead.status === 'active' || lead.status === 'completed')) return 'unsubscribed';
  // The holdout's nurture ends after the welcome (`holdout.ts`): held out, not a lead that read every email.
  if (lead.status === 'completed' && lead.grp === 'h') return 'holdout';
  // A pending lead has not entered the nurture (`countLead` never asks); were it asked, it is still ahead of it.
  return lead.status === 'pending' ? 'active' : lead.status;
}

type StepRef = Pick<ReportMessage, 'sequenceId' | 'stepId'>;

/** The last step the lead was sent up to `until` (always, without it). */
function lastSentBefore(messages: readonly ReportMessage[], until: string | undefined): StepRef | undefined {
  const by = until ? at(until) : Infinity;
  return latest(messages.filter((m) => m.state !== 'rejected' && at(m.at) <= by));
}

const at = (iso: string | undefined) => (iso ? Date.parse(iso) : NaN);

/** The item with the latest time; items without one come before any with one. */
function latest<T extends { at?: string }>(items: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const item of items) if (!best || (at(item.at) || 0) >= (at(best.at) || 0)) best = item;
  return best;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
