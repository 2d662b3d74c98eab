/**
 * What the domain needs from the outside world. Adapters implement these; tests may pass real ones
 * (DynamoDB on dynalite, SES on aws-ses-v2-local) or small fakes.
 */
import type { AppointmentStatus, Lead, LeadStatus } from './lead.ts';
import type { MessageClicks } from './machine-clicks.ts';
import type { Counts, LeadView } from './report-counts.ts';
import type { EngagementEvent } from './ses-event.ts';
import type { ExperimentRef, ExperimentState } from './experiments.ts';
import type { MessageClass } from './sequence.ts';

export interface Clock {
  now(): Date;
  /** Clock time per real time: above 1 for the local runtime's fast virtual clock. */
  speed?: number;
}

/** A lead as stored, with the dispatcher's bookkeeping. */
export interface StoredLead extends Lead {
  /** Set while a dispatcher holds the lead: from its claim, just before the SES call, until it settles or releases. */
  claim?: { token: string };
  /**
   * The in-flight mark, written with the claim just before the SES call and cleared when the send settles. It is the
   * lease too: a mark older than the lease belongs to a send that is over (or a dispatcher that died), and the next
   * claim reports that send unconfirmed instead of sending the step again.
   */
  sending?: { sequenceId: string; stepId: string; at: number };
  /** When the dispatcher may take the lead next (epoch ms): its next step's time, or a retry's. */
  dueAt?: number;
  /** Bumped by every write that changes what sending reads: a claim is refused unless the lead is as it was read. */
  rev?: number;
}

/**
 * A lead as the due index shows it: what rendering and planning need, without the profile's consent, attribution or
 * phone, and without the in-flight mark (a claim checks that on the item itself). With the lead's interest, which
 * chooses a step's variant (`variantFor`): written once, at sign-up, so projecting it costs the index no write.
 */
export type DueLead = Omit<StoredLead, 'consent' | 'attribution' | 'phone' | 'claim' | 'sending'> &
  Partial<Pick<StoredLead, 'sending'>>;

export type CreateResult = { created: true; lead: StoredLead } | { created: false; leadId: string };

/** What settling a claimed lead writes, in one conditional update. */
export interface Settlement {
  /** The step this claim settled (sent, unconfirmed, rejected or skipped). */
  settledStepId?: string;
  /** The settled step went ahead of its place (a bring-forward): recorded in `sentAhead`. */
  sentAhead?: true;
  /** Steps timed from an appointment that had passed when they came up. */
  skippedStepIds?: string[];
  sentAt?: Date;
  /** Set when the step settled is marketing: the weekly cadence counts from it (`lastMarketingAt`). */
  marketingSentAt?: Date;
  lastSentOn?: string;
  /** The next step and when; absent means the sequence is over. */
  next?: { stepId: string; at: Date };
  /** Defaults to 'active' with a next step, 'completed' without. */
  status?: LeadStatus;
  /** The record of the message this settles (sent, rejected or unconfirmed), written with it. */
  message?: MessageRecord;
  /**
   * What the lead adds to the report's lead totals once settled (`countLead`), written with it in place of what it
   * was counted as before (see `LeadCounts`): a lead whose sequence ends here, when that is known without a read.
   */
  counted?: Counts;
}

/**
 * What a choice on the preference page writes on a lead (see `domain/preferences.ts`), in one conditional update:
 * `null` removes a setting, absent leaves it as it is.
 */
export interface PreferenceChange {
  pausedUntil?: string | null;
  cadence?: 'weekly' | null;
  /** The choice and when it was made. */
  preference: NonNullable<Lead['preference']>;
  /** The new time of the lead's next step (the same step), when the choice moves it. */
  nextSendAt?: Date;
}

/** A settle that held: `true`, or, when it carried `counted`, what the lead was counted as before (none: not counted). */
export type Settled = true | { countedBefore: Counts | undefined };

