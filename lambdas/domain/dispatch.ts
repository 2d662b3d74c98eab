/**
 * Render → claim and mark in flight → send → settle and record, for one lead or for everything due.
 * Uses only ports; the guarantees (never a step twice, never a step skipped on a transient failure,
 * a permanent rejection affects only its lead, a refusal for the whole account affects no lead) come from the order of
 * these calls and the store's conditions.
 */
import { dueQueue } from './due-queue.ts';
import type { Counting } from './counting.ts';
import { visitProps } from './visit.ts';
import type {
  Clock,
  DueLead,
  ExperimentStore,
  LeadStore,
  Log,
  Mailer,
  MessageRecord,
  Renderer,
  Settlement,
  StoredLead,
} from './ports.ts';
import { awaitsCheckIn, goesAhead, nextStep, route } from './branches.ts';
import { planNext, type Position } from './plan.ts';
import { deadlineFor, localDate, marketingHeldUntil } from './schedule.ts';
import { classOf, findStep, variantFor, type Sequence, type SequenceStep } from './sequence.ts';
import type { DecisionRule } from './experiment-stats.ts';
import { experimentStates } from './experiment-decisions.ts';
import { armFor, experimentTag, RUNNING, type ArmId, type ExperimentState } from './experiments.ts';

export interface DispatchSettings {
  shards: number;
  /** How long a claim holds a lead. Must be longer than the SES request timeout. */
  leaseMs: number;
  /** How long to wait before retrying a step that failed transiently. */
  retryDelayMs: number;
  /** How many due leads to read per shard at a time (a run reads again as it works through them, unless every shard
   * listed fewer: then that was all that was due). */
  batchPerShard: number;
  /** How many leads to work on at once. */
  concurrency: number;
  /** Stop taking new leads after this long (real time), so a run ends before the next one starts. */
  runBudgetMs: number;
}

export interface DispatchDeps {
  store: LeadStore;
  mailer: Mailer;
  renderer: Renderer;
  clock: Clock;
  log: Log;
  sequences: Readonly<Record<string, Sequence>>;
  settings: DispatchSettings;
  unsubscribeUrl: (leadId: string) => string;
  /** Resolves at this send's turn under the maximum send rate; `'first'` goes ahead of the queue. */
  pace: (priority?: 'first') => Promise<void>;
  /** The report's counters: what each settle did, written at the end of the run or request. */
  counting?: Counting;
  /** Subject-line experiments' states (`experiments.ts`); unset: every experiment is taken as running. */
  experiments?: ExperimentStore;
  /** When a running experiment is decided (`decide`); default `DEFAULT_DECISION_RULE`. */
  decisionRule?: DecisionRule;
  /** The experiments' states as a run read them at its start (`dispatchDue` sets it); unset: read at each send. */
  experimentStates?: Readonly<Record<string, ExperimentState>>;
}

/**
 * What became of one due lead. `paused`: SES refused to send for the account (not for this lead); the lead was
 * released with its step unused, and is due again after `retryDelayMs`.
 */
export type DeliveryOutcome =
  'sent' | 'retry' | 'rejected' | 'unconfirmed' | 'paused' | 'rescheduled' | 'completed' | 'skipped';

export type DispatchReport = Record<DeliveryOutcome, number> & {
  /** Leads the due index offered this run, each counted once however often the run read the index. */
  due: number;
  /** Due leads this run did not take up, because it ended early: SES refused for the account, or time ran out. */
  untried: number;
  /** Set when SES refused to send for the account: its error name and what is wrong (never SES's text). */
  pausedBy?: { reason: string; cause: string };
  /** Set when the run was split across workers (see domain/fan-out.ts): how many; the counts are all of theirs. */
  workers?: number;
};

/** What one run covers, when not every shard at the stage's concurrency (a fan-out worker's share). */
export interface RunScope {
  /** The shards this run reads; default: all of them. */
  shards?: readonly number[];
  /** Leads worked on at once; default: `settings.concurrency`. */
  concurrency?: number;
}

