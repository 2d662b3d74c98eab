/**
 * What sending a step takes (the domain's `DispatchDeps`): the renderer and its templates, the SES mailer and the
 * pacer. Only the handlers that send (signup, booking, dispatch) and the whole-service composition import this.
 */
import { systemClock } from '../adapters/clock.ts';
import { dynamoClient, sesClient } from '../adapters/clients.ts';
import { DynamoExperimentStore } from '../adapters/dynamo-experiments.ts';
import { DynamoLeadStore } from '../adapters/dynamo-lead-store.ts';
import { log } from '../adapters/log.ts';
import { pacer } from '../adapters/pace.ts';
import { ReactEmailRenderer } from '../adapters/renderer.ts';
import { SesMailer } from '../adapters/ses-mailer.ts';
import type { ResolvedConfig } from '../config.ts';
import { ROUTES } from '../contract.ts';
import type { DispatchDeps } from '../domain/dispatch.ts';
import type { LeadStore } from '../domain/ports.ts';
import { signUnsubscribeToken } from '../domain/unsubscribe-token.ts';
import { clinicFor, countingFor, sequencesFor, tableOptions, type Parts } from './shared.ts';

/** The dispatcher's, and sign-up's and booking's first email. */
export function sendingDeps(config: ResolvedConfig, parts: Parts = {}): DispatchDeps {
  const dynamo = parts.dynamo ?? dynamoClient(config);
  return sending(config, new DynamoLeadStore(dynamo, tableOptions(config)), { ...parts, dynamo });
}

/** Sending over a given lead store (the whole-service composition shares its own). */
export function sending(
  config: ResolvedConfig,
  store: LeadStore,
  { clock = systemClock, ses = sesClient(config), sendRate = config.MAX_SEND_RATE ?? 1, dynamo }: Parts,
): DispatchDeps {
  const clinic = clinicFor(config);
  const sequences = sequencesFor(config);
  // One pacer for every send this process makes: turns before the in-flight mark, admission at the SES request.
  const pace = pacer(sendRate);
  const mailer = new SesMailer(ses, {
    from: { name: clinic.name, address: clinic.fromAddress },
    replyTo: clinic.replyTo,
    configurationSet: config.SES_CONFIGURATION_SET,
    admit: pace.admit,
  });
  return {
    store,
    mailer,
    renderer: new ReactEmailRenderer(sequences, clinic),
    clock,
    log,
    sequences,
    settings: {
      shards: config.DUE_SHARDS,
      leaseMs: config.LEASE_SECONDS * 1000,
      retryDelayMs: config.RETRY_DELAY_SECONDS * 1000,
      batchPerShard: config.BATCH_PER_SHARD,
      concurrency: config.DISPATCH_CONCURRENCY,
      runBudgetMs: 50_000,
    },
    unsubscribeUrl: (leadId) =>
      `${config.PUBLIC_BASE_URL}${ROUTES.unsubscribe}?token=${encodeURIComponent(signUnsubscribeToken(leadId, config.UNSUBSCRIBE_SECRET))}`,
    pace: pace.turn,
    counting: countingFor(dynamo ?? dynamoClient(config), tableOptions(config)),
    // Subject-line experiments' states, decided by `DEFAULT_DECISION_RULE` (lambdas/domain/experiment-stats.ts).
    experiments: new DynamoExperimentStore(dynamo ?? dynamoClient(config), tableOptions(config)),
  };
}
