/**
 * `npm run preflight`'s questions to AWS, read-only: each call's answer mapped to the small shapes the checks take
 * (`local/preflight-checks.ts`), and the one error each call expects (a stack or identity that does not exist) turned
 * into `exists: false`. Any other error comes back as `{ ok: false }` for the check to report.
 *
 * Region from the stage's settings; credentials from the SDK's default chain (AWS_PROFILE, SSO, environment). The
 * endpoint is the SDK's own too, so `AWS_ENDPOINT_URL` (or `AWS_ENDPOINT_URL_<SERVICE>`) points every client at
 * another one, as the SDKs and tools reference describes:
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html (the tests point it at a local fake).
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetAccountSettingsCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetAccountCommand, GetEmailIdentityCommand, NotFoundException, SESv2Client } from '@aws-sdk/client-sesv2';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  answer,
  failed,
  type Answer,
  type IdentityAnswer,
  type LambdaLimits,
  type SesAccount,
  type StackAnswer,
  type Subscription,
} from './preflight-checks.ts';

export interface PreflightAws {
  stack(name: string): Promise<Answer<StackAnswer>>;
  sesAccount(): Promise<Answer<SesAccount>>;
  identity(domain: string): Promise<Answer<IdentityAnswer>>;
  lambdaLimits(): Promise<Answer<LambdaLimits>>;
  subscriptions(topicArn: string): Promise<Answer<Subscription[]>>;
  close(): void;
}

/** Run `call`; its expected "not there" error becomes `missing`, any other error a failed answer. */
async function ask<T>(call: () => Promise<T>, missing?: (error: Error) => T | undefined): Promise<Answer<T>> {
  try {
    return answer(await call());
  } catch (error) {
    const e = error as Error;
    const instead = missing?.(e);
    if (instead !== undefined) return answer(instead);
    return failed({ name: e.name || 'Error', message: e.message });
  }
}

export function preflightAws(region: string): PreflightAws {
  // Two attempts, not the SDK's three: a wrong endpoint or no network should not keep a person waiting.
  const options = { region, maxAttempts: 2 };
  const cloudFormation = new CloudFormationClient(options);
  const ses = new SESv2Client(options);
  const lambda = new LambdaClient(options);
  const sns = new SNSClient(options);

  return {
    stack: (name) =>
      ask(
        async (): Promise<StackAnswer> => {
          const { Stacks = [] } = await cloudFormation.send(new DescribeStacksCommand({ StackName: name }));
          const stack = Stacks[0];
          if (!stack) return { exists: false };
          const outputs = Object.fromEntries(
            (stack.Outputs ?? []).map((output) => [output.OutputKey ?? '', output.OutputValue ?? '']),
          );
          return { exists: true, status: stack.StackStatus ?? 'UNKNOWN', stackId: stack.StackId ?? '', outputs };
        },
        // "If the stack doesn't exist, a ValidationError is returned." (the DescribeStacks API reference)
        (error) =>
          error.name === 'ValidationError' && /does not exist/.test(error.message) ? { exists: false } : undefined,
      ),

    sesAccount: () =>
      ask(async (): Promise<SesAccount> => {
        const account = await ses.send(new GetAccountCommand({}));
        return {
          productionAccessEnabled: account.ProductionAccessEnabled,
          sendingEnabled: account.SendingEnabled,
          enforcementStatus: account.EnforcementStatus,
          sendQuota: account.SendQuota && {
            max24HourSend: account.SendQuota.Max24HourSend,
            maxSendRate: account.SendQuota.MaxSendRate,
            sentLast24Hours: account.SendQuota.SentLast24Hours,
          },
          review: account.Details?.ReviewDetails && {
            status: account.Details.ReviewDetails.Status,
            caseId: account.Details.ReviewDetails.CaseId,
          },
        };
      }),

    identity: (domain) =>
      ask(
        async (): Promise<IdentityAnswer> => {
          const identity = await ses.send(new GetEmailIdentityCommand({ EmailIdentity: domain }));
          return {
            exists: true,
            verifiedForSending: identity.VerifiedForSendingStatus === true,
            verificationStatus: identity.VerificationStatus,
            dkimStatus: identity.DkimAttributes?.Status,
            dkimTokens: identity.DkimAttributes?.Tokens ?? [],
            dkimOrigin: identity.DkimAttributes?.SigningAttributesOrigin,
          };
        },
        (error) => (error instanceof NotFoundException ? { exists: false } : undefined),
      ),

    lambdaLimits: () =>
      ask(async (): Promise<LambdaLimits> => {
        const { AccountLimit } = await lambda.send(new GetAccountSettingsCommand({}));
        return {
          concurrentExecutions: AccountLimit?.ConcurrentExecutions ?? 0,
          unreservedConcurrentExecutions: AccountLimit?.UnreservedConcurrentExecutions ?? 0,
        };
      }),

    subscriptions: (topicArn) =>
      ask(async (): Promise<Subscription[]> => {
        const all: Subscription[] = [];
        let NextToken: string | undefined;
        // Up to 100 a page, with NextToken while there are more (the ListSubscriptionsByTopic API reference).
        do {
          const page = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken }));
          for (const s of page.Subscriptions ?? [])
            all.push({
              protocol: s.Protocol ?? '',
              endpoint: s.Endpoint ?? '',
              subscriptionArn: s.SubscriptionArn ?? '',
            });
          NextToken = page.NextToken;
        } while (NextToken);
        return all;
      }),

    close() {
      for (const client of [cloudFormation, ses, lambda, sns]) client.destroy();
    },
  };
}
