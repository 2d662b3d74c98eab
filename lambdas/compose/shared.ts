/**
 * What more than one handler's builder uses: the parts a caller may hand in, the clinic and sequences from config,
 * the table's options, and the full config with its secrets. Nothing here loads the renderer, the templates' React
 * code or an SES client (compose/sending.ts does, for the handlers that send).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SESClient } from '@aws-sdk/client-ses';
import type { Clinic } from '../../emails/clinic.ts';
import { sequences as defaultSequences, type EmailStep } from '../../emails/sequences.ts';
import { DynamoReportCounters } from '../adapters/dynamo-report-counters.ts';
import type { TableOptions } from '../adapters/dynamo-table.ts';
import { log } from '../adapters/log.ts';
import { resolveSecrets } from '../adapters/secrets.ts';
import { loadConfig, type Config, type ResolvedConfig } from '../config.ts';
import { ROUTES, SEQUENCE_IDS } from '../contract.ts';
import { signConfirmToken } from '../domain/confirm-token.ts';
import { Counting } from '../domain/counting.ts';
import { addressKey } from '../domain/privacy.ts';
import type { Clock } from '../domain/ports.ts';
import { validateSequences, type Sequence } from '../domain/sequence.ts';

// What handlers read through compose rather than from config.ts and emails/ themselves.
export type { Clinic } from '../../emails/clinic.ts';
export type { AdminConfig, Config, PrivacyConfig, ResolvedConfig, SesEventsConfig } from '../config.ts';

/** What a builder may be handed instead of making it: the local runtime's fast clock, the tests' own clients. */
export interface Parts {
  /** Default: the system clock. */
  clock?: Clock;
  dynamo?: DynamoDBClient;
  ses?: SESClient;
  /** Emails per second, for every send this process makes. Default: MAX_SEND_RATE, else 1. */
  sendRate?: number;
}

/** The full config, its secrets read (from Secrets Manager in AWS): what signup, booking, unsubscribe and dispatch start with. */
export const readConfig = (): Promise<ResolvedConfig> => resolveSecrets(loadConfig());

export function clinicFor(config: Config): Clinic {
  return {
    name: config.CLINIC_NAME,
    postalAddress: config.CLINIC_POSTAL_ADDRESS,
    phone: config.CLINIC_PHONE,
    website: config.CLINIC_WEBSITE,
    bookingUrl: config.BOOKING_URL,
    costUrl: config.COST_URL,
    fromAddress: config.FROM_ADDRESS,
    replyTo: config.REPLY_TO_ADDRESS,
    defaultTimeZone: config.DEFAULT_TIME_ZONE,
  };
}

/** The sequences with the stage's send window, when config overrides it; checked at start (`validateSequences`). */
export function sequencesFor(config: Config): Record<string, Sequence<EmailStep>> {
  validateSequences(defaultSequences);
  const start = config.SEND_WINDOW_START;
  const end = config.SEND_WINDOW_END;
  if (!start && !end) return defaultSequences;
  return Object.fromEntries(
    Object.entries(defaultSequences).map(([id, sequence]) => [
      id,
      { ...sequence, window: { start: start ?? sequence.window.start, end: end ?? sequence.window.end } },
    ]),
  );
}

/** Double opt-in's link: the confirmation page, with a token signed to expire at `expiresAt`. */
export function confirmUrlFor(config: ResolvedConfig) {
  return (leadId: string, expiresAt: Date) =>
    `${config.PUBLIC_BASE_URL}${ROUTES.confirm}?token=${encodeURIComponent(signConfirmToken(leadId, expiresAt, config.UNSUBSCRIBE_SECRET))}`;
}

/** The report's counters kept at write time, for one process: gathered in memory, written at each invocation's end. */
export function countingFor(dynamo: DynamoDBClient, options: TableOptions): Counting {
  const counters = new DynamoReportCounters(dynamo, options);
  return new Counting({ counters, leads: counters, log, nurtureId: SEQUENCE_IDS.nurture });
}

/**
 * The table's options with the key of erased addresses' hashes (from the unsubscribe secret): for the stores that must
 * refuse an erased address (sign-up, booking) and the one that erases.
 */
export function tableOptionsWithAddressKey(config: ResolvedConfig) {
  return { ...tableOptions(config), addressKey: addressKey(config.UNSUBSCRIBE_SECRET) };
}

export function tableOptions(config: Pick<Config, 'TABLE_NAME' | 'DUE_SHARDS' | 'RETENTION_DAYS'>): TableOptions {
  return { tableName: config.TABLE_NAME, shards: config.DUE_SHARDS, retentionDays: config.RETENTION_DAYS };
}
