/**
 * The report's counters, kept at write time: what happened (a step sent, an SES event newly recorded, a lead created,
 * stopped, booked or ended) turned into counter deltas, gathered in memory and written once at the end of each
 * invocation (`flush`: one write per counter item touched), so the report reads a few items whatever the table holds.
 *
 * Two kinds of counts (`report-counts.ts` says what each key counts):
 * - per message (sent, delivered, opened, clicked, machine-clicked, complained): added when it happens, once per step
 *   and lead. Only what was newly recorded counts: a send whose settle kept its claim, the first event of its type on
 *   a message, a message's first click judged a person's (or a machine's), and back out again when a later event
 *   turns its only person's clicks into a machine's.
 * - per lead (nurture leads and why they left, bookings and the email each is credited to, the email a lead
 *   unsubscribed or bounced after): these depend on the lead's whole state, which later events change (a click
 *   that arrives after the booking it came before). Each lead stores what it was last counted as (`LeadCounts`), on
 *   its own item: written with the lead at creation and with the settle that ends its sequence, so neither costs a
 *   write of its own. Any other change recounts the lead from its items and adds only the difference, stored only if
 *   the lead is still counted as it read, so two changes racing on one lead never count twice.
 * Counting never fails what it counts: an error is logged (ids only), and `npm run report -- --rebuild` finds and
 * repairs what was missed.
 */
import type { ClickTally } from './machine-clicks.ts';
import type { Clock, LeadCounts, Log, ReportCounters, Settled } from './ports.ts';
import {
  addCounts,
  armBookings,
  countLead,
  diffCounts,
  FIRST_OF_TYPE,
  increment,
  isEmpty,
  leadKey,
  stepKey,
  withArms,
  withVariants,
  type Counts,
} from './report-counts.ts';
import type { ReportLead, ReportMessage } from './report.ts';
import type { EngagementEvent } from './ses-event.ts';

export interface CountingDeps {
  counters: ReportCounters;
  leads: LeadCounts;
  log: Log;
  clock?: Clock;
  nurtureId: string;
}

/** What ending a lead's sequence reads of it: the lead as the dispatcher holds it. */
type EndingLead = Pick<ReportLead, 'leadId' | 'sequenceId' | 'bookedAt' | 'optedOutAt' | 'confirmedAt' | 'grp'>;

/**
 * Which rows of its step a message counts in besides the step's own: its interest variant's (`MessageRecord.variant`)
 * and its subject-line experiment variant's (`MessageRecord.arm`, of the experiment `experimentTag` names), as the
 * lead's record of the send names them.
 */
export type Sent = Pick<ReportMessage, 'variant' | 'arm' | 'experimentTag'>;

/** How many times a lead's recount is tried when other writers keep changing what it counts as. */
const ATTEMPTS = 5;

export class Counting {
  private pending: Counts = {};

  constructor(private readonly deps: CountingDeps) {}

  /**
   * The dispatcher settled a step SES accepted, and the settle kept its claim. `as`: the step's variant and
   * experiment variant it sent (`Sent`), counted in their rows too.
   */
  sent(sequenceId: string, stepId: string, as: Sent = {}): void {
    this.add({ [stepKey(sequenceId, stepId, 'sent')]: 1 }, { sequenceId, stepId, ...as });
  }

  /**
   * An SES event the event store newly recorded; `first`: the first of its type on its message; `as`: the
   * variants its lead's record of the message names (`Sent`), counted in their rows too. (A Click is counted by `clicks`, once the
   * rules have judged it. An event that overtakes the record of its send counts in its step's row only, until
   * `npm run report -- --rebuild --fix` recounts it.)
   */
  async recorded(event: EngagementEvent, first: boolean, as: Sent = {}): Promise<void> {
    const metric = FIRST_OF_TYPE.find(([type]) => type === event.type)?.[1];
    if (first && metric) this.add({ [stepKey(event.sequenceId, event.stepId, metric)]: 1 }, { ...event, ...as });
    // A bounce can move the email a bounced lead is counted against.
    if (event.type === 'Bounce') await this.changed(event.leadId);
  }

