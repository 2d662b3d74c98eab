/**
 * `npm run preflight`'s checks: pure functions from what AWS answered (`local/preflight-aws.ts` asks) and the stage's
 * settings to one line of the checklist each, with the fix for a failure. No I/O, no SDK types: the adapter maps
 * AWS's answers to the small shapes below, so each rule is tested on its own (`test/unit/local/preflight-checks.test.ts`).
 */

/** ✔ pass, ✖ fail (exit 1), – skipped or a warning (neither fails the run). */
export type Status = 'pass' | 'fail' | 'warn' | 'skip';

export interface CheckResult {
  status: Status;
  /** What was checked, e.g. "CDK bootstrap". */
  title: string;
  /** What was found. */
  detail: string;
  /** For a failure (and some warnings): what to do, one step per entry. */
  fix?: string[];
}

/** An AWS call that failed other than in the way a check expects (no credentials, access denied, network). */
export interface AwsError {
  name: string;
  message: string;
}

export type Answer<T> = { ok: true; value: T } | { ok: false; error: AwsError };

export const answer = <T>(value: T): Answer<T> => ({ ok: true, value });
export const failed = <T = never>(error: AwsError): Answer<T> => ({ ok: false, error });

/** A CloudFormation stack as DescribeStacks describes it; `exists: false` for its ValidationError "does not exist". */
export type StackAnswer =
  { exists: false } | { exists: true; status: string; stackId: string; outputs: Record<string, string> };

/** SESv2 GetAccount, the fields the checks read. */
export interface SesAccount {
  productionAccessEnabled?: boolean;
  sendingEnabled?: boolean;
  /** HEALTHY, PROBATION or SHUTDOWN. */
  enforcementStatus?: string;
  sendQuota?: { max24HourSend?: number; maxSendRate?: number; sentLast24Hours?: number };
  /** Details.ReviewDetails: the production access request, when there is one (PENDING, FAILED, GRANTED, DENIED). */
  review?: { status?: string; caseId?: string };
}

/** SESv2 GetEmailIdentity; `exists: false` for its NotFoundException. */
export type IdentityAnswer =
  | { exists: false }
  | {
      exists: true;
      verifiedForSending: boolean;
      verificationStatus?: string;
      /** DkimAttributes.Status: PENDING, SUCCESS, FAILED, TEMPORARY_FAILURE or NOT_STARTED. */
      dkimStatus?: string;
      dkimTokens: string[];
      /** AWS_SES (Easy DKIM) or EXTERNAL (bring your own key). */
      dkimOrigin?: string;
    };

/** Lambda GetAccountSettings' AccountLimit. */
export interface LambdaLimits {
  concurrentExecutions: number;
  unreservedConcurrentExecutions: number;
}

/** SNS ListSubscriptionsByTopic, one member. */
export interface Subscription {
  protocol: string;
  endpoint: string;
  /** The subscription's ARN once confirmed; `PendingConfirmation` until the address clicks the link. */
  subscriptionArn: string;
}

/**
 * What every stack CDK deploys requires of the bootstrap stack: its `CheckBootstrapVersion` rule fails a template
 * when the `BootstrapVersion` output is lower (aws-cdk-lib, `DefaultStackSynthesizer`'s MIN_BOOTSTRAP_STACK_VERSION).
 */
export const MIN_BOOTSTRAP_VERSION = 6;

/**
 * "You can reserve concurrency for as many functions as you like, as long as you leave at least 100 simultaneous
 * executions unreserved for functions that aren't configured with a per-function limit."
 * https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionConcurrency.html
 */
export const MIN_UNRESERVED_CONCURRENCY = 100;

const count = (n: number) => n.toLocaleString('en-US');

/** A failure nobody expected (no credentials, no permission, no network): say which call, and what usually fixes it. */
function awsFailure(title: string, call: string, error: AwsError): CheckResult {
  return {
    status: 'fail',
    title,
    detail: `${call} failed: ${error.name}: ${error.message}`,
    fix: [awsFix(call, error)],
  };
}

const SET_CREDENTIALS =
  'set AWS credentials for the account (AWS_PROFILE=<profile>, `aws sso login`, or `aws configure`)';
const isCredentialsError = (error: AwsError) =>
  error.name === 'CredentialsProviderError' || /could not load credentials/i.test(error.message);

