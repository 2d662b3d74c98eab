/** /unsubscribe's parts: the lead store and the sequences' outline (each step's class). No mailer, renderer or templates. */
import { outlines } from '../../emails/outline.ts';
import { systemClock } from '../adapters/clock.ts';
import { dynamoClient } from '../adapters/clients.ts';
import { DynamoLeadStore } from '../adapters/dynamo-lead-store.ts';
import { log } from '../adapters/log.ts';
import type { ResolvedConfig } from '../config.ts';
import { clinicFor, countingFor, tableOptions, type Parts } from './shared.ts';

export { lambdaEntry } from './entry.ts';
export { readConfig, type Clinic, type ResolvedConfig } from './shared.ts';

export function unsubscribeDeps(
  config: ResolvedConfig,
  { clock = systemClock, dynamo = dynamoClient(config) }: Parts = {},
) {
  const options = tableOptions(config);
  return {
    config,
    clinic: clinicFor(config),
    store: new DynamoLeadStore(dynamo, options),
    clock,
    log,
    sequences: outlines,
    counting: countingFor(dynamo, options),
  };
}