  /**
   * An event (a Click, or a Delivery that judged earlier clicks again) changed how many of a message's clicks were a
   * person's or a machine's, from `before` to `after` (`machine-clicks.ts`): the step counts the lead once in each
   * column it has any click in. `humanChanged`: the person's clicks are other ones now, which can move the email a
   * booking is credited to (a click may arrive after the booking it came before). `as`: as for `recorded`.
   */
  async clicks(
    message: Pick<EngagementEvent, 'leadId' | 'sequenceId' | 'stepId'>,
    { before, after }: { before: ClickTally; after: ClickTally },
    humanChanged: boolean,
    as: Sent = {},
  ): Promise<void> {
    const { sequenceId, stepId } = message;
    const counts: Counts = {};
    increment(counts, stepKey(sequenceId, stepId, 'clicked'), Number(after.human > 0) - Number(before.human > 0));
    increment(
      counts,
      stepKey(sequenceId, stepId, 'machineClicked'),
      Number(after.machine > 0) - Number(before.machine > 0),
    );
    this.add(counts, { ...message, ...as });
    if (humanChanged) await this.changed(message.leadId);
  }

  /** What a new lead counts as, from the lead itself (no read): the store writes it with the lead (`create`). */
  of(lead: ReportLead): Counts {
    return countLead({ lead, messages: [], clicks: [] }, this.deps.nurtureId);
  }

  /** A lead was created with `counted` (`of`) on it: add it to the totals. */
  created(counted: Counts): void {
    addCounts(this.pending, counted);
  }

  /**
   * What a claimed lead counts as once its sequence ends with `status`, for the settle to write with it
   * (`Settlement.counted`); undefined when that needs a read (`ended` recounts it then). A claimed lead was active
   * and never stopped; one that unsubscribed from marketing is counted by its unsubscribe, whatever ends it.
   */
  ending(lead: EndingLead, status: 'completed' | 'sunset' | 'rejected'): Counts | undefined {
    // Only a nurture lead that has not booked changes why it left (a booked lead left by booking).
    if (!this.leaving(lead) || lead.optedOutAt) return undefined;
    const { leadId, sequenceId, confirmedAt, grp } = lead;
    return this.of({ leadId, sequenceId, status, ...(confirmedAt && { confirmedAt }), ...(grp && { grp }) });
  }

  /**
   * A settle that ended the lead's sequence held. With what it wrote (`ending`) and what the lead counted as before
   * (none: never counted), add the difference; a lead `ending` could not count is recounted from its items.
   */
  async ended(lead: EndingLead, written: { counted: Counts; settled: Settled } | undefined): Promise<void> {
    if (written && typeof written.settled === 'object')
      return void addCounts(this.pending, diffCounts(written.counted, written.settled.countedBefore ?? {}));
    if (this.leaving(lead) && lead.optedOutAt) await this.changed(lead.leadId);
  }

  /** Counts of one message's step, and of its variant's and experiment variant's rows when it had them. */
  private add(
    counts: Counts,
    message: Pick<ReportMessage, 'sequenceId' | 'stepId' | 'variant' | 'arm' | 'experimentTag'>,
  ): void {
    addCounts(this.pending, withVariants(withArms(counts, [message]), [message]));
  }

  private leaving(lead: EndingLead): boolean {
    return lead.sequenceId === this.deps.nurtureId && !lead.bookedAt;
  }

  /** Anything else changed the lead (a booking, a stop, a click, a bounce): count the difference it makes now. */
  async changed(leadId: string): Promise<void> {
    await this.guard(leadId, async () => {
      for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
        const { view, counted } = await this.deps.leads.view(leadId);
        const now = view ? countLead(view, this.deps.nurtureId) : {};
        const delta = diffCounts(now, counted ?? {});
        if (isEmpty(delta)) return;
        if (await this.deps.leads.store(leadId, now, counted)) {
          addCounts(this.pending, delta);
          // First counted as booked: its bookings per experiment variant, from the same read (`armBookings`).
          if ((delta[leadKey('bookings')] ?? 0) > 0 && view) addCounts(this.pending, armBookings(view));
          return;
        }
      }
      this.deps.log.warn('report counters: the lead kept changing; left for the rebuild', { leadId });
    });
  }

  /** Write what was counted since the last flush. What cannot be written now is kept for the next flush. */
  async flush(): Promise<void> {
    const deltas = this.pending;
    this.pending = {};
    if (isEmpty(deltas)) return;
    try {
      const unwritten = await this.deps.counters.add(deltas);
      if (!isEmpty(unwritten)) {
        addCounts(this.pending, unwritten);
        this.deps.log.error('report counters not written; kept for the next flush', {
          counters: Object.keys(unwritten).length,
        });
      }
    } catch (error) {
      addCounts(this.pending, deltas);
      this.deps.log.error('report counters not written; kept for the next flush', { error: errorName(error) });
    }
  }

  private async guard(leadId: string, count: () => Promise<void>): Promise<void> {
    try {
      await count();
    } catch (error) {
      this.deps.log.error('report counters: a lead not counted; left for the rebuild', {
        leadId,
        error: errorName(error),
      });
    }
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown';
}