function awsFix(call: string, error: AwsError): string {
  if (isCredentialsError(error)) return SET_CREDENTIALS;
  if (/AccessDenied|UnauthorizedOperation|AuthorizationError|not authorized/i.test(`${error.name} ${error.message}`))
    return `allow the credentials ${call} (the preflight only reads: CloudFormation, SES, Lambda and SNS describe/get/list calls)`;
  if (/ExpiredToken|InvalidClientTokenId|UnrecognizedClient|SignatureDoesNotMatch/.test(error.name))
    return 'the credentials are expired or wrong: sign in again (`aws sso login`) or check AWS_PROFILE';
  return 'check the network and the region, then run the preflight again';
}

/**
 * When no call got anywhere for want of credentials, one line saying so, instead of the same failure on every check.
 */
export function checkCredentials(answers: Answer<unknown>[]): CheckResult | undefined {
  const errors = answers.flatMap((a) => (a.ok ? [] : [a.error]));
  if (errors.length === 0 || errors.length < answers.length || !errors.every(isCredentialsError)) return undefined;
  return {
    status: 'fail',
    title: 'AWS credentials',
    detail: `none found: ${errors[0]!.message}; nothing in the account could be checked`,
    fix: [SET_CREDENTIALS],
  };
}

/** The stage in cdk.json holds no placeholder: `lines` is `readStages(...).placeholders[stage]` (lib/config.ts). */
export function checkPlaceholders(stage: string, production: boolean, lines: string[] = []): CheckResult {
  const title = 'Stage settings';
  if (!production)
    return {
      status: 'skip',
      title,
      detail: `stages.${stage} is not a production stage ("production": false): placeholders are allowed there`,
    };
  if (lines.length === 0) return { status: 'pass', title, detail: `stages.${stage} holds no placeholders` };
  return {
    status: 'fail',
    title,
    detail: `stages.${stage} still has ${lines.length} placeholder value${lines.length === 1 ? '' : 's'}; cdk synth and cdk deploy refuse it`,
    fix: [`set each in cdk.json (context.nurture.stages.${stage}):`, ...lines.map((line) => `  ${line}`)],
  };
}

/** The account id in an ARN (`arn:aws:cloudformation:us-east-1:123456789012:stack/CDKToolkit/…`). */
export function accountOfArn(arn: string): string | undefined {
  return /^arn:[^:]+:[^:]+:[^:]*:(\d{12}):/.exec(arn)?.[1];
}

/** The CDK bootstrap stack `CDKToolkit` exists in the stage's account and region, complete and recent enough. */
export function checkBootstrap(toolkit: Answer<StackAnswer>, where: { region: string; account?: string }): CheckResult {
  const title = 'CDK bootstrap';
  if (!toolkit.ok) return awsFailure(title, 'cloudformation:DescribeStacks', toolkit.error);
  const target = `aws://${where.account ?? '<account-id>'}/${where.region}`;
  const bootstrap = [
    `npx cdk bootstrap ${target}${where.account ? '' : ' (`aws sts get-caller-identity` prints the account id)'}`,
  ];
  if (!toolkit.value.exists)
    return { status: 'fail', title, detail: `no CDKToolkit stack in ${where.region}`, fix: bootstrap };
  const { status, stackId, outputs } = toolkit.value;
  const account = accountOfArn(stackId);
  if (where.account && account && account !== where.account)
    return {
      status: 'fail',
      title,
      detail: `these credentials are for account ${account}, but the stage deploys to account ${where.account}`,
      fix: [`use credentials for account ${where.account} (AWS_PROFILE=<its profile>)`],
    };
  if (/_IN_PROGRESS$/.test(status))
    return {
      status: 'fail',
      title,
      detail: `CDKToolkit is ${status}`,
      fix: ['wait for it to finish (CloudFormation console), then run the preflight again'],
    };
  // ROLLBACK_COMPLETE: the first bootstrap failed and left an empty stack, which can only be deleted.
  if (status === 'ROLLBACK_COMPLETE')
    return {
      status: 'fail',
      title,
      detail: 'CDKToolkit is ROLLBACK_COMPLETE: the first bootstrap failed, the stack is not usable',
      fix: [
        'see why in the CloudFormation console (Events of CDKToolkit), then delete it: `aws cloudformation delete-stack --stack-name CDKToolkit`',
        ...bootstrap,
      ],
    };
  if (!status.endsWith('_COMPLETE'))
    return {
      status: 'fail',
      title,
      detail: `CDKToolkit is ${status}: not usable`,
      fix: ['see why in the CloudFormation console (Events of CDKToolkit) and fix that', ...bootstrap],
    };
  const version = outputs.BootstrapVersion ? Number(outputs.BootstrapVersion) : NaN;
  const place = `${account ? `account ${account}, ` : ''}${where.region}`;
  if (Number.isFinite(version) && version < MIN_BOOTSTRAP_VERSION)
    return {
      status: 'fail',
      title,
      detail: `CDKToolkit is version ${version} (${place}); CDK's templates need ${MIN_BOOTSTRAP_VERSION} or newer`,
      fix: bootstrap,
    };
  return {
    status: 'pass',
    title,
    detail: `CDKToolkit ${status}${Number.isFinite(version) ? `, version ${version}` : ''} (${place})`,
  };
}