/** What a booking webhook writes on a lead, in one conditional update (see `domain/booking.ts`). */
export interface BookingChange {
  appointment: { at: string; status: AppointmentStatus; bookingId?: string };
  /** Present when the lead's emails change: the sequence it is now in, its position there, and its next step. */
  route?: {
    sequenceId: string;
    sentSteps: string[];
    skippedSteps: string[];
    enteredAt: string;
    next?: { stepId: string; at: Date };
  };
}

export type MessageState = 'sent' | 'rejected' | 'unconfirmed';

export interface MessageRecord {
  leadId: string;
  sequenceId: string;
  stepId: string;
  state: MessageState;
  at: Date;
  messageId?: string;
  /** A short, non-identifying reason (an SES error name), never message content. */
  reason?: string;
  /**
   * The step's variant the lead was sent (`SequenceStep.byInterest`), absent for the step's own email. Kept here
   * only: it tells the lead's interest, so never in an SES tag or a log line.
   */
  variant?: string;
  /**
   * The step's subject-line experiment variant (`a`..`d`, `experiments.ts`) the lead was assigned, on every message of
   * a step with an experiment: the SES tag carries it too, the same whichever email the lead's interest chose. With
   * `variant` set the lead saw its interest email's subject, not the experiment's: the experiment does not count it.
   */
  arm?: string;
  /**
   * With `arm`: which experiment of the step it is a variant of, as `experimentTag(experimentId)` (4 characters), so a
   * step's later experiment never counts it. Absent on a record written before it was kept: such a message counts in
   * no experiment.
   */
  experimentTag?: string;
  /**
   * How many distinct links SES tracks in the email sent (`SendOutcome.links`), for the machine-click rule "every
   * link". Kept here, not in an SES tag: variants of one step have different counts, so a tag would tell the variant.
   */
  links?: number;
}

