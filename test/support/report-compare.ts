/**
 * The report's counters, kept at write time, against the recount from the raw items (the Scan that
 * `npm run report -- --rebuild` makes), and every lead whose own count is not what its items recount to.
 */
import { dynamoClient } from '../../lambdas/adapters/clients.ts';
import { DynamoReportCounters } from '../../lambdas/adapters/dynamo-report-counters.ts';
import { DynamoReportSource } from '../../lambdas/adapters/dynamo-report-source.ts';
import { countLead, diffCounts, recount } from '../../lambdas/domain/report-counts.ts';
import { differences } from '../../local/report-rebuild.ts';
import type { TestEnv } from '../integration/harness.ts';

export async function compareCounters(env: TestEnv) {
  const dynamo = dynamoClient(env.config);
  const counters = new DynamoReportCounters(dynamo, { tableName: env.config.TABLE_NAME, retentionDays: 0 });
  const input = await new DynamoReportSource(dynamo, env.config.TABLE_NAME).read();
  const recounted = recount(input, 'nurture');
  const leadsOff = input.leads
    .filter((lead) => {
      const view = {
        lead,
        messages: input.messages.filter((m) => m.leadId === lead.leadId),
        clicks: input.clicks.filter((c) => c.leadId === lead.leadId),
      };
      return Object.keys(diffCounts(countLead(view, 'nurture'), input.counted.get(lead.leadId)?.counts ?? {})).length;
    })
    .map((lead) => lead.leadId);
  return { differences: differences(await counters.read(), recounted), leadsOff, recounted, counters, input };
}
