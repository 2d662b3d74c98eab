/** POST /booking's parts: the lead store, the delivery log, and the dispatcher's parts to send the confirmation at once. */
import { ulid } from 'ulid';
import { systemClock } from '../adapters/clock.ts';
import { dynamoClient } from '../adapters/clients.ts';
import { DynamoDeliveryLog } from '../adapters/dynamo-delivery-log.ts';
import { DynamoEventStore } from '../adapters/dynamo-event-store.ts';
import type { ResolvedConfig } from '../config.ts';
import { sendingDeps } from './sending.ts';
import { tableOptions, tableOptionsWithAddressKey, type Parts } from './shared.ts';

export { lambdaEntry } from './entry.ts';
export { readConfig, type ResolvedConfig } from './shared.ts';

export function bookingDeps(config: ResolvedConfig, parts: Parts = {}) {
  const dynamo = parts.dynamo ?? dynamoClient(config);
  return {
    config,
    dispatch: sendingDeps(config, { ...parts, dynamo }),
    events: new DynamoEventStore(dynamo, tableOptionsWithAddressKey(config)),
    deliveries: new DynamoDeliveryLog(dynamo, tableOptions(config)),
    newId: ulid,
    signatureClock: systemClock,
  };
}
