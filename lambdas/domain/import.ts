/**
 * Bringing in the leads a clinic already has (`npm run import`): each row checked with the sign-up's rules and its
 * consent (`import-row.ts`), stored once per normalised email exactly as a sign-up stores it (the `EMAIL#` item), and
 * started at a chosen step of the nurture at its place in the spread (`import-schedule.ts`), never all at once.
 * Table requests wait for `pace`, so an import never throttles the table the live service uses.
 */
import type { Counting } from './counting.ts';
import { heldOut, holdoutGroup } from './holdout.ts';
import { parseImportRow } from './import-row.ts';
import { importSendTime } from './import-schedule.ts';
import type { Lead, LeadProfile } from './lead.ts';
import type { Clock, EventStore, LeadStore } from './ports.ts';
import type { Sequence } from './sequence.ts';

export interface ImportDeps {
  store: Pick<LeadStore, 'create' | 'get' | 'leadIdForEmail'>;
  events: Pick<EventStore, 'suppressedAs'>;
  /** The report's counters: each lead created enters the nurture, as a sign-up's does. */
  counting?: Counting;
  clock: Clock;
  newId: () => string;
  /** The sequence imported leads start in (the nurture). */
  sequence: Sequence;
  /** Resolves when `requests` more table requests keep to the import's rate. */
  pace: (requests: number) => Promise<void>;
  /**
   * The share of new leads held out of the nurture (HOLDOUT_SHARE, `holdout.ts`); 0 or unset: none. A held-out lead
   * imported to start at the first step gets it; one imported to start later gets nothing from the nurture.
   */
  holdoutShare?: number;
}

export interface ImportOptions {
  /** Check every row and the table, write nothing. */
  dryRun: boolean;
  /** The step leads start at (default: the sequence's first); the steps before it are never sent. */
  startAt?: string;
  /** Leads that start a day. */
  perDay: number;
  /** The first day leads start on ("yyyy-MM-dd", each lead's own zone). */
  from: string;
  /** For a row with no time zone. */
  defaultTimeZone: string;
  /** Rows worked on at once (default 8): the table's latency, not the pace, would otherwise set the speed. */
  concurrency?: number;
}

/** One row of the file: its fields by the sign-up's names, or why it could not be read. */
export type ImportRow = { line: number; fields: Record<string, unknown> } | { line: number; problem: string };

export interface ImportSummary {
  dryRun: boolean;
  rows: number;
  /** Leads created (with --dry-run: that would be). */
  created: number;
  skipped: {
    /** The address already has a lead (signed up, or imported before). */
    present: number;
    /** The address came earlier in this file. */
    repeated: number;
    /** The address bounced or complained before: it is never emailed. */
    suppressed: number;
  };
  refused: { line: number; reason: string }[];
  /** The first and last first-email times planned for the leads created (ISO). */
  firstSendAt?: string;
  lastSendAt?: string;
}

/** Counters are written every this many leads created, and at the end. */
const FLUSH_EVERY = 200;

/** The steps an import starting at `stepId` passes over, or undefined when the sequence has no such step. */
export function stepsBefore(sequence: Sequence, stepId: string | undefined): string[] | undefined {
  const index = stepId === undefined ? 0 : sequence.steps.findIndex((step) => step.id === stepId);
  return index < 0 ? undefined : sequence.steps.slice(0, index).map((step) => step.id);
}

