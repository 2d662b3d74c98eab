/** SES events from EventBridge (the configuration set's event destination): recorded, rolled up, and acted on. */
import { loadConfig } from '../config.ts';
import { systemClock } from '../adapters/clock.ts';
import { wire, type Wiring } from '../adapters/clients.ts';
import { resolveSecrets } from '../adapters/secrets.ts';
import { recordEngagement, type EngagementResult } from '../domain/engagement.ts';

export function makeSesEventsHandler(wiring: Pick<Wiring, 'config' | 'store' | 'dispatch'>) {
  const deps = { store: wiring.store, clock: wiring.dispatch.clock, log: wiring.dispatch.log, sendTimeoutMs: wiring.config.SES_TIMEOUT_SECONDS * 1000 };
  return (event: unknown): Promise<EngagementResult> => recordEngagement(deps, event);
}

let handle: ((event: unknown) => Promise<EngagementResult>) | undefined;

/** Lambda entry point (EventBridge rule target). */
export const handler = async (event: unknown) => {
  if (!handle) {
    const config = await resolveSecrets(loadConfig());
    handle = makeSesEventsHandler(wire(config, { clock: systemClock, sendRate: 1 }));
  }
  return handle(event);
};
