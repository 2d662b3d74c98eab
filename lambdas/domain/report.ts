/**
 * The marketing report: which email moves people to book, and why each lead left the nurture.
 * Pure: it takes what the table holds (ids, states, times and counts, never an address, a name or an interest)
 * and the sequences' step order, and returns numbers.
 */
import { SEQUENCE_IDS } from '../contract.ts';
import { credibleInterval, probabilityBest } from './experiment-stats.ts';
import {
  ARM_IDS,
  armCounts,
  experimentTag,
  RUNNING,
  type ExperimentMetric,
  type ExperimentState,
  type StepExperiment,
} from './experiments.ts';
import {
  leadKey as leadCountKey,
  parseArmKey,
  parseStepKey,
  parseVariantKey,
  recount,
  type Counts,
  type LeadTotal,
} from './report-counts.ts';
import type { HoldoutGroup } from './holdout.ts';
import { compareHoldout, type HoldoutComparison } from './holdout-comparison.ts';
import type { LeadStatus } from './lead.ts';
import type { MessageState } from './ports.ts';
import { variantIds, type MessageClass, type Sequence } from './sequence.ts';

/** What the report reads of a lead. */
export interface ReportLead {
  leadId: string;
  status: LeadStatus;
  sequenceId: string;
  /** When the lead first booked (the booking webhook sets it once; a later cancellation leaves it). */
  bookedAt?: string;
  /** When an unsubscribe, bounce or complaint stopped the lead. */
  stoppedAt?: string;
  /** When the lead unsubscribed from marketing (care emails may still go to it). */
  optedOutAt?: string;
  /** Double opt-in: when the lead confirmed its address. */
  confirmedAt?: string;
  /** The holdout's group, when the lead entered the nurture while a holdout ran (`holdout.ts`). */
  grp?: HoldoutGroup;
}

/** SES event types the report counts; `Click` is a person's click, `MachineClick` a machine's (`machine-clicks.ts`). */
export type CountedEvent = 'Send' | 'Delivery' | 'Open' | 'Click' | 'MachineClick' | 'Bounce' | 'Complaint';

/** What the report reads of one step sent to one lead. */
export interface ReportMessage {
  leadId: string;
  sequenceId: string;
  stepId: string;
  /** Absent while SES events for the message have arrived before the dispatcher recorded the send. */
  state?: MessageState;
  at?: string;
  /** The step's variant the lead was sent (`MessageRecord.variant`), absent for the step's own email. */
  variant?: string;
  /** The step's subject-line experiment variant the lead was assigned (`MessageRecord.arm`). */
  arm?: string;
  /** With `arm`: its experiment's tag (`MessageRecord.experimentTag`); absent on a record from before it was kept. */
  experimentTag?: string;
  /** How many SES events of each type were recorded for this message. */
  counts: Partial<Record<CountedEvent, number>>;
}

/** One recorded Click judged a person's (a machine's never credits a booking). */
export interface ReportClick {
  leadId: string;
  sequenceId: string;
  stepId: string;
  at: string;
}

export interface ReportInput {
  leads: readonly ReportLead[];
  messages: readonly ReportMessage[];
  clicks: readonly ReportClick[];
}

/** Where the report's input comes from (the table, in AWS or locally). */
export interface ReportSource {
  read(): Promise<ReportInput>;
}

/** Per step of a sequence: how many leads (each counted once per step) did what. */
export interface Funnel {
  /** Leads a person clicked a link of this email for (never a machine's click). */
  clicked: number;
  /** Emails a machine (a mail scanner) clicked links of: shown beside `clicked`, never part of it. */
  machineClicked: number;
  bookedAfter: number;
  sent: number;
  delivered: number;
  opened: number;
  bounced: number;
  complained: number;
  unsubscribed: number;
}

/**
 * The funnel's columns in the order every view shows them: clicks and bookings first, because they are what a
 * person did; opens after, marked unreliable.
 */
