/**
 * The preference page's choices (the signed link in every email, `handlers/unsubscribe.ts`), and what each does:
 * - `pause`: no education (marketing) email for 30 days from now (`pausedUntil`).
 * - `weekly`: at most one education email a week (`cadence`): each waits 7 days after the last one sent.
 * - `resume`: back to the usual pace: no pause, no weekly cadence.
 * - `marketing`: stop the education emails, and `everything`: stop every email (both are `unsubscribe.ts`).
 * Care emails (about a booked visit) are never held back by a pause or the weekly cadence. A held step is pushed
 * back, never skipped: the choice moves the lead's next step to the hold's end in the same write that records it, and
 * planning (`planNext`) holds every later one. Like an unsubscribe, a choice waits out a send in flight and is written
 * only on the lead as it was read, so it takes effect before the next send.
 */
import { DateTime } from 'luxon';
import { STOPPED_FOR_GOOD, type Lead } from './lead.ts';
import { planNext } from './plan.ts';
import type { PreferenceChange, StoredLead } from './ports.ts';
import { marketingHeldUntil, notBefore, PAUSE_DAYS } from './schedule.ts';
import { classOf, type Sequence } from './sequence.ts';
import { whileSendInFlight } from './stop.ts';
import { unsubscribe, type UnsubscribeDeps } from './unsubscribe.ts';

export const PREFERENCE_CHOICES = ['pause', 'weekly', 'resume', 'marketing', 'everything'] as const;
export type PreferenceChoice = (typeof PREFERENCE_CHOICES)[number];
/** The choices that change the pace of the education emails, not whether they come. */
export type PaceChoice = Extract<PreferenceChoice, 'pause' | 'weekly' | 'resume'>;

/** What a lead gets now, as the preference page shows it: no personal data. */
export interface PreferenceSetting {
  /** Every email; care emails only (the education emails stopped); or none at all. */
  receives: 'all' | 'care-only' | 'nothing';
  /** While a pause lasts: its end (ISO), and the lead's zone to show it in. */
  pausedUntil?: string;
  weekly: boolean;
  timeZone?: string;
}

type SettingFields = Pick<Lead, 'status' | 'optedOutAt' | 'pausedUntil' | 'cadence' | 'timeZone'>;

export function currentSetting(lead: SettingFields | undefined, now: Date): PreferenceSetting {
  if (!lead || STOPPED_FOR_GOOD.has(lead.status)) return { receives: 'nothing', weekly: false };
  if (lead.optedOutAt || lead.status === 'unsubscribed') return { receives: 'care-only', weekly: false };
  const paused = lead.pausedUntil !== undefined && Date.parse(lead.pausedUntil) > now.getTime();
  return {
    receives: 'all',
    weekly: lead.cadence === 'weekly',
    ...(paused && { pausedUntil: lead.pausedUntil, timeZone: lead.timeZone }),
  };
}

/** What a pace choice writes, or why it changes nothing: the education emails have stopped already. */
export type PaceDecision = { change: PreferenceChange } | { moot: Exclude<PreferenceSetting['receives'], 'all'> };

/**
 * What `choice`, made at `now`, writes on `lead`: the setting, the choice with its time, and, when the lead's next
 * step is marketing, its new time. A pause or the weekly cadence never brings a step forward; `resume` moves a held
 * step back to its usual time (at once, inside the send window, if that has passed).
 */
export function decidePace(
  lead: StoredLead,
  choice: PaceChoice,
  sequences: Readonly<Record<string, Sequence>>,
  now: Date,
): PaceDecision {
  const setting = currentSetting(lead, now);
  if (setting.receives !== 'all') return { moot: setting.receives };
  const prefs: Pick<PreferenceChange, 'pausedUntil' | 'cadence'> =
    choice === 'pause'
      ? { pausedUntil: DateTime.fromJSDate(now, { zone: lead.timeZone }).plus({ days: PAUSE_DAYS }).toUTC().toISO()! }
      : choice === 'weekly'
        ? { cadence: 'weekly' }
        : { pausedUntil: null, cadence: null };
  const change: PreferenceChange = { ...prefs, preference: { choice, at: now.toISOString() } };
  const nextSendAt = movedNextStep(lead, change, sequences, now);
  return { change: { ...change, ...(nextSendAt && { nextSendAt }) } };
}

