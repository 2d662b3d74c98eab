import type { LeadStatus } from './lead.ts';
import type { Clock, LeadStore, StopStatus } from './ports.ts';

export interface StopDeps {
  store: LeadStore;
  clock: Clock;
  /** Longest an SES call can take: a send marked in flight longer ago than this is over, one way or another. */
  sendTimeoutMs: number;
  /** Real-time wait between tries while a send is in flight. */
  sleep?: (ms: number) => Promise<void>;
}

export type StopResult = { outcome: 'stopped'; previous: LeadStatus } | { outcome: 'not-found' };

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Stop a lead for good. If a send is in flight at this moment, wait for it to finish first, so the record reads
 * truthfully: that email went out before the stop, and nothing goes out after it.
 */
export async function stopLead(deps: StopDeps, leadId: string, status: StopStatus): Promise<StopResult> {
  const sleep = deps.sleep ?? realSleep;
  const waitUntil = performance.now() + deps.sendTimeoutMs;
  for (;;) {
    const now = deps.clock.now();
    // An in-flight mark older than the SES timeout belongs to a send that is over (or a dispatcher that died).
    // Once we have waited that long ourselves, any mark left is such a one.
    const since = performance.now() > waitUntil ? new Date(8.64e15) : new Date(now.getTime() - deps.sendTimeoutMs);
    const result = await deps.store.stop(leadId, status, now, since);
    if (result.outcome !== 'in-flight') return result;
    await sleep(50);
  }
}