export const FUNNEL_COLUMNS: readonly { key: keyof Funnel; label: string; meaning: string; unreliable?: true }[] = [
  {
    key: 'clicked',
    label: 'Clicked',
    meaning: 'leads who clicked a link in this email (a person, not a mail scanner)',
  },
  {
    key: 'machineClicked',
    label: 'Machine clicks',
    meaning:
      "emails whose links a mail scanner clicked (within seconds of delivery, every link at once, or a known scanner's): never counted as clicked",
  },
  {
    key: 'bookedAfter',
    label: 'Booked after',
    meaning: 'booked leads whose last click before booking was in this email',
  },
  { key: 'sent', label: 'Sent', meaning: 'emails SES accepted' },
  { key: 'delivered', label: 'Delivered', meaning: "emails the recipient's mail server accepted" },
  {
    key: 'opened',
    label: 'Opened',
    meaning: 'emails whose tracking image loaded, often by a machine',
    unreliable: true,
  },
  { key: 'bounced', label: 'Bounced', meaning: 'leads stopped by a permanent bounce of this email' },
  { key: 'complained', label: 'Complained', meaning: 'leads who marked this email as spam' },
  {
    key: 'unsubscribed',
    label: 'Unsubscribed',
    meaning: 'leads who unsubscribed (from marketing, or from everything) with this as the last email they were sent',
  },
];

export interface VariantFunnel extends Funnel {
  /** The variant's id (`SequenceStep.byInterest`): an email, never a lead's interest. */
  variantId: string;
  /** clicked / delivered; null before anything was delivered. */
  clickRate: number | null;
  /** bookedAfter / delivered; null before anything was delivered. */
  bookingRate: number | null;
}

export interface StepFunnel extends Funnel {
  stepId: string;
  /** clicked / delivered; null before anything was delivered. */
  clickRate: number | null;
  /** bookedAfter / delivered; null before anything was delivered. */
  bookingRate: number | null;
  /**
   * The step's variants by interest, each a row of its own (configured ones first, even before anything was sent):
   * the leads sent that variant, also counted in the step's row. Leads sent the step's own email are the difference.
   */
  variants: VariantFunnel[];
  /** The step's subject-line experiment, when it declares one, or counted one it can name (`withExperiments`). */
  experiment?: StepExperimentReport;
}

/** One variant of a step's subject-line experiment (`experiments.ts`): the leads sent it with the step's own email. */
export interface ExperimentVariantRow {
  /** `a` (the control) to `d`. */
  variantId: string;
  sent: number;
  delivered: number;
  /** Emails a person clicked (never a machine's click, never an open). */
  clicked: number;
  /** Leads sent this variant who booked after it. */
  booked: number;
  /** The chance this variant is the best on the experiment's metric, from the counts so far (`probabilityBest`). */
  probabilityBest: number;
  /** The experiment's metric as a rate (clicked or booked of delivered); null before any delivery. */
  rate: number | null;
  /** Where that rate very likely lies: the 95% credible interval of its Beta–Binomial posterior (`credibleInterval`). */
  interval: { lower: number; upper: number };
}

/** A step's subject-line experiment: its state and a row per variant. */
export interface StepExperimentReport {
  /** The declared experiment's, or the earlier one's a state item names (`withExperiments`). */
  experimentId: string;
  metric: ExperimentMetric;
  state: ExperimentState;
  variants: ExperimentVariantRow[];
}

export interface SequenceFunnel {
  sequenceId: string;
  steps: StepFunnel[];
}

export const LEAVE_REASONS = [
  'booked',
  'unsubscribed',
  'stopped',
  'bounced',
  'complained',
  'rejected',
  'completed',
  'sunset',
  'holdout',
  'active',
] as const;
export type LeaveReason = (typeof LEAVE_REASONS)[number];

export const LEAVE_LABELS: Record<LeaveReason, string> = {
  booked: 'Booked',
  unsubscribed: 'Unsubscribed',
  stopped: 'Stopped all emails',
  bounced: 'Bounced',
  complained: 'Complained',
  rejected: 'Rejected by SES',
  completed: 'Completed the sequence',
  sunset: 'Sunset, no engagement',
  holdout: 'Held out (welcome only)',
  active: 'Still active',
};

const OPENS_NOTE =
  'Clicks and bookings are the signals to act on. Opens are unreliable: Apple Mail Privacy Protection loads every image by machine, so an "open" does not mean a person read the email.';

