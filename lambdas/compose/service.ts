/**
 * Every handler's parts in one process, over one DynamoDB client, one SES client and one pacer (so all sends together
 * keep the rate): how the local runtime, the bench and the tests run the whole service. A Lambda never does.
 */
import { ulid } from 'ulid';
import { systemClock } from '../adapters/clock.ts';
import { dynamoClient } from '../adapters/clients.ts';
import { DynamoDeliveryLog } from '../adapters/dynamo-delivery-log.ts';
import { DynamoEventStore } from '../adapters/dynamo-event-store.ts';
import { DynamoLeadStore } from '../adapters/dynamo-lead-store.ts';
import { log } from '../adapters/log.ts';
import type { ResolvedConfig } from '../config.ts';
import { sending } from './sending.ts';
import { clinicFor, confirmUrlFor, tableOptions, tableOptionsWithAddressKey, type Parts } from './shared.ts';

export function composeService(config: ResolvedConfig, parts: Parts = {}) {
  const clock = parts.clock ?? systemClock;
  const dynamo = parts.dynamo ?? dynamoClient(config);
  const options = tableOptions(config);
  const store = new DynamoLeadStore(dynamo, options);
  const dispatch = sending(config, store, { ...parts, clock, dynamo });
  return {
    config,
    clinic: clinicFor(config),
    clock,
    log,
    newId: ulid,
    confirmUrl: confirmUrlFor(config),
    signatureClock: systemClock,
    store,
    events: new DynamoEventStore(dynamo, tableOptionsWithAddressKey(config)),
    deliveries: new DynamoDeliveryLog(dynamo, options),
    dispatch,
    /** The sequences the dispatcher sends (the unsubscribe reads each step's class from them). */
    sequences: dispatch.sequences,
    /** The report's counters, shared by every handler in the process (the dispatcher's own). */
    counting: dispatch.counting,
  };
}

export type Service = ReturnType<typeof composeService>;
