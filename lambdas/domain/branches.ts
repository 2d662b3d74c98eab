/**
 * Which step a lead gets next, given what it has passed and its human clicks: the sequence's order
 * (`emails/outline.ts`) with its engagement branches (`StepBranches` in `sequence.ts`). Pure; `plan.ts` times it.
 *
 * - The lead's place is the furthest step it passed in its place. A step that may be brought forward, or was
 *   (`sentAhead`, which outlives the branch), marks no place; a step sent instead of another marks that other step's
 *   place.
 * - The slot: the first step after the lead's place that is on the main path, not passed, not skipped by a click, and
 *   not a check-in the lead's clicks make moot.
 * - A step brought forward by a click goes in the slot's place; else a step swapped in for the slot's step by a click;
 *   else the slot's own step. Either way it is timed as the slot's step, and a step passed is never chosen again, so
 *   a path is at most as long as its sequence, and every path ends.
 * - Marketing's edits keep working as before: a removed step is skipped, a step added after the lead's place is picked
 *   up, one added before it is not.
 */
import type { IfClicked, Sequence, SequenceStep } from './sequence.ts';

/** What choosing a lead's next step reads of it. */
export interface Progress {
  /** In the order sent. */
  sentSteps: readonly string[];
  skippedSteps?: readonly string[];
  /** Contract entries `<stepId>` and `<stepId>:<link>` of the lead's human clicks. */
  humanClicks?: readonly string[];
  /** Steps sent ahead of their place by a bring-forward (`Lead.sentAhead`). */
  sentAhead?: readonly string[];
}

/** The next step, and the step whose place (and timing) it takes: itself, unless a branch put it there. */
export interface Route<S extends SequenceStep> {
  step: S;
  slot: S;
}

/** A link's name, as the click entries carry it (`utm_content`). */
const LINK_NAME = /^[a-z0-9-]{1,32}$/;

const clickedAny = (rule: IfClicked | undefined, clicks: ReadonlySet<string>) =>
  rule !== undefined && rule.ifClicked.some((entry) => clicks.has(entry));

/** Whether the lead clicked anything in this step's email (the bare `<stepId>` entry, or one of its links). */
const clickedStep = (stepId: string, clicks: readonly string[]) =>
  clicks.some((entry) => entry === stepId || entry.startsWith(`${stepId}:`));

/** Whether a check-in is due: the lead's last `afterUnclicked` marketing emails of this sequence got no human click. */
function checkInDue(sequence: Sequence, step: SequenceStep, progress: Progress): boolean {
  const wanted = step.checkIn!.afterUnclicked;
  const marketing = new Set(sequence.steps.filter((s) => s.class === 'marketing').map((s) => s.id));
  const last = progress.sentSteps.filter((id) => marketing.has(id)).slice(-wanted);
  return last.length === wanted && !last.some((id) => clickedStep(id, progress.humanClicks ?? []));
}

/** The lead's next step and the place it takes, or undefined when the sequence has nothing more for it. */
export function route<S extends SequenceStep>(sequence: Sequence<S>, progress: Progress): Route<S> | undefined {
  const passed = new Set([...progress.sentSteps, ...(progress.skippedSteps ?? [])]);
  const clicks = new Set(progress.humanClicks ?? []);
  const indexOf = new Map(sequence.steps.map((step, index) => [step.id, index]));
  const ahead = new Set(progress.sentAhead ?? []);
  let place = -1;
  sequence.steps.forEach((step, index) => {
    if (!passed.has(step.id) || step.bringForward || ahead.has(step.id)) return;
    place = Math.max(place, step.insteadOf ? (indexOf.get(step.insteadOf.step) ?? -1) : index);
  });
  const open = sequence.steps.slice(place + 1).filter((step) => !step.insteadOf && !passed.has(step.id));
  const slot = open.find(
    (step) => !clickedAny(step.skip, clicks) && !(step.checkIn && !checkInDue(sequence, step, progress)),
  );
  if (!slot) return undefined;
  const early = open.find((step) => clickedAny(step.bringForward, clicks));
  if (early) return { step: early, slot };
  const swap = sequence.steps.find(
    (step) => step.insteadOf?.step === slot.id && !passed.has(step.id) && clickedAny(step.insteadOf, clicks),
  );
  return { step: swap ?? slot, slot };
}