/** Import `rows` in order; `onRow` is told how many rows are done after each. */
export async function importLeads(
  deps: ImportDeps,
  rows: AsyncIterable<ImportRow>,
  options: ImportOptions,
  onRow: (done: number) => void = () => {},
): Promise<ImportSummary> {
  const { sequence } = deps;
  const passed = stepsBefore(sequence, options.startAt);
  const start = sequence.steps[passed?.length ?? -1];
  if (!passed || !start) throw new Error(`sequence ${sequence.id} has no step ${options.startAt}`);
  const now = deps.clock.now();
  const spread = { from: options.from, perDay: options.perDay, window: sequence.window, now };

  const summary: ImportSummary = {
    dryRun: options.dryRun,
    rows: 0,
    created: 0,
    skipped: { present: 0, repeated: 0, suppressed: 0 },
    refused: [],
  };
  const seen = new Set<string>();
  let places = 0;
  let done = 0;
  let unflushed = 0;
  let first: Date | undefined;
  let last: Date | undefined;
  let failure = undefined as { error: unknown } | undefined;

  const flush = async () => {
    if (!deps.counting || unflushed === 0) return;
    unflushed = 0;
    await deps.pace(1);
    await deps.counting.flush();
  };

  /** Whether the address has a whole lead: an `EMAIL#` item left alone by a crash is finished by `create`. */
  const present = async (email: string) => {
    await deps.pace(1);
    const leadId = await deps.store.leadIdForEmail(email);
    if (leadId === undefined) return false;
    await deps.pace(1);
    return (await deps.store.get(leadId)) !== undefined;
  };

  const work = async (profile: LeadProfile) => {
    if (await present(profile.email)) return void summary.skipped.present++;
    await deps.pace(1);
    if (await deps.events.suppressedAs(profile.email)) return void summary.skipped.suppressed++;
    const at = importSendTime(places++, profile.timeZone, spread);
    if (!options.dryRun) {
      await deps.pace(2);
      const lead = toLead(profile, { deps, now, passed, stepId: start.id, at });
      const counted = deps.counting?.of(lead);
      const result = await deps.store.create(lead, counted);
      // Created meanwhile by someone else (a sign-up, another import): theirs stands.
      if (!result.created) return void summary.skipped.present++;
      if (counted) {
        deps.counting!.created(counted);
        if (++unflushed >= FLUSH_EVERY) await flush();
      }
    }
    summary.created++;
    if (!first || at < first) first = at;
    if (!last || at > last) last = at;
  };

  const running = new Set<Promise<void>>();
  const concurrency = options.concurrency ?? 8;
  for await (const row of rows) {
    summary.rows++;
    const parsed =
      'problem' in row
        ? ({ ok: false, reason: row.problem } as const)
        : parseImportRow(row.fields, { now, defaultTimeZone: options.defaultTimeZone });
    if (!parsed.ok) {
      summary.refused.push({ line: row.line, reason: parsed.reason });
      onRow(++done);
      continue;
    }
    // Decided here, in file order, so a repeated address is always the later row.
    if (seen.has(parsed.profile.email)) {
      summary.skipped.repeated++;
      onRow(++done);
      continue;
    }
    seen.add(parsed.profile.email);
    const task: Promise<void> = work(parsed.profile)
      .then(
        () => onRow(++done),
        (error: unknown) => void (failure ??= { error }),
      )
      .finally(() => running.delete(task));
    running.add(task);
    if (running.size >= concurrency) await Promise.race(running);
    if (failure) break;
  }
  await Promise.all(running);
  // What was created is counted, even when the import stops on an error.
  await flush();
  if (failure) throw failure.error;
  return {
    ...summary,
    refused: summary.refused.sort((a, b) => a.line - b.line),
    ...(first && { firstSendAt: first.toISOString() }),
    ...(last && { lastSendAt: last.toISOString() }),
  };
}

function toLead(
  profile: LeadProfile,
  plan: { deps: ImportDeps; now: Date; passed: string[]; stepId: string; at: Date },
): Lead {
  const { sequence } = plan.deps;
  const leadId = plan.deps.newId();
  const grp = holdoutGroup(leadId, plan.deps.holdoutShare ?? 0);
  const start = sequence.steps.find((step) => step.id === plan.stepId)!;
  // A held-out lead that would start past the welcome has nothing of the nurture ahead: it is done at once.
  const due = !heldOut(sequence, grp, start);
  return {
    ...profile,
    leadId,
    ...(grp && { grp }),
    createdAt: plan.now.toISOString(),
    status: due ? 'active' : 'completed',
    sequenceId: sequence.id,
    sentSteps: [],
    ...(plan.passed.length > 0 && { skippedSteps: plan.passed }),
    ...(due && { nextStepId: plan.stepId, nextSendAt: plan.at.toISOString() }),
  };
}