export interface Report {
  generatedAt: string;
  /** Why opens are shown last. */
  note: string;
  /** Leads that entered the nurture, and why each left it (or is still in it). */
  nurture: { sequenceId: string; leads: number; left: Record<LeaveReason, number> };
  /** Every booked lead: attributed to the step of its last click before booking, or not. */
  bookings: { total: number; afterClick: number; withoutClick: number };
  /** The nurture first, then the other sequences. */
  sequences: SequenceFunnel[];
  /**
   * By class (`MessageClass`): emails SES accepted, and leads who unsubscribed from marketing (care went on) or from
   * everything. Steps no longer configured have no class and are left out of `sent`.
   */
  classes: { sent: Record<MessageClass, number>; unsubscribed: { marketing: number; everything: number } };
  /**
   * Double opt-in: leads asked to confirm their address (pending now, or confirmed), how many confirmed, and
   * confirmed / asked (null before anyone was asked). A lead that lapsed unconfirmed is counted as asked until DynamoDB's
   * TTL deletes it.
   */
  optIn: { asked: number; confirmed: number; rate: number | null };
  /**
   * The holdout comparison (`holdout-comparison.ts`): each group's leads, bookings and booking rate, the difference
   * with its 95% interval, and the verdict in plain words.
   */
  holdout: HoldoutComparison;
}

export interface ReportOptions {
  now: Date;
  /** The sequences as configured, for the order of steps (steps no longer configured follow). */
  sequences: Readonly<Record<string, Pick<Sequence, 'id' | 'steps'>>>;
  nurtureId?: string;
  /** Experiments' states as written (`ExperimentStore.list`): decided and stopped ones; any other is running. */
  experimentStates?: readonly (ExperimentState & { experimentId: string; sequenceId?: string; stepId?: string })[];
  /** HOLDOUT_SHARE as configured now; unset: 0 (the report says the holdout is off while no lead is in a group). */
  holdoutShare?: number;
}

/**
 * The funnel per step of every sequence, the bookings each email led to (credited to the step of the lead's last
 * click before it first booked), and why each lead that entered the nurture left it. Linear in the items read: the
 * recount from raw items (`npm run report -- --rebuild`); the page and the CLI read the counters kept at write time
 * and call `reportFromCounts` with them.
 */
export function buildReport(input: ReportInput, options: ReportOptions): Report {
  return reportFromCounts(recount(input, options.nurtureId ?? SEQUENCE_IDS.nurture), options);
}

/** The report from its counts (`report-counts.ts`): kept at write time, or recounted from the raw items. */
export function reportFromCounts(counts: Counts, options: ReportOptions): Report {
  const nurtureId = options.nurtureId ?? SEQUENCE_IDS.nurture;
  const funnels = new Map<string, Map<string, Funnel>>();
  const cell = (sequenceId: string, stepId: string): Funnel => {
    const steps = funnels.get(sequenceId) ?? funnels.set(sequenceId, new Map()).get(sequenceId)!;
    return steps.get(stepId) ?? steps.set(stepId, emptyFunnel()).get(stepId)!;
  };
  // Every configured step gets a row, even before anything was sent; double opt-in's email only once one was (a
  // stage without double opt-in never sends it).
  for (const sequence of Object.values(options.sequences)) {
    if (sequence.id === SEQUENCE_IDS.optIn) continue;
    for (const step of sequence.steps) cell(sequence.id, step.id);
  }
  // The step's variants, by `<sequence>/<step>`: configured first, in order, then any counted that no longer are.
  const variants = new Map<string, Map<string, Funnel>>();
  const variantCell = (sequenceId: string, stepId: string, variant: string): Funnel => {
    cell(sequenceId, stepId);
    const key = `${sequenceId}/${stepId}`;
    const rows = variants.get(key) ?? variants.set(key, new Map()).get(key)!;
    return rows.get(variant) ?? rows.set(variant, emptyFunnel()).get(variant)!;
  };
  for (const sequence of Object.values(options.sequences)) {
    if (sequence.id === SEQUENCE_IDS.optIn) continue;
    for (const step of sequence.steps)
      for (const variant of variantIds(step)) variantCell(sequence.id, step.id, variant);
  }
  for (const [key, value] of Object.entries(counts)) {
    const step = parseStepKey(key);
    if (step && step.metric in FUNNEL_KEYS) cell(step.sequenceId, step.stepId)[step.metric] += value;
    const variant = parseVariantKey(key);
    if (variant && variant.metric in FUNNEL_KEYS)
      variantCell(variant.sequenceId, variant.stepId, variant.variant)[variant.metric] += value;
  }
  const total = (name: LeadTotal) => counts[leadCountKey(name)] ?? 0;
  const sent: Record<MessageClass, number> = { marketing: 0, care: 0 };
  for (const sequence of Object.values(options.sequences))
    for (const step of sequence.steps) {
      const funnel = funnels.get(sequence.id)?.get(step.id);
      if (funnel) sent[step.class] += funnel.sent;
    }
  return {
    generatedAt: options.now.toISOString(),
    note: OPENS_NOTE,
    nurture: {
      sequenceId: nurtureId,
      leads: total('nurture'),
      left: Object.fromEntries(LEAVE_REASONS.map((reason) => [reason, total(`left.${reason}`)])) as Record<
        LeaveReason,
        number
      >,
    },
    bookings: { total: total('bookings'), afterClick: total('afterClick'), withoutClick: total('withoutClick') },
    sequences: withExperiments(orderedSequences(funnels, variants, options.sequences, nurtureId), counts, options),
    classes: {
      sent,
      unsubscribed: { marketing: total('unsubscribed.marketing'), everything: total('unsubscribed.everything') },
    },
    optIn: {
      asked: total('optIn.asked'),
      confirmed: total('optIn.confirmed'),
      rate: rate(total('optIn.confirmed'), total('optIn.asked')),
    },
    holdout: compareHoldout(
      options.holdoutShare ?? 0,
      { leads: total('group.nurture'), booked: total('group.nurture.booked') },
      { leads: total('group.holdout'), booked: total('group.holdout.booked') },
    ),
  };
}