export interface LeadStore {
  /**
   * Store a new lead and schedule its first step, unless its email already has a lead (a pending lead whose
   * confirmation lapsed does not count: the address moves to the new lead). A lead with `pendingUntil` expires then.
   * `counted`: what the new lead adds to the report's lead totals (`countLead`), stored on it with it.
   */
  create(lead: Lead, counted?: Counts): Promise<CreateResult>;
  get(leadId: string): Promise<StoredLead | undefined>;
  /**
   * Leads due at `now` in one shard of the due index, most overdue first, as the index shows them: `limit` of them,
   * or fewer only when the shard has no more due.
   */
  due(shard: number, now: Date, limit: number): Promise<DueLead[]>;
  /**
   * Take the lead as `seen` and mark `step` in flight, in one write, just before the SES call: only if it is still
   * due, active, unchanged since it was read (its `rev`) and carries no in-flight mark, and, for a marketing step, only
   * if the lead has not opted out of marketing. Undefined when it is not.
   */
  claim(
    seen: DueLead,
    step: { sequenceId: string; stepId: string; class: MessageClass },
    now: Date,
  ): Promise<string | undefined>;
  /**
   * Take over a lead whose in-flight mark `stale` is older than the lease, keeping the mark (the send it stands for
   * is reported unconfirmed by the settle that follows). Undefined when the lead moved on meanwhile.
   */
  takeOver(leadId: string, stale: NonNullable<StoredLead['sending']>): Promise<string | undefined>;
  /**
   * Write the outcome (and the message's record) and drop the claim, in one write. `by`: the claim's token, or, for a
   * lead never claimed (re-planned without sending), the lead as read. False when the claim was lost or the lead
   * changed meanwhile.
   */
  settle(leadId: string, by: { token: string } | { seen: DueLead }, settlement: Settlement): Promise<Settled | false>;
  /**
   * Record a message whose settlement was refused because a stop (unsubscribe, bounce) dropped the claim while it
   * was in flight: only while the lead still carries that send's mark, which it clears. False otherwise (another
   * dispatcher took the lead over and settled it: the record is theirs).
   */
  recordStopped(leadId: string, mark: { stepId: string; at: number }, message: MessageRecord): Promise<boolean>;
  /** Drop the claim and try again at `retryAt`; nothing was sent. */
  release(leadId: string, token: string, retryAt: Date): Promise<void>;
  /** Put off a lead never claimed (an error before its claim) until `retryAt`, if it is still as `seen`. */
  defer(seen: DueLead, retryAt: Date): Promise<void>;
  /** Every message record of a lead, oldest first: what settling wrote, with the SES message id where known. */
  messages(leadId: string): Promise<MessageRecord[]>;
  /**
   * Whether `messageId` is the message this lead was sent for that step (its record, or the record SES events left
   * once the lead is gone), or a message with no id recorded (SES's answer was lost); or the step is in flight now
   * (an event can overtake our record of the send). `recorded`: the state the lead's record holds, if any, and
   * `variant`, `arm`, `experimentTag` and `links`, the variant, experiment variant (and its experiment) and link
   * count it records (`MessageRecord`). Read with it, from the same items:
   * the message's clicks as recorded so far (`clicks`, without `links`) and the lead's `humanClicks`.
   */
  sentMessage(
    leadId: string,
    sequenceId: string,
    stepId: string,
    messageId: string,
  ): Promise<{
    ours: boolean;
    recorded?: MessageState;
    variant?: string;
    arm?: string;
    experimentTag?: string;
    links?: number;
    clicks?: MessageClicks;
    humanClicks?: string[];
  }>;
  /**
   * Stop a lead for good (unsubscribe, bounce, complaint) and take it out of the due index, in one write.
   * 'in-flight' while a send that started after `inFlightSince` may still be waiting on SES, or one settled after
   * `now` (try again with a later `now`). An `inFlightSince` later than `now` waits for nothing.
   */
  stop(
    leadId: string,
    status: StopStatus,
    now: Date,
    inFlightSince: Date,
  ): Promise<{ outcome: 'stopped'; previous: LeadStatus } | { outcome: 'not-found' } | { outcome: 'in-flight' }>;
  /**
   * Record a marketing unsubscribe (`optedOutAt`, kept from the first one) on the lead as `seen` (its `rev`); with
   * `end`, also end its emails as 'unsubscribed' and take it out of the due index (its next step was marketing, or it
   * had none). Without `end` the lead stays as it is, and its care steps still go. 'conflict': the lead changed since
   * it was read; 'in-flight': as for `stop`.
   */
  optOut(
    leadId: string,
    seen: Pick<StoredLead, 'rev'>,
    end: boolean,
    now: Date,
    inFlightSince: Date,
  ): Promise<'opted-out' | 'conflict' | 'in-flight' | 'not-found'>;
  /**
   * Record a choice from the preference page on the lead as `seen` (its `rev`), and move its next step's time with
   * it, in one write. 'conflict': the lead changed since it was read; 'in-flight': as for `stop`.
   */
  setPreferences(
    leadId: string,
    seen: Pick<StoredLead, 'rev'>,
    change: PreferenceChange,
    now: Date,
    inFlightSince: Date,
  ): Promise<'applied' | 'conflict' | 'in-flight' | 'not-found'>;
  /**
   * Double opt-in: note that a confirmation email (`step`, in flight until recorded) goes to this pending lead at `at`,
   * and keep it (and its address) until
   * `pendingUntil`, its link's expiry: only if it is pending and not lapsed, and no confirmation went after
   * `notBefore`. False when one may not go now.
   */
  markConfirmationSent(
    leadId: string,
    email: string,
    step: { sequenceId: string; stepId: string },
    at: Date,
    notBefore: Date,
    pendingUntil: Date,
  ): Promise<boolean>;
  /** Undo `markConfirmationSent` at `at` (SES never took the email), back to `previous`: only if nothing marked since. */
  unmarkConfirmationSent(leadId: string, at: Date, previous: string | undefined): Promise<void>;
  /** Record the confirmation email SES accepted (or may have) on its lead. */
  recordConfirmation(leadId: string, message: MessageRecord): Promise<void>;
  /**
   * Double opt-in: turn a pending, unlapsed lead at `now` into an active one with `first` due (none: completed), kept
   * for the full retention. Undefined when it is not pending or has lapsed (or is gone).
   */
  confirm(
    lead: Pick<StoredLead, 'leadId' | 'email' | 'createdAt'>,
    now: Date,
    first: { stepId: string; at: Date } | undefined,
  ): Promise<StoredLead | undefined>;
  /** The lead that signed up with this normalised address, if any. */
  leadIdForEmail(email: string): Promise<string | undefined>;
  /**
   * Record a booking and, with `change.route`, switch the lead's sequence; drops any dispatcher's claim.
   * Only if the lead is still as `expected` (else 'conflict') and no send started after `inFlightSince` ('in-flight').
   */
  rebook(
    leadId: string,
    change: BookingChange,
    expected: { sequenceId: string; status: LeadStatus; sentCount: number },
    now: Date,
    inFlightSince: Date,
  ): Promise<{ outcome: 'applied'; lead: StoredLead } | 'conflict' | 'in-flight' | 'not-found'>;
}

