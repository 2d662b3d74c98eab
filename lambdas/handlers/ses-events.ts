/** SES events from EventBridge (the configuration set's event destination): recorded, counted, and acted on. */
import { lambdaEntry, loadSesEventsConfig, sesEventsDeps, type SesEventsConfig } from '../compose/ses-events.ts';
import { recordEngagement, type EngagementResult } from '../domain/engagement.ts';
import type { Counting } from '../domain/counting.ts';
import type { Clock, EventStore, LeadStore, Log } from '../domain/ports.ts';

export interface SesEventsHandlerDeps {
  /** Records the event on its message; a bounce or complaint also suppresses the address. */
  events: EventStore;
  /** Stops the lead on a permanent bounce or a complaint. */
  store: LeadStore;
  clock: Clock;
  log: Log;
  config: Pick<SesEventsConfig, 'SES_TIMEOUT_SECONDS'>;
  /** The report's counters, written once per event. */
  counting?: Counting;
}

export function makeSesEventsHandler({ store, events, clock, log, config, counting }: SesEventsHandlerDeps) {
  const deps = { store, events, clock, log, sendTimeoutMs: config.SES_TIMEOUT_SECONDS * 1000, counting };
  return async (event: unknown): Promise<EngagementResult> => {
    try {
      return await recordEngagement(deps, event);
    } finally {
      // Once per invocation: a batch of events (an SQS source) would write each counter item once.
      await counting?.flush();
    }
  };
}

/**
 * Lambda entry point (EventBridge rule target). It reads no secret: recording an event and stopping a lead sign no
 * link, so it gets only the table's settings and the SES timeout.
 */
export const handler = lambdaEntry(
  (config) => makeSesEventsHandler(sesEventsDeps(config)),
  () => loadSesEventsConfig(),
);