function orderedSequences(
  funnels: Map<string, Map<string, Funnel>>,
  variants: Map<string, Map<string, Funnel>>,
  configured: ReportOptions['sequences'],
  nurtureId: string,
): SequenceFunnel[] {
  const order = [...new Set([nurtureId, ...Object.keys(configured), ...[...funnels.keys()].sort()])];
  return order
    .filter((sequenceId) => funnels.has(sequenceId))
    .map((sequenceId) => {
      const steps = funnels.get(sequenceId)!;
      const stepOrder = [
        ...new Set([...(configured[sequenceId]?.steps.map((s) => s.id) ?? []), ...[...steps.keys()].sort()]),
      ];
      return {
        sequenceId,
        steps: stepOrder.map((stepId) => {
          const funnel = steps.get(stepId)!;
          const configuredVariants = configured[sequenceId]?.steps.find((s) => s.id === stepId);
          const rows = variants.get(`${sequenceId}/${stepId}`) ?? new Map<string, Funnel>();
          const variantOrder = [
            ...new Set([...(configuredVariants ? variantIds(configuredVariants) : []), ...[...rows.keys()].sort()]),
          ].filter((variantId) => rows.has(variantId));
          return {
            stepId,
            ...funnel,
            clickRate: rate(funnel.clicked, funnel.delivered),
            bookingRate: rate(funnel.bookedAfter, funnel.delivered),
            variants: variantOrder.map((variantId) => {
              const row = rows.get(variantId)!;
              return {
                variantId,
                ...row,
                clickRate: rate(row.clicked, row.delivered),
                bookingRate: rate(row.bookedAfter, row.delivered),
              };
            }),
          };
        }),
      };
    });
}

/**
 * Each step's experiment: the one declared in `options.sequences`, counted under its own tag (`armCounts`), whatever
 * earlier experiments of the step counted. A step that declares none shows its latest earlier one that it can name:
 * counted (`arm/…` keys under its tag) and named by a state item (`options.experimentStates`: one that was decided or
 * stopped). One it cannot name (taken out while running, or a message recorded before tags were kept) is left out.
 */