/**
 * Subject-line experiments' states and counts (`experiments.ts`): a state item per experiment beside the report's
 * counters. Reads are by key (a few items), never a Scan.
 */
export interface ExperimentStore {
  /** Each decided or stopped experiment's state, by its id (one GetItem each); one that is absent is running. */
  states(experiments: readonly ExperimentRef[]): Promise<Record<string, ExperimentState>>;
  /**
   * The counts of the experiments' steps, their variants' (`armKey`) among them: one GetItem a step. Only what judges
   * a running experiment or shows one needs them, never a send.
   */
  counts(experiments: readonly ExperimentRef[]): Promise<Counts>;
  /** Every state item written: decided and stopped experiments, declared or not any more. */
  list(): Promise<(ExperimentState & { experimentId: string; sequenceId?: string; stepId?: string })[]>;
  /**
   * Decide or stop an experiment, only while it is still running (no state item, or `running`): false when it was
   * decided or stopped meanwhile.
   */
  conclude(
    ref: Pick<ExperimentRef, 'sequenceId' | 'stepId'> & { experimentId: string },
    state: Exclude<ExperimentState, { status: 'running' }>,
  ): Promise<boolean>;
}

/** Remembers webhook deliveries for a while, so a replay changes nothing. */
export interface DeliveryLog {
  seen(key: string): Promise<boolean>;
  /** Called once a delivery has been acted on. */
  remember(key: string, now: Date): Promise<void>;
}

/** What an engagement event changes: the message's record, once per event. */
export interface EventStore {
  /**
   * Record the event on its message, in one conditional write. False when it changes nothing: recorded before
   * (EventBridge delivers at least once), or a Delivery, Open… later than the one already kept (only the first time
   * of each type is kept; every Click is). Else whether it is the first event of its type on its message (the
   * report counts a lead once per step), decided by that same write, and, for a Click or a Delivery, the message's
   * clicks and times as that write found them (`before`), for the rules to judge before and after it.
   */
  recordEvent(event: EngagementEvent): Promise<false | { first: boolean; before?: MessageClicks }>;
  /**
   * Change the lead's `humanClicks` (a set: adding an entry it has, or removing one it lacks, changes nothing). A lead
   * that is gone is left gone.
   */
  setHumanClicks(leadId: string, change: { add: string[]; remove: string[] }): Promise<void>;
  suppress(email: string, reason: SuppressionReason, at: Date): Promise<void>;
  /** Why this normalised address must never be emailed, if it must not. */
  suppressedAs(email: string): Promise<SuppressionReason | undefined>;
}

/** The report's counters, kept at write time (`report-counts.ts` names what each key counts). */
export interface ReportCounters {
  /** Add to the counters, one write per counter item touched. Answers what could not be written (to try again). */
  add(deltas: Counts): Promise<Counts>;
  read(): Promise<Counts>;
  /** Set the counters to these counts (a rebuild's recount): keys absent here are set to 0. */
  replace(counts: Counts): Promise<void>;
}

