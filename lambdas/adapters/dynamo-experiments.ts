/**
 * Subject-line experiments' states (port `ExperimentStore`) on the one table, beside the report's counters.
 *
 * Items (pk, sk):
 *   COUNT#report, EXPERIMENT#<experimentId>   `experimentId`, `sequenceId`, `stepId`, `status` (`decided` or
 *                                             `stopped`; no item: running), `winner` (`a`..`d`, decided), `at` (ISO),
 *                                             `by` (`auto` or `cli`), `reason` (the rule and numbers, or what
 *                                             marketing typed). Written once, conditional on there being none.
 *   COUNT#report, STEP#<sequenceId>#<step>    the step's counters (`dynamo-report-counters.ts`), with its experiment
 *                                             variants' as `x.<a..d>.<tag>/<metric>`
 *
 * Access patterns:
 *   states     GetItem of each experiment's state item, at once (a dispatcher run; a send outside a run: sign-up,
 *              booking; the CLI)
 *   counts     GetItem of each experiment's step counter item, at once (a dispatcher run's decision, for the running
 *              experiments only; the CLI's list)
 *   conclude   one conditional UpdateItem (only while no state item says decided or stopped)
 *   list       Query pk = COUNT#report, sk begins with EXPERIMENT# (the CLI and the report)
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { KEY_PREFIX } from '../contract.ts';
import type { ExperimentRef, ExperimentState } from '../domain/experiments.ts';
import type { ExperimentStore } from '../domain/ports.ts';
import type { Counts } from '../domain/report-counts.ts';
import { counterPartition, experimentKey, stepCounterKey, type ItemKey } from './dynamo-keys.ts';
import { countOf } from './dynamo-report-counters.ts';
import { DynamoTable, type TableOptions } from './dynamo-table.ts';

type Concluded = Exclude<ExperimentState, { status: 'running' }>;

/** An item's state, or undefined for an item that is not a decided or stopped experiment's. */
function stateOf(item: Record<string, unknown>): Concluded | undefined {
  const base = {
    at: String(item.at),
    by: item.by === 'cli' ? ('cli' as const) : ('auto' as const),
    reason: typeof item.reason === 'string' ? item.reason : '',
  };
  if (item.status === 'stopped') return { status: 'stopped', ...base };
  if (item.status === 'decided' && typeof item.winner === 'string')
    return { status: 'decided', winner: item.winner as never, ...base };
  return undefined;
}

export class DynamoExperimentStore implements ExperimentStore {
  private readonly table: DynamoTable;

  constructor(client: DynamoDBClient, options: Pick<TableOptions, 'tableName' | 'retentionDays'>) {
    this.table = new DynamoTable(client, options.tableName, options.retentionDays);
  }

  async states(experiments: readonly ExperimentRef[]) {
    const states: Record<string, ExperimentState> = {};
    for (const item of await this.items(experiments.map((ref) => experimentKey(ref.experiment.id)))) {
      const state = stateOf(item);
      if (state) states[String(item.sk).slice(KEY_PREFIX.experiment.length)] = state;
    }
    return states;
  }

  async counts(experiments: readonly ExperimentRef[]) {
    const counts: Counts = {};
    for (const item of await this.items(experiments.map((ref) => stepCounterKey(ref.sequenceId, ref.stepId))))
      for (const [name, value] of Object.entries(item))
        if (name.startsWith('x.') && typeof value === 'number')
          counts[countOf(String(item.sequenceId), String(item.stepId), name)] = value;
    return counts;
  }

  /** The items at these keys that exist, each read once, all at once (GetItem: what sending functions are granted). */
  private async items(keys: readonly ItemKey[]): Promise<Record<string, unknown>[]> {
    const unique = new Map(keys.map((key) => [key.sk, key]));
    const read = await Promise.all(
      [...unique.values()].map((Key) =>
        this.table.doc.send(new GetCommand({ TableName: this.table.name, Key, ConsistentRead: true })),
      ),
    );
    return read.flatMap((answer) => (answer.Item ? [answer.Item] : []));
  }

  async list() {
    const listed: (ExperimentState & { experimentId: string; sequenceId?: string; stepId?: string })[] = [];
    const pages = paginateQuery(
      { client: this.table.doc },
      {
        TableName: this.table.name,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': counterPartition, ':prefix': KEY_PREFIX.experiment },
        ConsistentRead: true,
      },
    );
    for await (const page of pages)
      for (const item of page.Items ?? []) {
        const state = stateOf(item);
        if (!state) continue;
        listed.push({
          ...state,
          experimentId: String(item.sk).slice(KEY_PREFIX.experiment.length),
          ...(typeof item.sequenceId === 'string' && { sequenceId: item.sequenceId }),
          ...(typeof item.stepId === 'string' && { stepId: item.stepId }),
        });
      }
    return listed;
  }

  async conclude(ref: { sequenceId: string; stepId: string; experimentId: string }, state: Concluded) {
    return this.table.conditionalUpdate({
      Key: experimentKey(ref.experimentId),
      UpdateExpression:
        'SET #status = :status, #at = :at, #by = :by, reason = :reason, sequenceId = :sequence, stepId = :step' +
        (state.status === 'decided' ? ', winner = :winner' : ''),
      ConditionExpression: 'attribute_not_exists(pk) OR #status = :running',
      ExpressionAttributeNames: { '#status': 'status', '#at': 'at', '#by': 'by' },
      ExpressionAttributeValues: {
        ':status': state.status,
        ':at': state.at,
        ':by': state.by,
        ':reason': state.reason,
        ':sequence': ref.sequenceId,
        ':step': ref.stepId,
        ':running': 'running',
        ...(state.status === 'decided' && { ':winner': state.winner }),
      },
    });
  }
}