/**
 * Work through everything due, across the run's shards, until nothing more is due or the time budget is spent
 * (`runBudgetMs`, on the deps' clock, in real time: a fast clock's time is divided by its speed). The due index is
 * read again as the queue runs low (see domain/due-queue.ts), so one run is not limited to one page per shard; each
 * lead is taken up at most once per run. When SES refuses a send for the account (see `paused`), no other lead is
 * taken up this run: each would fail the same way. Sends already under way finish, and the next run tries again, so
 * sending resumes by itself once SES accepts. A lead whose delivery fails outright (DynamoDB failing even its deferral)
 * ends its worker; the run fails with that error once the other workers are done and what the run did is counted.
 */
export async function dispatchDue(given: DispatchDeps, scope: RunScope = {}): Promise<DispatchReport> {
  const deps = await withExperimentStates(given, scope);
  const { store, clock, settings } = deps;
  const shards = scope.shards ?? Array.from({ length: settings.shards }, (_, shard) => shard);
  const concurrency = scope.concurrency ?? settings.concurrency;
  const report: DispatchReport = {
    due: 0,
    sent: 0,
    retry: 0,
    rejected: 0,
    unconfirmed: 0,
    paused: 0,
    rescheduled: 0,
    completed: 0,
    skipped: 0,
    untried: 0,
  };

  const startedAt = clock.now().getTime();
  let failed: { error: unknown } | undefined;
  const stop = () =>
    report.pausedBy !== undefined || (clock.now().getTime() - startedAt) / (clock.speed ?? 1) >= settings.runBudgetMs;
  const read = async () => {
    const now = clock.now();
    const pages = await Promise.all(shards.map((shard) => store.due(shard, now, settings.batchPerShard)));
    // A shard that listed fewer than it was asked for had nothing more due (`LeadStore.due`).
    return { leads: pages.flat(), complete: pages.every((page) => page.length < settings.batchPerShard) };
  };
  const queue = dueQueue(read, 2 * concurrency, (error) =>
    deps.log.error('reading the due index failed; this run finishes what it holds', { error: errorName(error) }),
  );
  await queue.fill();

  const worker = async () => {
    try {
      for (let lead = await queue.next(stop); lead !== undefined; lead = await queue.next(stop)) {
        const { outcome, paused } = await deliver(deps, lead);
        report[outcome]++;
        if (paused) report.pausedBy ??= paused;
      }
    } catch (error) {
      failed ??= { error };
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await queue.idle();
  report.due = queue.offered;
  report.untried = queue.left;
  await deps.counting?.flush();
  if (failed) throw failed.error;
  return report;
}

/**
 * The run's deps with the experiments' states read once (and any experiment whose rule names a winner decided:
 * `experimentStates`, by the run that reads shard 0, so a fan-out decides once). A failed read leaves each send to
 * read the state of its own step's experiment, never to assume it is running.
 */
async function withExperimentStates(deps: DispatchDeps, scope: RunScope): Promise<DispatchDeps> {
  const { experiments } = deps;
  if (!experiments) return deps;
  try {
    const states = await experimentStates({ ...deps, experiments }, scope.shards?.includes(0) ?? true);
    return { ...deps, experimentStates: states };
  } catch (error) {
    deps.log.error('reading the experiments failed; each send reads its own', { error: errorName(error) });
    return deps;
  }
}

/**
 * The experiment variant a lead gets at `step` (`armFor`) and its experiment's tag (`experimentTag`), both for the
 * message's record, or undefined for a step without an experiment: from the run's states, else read now. The same
 * for a retry or a replay: it depends on the lead, the experiment's state and when the step fell due (`nextSendAt`,
 * which a retry leaves as it was).
 */
async function armOf(
  deps: DispatchDeps,
  sequenceId: string,
  step: Pick<SequenceStep, 'id' | 'experiment'> | undefined,
  lead: Pick<DueLead, 'leadId' | 'nextSendAt'>,
): Promise<{ arm: ArmId; experimentTag: string } | undefined> {
  const experiment = step?.experiment;
  if (!experiment) return undefined;
  const ref = { sequenceId, stepId: step.id, experiment };
  const state =
    deps.experimentStates?.[experiment.id] ??
    (deps.experimentStates || !deps.experiments ? RUNNING : (await deps.experiments.states([ref]))[experiment.id]) ??
    RUNNING;
  return { arm: armFor(experiment, lead.leadId, state, lead.nextSendAt), experimentTag: experimentTag(experiment.id) };
}

/**
 * Deliver one lead's due step, if it is due. Safe to call from any number of processes at once. `lead`: its id (read
 * here), or the lead as already read (a page of the due index, or the lead sign-up or a booking just wrote), which
 * saves a read: the claim checks that the lead is still as read.
 * `'first'` takes the next send turn ahead of the backlog (the welcome at sign-up, the confirmation at booking).
 * A `paused` outcome leaves the lead as it was, due again after the retry delay.
 */
export async function deliverNext(
  deps: DispatchDeps,
  lead: string | DueLead,
  priority?: 'first',
): Promise<DeliveryOutcome> {
  try {
    return (await deliver(deps, lead, priority)).outcome;
  } finally {
    await deps.counting?.flush();
  }
}

type Delivered = { outcome: DeliveryOutcome; paused?: { reason: string; cause: string } };

/** Set once the lead carries an in-flight mark that this call holds: from then on SES may have the message. */
type Progress = { inFlight: boolean; stepId?: string };

async function deliver(deps: DispatchDeps, target: string | DueLead, priority?: 'first'): Promise<Delivered> {
  const { store, clock, log, settings } = deps;
  const seen = typeof target === 'string' ? await store.get(target) : target;
  if (!seen || seen.status !== 'active' || !seen.nextStepId) return { outcome: 'skipped' };
  if (seen.dueAt === undefined || seen.dueAt > clock.now().getTime()) return { outcome: 'skipped' };

  const progress: Progress = { inFlight: false };
  try {
    // Read with its in-flight mark (by id): a live one is another dispatcher's send; a stale one is reported.
    if (seen.sending) return { outcome: await afterMark(deps, seen as StoredLead, progress) };
    return await deliverSeen(deps, seen, progress, priority);
  } catch (error) {
    if (progress.inFlight) {
      // Releasing would drop the in-flight mark and so send the step again. Keep it: once it is older than the lease,
      // the next claim finds it and reports the send as unconfirmed, never resending it.
      log.error('delivery failed after the in-flight mark; left to its lease, never resent', {
        leadId: seen.leadId,
        stepId: progress.stepId ?? seen.nextStepId,
        error: errorName(error),
      });
      return { outcome: 'unconfirmed' };
    }
    // Nothing reached SES: let the step be tried again after the retry delay.
    log.error('delivery failed before sending; will retry', {
      leadId: seen.leadId,
      stepId: seen.nextStepId,
      error: errorName(error),
    });
    await store.defer(seen, new Date(clock.now().getTime() + settings.retryDelayMs));
    return { outcome: 'retry' };
  }
}

/**
 * Render, wait for the send turn, then claim the lead and mark the step in flight in one write, send, and settle the
 * lead with the message's record in one more. The claim holds only if the lead is as it was read.
 */
async function deliverSeen(
  deps: DispatchDeps,
  seen: DueLead,
  progress: Progress,
  priority?: 'first',
): Promise<Delivered> {
  const { store, clock, log, mailer, renderer } = deps;
  const sequence = deps.sequences[seen.sequenceId];
  if (!sequence) throw new Error(`unknown sequence ${seen.sequenceId}`);

  // The step may have been removed or replaced since it was scheduled, or the lead's clicks since then steer it
  // elsewhere (a branch): work out what is next now. A check-in the lead did not click ends the sequence now.
  const step = seen.nextStepId ? findStep(sequence, seen.nextStepId) : undefined;
  const expected = nextStep(sequence, seen);
  if (!step || step.id !== expected?.id || awaitsCheckIn(sequence, seen))
    return { outcome: await settleWithout(deps, sequence, seen, []) };
  // A lead that unsubscribed from marketing after this step was planned: pass over it (and any marketing after it).
  if (step.class === 'marketing' && seen.optedOutAt)
    return { outcome: await settleWithout(deps, sequence, seen, [step.id]) };
  // A marketing step the lead's pause or weekly cadence holds back (chosen after it was planned): planned again for
  // the hold's end, never skipped. Care steps are never held.
  const held = step.class === 'marketing' ? marketingHeldUntil(seen, seen.timeZone) : undefined;
  if (held && held > clock.now()) return { outcome: await settleWithout(deps, sequence, seen, []) };
  // A step meant for before the visit that comes up at or past its deadline (retried, or picked up late) is moot:
  // the visit has begun, or is closer than the step's `lateUntilBefore`. The same deadline as planning's.
  const deadline = seen.appointmentAt ? deadlineFor(step, new Date(seen.appointmentAt), seen.timeZone) : undefined;
  if (deadline && clock.now() >= deadline) return { outcome: await settleWithout(deps, sequence, seen, [step.id]) };

  const unsubscribeUrl = deps.unsubscribeUrl(seen.leadId);
  // The lead's interest may choose another email for this step: the same for a retry, as it depends on nothing else.
  const variant = variantFor(step, seen.interest);
  // The step's subject-line experiment assigns every lead a variant, whatever email its interest chose: the tag is the
  // same for all (an interest email goes out with its own subject, and the experiment does not count it).
  const experiment = await armOf(deps, sequence.id, step, seen);
  const rendered = await renderer.render(
    sequence.id,
    step.id,
    { firstName: seen.firstName, unsubscribeUrl, ...visitProps(seen, clock.now()) },
    variant,
    experiment?.arm,
  );
  await deps.pace(priority);
  const markedAt = clock.now();
  const token = await store.claim(seen, { sequenceId: sequence.id, stepId: step.id, class: step.class }, markedAt);
  if (!token) return { outcome: await afterRefusedClaim(deps, seen, progress) };
  progress.inFlight = true;
  progress.stepId = step.id;
  const claim = { token, mark: { stepId: step.id, at: markedAt.getTime() } };

  const outcome = await mailer.send({
    to: { address: seen.email, name: [seen.firstName, seen.lastName].filter(Boolean).join(' ') },
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
    unsubscribeUrl,
    class: step.class,
    tags: {
      leadId: seen.leadId,
      sequenceId: sequence.id,
      stepId: step.id,
      ...(experiment && { experimentVariant: experiment.arm }),
    },
  });
  const at = clock.now();
  // What logs and SES tags carry: ids only. The variant (it tells the lead's interest) goes in the record alone.
  const ids = { leadId: seen.leadId, sequenceId: sequence.id, stepId: step.id };
  // The experiment's tag goes in the record only (the SES tag names the variant's letter, as before).
  const chosen = { ...(variant !== undefined && { variant }), ...experiment };

  switch (outcome.kind) {
    case 'sent':
      return {
        outcome: await settleAfter(deps, sequence, seen, claim, at, 'sent', {
          ...ids,
          ...chosen,
          state: 'sent',
          at,
          messageId: outcome.messageId,
          links: outcome.links,
        }),
      };
    case 'retry':
      log.warn('send deferred; will retry', { ...ids, reason: outcome.reason });
      await store.release(seen.leadId, token, new Date(at.getTime() + deps.settings.retryDelayMs));
      return { outcome: 'retry' };
    case 'paused': {
      // Not this lead's doing: it keeps its step and is due again soon; SES answered, so it never had the message.
      const paused = { reason: outcome.reason, cause: outcome.cause };
      log.error('SES refused to send for the account; lead released, sending paused until SES accepts', {
        ...ids,
        ...paused,
      });
      await store.release(seen.leadId, token, new Date(at.getTime() + deps.settings.retryDelayMs));
      return { outcome: 'paused', paused };
    }
    case 'rejected': {
      log.warn('SES rejected the message; stopping this lead', { ...ids, reason: outcome.reason });
      const counted = deps.counting?.ending(seen, 'rejected');
      const settled = await store.settle(
        seen.leadId,
        { token },
        {
          settledStepId: step.id,
          status: 'rejected',
          message: { ...ids, ...chosen, state: 'rejected', at, reason: outcome.reason },
          ...(counted && { counted }),
        },
      );
      if (settled) await deps.counting?.ended(seen, counted && { counted, settled });
      return { outcome: 'rejected' };
    }
    case 'unknown':
      log.error('no answer from SES after sending; not resending', { ...ids, reason: outcome.reason });
      return {
        outcome: await settleAfter(deps, sequence, seen, claim, at, 'unconfirmed', {
          ...ids,
          ...chosen,
          state: 'unconfirmed',
          at,
          reason: outcome.reason,
        }),
      };
  }
}

/**
 * The claim was refused: the lead moved on, another dispatcher is sending it, or it carries a stale mark to report.
 * A mark goes on only once the lead is due, and the claim leaves the due time where it was: a lead due for less than
 * the lease cannot carry a stale mark, so only a lead due longer than that is read to look (a stale page may put that
 * off to the next run, never skip it).
 */
async function afterRefusedClaim(deps: DispatchDeps, seen: DueLead, progress: Progress): Promise<DeliveryOutcome> {
  if (seen.dueAt !== undefined && deps.clock.now().getTime() - seen.dueAt < deps.settings.leaseMs) return 'skipped';
  const lead = await deps.store.get(seen.leadId);
  return lead?.sending && lead.status === 'active' ? afterMark(deps, lead, progress) : 'skipped';
}

/**
 * A lead carrying an in-flight mark. A live one is another dispatcher's send: leave it. One older than the lease
 * belongs to a claim that reached SES and never settled: SES may have sent it. Report it; never resend it.
 */
async function afterMark(deps: DispatchDeps, lead: StoredLead, progress: Progress): Promise<DeliveryOutcome> {
  const { store, clock, log, settings } = deps;
  const mark = lead.sending!;
  if (mark.at + settings.leaseMs > clock.now().getTime()) return 'skipped';
  const token = await store.takeOver(lead.leadId, mark);
  if (!token) return 'skipped';
  // The mark stays until the settle below: if that fails, the next claim finds it again.
  progress.inFlight = true;
  progress.stepId = mark.stepId;
  const sequence = deps.sequences[lead.sequenceId];
  if (!sequence) throw new Error(`unknown sequence ${lead.sequenceId}`);
  // Recorded under the sequence it was sent in: a booking may have switched the lead since.
  const { sequenceId, stepId } = mark;
  log.error('unconfirmed send found: not resending', { leadId: lead.leadId, sequenceId, stepId });
  // The email that send rendered: the step's variant for the lead's interest, as chosen then (unless edited since).
  const markedStep = deps.sequences[sequenceId] && findStep(deps.sequences[sequenceId], stepId);
  const variant = markedStep && variantFor(markedStep, lead.interest);
  const experiment = await armOf(deps, sequenceId, markedStep, lead);
  return settleAfter(deps, sequence, lead, { token, mark }, new Date(mark.at), 'unconfirmed', {
    leadId: lead.leadId,
    sequenceId,
    stepId,
    ...(variant !== undefined && { variant }),
    ...experiment,
    state: 'unconfirmed',
    at: clock.now(),
    reason: 'claim-expired-mid-send',
  });
}

async function settleAfter(
  deps: DispatchDeps,
  sequence: Sequence,
  lead: DueLead,
  claim: { token: string; mark: { stepId: string; at: number } },
  sentAt: Date,
  outcome: 'sent' | 'unconfirmed',
  message: MessageRecord,
): Promise<DeliveryOutcome> {
  const { stepId } = message;
  // Recorded under the sequence it was sent in (a booking may have switched the lead since the mark).
  const marketing = classOf(deps.sequences, message.sequenceId, stepId) === 'marketing';
  // A step a click brought forward is recorded as sent ahead of its place, so it never marks the lead's place.
  const next = route(sequence, lead);
  const ahead = next?.step.id === stepId && goesAhead(next);
  const after = {
    ...lead,
    sentSteps: [...lead.sentSteps, stepId],
    ...(ahead && { sentAhead: [...(lead.sentAhead ?? []), stepId] }),
    lastSentOn: localDate(sentAt, lead.timeZone),
    ...(marketing && { lastMarketingAt: sentAt.toISOString() }),
  };
  const plan = scheduleFrom(sequence, after, sentAt, sentAt);
  // The sequence ends here: what the lead counts as then is written with the settle.
  const counted = plan.next ? undefined : deps.counting?.ending(lead, plan.status ?? 'completed');
  const settlement: Settlement = {
    settledStepId: stepId,
    ...(ahead && { sentAhead: true as const }),
    sentAt,
    ...(marketing && { marketingSentAt: sentAt }),
    lastSentOn: after.lastSentOn,
    message,
    ...plan,
    ...(counted && { counted }),
  };
  const settled = await deps.store.settle(lead.leadId, { token: claim.token }, settlement);
  if (settled) {
    if (outcome === 'sent') deps.counting?.sent(message.sequenceId, stepId, message);
    if (!settlement.next) await deps.counting?.ended(lead, counted && { counted, settled });
    return outcome;
  }
  // A stop dropped the claim while the send was in flight: keep the message's record all the same. If another
  // dispatcher took the lead over instead, the record is theirs, and this writes nothing.
  if (await deps.store.recordStopped(lead.leadId, claim.mark, message)) {
    // The record is the lead's now: count it as sent, and recount the lead (the stop counted it without this
    // message, which may be the step it unsubscribed or bounced after).
    if (outcome === 'sent') deps.counting?.sent(message.sequenceId, stepId, message);
    await deps.counting?.changed(lead.leadId);
  } else {
    deps.log.warn('claim lost before settling; the next claim will see the send', { leadId: lead.leadId, stepId });
  }
  return outcome;
}

/**
 * Re-plan a lead without sending (it was never claimed): after an edit to its sequence, or skipping `skip` that came
 * up too late. Only if the lead is still as read.
 */
async function settleWithout(
  deps: DispatchDeps,
  sequence: Sequence,
  lead: DueLead,
  skip: string[],
): Promise<DeliveryOutcome> {
  // Timed from the last email, or from when the lead entered this sequence, whichever is later.
  const since = Math.max(
    ...[lead.createdAt, lead.enteredSequenceAt, lead.lastSentAt].filter((at) => at !== undefined).map(Date.parse),
  );
  const position = { ...lead, skippedSteps: [...(lead.skippedSteps ?? []), ...skip] };
  const plan = scheduleFrom(sequence, position, new Date(since), deps.clock.now());
  const skippedStepIds = [...skip, ...(plan.skippedStepIds ?? [])];
  const counted = plan.next ? undefined : deps.counting?.ending(lead, plan.status ?? 'completed');
  const settled = await deps.store.settle(
    lead.leadId,
    { seen: lead },
    { ...plan, ...(skippedStepIds.length > 0 && { skippedStepIds }), ...(counted && { counted }) },
  );
  if (!settled) return 'skipped';
  if (!plan.next) await deps.counting?.ended(lead, counted && { counted, settled });
  return plan.next ? 'rescheduled' : 'completed';
}

/** The step after what `lead` has passed, timed from `previousAt`, as a settlement (a sunset ends it: `status`). */
function scheduleFrom(
  sequence: Sequence,
  lead: Position,
  previousAt: Date,
  now: Date,
): Pick<Settlement, 'next' | 'skippedStepIds'> & { status?: 'sunset' } {
  const plan = planNext(sequence, lead, previousAt, now);
  return {
    ...(plan.next && { next: plan.next }),
    ...(plan.skipped.length > 0 && { skippedStepIds: plan.skipped }),
    ...(plan.end && { status: plan.end }),
  };
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown';
}
