/** POST /signup's parts: the lead store, and the dispatcher's parts to send the welcome at once. */
import { ulid } from 'ulid';
import { dynamoClient } from '../adapters/clients.ts';
import { DynamoEventStore } from '../adapters/dynamo-event-store.ts';
import type { ResolvedConfig } from '../config.ts';
import { sendingDeps } from './sending.ts';
import { clinicFor, confirmUrlFor, tableOptionsWithAddressKey, type Parts } from './shared.ts';

export { lambdaEntry } from './entry.ts';
export { readConfig, type Clinic, type Config } from './shared.ts';

export function signupDeps(config: ResolvedConfig, parts: Parts = {}) {
  const dynamo = parts.dynamo ?? dynamoClient(config);
  return {
    config,
    clinic: clinicFor(config),
    dispatch: sendingDeps(config, { ...parts, dynamo }),
    events: new DynamoEventStore(dynamo, tableOptionsWithAddressKey(config)),
    newId: ulid,
    confirmUrl: confirmUrlFor(config),
  };
}
