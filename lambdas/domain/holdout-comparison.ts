/**
 * The report's holdout comparison (`holdout.ts`): the booking rate of leads who got the whole nurture against the
 * holdout's (the welcome only), the difference with its 95% interval (`rate-difference.ts`), and what it means in
 * plain words. Pure; the CLI and the /admin page both say what `verdict` says.
 */
import { newcombe, wilson, type Interval, type RateDifference } from './rate-difference.ts';

/**
 * Below these the report says "too small to conclude" whatever the interval: fewer than 30 leads in a group, where one
 * booking moves its rate by more than 3 points, or fewer than 5 bookings in both groups together, where the interval
 * is as wide as the rates themselves (a common rule of thumb for rates, e.g. "at least 5 events", that keeps a lucky
 * handful from reading as an effect).
 */
export const MIN_GROUP_LEADS = 30;
export const MIN_BOOKINGS = 5;

export interface GroupRate {
  /** Leads that entered the nurture in this group (a double opt-in lead once it confirmed). */
  leads: number;
  /** Of those, the leads that booked at least once. */
  booked: number;
  /** booked / leads; null with no leads. */
  rate: number | null;
  /** Wilson's 95% interval of the rate ([0, 1] with no leads). */
  interval: Interval;
}

export type Verdict =
  /** No lead is in either group, and the share is 0: the holdout is off. */
  | 'off'
  /** Too few leads or bookings to say anything (`MIN_GROUP_LEADS`, `MIN_BOOKINGS`). */
  | 'too-few'
  /** The interval includes 0: the nurture may help, hurt or make no difference. */
  | 'unclear'
  /** The whole interval is above 0: the nurture's leads book more often. */
  | 'helps'
  /** The whole interval is below 0: the nurture's leads book less often. */
  | 'hurts';

export interface HoldoutComparison {
  /** The share of new leads held out now (HOLDOUT_SHARE); leads enrolled earlier keep the group they got. */
  share: number;
  nurture: GroupRate;
  holdout: GroupRate;
  /** Nurture − holdout booking rate with its 95% interval; absent while a group has no leads. */
  difference?: RateDifference;
  verdict: Verdict;
  /** The verdict as a sentence a person without statistics reads. */
  summary: string;
}

const group = (leads: number, booked: number): GroupRate => ({
  leads,
  booked,
  rate: leads > 0 ? booked / leads : null,
  interval: wilson(booked, leads),
});

/** Percentage points, one decimal, without a minus sign (the words say which way). */
const points = (value: number) => `${Math.abs(value * 100).toFixed(1)}`;
const signed = (value: number) => `${value < 0 ? '−' : ''}${points(value)}`;

/** The comparison of the two groups' counts (`lead/group.*` in `report-counts.ts`). */
export function compareHoldout(
  share: number,
  nurture: { leads: number; booked: number },
  holdout: { leads: number; booked: number },
): HoldoutComparison {
  const n = group(nurture.leads, nurture.booked);
  const h = group(holdout.leads, holdout.booked);
  const difference = newcombe(nurture.booked, nurture.leads, holdout.booked, holdout.leads);
  const base = { share, nurture: n, holdout: h, ...(difference && { difference }) };
  if (share <= 0 && n.leads === 0 && h.leads === 0)
    return {
      ...base,
      verdict: 'off',
      summary:
        'The holdout is off: every new lead gets the whole nurture, so there is nothing to compare. Set HOLDOUT_SHARE (e.g. 0.1 holds out 10% of new leads) to measure whether the emails lead to more bookings.',
    };
  const sizes = `${n.leads} nurture leads (${n.booked} booked) and ${h.leads} holdout leads (${h.booked} booked)`;
  if (!difference || n.leads < MIN_GROUP_LEADS || h.leads < MIN_GROUP_LEADS || n.booked + h.booked < MIN_BOOKINGS)
    return {
      ...base,
      verdict: 'too-few',
      summary: `Too small to conclude: ${sizes}. The comparison needs at least ${MIN_GROUP_LEADS} leads in each group and ${MIN_BOOKINGS} bookings in all; until then any difference may be luck.`,
    };
  const { difference: d, lower, upper } = difference;
  const interval = `(95% interval ${signed(lower)} to ${signed(upper)} points)`;
  const way = d >= 0 ? 'more' : 'less';
  const said = `The nurture's leads booked ${points(d)} points ${way} often than the holdout's ${interval}`;
  if (lower > 0) return { ...base, verdict: 'helps', summary: `${said}: the emails likely help.` };
  if (upper < 0) return { ...base, verdict: 'hurts', summary: `${said}: the emails likely put people off booking.` };
  return {
    ...base,
    verdict: 'unclear',
    summary: `Too small to conclude: ${said.replace(/^The/, 'the')}, and the interval includes 0, so the emails may help, make no difference or put people off. More leads narrow it.`,
  };
}