function withExperiments(sequences: SequenceFunnel[], counts: Counts, options: ReportOptions): SequenceFunnel[] {
  // Per step, the tags counted and each tag's variant letters.
  const counted = new Map<string, Map<string, Set<string>>>();
  for (const key of Object.keys(counts)) {
    const arm = parseArmKey(key);
    if (!arm) continue;
    const step = `${arm.sequenceId}/${arm.stepId}`;
    const tags = counted.get(step) ?? counted.set(step, new Map()).get(step)!;
    (tags.get(arm.tag) ?? tags.set(arm.tag, new Set()).get(arm.tag)!).add(arm.arm);
  }
  for (const sequence of sequences)
    for (const step of sequence.steps) {
      const declared = options.sequences[sequence.sequenceId]?.steps.find((s) => s.id === step.stepId)?.experiment;
      const tags = counted.get(`${sequence.sequenceId}/${step.stepId}`);
      const written = declared
        ? options.experimentStates?.find((state) => state.experimentId === declared.id)
        : latest(
            (options.experimentStates ?? []).filter(
              (state) =>
                state.sequenceId === sequence.sequenceId &&
                state.stepId === step.stepId &&
                tags?.has(experimentTag(state.experimentId)),
            ),
          );
      if (!declared && !written) continue;
      const experiment: StepExperiment = declared ?? {
        id: written!.experimentId,
        variants: ARM_IDS.filter((id) => tags!.get(experimentTag(written!.experimentId))!.has(id)).map((id) => ({
          id,
          weight: 1,
        })),
      };
      const rows = armCounts({ sequenceId: sequence.sequenceId, stepId: step.stepId, experiment }, counts);
      // Only counted, and only one variant so far: nothing to compare it with.
      const best = rows.length >= 2 ? probabilityBest(rows) : rows.map(() => 1);
      const {
        experimentId: _id,
        sequenceId: _sequence,
        stepId: _step,
        ...state
      } = written ?? {
        experimentId: '',
        ...RUNNING,
      };
      step.experiment = {
        experimentId: experiment.id,
        metric: experiment.metric ?? 'clicks',
        state,
        variants: rows.map((row, i) => ({
          variantId: row.id,
          sent: row.sent,
          delivered: row.delivered,
          clicked: row.clicked,
          booked: row.booked,
          probabilityBest: best[i] ?? 0,
          rate: row.trials > 0 ? row.successes / row.trials : null,
          interval: (({ low, high }) => ({ lower: low, upper: high }))(credibleInterval(row)),
        })),
      };
    }
  return sequences;
}

/** The state written last (a step's experiments end one after another). */
function latest<T extends ExperimentState>(states: readonly T[]): T | undefined {
  const at = (state: ExperimentState) => (state.status === 'running' ? '' : state.at);
  return states.reduce<T | undefined>((last, state) => (!last || at(state) > at(last) ? state : last), undefined);
}

const FUNNEL_KEYS: Record<keyof Funnel, true> = {
  clicked: true,
  machineClicked: true,
  bookedAfter: true,
  sent: true,
  delivered: true,
  opened: true,
  bounced: true,
  complained: true,
  unsubscribed: true,
};

function emptyFunnel(): Funnel {
  return {
    clicked: 0,
    machineClicked: 0,
    bookedAfter: 0,
    sent: 0,
    delivered: 0,
    opened: 0,
    bounced: 0,
    complained: 0,
    unsubscribed: 0,
  };
}

const rate = (part: number, whole: number) => (whole > 0 ? part / whole : null);

/** An experiment's state in words, for the CLI and the page: running, or the winner (or the stop) with when and why. */
export function experimentStateText(state: ExperimentState): string {
  if (state.status === 'running') return 'running';
  const who = state.by === 'cli' ? 'by hand' : 'by the rule';
  return state.status === 'decided'
    ? `decided: ${state.winner} (${state.at}, ${who}: ${state.reason})`
    : `stopped: everyone gets a (${state.at}, ${who}: ${state.reason})`;
}

/** The columns of an experiment's variant rows, in order, with what each counts. */
export const EXPERIMENT_COLUMNS: readonly {
  key: Exclude<keyof ExperimentVariantRow, 'variantId' | 'rate' | 'interval'>;
  label: string;
}[] = [
  { key: 'sent', label: 'Sent' },
  { key: 'delivered', label: 'Delivered' },
  { key: 'clicked', label: 'Clicked (a person)' },
  { key: 'booked', label: 'Booked after' },
  { key: 'probabilityBest', label: 'P(best)' },
];
