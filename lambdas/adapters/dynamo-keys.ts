/** The keys of the one table's items, built from the formats in `lambdas/contract.ts`. Shared by the three stores. */
import { AUDIT_PARTITION, COUNTER_PARTITION, KEY_PREFIX, SORT_KEY } from '../contract.ts';

export type ItemKey = { pk: string; sk: string };

export const leadKey = (leadId: string): ItemKey => ({ pk: `${KEY_PREFIX.lead}${leadId}`, sk: SORT_KEY.lead });
export const messageKey = (leadId: string, sequenceId: string, stepId: string): ItemKey => ({
  pk: `${KEY_PREFIX.lead}${leadId}`,
  sk: `${KEY_PREFIX.message}${sequenceId}#${stepId}`,
});
export const emailKey = (email: string): ItemKey => ({ pk: `${KEY_PREFIX.email}${email}`, sk: SORT_KEY.email });
export const suppressionKey = (email: string): ItemKey => ({
  pk: `${KEY_PREFIX.suppression}${email}`,
  sk: SORT_KEY.suppression,
});
/** `hash`: the keyed hash of an erased person's address (`addressHash` in `lambdas/domain/privacy.ts`), never the address. */
export const erasedKey = (hash: string): ItemKey => ({ pk: `${KEY_PREFIX.erased}${hash}`, sk: SORT_KEY.erased });
export const auditPartition = `${KEY_PREFIX.audit}${AUDIT_PARTITION}`;
/** One audit item, sorted by time; `id` tells apart two at the same millisecond. */
export const auditKey = (at: Date, id: string): ItemKey => ({ pk: auditPartition, sk: `${at.toISOString()}#${id}` });
export const deliveryKey = (key: string): ItemKey => ({ pk: `${KEY_PREFIX.hook}${key}`, sk: SORT_KEY.hook });
export const counterPartition = `${KEY_PREFIX.counter}${COUNTER_PARTITION}`;
export const leadTotalsKey = (): ItemKey => ({ pk: counterPartition, sk: SORT_KEY.leadTotals });
export const stepCounterKey = (sequenceId: string, stepId: string): ItemKey => ({
  pk: counterPartition,
  sk: `${KEY_PREFIX.counterStep}${sequenceId}#${stepId}`,
});

/** The lead id in a `LEAD#<leadId>` partition key. */
export const leadIdOf = (pk: unknown): string => String(pk).slice(KEY_PREFIX.lead.length);
/** A subject-line experiment's state, beside the report's counters (`dynamo-experiments.ts`). */
export const experimentKey = (experimentId: string): ItemKey => ({
  pk: counterPartition,
  sk: `${KEY_PREFIX.experiment}${experimentId}`,
});
