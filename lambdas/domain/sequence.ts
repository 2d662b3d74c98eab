/**
 * A sequence as the scheduler sees it: step ids, delays and the send window.
 * The email content lives in `emails/`; the domain never imports it. The ids the code refers to (the sequence a
 * sign-up starts, those a booking moves a lead into) are in `lambdas/contract.ts`.
 */
import * as z from 'zod';
import { INTERESTS, type Interest } from '../contract.ts';
import { branchProblems } from './branches.ts';
import { experimentProblems, type StepExperiment } from './experiments.ts';

/**
 * What kind of email a step is. `marketing` (the nurture, the rebooking nudge) stops at an unsubscribe and carries
 * `List-Unsubscribe`; `care` (the confirmation, the reminder, the note after the visit) is about a visit the lead
 * booked: it goes on after a marketing unsubscribe, and stops only on "stop everything", a hard bounce or a complaint.
 */
export const MESSAGE_CLASSES = ['marketing', 'care'] as const;
export type MessageClass = (typeof MESSAGE_CLASSES)[number];

export interface WallClockWindow {
  /** Local time of day, "HH:mm", inclusive. */
  start: string;
  /** Local time of day, "HH:mm", exclusive. */
  end: string;
}

export interface StepDelay {
  days?: number;
  hours?: number;
  minutes?: number;
}

export interface SequenceStep extends StepBranches {
  /** Stable id. Never rename a step that leads may be waiting on; add a new one instead. */
  id: string;
  /** Marketing or care: what an unsubscribe stops (see `MessageClass`). */
  class: MessageClass;
  /** Wait this long after the previous email of this sequence was sent (or after sign-up for the first step). */
  after?: StepDelay;
  /** Send at once, ignoring the send window (the welcome, a booking confirmation). */
  immediate?: boolean;
  /**
   * Time the step from the lead's appointment instead of the previous email: `days` before (negative) or after it,
   * at `at` ("HH:mm") in the lead's zone. A step whose time has already passed when it comes up is skipped, unless it
   * may go late (`lateUntilBefore`).
   */
  appointment?: AppointmentTiming;
  /**
   * Variants by interest: the id of the email sent instead of the step's own to a lead who gave that interest at
   * sign-up (`variantFor`). A variant is the same step (its class, timing and id, in `sentSteps` and the SES tags);
   * only its email differs. A lead with no interest, or `other`, gets the step's own email. Chosen at each send.
   */
  byInterest?: Partial<Record<Interest, string>>;
  /**
   * A subject-line experiment on the step's own email (`experiments.ts`), declared next to its template: a marketing
   * step only. Every lead sent the step is assigned a variant; one sent an interest variant is not counted in it.
   */
  experiment?: StepExperiment;
}

export interface AppointmentTiming {
  days: number;
  at: string;
  /**
   * For a step before the visit (`days` < 0), such as the reminder: when its time has already passed as it comes up
   * (a late booking, or a visit moved closer), it goes late instead of being skipped, as long as the visit is more
   * than this far off. Late means at once, or when the send window opens if that is still more than this far
   * before the visit; else at once after all, even outside the window and the one-a-day rule: the lead hears about
   * the visit in time rather than at a polite hour. The step is never sent this close to the visit, however it was
   * planned (a retry or a slow dispatcher drops it).
   */
  lateUntilBefore?: StepDelay;
}

/**
 * A lead's human clicks that a branch reacts to: any one of these entries (`Lead.humanClicks`), each `<stepId>` (any
 * link of that email) or `<stepId>:<link>` (the link whose URL carries `utm_content=<link>`).
 */
export interface IfClicked {
  ifClicked: readonly string[];
}

/**
 * Engagement branches (`lambdas/domain/branches.ts`): at most one per step, each on the lead's human clicks on earlier
 * steps. Machine clicks (mail scanners) never count. A step reached by a branch takes the timing of the step whose
 * place it takes; each step still goes at most once.
 */
export interface StepBranches {
  /** Pass over this step when the lead clicked any of these. */
  skip?: IfClicked;
  /** Send this step next, ahead of its place, when the lead clicked any of these. It is not sent again in its place. */
  bringForward?: IfClicked;
  /**
   * A step sent only in place of another (`step`), when the lead clicked any of these: off the main path, it has no
   * timing of its own, and the step it replaces is then passed over.
   */
  insteadOf?: { step: string } & IfClicked;
  /**
   * The "still useful?" email: sent only when the lead's last `afterUnclicked` marketing emails of this sequence got no
   * human click (else passed over). Once sent, a human click on it before the next step is due lets the sequence go on;
   * none, and the sequence ends there (status `sunset`). Its wait is the next step's delay.
   */
  checkIn?: { afterUnclicked: number };
}

export interface Sequence<S extends SequenceStep = SequenceStep> {
  id: string;
  /** Emails go out only inside this window, in the lead's own time zone. */
  window: WallClockWindow;
  /** At most one email of any sequence per lead per local calendar day. */
  onePerDay: boolean;
  steps: readonly S[];
}