/**
 * After the stage's reservations (`reservedConcurrencyTotal`, lib/config.ts), at least 100 of the account's
 * concurrency stays unreserved. A stage that reserves none needs nothing of the quota. A deployed stage's
 * reservations are already taken out of `UnreservedConcurrentExecutions`, so a redeploy needs nothing more either
 * (assuming the checkout reserves what is deployed).
 */
export function checkLambdaConcurrency(
  limits: Answer<LambdaLimits>,
  stage: { reserved: number; deployed: boolean },
): CheckResult {
  const title = 'Lambda concurrency';
  if (!limits.ok) return awsFailure(title, 'lambda:GetAccountSettings', limits.error);
  const { concurrentExecutions: total, unreservedConcurrentExecutions: unreserved } = limits.value;
  if (stage.reserved === 0)
    return {
      status: 'pass',
      title,
      detail: `account limit ${count(total)}, ${count(unreserved)} unreserved; the stage reserves none`,
    };
  if (stage.deployed)
    return {
      status: 'pass',
      title,
      detail: `account limit ${count(total)}, ${count(unreserved)} unreserved with the deployed stage's ${count(stage.reserved)} reserved`,
    };
  const left = unreserved - stage.reserved;
  const what = `account limit ${count(total)}, ${count(unreserved)} unreserved; the stage reserves ${count(stage.reserved)}, leaving ${count(left)}`;
  if (left >= MIN_UNRESERVED_CONCURRENCY) return { status: 'pass', title, detail: what };
  const needed = total + (MIN_UNRESERVED_CONCURRENCY - left);
  return {
    status: 'fail',
    title,
    detail: `${what}; Lambda keeps at least ${MIN_UNRESERVED_CONCURRENCY} unreserved, so the deploy would fail`,
    fix: [
      `ask for an account concurrency of at least ${count(needed)}: Service Quotas → AWS Lambda → Concurrent executions (L-B99A9384), or \`aws service-quotas request-service-quota-increase --service-code lambda --quota-code L-B99A9384 --desired-value ${needed}\``,
    ],
  };
}

/**
 * A stage that splits dispatcher runs across `workers` (its `dispatchWorkers`) runs up to workers + 1 dispatcher
 * invocations at once: the scheduled run and its workers. Reserved, the stage's settings already require exactly that
 * (lib/config.ts); unreserved, the account's unreserved pool must hold them, or Lambda throttles the workers (their
 * leads wait for the next run).
 */
export function checkDispatchWorkers(
  limits: Answer<LambdaLimits>,
  stage: { workers: number; reservedForDispatch?: number },
): CheckResult {
  const title = 'Dispatcher workers';
  const atOnce = stage.workers + 1;
  if (stage.reservedForDispatch !== undefined)
    return {
      status: 'pass',
      title,
      detail: `the dispatcher reserves ${count(stage.reservedForDispatch)}: the scheduled run and its ${count(stage.workers)} workers`,
    };
  if (!limits.ok) return awsFailure(title, 'lambda:GetAccountSettings', limits.error);
  const unreserved = limits.value.unreservedConcurrentExecutions;
  const what = `up to ${count(atOnce)} dispatcher invocations at once (the scheduled run and ${count(stage.workers)} workers), from the account's ${count(unreserved)} unreserved`;
  if (unreserved >= atOnce) return { status: 'pass', title, detail: what };
  return {
    status: 'fail',
    title,
    detail: `${what}: Lambda would throttle the workers`,
    fix: [
      `lower dispatchWorkers in cdk.json to at most ${count(Math.max(1, unreserved - 1))}, or ask for a higher account concurrency: Service Quotas → AWS Lambda → Concurrent executions (L-B99A9384)`,
    ],
  };
}

