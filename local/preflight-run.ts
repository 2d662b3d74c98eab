/**
 * `npm run preflight`'s run: ask AWS (through `PreflightAws`, read-only) what the checks need, in parallel, and turn
 * the answers into the checklist (`local/preflight-checks.ts`). The CLI (`local/preflight.ts`) reads the command line
 * and the stage's settings, calls this, and prints.
 */
import { reservedConcurrencyTotal, type StageConfig } from '../lib/config.ts';
import type { PreflightAws } from './preflight-aws.ts';
import {
  checkAlarmSubscriptions,
  checkBootstrap,
  checkCredentials,
  checkDispatchWorkers,
  checkLambdaConcurrency,
  checkPlaceholders,
  checkSenderIdentity,
  checkSendQuota,
  checkSesAccount,
  deployedStackName,
  type CheckResult,
} from './preflight-checks.ts';

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
    checkLambdaConcurrency(lambdaLimits, { reserved: reservedConcurrencyTotal(stage), deployed: isDeployed }),
    ...((stage.dispatchWorkers ?? 1) > 1
      ? [
          checkDispatchWorkers(lambdaLimits, {
            workers: stage.dispatchWorkers!,
            reservedForDispatch: stage.reservedConcurrency?.dispatch,
          }),
        ]
      : []),
    checkSesAccount(sesAccount, { region: stage.region, website: stage.clinic.website }),
    checkSendQuota(sesAccount, stage.maxSendRate),
    checkSenderIdentity(identity, {
      domain: stage.email.senderDomain,
      existingIdentity: stage.email.existingIdentity,
      deployed: isDeployed,
      region: stage.region,
    }),
    checkAlarmSubscriptions(deployed, subscriptions, { stackName, alarmEmails: stage.alarmEmails }),
  ];
}
