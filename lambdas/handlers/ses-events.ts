/** SES events from EventBridge (the configuration set's event destination): recorded, rolled up, and acted on. */
import { systemClock } from '../adapters/clock.ts';
import { lambdaEntry, wire, type Wiring } from '../adapters/clients.ts';
import { recordEngagement, type EngagementResult } from '../domain/engagement.ts';

export function makeSesEventsHandler(wiring: Pick<Wiring, 'config' | 'store' | 'events' | 'dispatch'>) {
  const deps = { store: wiring.store, events: wiring.events, clock: wiring.dispatch.clock, log: wiring.dispatch.log, sendTimeoutMs: wiring.config.SES_TIMEOUT_SECONDS * 1000 };
  return (event: unknown): Promise<EngagementResult> => recordEngagement(deps, event);
}

/** Lambda entry point (EventBridge rule target). */
export const handler = lambdaEntry((config) => makeSesEventsHandler(wire(config, { clock: systemClock, sendRate: 1 })));
