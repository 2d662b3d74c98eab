import type { Counting } from './counting.ts';
import type { LeadStatus } from './lead.ts';
import type { Clock, LeadStore, StopStatus } from './ports.ts';

export interface StopDeps {
  store: LeadStore;
  clock: Clock;
  /** Longest an SES call can take: a send marked in flight longer ago than this is over, one way or another. */
  sendTimeoutMs: number;
  /** Real-time wait between tries while a send is in flight. */
  sleep?: (ms: number) => Promise<void>;
  /** The report's counters: a stop changes why the lead left, and the email it is counted against. */
  counting?: Counting;
}

export type StopResult = { outcome: 'stopped'; previous: LeadStatus } | { outcome: 'not-found' };

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The pacer's admission may hold a request about a second after its in-flight mark, before the SES timeout starts. */
const ADMISSION_MARGIN_MS = 2_000;

/**
 * Run a write that must not overlap a send in flight. `attempt` gets the instant before which an in-flight mark
 * belongs to a send that is over; it answers 'in-flight' to wait and try again, 'conflict' to try again at once
 * (the lead changed under it), or its result. Waits at most the SES timeout: a mark older than that is stale.
 */
export async function whileSendInFlight<T>(
  deps: StopDeps,
  attempt: (inFlightSince: Date) => Promise<T | 'in-flight' | 'conflict'>,
): Promise<T> {
  const sleep = deps.sleep ?? realSleep;
  const longestSendMs = deps.sendTimeoutMs + ADMISSION_MARGIN_MS;
  const waitUntil = performance.now() + longestSendMs;
  for (let conflicts = 0; ;) {
    // An in-flight mark older than the longest send belongs to a send that is over (or a dispatcher that died);
    // marks are in clock time, which the local runtime runs faster. Once we have waited that long ourselves, any
    // mark left is such a one.
    const since =
      performance.now() > waitUntil
        ? new Date(8.64e15)
        : new Date(deps.clock.now().getTime() - longestSendMs * (deps.clock.speed ?? 1));
    const result = await attempt(since);
    if (result === 'conflict') {
      // Each conflict is another writer's progress (a dispatcher settling a step); it cannot go on for long.
      if (++conflicts > 50) throw new Error('the lead kept changing; giving up');
      continue;
    }
    if (result !== 'in-flight') return result;
    await sleep(50);
  }
}

/**
 * Stop a lead for good. If a send is in flight at this moment, wait for it to finish first, so the record reads
 * truthfully: that email went out before the stop, and nothing goes out after it.
 */
export async function stopLead(deps: StopDeps, leadId: string, status: StopStatus): Promise<StopResult> {
  const result = await whileSendInFlight(deps, async (since) => {
    const result = await deps.store.stop(leadId, status, deps.clock.now(), since);
    return result.outcome === 'in-flight' ? 'in-flight' : result;
  });
  if (result.outcome === 'stopped' && deps.counting) {
    await deps.counting.changed(leadId);
    await deps.counting.flush();
  }
  return result;
}