/** SES has production access in the region, sending is enabled, and the account is in good standing. */
export function checkSesAccount(account: Answer<SesAccount>, stage: { region: string; website?: string }): CheckResult {
  const { region, website = '<clinic site>' } = stage;
  const title = 'SES account';
  if (!account.ok) return awsFailure(title, 'ses:GetAccount', account.error);
  const { productionAccessEnabled, sendingEnabled, enforcementStatus, review } = account.value;
  const problems: string[] = [];
  const fix: string[] = [];
  if (!productionAccessEnabled) {
    problems.push(`in the sandbox in ${region} (only verified recipients, 200 a day, 1 a second)`);
    const caseId = review?.caseId ? ` (case ${review.caseId})` : '';
    if (review?.status === 'PENDING')
      fix.push(`a production access request is under review${caseId}: wait for AWS's answer, then run again`);
    else if (review?.status === 'DENIED' || review?.status === 'FAILED')
      fix.push(
        `the production access request was ${review.status.toLowerCase()}${caseId}: answer the case in the AWS Support Center`,
      );
    else
      fix.push(
        `request production access: SES console (${region}) → Account dashboard → Request production access, or \`aws sesv2 put-account-details --production-access-enabled --mail-type MARKETING --website-url ${website} --use-case-description <…> --region ${region}\``,
      );
  }
  if (enforcementStatus === 'SHUTDOWN') {
    problems.push('sending shut down by AWS for reputation (enforcement status SHUTDOWN)');
    fix.push('read the notice in SES console → Reputation metrics, fix its cause, then ask AWS to resume sending');
  } else if (sendingEnabled === false) {
    problems.push(`sending is paused for the account in ${region}`);
    fix.push(`resume it: \`aws sesv2 put-account-sending-attributes --sending-enabled --region ${region}\``);
  }
  if (problems.length > 0) return { status: 'fail', title, detail: problems.join('; '), fix };
  if (enforcementStatus && enforcementStatus !== 'HEALTHY')
    return {
      status: 'warn',
      title,
      detail: `production access, sending enabled, but enforcement status ${enforcementStatus}: AWS is reviewing the account's bounces or complaints`,
      fix: ['read the notice in SES console → Reputation metrics before sending to leads'],
    };
  return {
    status: 'pass',
    title,
    detail: `production access, sending enabled, enforcement status ${enforcementStatus ?? 'not given'}`,
  };
}

/**
 * The send quota and rate, printed; used up fails. `stageRate` is the stage's `maxSendRate` (its share of SES's
 * rate, emails a second) when its settings have one: it must not exceed SES's.
 */
export function checkSendQuota(account: Answer<SesAccount>, stageRate?: number): CheckResult {
  const title = 'SES send quota';
  if (!account.ok) return awsFailure(title, 'ses:GetAccount', account.error);
  const { max24HourSend: max, maxSendRate: rate, sentLast24Hours: sent = 0 } = account.value.sendQuota ?? {};
  if (max === undefined || rate === undefined)
    return { status: 'fail', title, detail: 'SES gave no send quota', fix: ['run the preflight again'] };
  // -1: no daily limit (SES's convention for Max24HourSend).
  const daily = max < 0 ? 'no daily limit' : `${count(max)} a day`;
  const detail = `${daily}, ${count(rate)} a second; ${count(sent)} sent in the last 24 hours`;
  if (max >= 0 && sent >= max)
    return {
      status: 'fail',
      title,
      detail: `${detail}: the quota is used up, SES refuses more until the 24-hour window moves on`,
      fix: ['wait, or ask for a higher quota: Service Quotas → Amazon SES → Sending quota'],
    };
  if (stageRate !== undefined && stageRate > rate && !account.value.productionAccessEnabled)
    return {
      status: 'skip',
      title,
      detail: `${detail}; the sandbox's rate: compared with the stage's maxSendRate (${count(stageRate)} a second) once production access is granted`,
    };
  if (stageRate !== undefined && stageRate > rate)
    return {
      status: 'fail',
      title,
      detail: `${detail}; the stage's maxSendRate is ${count(stageRate)} a second, more than SES allows`,
      fix: [
        `lower maxSendRate to at most ${count(rate)} in cdk.json, or ask for a higher rate: Service Quotas → Amazon SES → Sending rate`,
      ],
    };
  const paced =
    stageRate === undefined
      ? "the stage sets no maxSendRate: the dispatcher paces at SES's rate"
      : `the stage's maxSendRate is ${count(stageRate)} a second`;
  return { status: 'pass', title, detail: `${detail}; ${paced}` };
}

