/** The SES-event recorder's parts: the lead store and the event store. No mailer, renderer, templates or secret. */
import { systemClock } from '../adapters/clock.ts';
import { dynamoClient } from '../adapters/clients.ts';
import { DynamoEventStore } from '../adapters/dynamo-event-store.ts';
import { DynamoLeadStore } from '../adapters/dynamo-lead-store.ts';
import { log } from '../adapters/log.ts';
import type { SesEventsConfig } from '../config.ts';
import { countingFor, tableOptions, type Parts } from './shared.ts';

export { loadSesEventsConfig, type SesEventsConfig } from '../config.ts';
export { lambdaEntry } from './entry.ts';
export { eachRecord } from '../adapters/sqs-batch.ts';

export function sesEventsDeps(
  config: SesEventsConfig,
  { clock = systemClock, dynamo = dynamoClient(config) }: Parts = {},
) {
  const options = tableOptions(config);
  return {
    config,
    store: new DynamoLeadStore(dynamo, options),
    events: new DynamoEventStore(dynamo, options),
    clock,
    log,
    counting: countingFor(dynamo, options),
  };
}
