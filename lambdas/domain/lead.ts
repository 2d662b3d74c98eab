import type { Interest } from '../contract.ts';
import type { HoldoutGroup } from './holdout.ts';
import type { PreferenceChoice } from './preferences.ts';

/** A person who signed up, and where they are in their sequence. */
export type LeadStatus =
  | 'pending' // double opt-in: signed up, not confirmed yet; no step is due, and it lapses at `pendingUntil`
  | 'active' // a step is scheduled
  | 'completed' // the sequence ran out
  | 'sunset' // ended early: the check-in got no human click (`checkIn` in sequence.ts); a booking still starts care
  | 'unsubscribed' // opted out of marketing with no care email ahead: a booking later still starts the care emails
  | 'stopped' // chose "stop everything": no email of any class, ever
  | 'bounced'
  | 'complained'
  | 'rejected'; // SES refused the address permanently

export interface Consent {
  at: string;
  /** Which wording of the consent checkbox the lead agreed to. */
  textVersion: string;
  /** The page the form was on. */
  page?: string;
  /** For a lead imported from another tool (`npm run import`): where the consent was given, as the file says. */
  source?: string;
}

export interface Attribution {
  source?: string;
  utmSource?: string;
  utmMedium?: string;
  utmCampaign?: string;
  utmTerm?: string;
  utmContent?: string;
}

export interface LeadProfile {
  /** Normalised: trimmed, lower case, IDN domain in ASCII. */
  email: string;
  firstName: string;
  lastName?: string;
  phone?: string;
  timeZone: string;
  interest?: Interest;
  consent: Consent;
  attribution: Attribution;
}

export interface Lead extends LeadProfile {
  leadId: string;
  createdAt: string;
  status: LeadStatus;
  sequenceId: string;
  /** Step ids sent (or settled), in order, across the lead's sequences; step ids are unique across sequences. */
  sentSteps: string[];
  /**
   * Steps passed over, never sent: timed from an appointment that had passed when they came up (re-planned on a
   * reschedule), marketing steps after the lead unsubscribed from marketing, or, for an imported lead that starts
   * later in the nurture (`--start-at`), the steps before the one it starts at.
   */
  skippedSteps?: string[];
  /** When the lead entered its current sequence (sign-up, or the booking that switched it). */
  enteredSequenceAt?: string;
  nextStepId?: string;
  /** ISO instant the next step is due. */
  nextSendAt?: string;
  /** Local date (lead's zone) of the last email sent, for the one-per-day rule. */
  lastSentOn?: string;
  lastSentAt?: string;
  /** The first booking: from then on the lead gets follow-up emails, never the nurture. */
  bookedAt?: string;
  /** ISO instant of the current appointment, and what the scheduling system last said of it. */
  appointmentAt?: string;
  appointmentStatus?: AppointmentStatus;
  /** The scheduling system's id for the booking, when it sends one. */
  bookingId?: string;
  /**
   * When the lead unsubscribed from marketing (ISO). No marketing step is sent after it; care steps still are. The
   * status says whether anything is still ahead ('active': a care step) or not ('unsubscribed').
   */
  optedOutAt?: string;
  /**
   * The preference page's "pause" (`preferences.ts`): no marketing step goes out before this instant (ISO); care
   * steps still do. Past it, it means nothing.
   */
  pausedUntil?: string;
  /** The preference page's "at most one a week": no marketing step within 7 days of the last one sent. */
  cadence?: 'weekly';
  /** When the last marketing email went out (ISO), for the weekly cadence. */
  lastMarketingAt?: string;
  /** The lead's last choice on the preference page that is not a stop, and when it was made. */
  preference?: { choice: PreferenceChoice; at: string };
  /** Double opt-in, while `pending`: when the lead lapses unconfirmed (the last confirmation link's expiry, ISO). */
  pendingUntil?: string;
  /** Double opt-in: when the last confirmation email went (ISO); another goes no sooner than a day later. */
  confirmationSentAt?: string;
  /** Double opt-in: when the lead confirmed its address (ISO). A lead with it was asked to confirm, and did. */
  confirmedAt?: string;
  /**
   * What a person (never a mail scanner: `machine-clicks.ts`) clicked, sorted: `<stepId>` for each email step clicked
   * at least once, and `<stepId>:<linkName>` for each clicked link named by its `utm_content`. Written by the SES
   * events (`engagement.ts`), and taken back when a click is found to be a machine's after all. Read by the
   * engagement branches (`branches.ts`).
   */
  humanClicks?: string[];
  /**
   * Steps a click brought forward (`bringForward`), sent ahead of their place: they do not mark the lead's place in
   * its sequence, even once marketing removes the branch, so the steps they went ahead of still come.
   */
  sentAhead?: string[];
  /**
   * The holdout's group (`holdout.ts`), decided once when the lead entered the nurture, and recorded only while a
   * holdout ran (HOLDOUT_SHARE above 0): `h` gets the nurture's first step and nothing more from it, `n` all of it.
   */
  grp?: HoldoutGroup;
}

/** Double opt-in: whether a lead is a pending one whose confirmation lapsed at `now`. As good as gone. */
export const isLapsed = (lead: Pick<Lead, 'status' | 'pendingUntil'>, now: Date) =>
  lead.status === 'pending' && (!lead.pendingUntil || Date.parse(lead.pendingUntil) <= now.getTime());

/** Statuses after which no email of any class goes out, whatever comes later (a booking is still recorded). */
export const STOPPED_FOR_GOOD: ReadonlySet<LeadStatus> = new Set(['stopped', 'bounced', 'complained', 'rejected']);

export const APPOINTMENT_STATUSES = ['booked', 'rescheduled', 'cancelled', 'no-show', 'attended'] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];

/** Spread leads over the due index's shards so no single partition gets hot. */
export function shardFor(leadId: string, shards: number): number {
  let hash = 0;
  for (let i = 0; i < leadId.length; i++) hash = (hash * 31 + leadId.charCodeAt(i)) >>> 0;
  return hash % shards;
}