/**
 * What each lead was last counted as in the lead totals (`countLead`), so a change counts only its difference. Kept on
 * the lead itself: written with it at creation (`LeadStore.create`) and by the settle that ends its sequence
 * (`Settlement.counted`).
 */
export interface LeadCounts {
  /** The lead as the report reads it, and what it is counted as now (none: not counted yet). */
  view(leadId: string): Promise<{ view?: LeadView; counted?: Counts }>;
  /**
   * Store what the lead counts as now, only if it is still counted as `seen` (none: not counted); false otherwise.
   * Checking the value itself is enough: each writer adds the difference from what it replaced.
   */
  store(leadId: string, counts: Counts, seen: Counts | undefined): Promise<boolean>;
}

/** How a stop ends a lead's emails: each stops every class (a marketing unsubscribe is `LeadStore.optOut`). */
export type StopStatus = Extract<LeadStatus, 'stopped' | 'bounced' | 'complained'>;
export type SuppressionReason = Extract<LeadStatus, 'unsubscribed' | 'bounced' | 'complained'>;

export interface OutgoingEmail {
  to: { address: string; name: string };
  subject: string;
  html: string;
  text: string;
  unsubscribeUrl: string;
  /** Marketing carries List-Unsubscribe (RFC 8058 one-click); care does not: it is not bulk mail. */
  class: MessageClass;
  /**
   * SES message tags: ids only. `experimentVariant`: the step's subject-line experiment variant (`a`..`d`), on every
   * email of a step with an experiment, whichever email the lead's interest chose (so it never tells the interest).
   */
  tags: { leadId: string; sequenceId: string; stepId: string; experimentVariant?: string };
}

export type SendOutcome =
  /** SES accepted the message. `links`: how many distinct links SES tracks in it (for `MessageRecord.links`). */
  | { kind: 'sent'; messageId: string; links: number }
  /** SES answered and did not take it for now (throttling, 5xx): try this lead again later. */
  | { kind: 'retry'; reason: string }
  /** SES refused this address or message for good. */
  | { kind: 'rejected'; reason: string }
  /**
   * SES refused to send for the account, not for this lead (an unverified sender identity, a sandbox account, sending
   * paused, access denied, a missing configuration set): no send can succeed until someone fixes it. `reason` is
   * SES's error name, `cause` a short fixed word for what is wrong; neither holds SES's text, which may name addresses.
   */
  | { kind: 'paused'; reason: string; cause: string }
  /** No answer after the request left (connection dropped, timed out): SES may or may not have it. */
  | { kind: 'unknown'; reason: string };

export interface Mailer {
  send(email: OutgoingEmail): Promise<SendOutcome>;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

/** What a template gets from the lead: a first name, its unsubscribe link and, after a booking, the appointment. */
export interface RenderProps {
  firstName: string;
  unsubscribeUrl: string;
  /** The appointment in the lead's words and zone, e.g. "Tuesday, December 1 at 10:00 AM EST". */
  appointment?: string;
  /** The visit is on the day the email goes out, or the next day, in the lead's zone; absent otherwise. */
  visitDay?: VisitDay;
  /** The scheduling system reported the visit as attended. Only its status: never health data. */
  attended?: boolean;
  /** Double opt-in's confirmation email: the signed link that confirms the address. */
  confirmUrl?: string;
}

export type VisitDay = 'today' | 'tomorrow';

export interface Renderer {
  /**
   * The step's email, or its `variant`'s (`SequenceStep.byInterest`); `arm`: the step's own email as that variant of
   * its subject-line experiment sends it (ignored with `variant`: an interest email has no experiment).
   */
  render(
    sequenceId: string,
    stepId: string,
    props: RenderProps,
    variant?: string,
    arm?: string,
  ): Promise<RenderedEmail>;
}

/** Structured log lines carry ids only. */
export interface Log {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}
