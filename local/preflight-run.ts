/**
 * `npm run preflight`'s run: ask AWS (through `PreflightAws`, read-only) what the checks need, in parallel, and turn
 * the answers into the checklist (`local/preflight-checks.ts`). The CLI (`local/preflight.ts`) reads the command line
 * and the stage's settings, calls this, and prints.
 */
import type { StageConfig } from '../lib/config.ts';
import { HANDLERS } from '../lib/handlers.ts';
import type { PreflightAws } from './preflight-aws.ts';
import {
  checkAlarmSubscriptions,
  checkBootstrap,
  checkCredentials,
  checkLambdaConcurrency,
  checkPlaceholders,
  checkSenderIdentity,
  checkSendQuota,
  checkSesAccount,
  deployedStackName,
  type CheckResult,
} from './preflight-checks.ts';

/**
 * What the stage reserves of the account's Lambda concurrency: the sum over `lib/handlers.ts`.
 * TODO(merge): use `reservedConcurrencyTotal(stage)` from lib/ once the infra branch exports it.
 */
export function stageReservedConcurrency(_stage: StageConfig): number {
  return HANDLERS.reduce((sum, handler) => sum + handler.reservedConcurrency, 0);
}

/**
 * The stage's own maximum send rate (emails a second), compared with SES's.
 * TODO(merge): return `stage.maxSendRate` once lib/config.ts has it (the infra branch adds it); until then the
 * dispatcher paces at SES's own rate and there is nothing to compare.
 */
export function stageSendRate(_stage: StageConfig): number | undefined {
  return undefined;
}

/**
 * The checklist for `stageName`. `placeholders` are the stage's placeholder lines from `readStages` (lib/config.ts).
 * Never throws for an AWS failure: each check reports its own.
 */
export async function runPreflight(
  stageName: string,
  stage: StageConfig,
  placeholders: string[] | undefined,
  aws: PreflightAws,
): Promise<CheckResult[]> {
  const stackName = deployedStackName(stageName);
  const [toolkit, deployed, sesAccount, identity, lambdaLimits] = await Promise.all([
    aws.stack('CDKToolkit'),
    aws.stack(stackName),
    aws.sesAccount(),
    aws.identity(stage.email.senderDomain),
    aws.lambdaLimits(),
  ]);
  const placeholderCheck = checkPlaceholders(stageName, stage.production, placeholders);
  const noCredentials = checkCredentials([toolkit, deployed, sesAccount, identity, lambdaLimits]);
  if (noCredentials) return [placeholderCheck, noCredentials];
  const isDeployed = deployed.ok && deployed.value.exists;
  const topic = deployed.ok && deployed.value.exists ? deployed.value.outputs.AlarmTopicArn : undefined;
  const subscriptions = topic ? await aws.subscriptions(topic) : undefined;
  return [
    placeholderCheck,
    checkBootstrap(toolkit, { region: stage.region, account: stage.account }),
    checkLambdaConcurrency(lambdaLimits, { reserved: stageReservedConcurrency(stage), deployed: isDeployed }),
    checkSesAccount(sesAccount, { region: stage.region, website: stage.clinic.website }),
    checkSendQuota(sesAccount, stageSendRate(stage)),
    checkSenderIdentity(identity, {
      domain: stage.email.senderDomain,
      existingIdentity: stage.email.existingIdentity,
      deployed: isDeployed,
      region: stage.region,
    }),
    checkAlarmSubscriptions(deployed, subscriptions, { stackName, alarmEmails: stage.alarmEmails }),
  ];
}