/** The Easy DKIM records for a domain: one CNAME per token. */
export function dkimRecords(domain: string, tokens: string[]): string[] {
  return tokens.map((token) => `${token}._domainkey.${domain} CNAME ${token}.dkim.amazonses.com`);
}

/** The sender domain is an SES identity verified for sending, with DKIM verified. */
export function checkSenderIdentity(
  identity: Answer<IdentityAnswer>,
  stage: { domain: string; existingIdentity: boolean; deployed: boolean; region: string },
): CheckResult {
  const title = 'Sender identity';
  if (!identity.ok) return awsFailure(title, 'ses:GetEmailIdentity', identity.error);
  const { domain, region } = stage;
  if (!identity.value.exists) {
    if (stage.existingIdentity)
      return {
        status: 'fail',
        title,
        detail: `${domain} is not an SES identity in ${region}, but the stage says it exists ("existingIdentity": true)`,
        fix: [
          `create and verify ${domain} in SES (${region}), or set email.existingIdentity to false so the stack creates it`,
        ],
      };
    if (stage.deployed)
      return {
        status: 'fail',
        title,
        detail: `${domain} is not an SES identity in ${region}, though the stack that creates it is deployed`,
        fix: ['deploy the stage again: the stack creates the identity'],
      };
    return {
      status: 'skip',
      title,
      detail: `${domain} is not an SES identity in ${region} yet: deploy first, the stack creates the identity; then add the DNS records it prints (DkimRecord1..3) and run the preflight again`,
    };
  }
  const { verifiedForSending, verificationStatus, dkimStatus, dkimTokens, dkimOrigin } = identity.value;
  if (verifiedForSending && dkimStatus === 'SUCCESS')
    return { status: 'pass', title, detail: `${domain}: verified for sending, DKIM ${dkimStatus}` };
  const fix: string[] = [];
  if (dkimStatus !== 'SUCCESS') {
    if (dkimOrigin === 'EXTERNAL')
      fix.push(`publish the TXT record of your own DKIM key (<selector>._domainkey.${domain}) as set up in SES`);
    else if (dkimTokens.length > 0)
      fix.push(
        `add these DNS records to ${domain}:`,
        ...dkimRecords(domain, dkimTokens).map((record) => `  ${record}`),
      );
    else fix.push(`turn on Easy DKIM for ${domain} in SES (${region}) and add the three CNAME records it shows`);
    fix.push(
      dkimStatus === 'TEMPORARY_FAILURE'
        ? 'SES could not check the DNS for now; it keeps trying for up to 72 hours'
        : dkimStatus === 'FAILED'
          ? 'SES gave up after 72 hours: once the records resolve, start verification again in the SES console'
          : 'SES checks the records by itself (it can take up to 72 hours); run the preflight again later',
    );
  }
  return {
    status: 'fail',
    title,
    detail: `${domain}: ${verifiedForSending ? 'verified for sending' : `not verified for sending (${verificationStatus ?? 'status unknown'})`}, DKIM ${dkimStatus ?? 'not set up'}`,
    fix,
  };
}

/**
 * Each of the stage's `alarmEmails` has a confirmed email subscription on the stack's alarm topic. `stack` is the
 * deployed stage's stack (its output AlarmTopicArn), `subscriptions` the topic's, when the stack has the output.
 */