/** Whether the route's step goes ahead of its place (a bring-forward): the settle that sends it records so. */
export const goesAhead = (next: Route<SequenceStep>): boolean => next.step !== next.slot && !next.step.insteadOf;

/** The step a lead gets next (see `route`). */
export const nextStep = <S extends SequenceStep>(sequence: Sequence<S>, progress: Progress): S | undefined =>
  route(sequence, progress)?.step;

/**
 * The lead's last email is a check-in of this sequence that got no human click: when its next step comes due, the
 * sequence ends instead (a sunset).
 */
export function awaitsCheckIn(sequence: Sequence, progress: Progress): boolean {
  const last = progress.sentSteps.at(-1);
  const step = sequence.steps.find((candidate) => candidate.id === last);
  return step?.checkIn !== undefined && !clickedStep(step.id, progress.humanClicks ?? []);
}

/**
 * What is wrong with a sequence's branches, each naming its step: a click entry or a swap naming no step of this
 * sequence, a step with two branches, a swap for a swapped-in step (never sent), a check-in that can never be due or
 * has nothing after it to wait for, a swapped-in step with timing of its own, or a branch in a sequence timed from an
 * appointment.
 */
export function branchProblems(sequence: Sequence): string[] {
  const problems: string[] = [];
  const byId = new Map(sequence.steps.map((step) => [step.id, step]));
  const hasBranches = sequence.steps.some((step) => step.skip || step.bringForward || step.insteadOf || step.checkIn);
  if (hasBranches && sequence.steps.some((step) => step.appointment))
    problems.push('branches: a sequence with branches times every step by delay, none from an appointment');
  const entries = (step: SequenceStep, rule: IfClicked, what: string) => {
    if (rule.ifClicked.length === 0) problems.push(`${step.id}: ${what} names no click`);
    for (const entry of rule.ifClicked) {
      const [stepId = '', link, ...rest] = entry.split(':');
      if (!byId.has(stepId) || stepId === step.id)
        problems.push(`${step.id}: ${what} on "${entry}", which names no other step of this sequence`);
      else if (rest.length > 0 || (link !== undefined && !LINK_NAME.test(link)))
        problems.push(`${step.id}: ${what} on "${entry}": a link name is 1-32 of a-z, 0-9 and -`);
    }
  };
  sequence.steps.forEach((step, index) => {
    const rules = (['skip', 'bringForward', 'insteadOf', 'checkIn'] as const).filter((rule) => step[rule]);
    if (rules.length > 1) problems.push(`${step.id}: one branch a step (it has ${rules.join(', ')})`);
    if (step.skip) entries(step, step.skip, 'skip');
    if (step.bringForward) entries(step, step.bringForward, 'bringForward');
    if (step.insteadOf) {
      entries(step, step.insteadOf, 'insteadOf');
      const replaced = byId.get(step.insteadOf.step);
      if (!replaced || replaced === step)
        problems.push(`${step.id}: insteadOf "${step.insteadOf.step}", which is no other step of this sequence`);
      else if (replaced.insteadOf)
        problems.push(`${step.id}: insteadOf "${replaced.id}", itself sent only instead of another: never sent`);
      if (step.after || step.immediate)
        problems.push(`${step.id}: a step sent instead of another takes its timing; remove its own`);
    }
    if (step.checkIn) {
      const wanted = step.checkIn.afterUnclicked;
      const before = sequence.steps.slice(0, index).filter((s) => s.class === 'marketing' && !s.insteadOf).length;
      if (!Number.isInteger(wanted) || wanted < 1)
        problems.push(`${step.id}: checkIn.afterUnclicked is a whole number of emails, 1 or more`);
      else if (wanted > before)
        problems.push(`${step.id}: a check-in after ${wanted} unclicked emails, with ${before} before it: never sent`);
      if (step.class !== 'marketing') problems.push(`${step.id}: a check-in is a marketing email`);
      if (!sequence.steps.slice(index + 1).some((s) => !s.insteadOf))
        problems.push(`${step.id}: a check-in waits for a click until the next step is due, and none follows it`);
    }
  });
  return problems;
}