export function findStep<S extends SequenceStep>(sequence: Sequence<S>, stepId: string): S | undefined {
  return sequence.steps.find((step) => step.id === stepId);
}

/** The class of the step a lead is waiting on, if its sequence still has that step. */
export function classOf(
  sequences: Readonly<Record<string, Pick<Sequence, 'steps'>>>,
  sequenceId: string,
  stepId: string | undefined,
): MessageClass | undefined {
  return stepId === undefined ? undefined : sequences[sequenceId]?.steps.find((step) => step.id === stepId)?.class;
}

/**
 * The email a lead with `interest` gets at `step`: the id of the step's variant for that interest, or undefined for
 * the step's own email (no interest, `other`, or no variant for it). A function of the step as configured now and the
 * lead's interest, so a retry or a replay of the step sends the same email, and an edit reaches leads in flight.
 */
export function variantFor(step: Pick<SequenceStep, 'byInterest'>, interest: string | undefined): string | undefined {
  if (interest === undefined || !step.byInterest || !Object.hasOwn(step.byInterest, interest)) return undefined;
  return step.byInterest[interest as Interest];
}

/** The step's variant ids, each once, in the order `byInterest` names them. */
export const variantIds = (step: Pick<SequenceStep, 'byInterest'>): string[] =>
  typeof step.byInterest === 'object' && step.byInterest !== null
    ? [...new Set(Object.values(step.byInterest).filter((id) => typeof id === 'string'))]
    : [];

/** Interests a variant may be for: `other` gets the step's own email. */
const VARIANT_INTERESTS = INTERESTS.filter((interest) => interest !== 'other');

const stepsSchema = z.array(
  z.object({
    id: z.string().min(1),
    class: z.enum(MESSAGE_CLASSES, { error: `class must be one of: ${MESSAGE_CLASSES.join(', ')}` }),
    byInterest: z
      .record(
        z.string(),
        // Stored in the lead's message records: the same alphabet as a step id in an SES tag, starting with a letter
        // or digit (a record keeps a variant's id shortened after its step's id as `-…`).
        z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, {
          error: 'a variant id is 1-64 letters, digits, - or _, starting with a letter or digit',
        }),
        { error: 'byInterest must map interests to variant ids' },
      )
      .superRefine((byInterest, ctx) => {
        for (const interest of Object.keys(byInterest))
          if (!(VARIANT_INTERESTS as readonly string[]).includes(interest))
            ctx.addIssue({
              code: 'custom',
              path: [interest],
              message: `not an interest a variant is for (one of: ${VARIANT_INTERESTS.join(', ')})`,
            });
      })
      .optional(),
  }),
);

/**
 * Check the sequences at start: every step has a class, no step id is used twice (leads store step ids, unique
 * across sequences), no marketing step is timed from an appointment (the preferences push marketing steps back), and
 * the branches hold together (`branchProblems`). A step's variants (`byInterest`) are for real interests (not
 * `other`), and each variant id belongs to one step and is no step's id (the report counts a variant under its step
 * by its id). Experiments are on marketing steps, well formed, with unique ids (`experimentProblems`). Throws one
 * error naming every problem.
 */
export function validateSequences<S extends SequenceStep>(
  sequences: Readonly<Record<string, Sequence<S>>>,
): Readonly<Record<string, Sequence<S>>> {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const sequence of Object.values(sequences)) {
    const parsed = stepsSchema.safeParse(sequence.steps);
    if (!parsed.success)
      for (const issue of parsed.error.issues) {
        const step = sequence.steps[Number(issue.path[0])];
        // Inside a step's `byInterest`: name the interest too.
        const inside = issue.path.length > 2 ? ` (${issue.path.slice(1).join('.')})` : '';
        problems.push(`${sequence.id}/${step?.id ?? issue.path.join('.')}${inside}: ${issue.message}`);
      }
    for (const step of sequence.steps) {
      if (seen.has(step.id)) problems.push(`${sequence.id}/${step.id}: step id used twice`);
      // A pause or the weekly cadence pushes a marketing step back; one timed from a visit could not be pushed.
      if (step.class === 'marketing' && step.appointment)
        problems.push(`${sequence.id}/${step.id}: a marketing step is timed by delay, never from an appointment`);
      seen.add(step.id);
    }
  }
  const variantOwner = new Map<string, string>();
  for (const sequence of Object.values(sequences))
    for (const step of sequence.steps)
      for (const variant of variantIds(step)) {
        const where = `${sequence.id}/${step.id}`;
        if (seen.has(variant)) problems.push(`${where}: variant ${variant} has the id of a step`);
        const owner = variantOwner.get(variant);
        if (owner && owner !== where) problems.push(`${where}: variant ${variant} is also a variant of ${owner}`);
        variantOwner.set(variant, owner ?? where);
      }
  for (const sequence of Object.values(sequences))
    problems.push(...branchProblems(sequence).map((problem) => `${sequence.id}/${problem}`));
  problems.push(...experimentProblems(sequences));
  if (problems.length > 0) throw new Error(`invalid sequences: ${problems.join('; ')}`);
  return sequences;
}