export function checkAlarmSubscriptions(
  stack: Answer<StackAnswer>,
  subscriptions: Answer<Subscription[]> | undefined,
  stage: { stackName: string; alarmEmails: string[] },
): CheckResult {
  const title = 'Alarm email';
  if (!stack.ok) return awsFailure(title, 'cloudformation:DescribeStacks', stack.error);
  if (!stack.value.exists)
    return { status: 'skip', title, detail: `${stage.stackName} is not deployed yet: run after the first deploy` };
  const topic = stack.value.outputs.AlarmTopicArn;
  if (!topic || !subscriptions)
    return {
      status: 'skip',
      title,
      detail: `${stage.stackName} (${stack.value.status}) has no AlarmTopicArn output: run after a successful deploy`,
    };
  if (!subscriptions.ok) return awsFailure(title, 'sns:ListSubscriptionsByTopic', subscriptions.error);
  if (stage.alarmEmails.length === 0)
    return {
      status: 'warn',
      title,
      detail: 'the stage sets no alarmEmails: nobody is told when an alarm fires',
      fix: [`add alarmEmails in cdk.json and deploy, or subscribe someone to ${topic}`],
    };
  const emails = subscriptions.value.filter((s) => s.protocol === 'email' || s.protocol === 'email-json');
  const stateOf = (address: string) => {
    const mine = emails.filter((s) => s.endpoint.toLowerCase() === address.toLowerCase());
    if (mine.some((s) => s.subscriptionArn.startsWith('arn:'))) return 'confirmed';
    return mine.length > 0 ? 'pending' : 'missing';
  };
  const states = stage.alarmEmails.map((address) => ({ address, state: stateOf(address) }));
  const pending = states.filter((s) => s.state === 'pending').map((s) => s.address);
  const missing = states.filter((s) => s.state === 'missing').map((s) => s.address);
  if (pending.length === 0 && missing.length === 0)
    return {
      status: 'pass',
      title,
      detail: `${stage.alarmEmails.length === 1 ? stage.alarmEmails[0] : `all ${stage.alarmEmails.length} addresses`} confirmed on the alarm topic`,
    };
  const fix: string[] = [];
  const subscribe = (address: string) =>
    `\`aws sns subscribe --topic-arn ${topic} --protocol email --notification-endpoint ${address}\``;
  if (pending.length > 0)
    fix.push(
      `${pending.join(', ')}: open the email "AWS Notification - Subscription Confirmation" and choose Confirm subscription (the link expires after 3 days; to get a new one, ${subscribe(pending[0]!)})`,
    );
  if (missing.length > 0)
    fix.push(`${missing.join(', ')}: not subscribed; deploy the stage again, or ${subscribe(missing[0]!)}`);
  const parts = [
    pending.length > 0 && `${pending.length} not confirmed (${pending.join(', ')})`,
    missing.length > 0 && `${missing.length} not subscribed (${missing.join(', ')})`,
  ].filter(Boolean);
  const detail =
    stage.alarmEmails.length === 1
      ? `${stage.alarmEmails[0]} ${pending.length > 0 ? 'has not confirmed its subscription' : 'is not subscribed'} to the alarm topic`
      : `of ${stage.alarmEmails.length} alarm addresses, ${parts.join(', ')}`;
  return { status: 'fail', title, detail, fix };
}

const SYMBOL: Record<Status, string> = { pass: '✔', fail: '✖', warn: '–', skip: '–' };

/** The checklist as a person reads it: one line per check, the fix indented under a failure. */
export function checklistText(results: CheckResult[], heading: string): string {
  const lines = [heading];
  for (const { status, title, detail, fix } of results) {
    lines.push(`${SYMBOL[status]} ${title}: ${detail}`);
    for (const [i, step] of (fix ?? []).entries()) lines.push(`    ${i === 0 ? 'fix: ' : '     '}${step}`);
  }
  const tally = (status: Status) => results.filter((r) => r.status === status).length;
  const failures = tally('fail');
  const others = tally('warn') + tally('skip');
  lines.push(
    '',
    failures === 0
      ? `Ready: ${tally('pass')} passed${others ? `, ${others} skipped or warned` : ''}.`
      : `Not ready: ${failures} of ${results.length} checks failed.`,
  );
  return lines.join('\n');
}

/** Exit code for the results: 1 when any check failed, else 0. */
export const exitCode = (results: CheckResult[]): 0 | 1 => (results.some((r) => r.status === 'fail') ? 1 : 0);

/** The CloudFormation stack a stage deploys to, as `lib/app.ts` names it (`stackName`; the CDK id is `Nurture-<stage>`). */
export const deployedStackName = (stage: string): string => `nurture-${stage}`;