/** The lead's next step's new time under `change`, when its next step is marketing and the time moves. */
function movedNextStep(
  lead: StoredLead,
  change: PreferenceChange,
  sequences: Readonly<Record<string, Sequence>>,
  now: Date,
): Date | undefined {
  const sequence = sequences[lead.sequenceId];
  if (lead.status !== 'active' || !lead.nextStepId || !lead.nextSendAt || !sequence) return undefined;
  if (classOf(sequences, lead.sequenceId, lead.nextStepId) !== 'marketing') return undefined;
  // Nothing held it: its time stays (an imported lead's staggered start, say).
  if (change.preference.choice === 'resume' && !marketingHeldUntil(lead, lead.timeZone)) return undefined;
  const after = withChange(lead, change);
  // Timed as the dispatcher times it: from the last email, or from when the lead entered this sequence.
  const since = Math.max(
    ...[lead.createdAt, lead.enteredSequenceAt, lead.lastSentAt].filter((at) => at !== undefined).map(Date.parse),
  );
  const planned = planNext(sequence, after, new Date(since), now).next;
  if (planned?.stepId !== lead.nextStepId) return undefined; // the sequence changed: the dispatcher re-plans it
  const current = new Date(lead.dueAt ?? Date.parse(lead.nextSendAt));
  const at =
    change.preference.choice === 'resume'
      ? notBefore(planned.at, now, sequence, lead.timeZone, lead.lastSentOn)
      : new Date(Math.max(planned.at.getTime(), current.getTime()));
  return at.getTime() === current.getTime() ? undefined : at;
}

/** The lead with `change`'s pause and cadence. */
function withChange<L extends Pick<Lead, 'pausedUntil' | 'cadence'>>(lead: L, change: PreferenceChange): L {
  const { pausedUntil: _pause, cadence: _cadence, ...rest } = lead;
  const pausedUntil = change.pausedUntil === null ? undefined : (change.pausedUntil ?? lead.pausedUntil);
  const cadence = change.cadence === null ? undefined : (change.cadence ?? lead.cadence);
  return { ...rest, ...(pausedUntil && { pausedUntil }), ...(cadence && { cadence }) } as L;
}

export interface PreferenceDeps extends UnsubscribeDeps {
  /** The sequences' outline: each step's class, and the send windows a held step is moved into. */
  sequences: Readonly<Record<string, Sequence>>;
}

export type PreferenceResult =
  | {
      outcome: 'done';
      choice: PreferenceChoice;
      /** The lead had already made this choice (or, for a stop, a stronger one). */
      already: boolean;
      /** After a stop of the education emails: care emails still go (a visit is booked). */
      careGoesOn: boolean;
      /** What the lead gets from now on. */
      setting: PreferenceSetting;
    }
  /** A pause, the weekly cadence or resume, after the education emails (or all emails) were stopped. */
  | { outcome: 'moot'; choice: PaceChoice; setting: PreferenceSetting }
  | { outcome: 'not-found' };

/** Apply a choice from the preference page to a lead, before its next send. */
export async function choosePreference(
  deps: PreferenceDeps,
  leadId: string,
  choice: PreferenceChoice,
): Promise<PreferenceResult> {
  if (choice === 'marketing' || choice === 'everything') {
    const result = await unsubscribe(deps, leadId, choice);
    if (result.outcome === 'not-found') return result;
    const receives = choice === 'everything' || STOPPED_FOR_GOOD.has(result.previous) ? 'nothing' : 'care-only';
    return {
      outcome: 'done',
      choice,
      already: result.already,
      careGoesOn: result.careGoesOn,
      setting: { receives, weekly: false },
    };
  }
  return whileSendInFlight(deps, async (since): Promise<PreferenceResult | 'in-flight' | 'conflict'> => {
    const now = deps.clock.now();
    const lead = await deps.store.get(leadId);
    if (!lead) return { outcome: 'not-found' };
    const decision = decidePace(lead, choice, deps.sequences, now);
    if ('moot' in decision) return { outcome: 'moot', choice, setting: currentSetting(lead, now) };
    const { change } = decision;
    const written = await deps.store.setPreferences(leadId, lead, change, now, since);
    if (written === 'not-found') return { outcome: 'not-found' };
    if (written !== 'applied') return written;
    const before = currentSetting(lead, now);
    const after = currentSetting(withChange(lead, change), now);
    const already =
      choice === 'weekly' ? before.weekly : choice === 'resume' ? !before.weekly && !before.pausedUntil : false;
    return { outcome: 'done', choice, already, careGoesOn: true, setting: after };
  });
}
