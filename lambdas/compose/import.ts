/** `npm run import`'s parts: the lead store, the suppression list and the report's counters, on one table. */
import { ulid } from 'ulid';
import { systemClock } from '../adapters/clock.ts';
import { dynamoClient } from '../adapters/clients.ts';
import { DynamoEventStore } from '../adapters/dynamo-event-store.ts';
import { DynamoLeadStore } from '../adapters/dynamo-lead-store.ts';
import { tokenBucket } from '../adapters/token-bucket.ts';
import type { ResolvedConfig } from '../config.ts';
import { SEQUENCE_IDS } from '../contract.ts';
import type { ImportDeps } from '../domain/import.ts';
import { countingFor, sequencesFor, tableOptions, tableOptionsWithAddressKey, type Parts } from './shared.ts';

/**
 * An import into the config's table at `rate` table requests a second, into the nurture with the stage's window. The
 * suppression check also refuses an erased address kept as a hash (keyed by the unsubscribe secret).
 */
export function importDeps(config: ResolvedConfig, rate: number, parts: Parts = {}): ImportDeps {
  const dynamo = parts.dynamo ?? dynamoClient(config);
  const options = tableOptions(config);
  return {
    store: new DynamoLeadStore(dynamo, options),
    events: new DynamoEventStore(dynamo, tableOptionsWithAddressKey(config)),
    counting: countingFor(dynamo, options),
    clock: parts.clock ?? systemClock,
    newId: ulid,
    sequence: sequencesFor(config)[SEQUENCE_IDS.nurture]!,
    pace: tokenBucket(rate),
    holdoutShare: config.HOLDOUT_SHARE,
  };
}
