/**
 * A small fake of the AWS APIs `npm run preflight` reads, for tests: one HTTP server speaking each service's own wire
 * protocol, so the real SDK clients (pointed here with AWS_ENDPOINT_URL) parse what AWS would send. No emulator covers
 * these calls (aws-ses-v2-local has no GetAccount or GetEmailIdentity; nothing here runs CloudFormation, Lambda or
 * SNS), so this fake stands in, built from the API references' documented shapes:
 *
 *   CloudFormation DescribeStacks         AWS query protocol: form POST (Action, Version 2010-05-15), XML answer
 *     https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html
 *     "If the stack doesn't exist, a ValidationError is returned." The body, as AWS sends it (boto/boto3#2807):
 *     <ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code>
 *       <Message>Stack with id foo does not exist</Message></Error><RequestId>…</RequestId></ErrorResponse>
 *   SNS ListSubscriptionsByTopic          AWS query protocol (Version 2010-03-31), XML; up to 100 a page, NextToken
 *     https://docs.aws.amazon.com/sns/latest/api/API_ListSubscriptionsByTopic.html (NotFound: HTTP 404)
 *     SubscriptionArn is "PendingConfirmation" until the address confirms.
 *   SESv2 GetAccount                      REST-JSON: GET /v2/email/account
 *     https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_GetAccount.html
 *   SESv2 GetEmailIdentity                REST-JSON: GET /v2/email/identities/{EmailIdentity}; NotFoundException 404
 *     https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_GetEmailIdentity.html
 *   Lambda GetAccountSettings             REST-JSON: GET /2016-08-19/account-settings
 *     https://docs.aws.amazon.com/lambda/latest/api/API_GetAccountSettings.html
 *
 * REST-JSON errors carry their code in the `x-amzn-ErrorType` header and `{"message": …}` in the body; query errors
 * are an `ErrorResponse` document. Signatures are not checked. `state` is the account: change it, or replace it,
 * between runs.
 * `requests` lists every operation asked for, so a test can tell the preflight only read.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeStack {
  /** StackStatus: CREATE_COMPLETE, UPDATE_ROLLBACK_COMPLETE, ROLLBACK_COMPLETE, CREATE_IN_PROGRESS, … */
  status: string;
  outputs?: Record<string, string>;
}

export interface FakeIdentity {
  verifiedForSending: boolean;
  /** VerificationStatus: PENDING, SUCCESS, FAILED, TEMPORARY_FAILURE, NOT_STARTED. */
  verificationStatus: string;
  dkim: { status: string; tokens: string[]; origin?: 'AWS_SES' | 'EXTERNAL' };
}

export interface FakeSubscription {
  protocol: string;
  endpoint: string;
  confirmed: boolean;
}

export interface FakeAccountState {
  accountId: string;
  region: string;
  /** By stack name. */
  stacks: Record<string, FakeStack>;
  /** By identity (a domain or an address). */
  identities: Record<string, FakeIdentity>;
  ses: {
    productionAccessEnabled: boolean;
    sendingEnabled: boolean;
    /** HEALTHY, PROBATION or SHUTDOWN. */
    enforcementStatus: string;
    max24HourSend: number;
    maxSendRate: number;
    sentLast24Hours: number;
    /** The production access request (Details.ReviewDetails), if one was made. */
    review?: { status: 'PENDING' | 'FAILED' | 'GRANTED' | 'DENIED'; caseId: string };
  };
  lambda: { concurrentExecutions: number; unreservedConcurrentExecutions: number };
  /** Subscriptions by topic ARN. */
  topics: Record<string, FakeSubscription[]>;
  /** ListSubscriptionsByTopic's page size: 100, as AWS's, unless a test wants to see the paging. */
  subscriptionsPageSize?: number;
}

/** An account ready for the stage's first email: bootstrapped, deployed, production SES, DKIM done, alarms confirmed. */
export function readyAccount(stage: {
  name: string;
  senderDomain: string;
  alarmEmails: string[];
  region?: string;
  accountId?: string;
}): FakeAccountState {
  const region = stage.region ?? 'us-east-1';
  const accountId = stage.accountId ?? '123456789012';
  const topic = `arn:aws:sns:${region}:${accountId}:nurture-${stage.name}-AlarmTopic-1A2B3C4D5E6F`;
  return {
    accountId,
    region,
    stacks: {
      CDKToolkit: {
        status: 'UPDATE_COMPLETE',
        outputs: { BucketName: `cdk-hnb659fds-assets-${accountId}-${region}`, BootstrapVersion: '30' },
      },
      [`nurture-${stage.name}`]: { status: 'CREATE_COMPLETE', outputs: { AlarmTopicArn: topic } },
    },
    identities: {
      [stage.senderDomain]: {
        verifiedForSending: true,
        verificationStatus: 'SUCCESS',
        dkim: { status: 'SUCCESS', tokens: dkimTokens(), origin: 'AWS_SES' },
      },
    },
    ses: {
      productionAccessEnabled: true,
      sendingEnabled: true,
      enforcementStatus: 'HEALTHY',
      max24HourSend: 50_000,
      maxSendRate: 14,
      sentLast24Hours: 0,
    },
    lambda: { concurrentExecutions: 1000, unreservedConcurrentExecutions: 957 },
    topics: { [topic]: stage.alarmEmails.map((endpoint) => ({ protocol: 'email', endpoint, confirmed: true })) },
  };
}

/** Three Easy DKIM tokens (32 lower-case characters each, as SES makes them). */
export function dkimTokens(): string[] {
  return ['a', 'b', 'c'].map((c) => `${c}${randomUUID().replaceAll('-', '').slice(1)}`);
}

export interface FakeAws {
  /** Set AWS_ENDPOINT_URL to this. */
  url: string;
  /** What the fake answers from, read at every request. */
  state: FakeAccountState;
  /** "CloudFormation:DescribeStacks", "SESv2:GetAccount", … in the order asked. */
  requests: string[];
  close(): Promise<void>;
}

export async function startFakeAws(initial: FakeAccountState): Promise<FakeAws> {
  const requests: string[] = [];
  const fake: FakeAws = { url: '', state: initial, requests, close: () => Promise.resolve() };
  const server = createServer((req, res) => {
    void handle(req, res).catch((error: Error) => {
      json(res, 500, { message: error.message }, 'ServiceException');
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { state } = fake;
    const body = await read(req);
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    if (req.method === 'POST' && path === '/') return query(new URLSearchParams(body), res);
    if (req.method === 'GET' && path === '/v2/email/account') {
      requests.push('SESv2:GetAccount');
      return json(res, 200, getAccount(state));
    }
    const identity = /^\/v2\/email\/identities\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && identity) {
      requests.push('SESv2:GetEmailIdentity');
      const name = decodeURIComponent(identity[1]!);
      const found = state.identities[name];
      if (!found) return json(res, 404, { message: `Email identity ${name} does not exist.` }, 'NotFoundException');
      return json(res, 200, getEmailIdentity(found));
    }
    if (req.method === 'GET' && path === '/2016-08-19/account-settings') {
      requests.push('Lambda:GetAccountSettings');
      return json(res, 200, {
        AccountLimit: {
          CodeSizeUnzipped: 262_144_000,
          CodeSizeZipped: 52_428_800,
          ConcurrentExecutions: state.lambda.concurrentExecutions,
          TotalCodeSize: 80_530_636_800,
          UnreservedConcurrentExecutions: state.lambda.unreservedConcurrentExecutions,
        },
        AccountUsage: { FunctionCount: 7, TotalCodeSize: 12_345_678 },
      });
    }
    requests.push(`unknown:${req.method} ${path}`);
    return json(res, 404, { message: `No route for ${req.method} ${path}` }, 'UnknownOperationException');
  }

  function query(params: URLSearchParams, res: ServerResponse): void {
    const { state } = fake;
    const action = params.get('Action') ?? '';
    const version = params.get('Version');
    if (version === '2010-05-15' && action === 'DescribeStacks') {
      requests.push('CloudFormation:DescribeStacks');
      const name = params.get('StackName') ?? '';
      const stack = state.stacks[name];
      if (!stack) return queryError(res, CFN, 400, 'ValidationError', `Stack with id ${name} does not exist`);
      return xml(res, describeStacks(state, name, stack));
    }
    if (version === '2010-03-31' && action === 'ListSubscriptionsByTopic') {
      requests.push('SNS:ListSubscriptionsByTopic');
      const topic = params.get('TopicArn') ?? '';
      const subscriptions = state.topics[topic];
      if (!subscriptions) return queryError(res, SNS, 404, 'NotFound', 'Topic does not exist');
      const start = Number(params.get('NextToken') ?? 0);
      const size = state.subscriptionsPageSize ?? 100;
      return xml(res, listSubscriptions(state, topic, subscriptions, start, size));
    }
    requests.push(`unknown:${action}`);
    return queryError(
      res,
      version === '2010-03-31' ? SNS : CFN,
      400,
      'InvalidAction',
      `The action ${action} is not valid for this web service.`,
    );
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  fake.url = `http://127.0.0.1:${port}`;
  fake.close = () =>
    new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((error) => (error ? reject(error) : resolve()));
    });
  return fake;
}

const CFN = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
const SNS = 'http://sns.amazonaws.com/doc/2010-03-31/';

function read(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'x-amzn-requestid': randomUUID(),
    ...(errorType && { 'x-amzn-errortype': errorType }),
  });
  res.end(JSON.stringify(body));
}

function xml(res: ServerResponse, body: string, status = 200): void {
  res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() });
  res.end(body);
}

const escape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function queryError(res: ServerResponse, namespace: string, status: number, code: string, message: string): void {
  xml(
    res,
    `<ErrorResponse xmlns="${namespace}">
  <Error>
    <Type>Sender</Type>
    <Code>${code}</Code>
    <Message>${escape(message)}</Message>
  </Error>
  <RequestId>${randomUUID()}</RequestId>
</ErrorResponse>
`,
    status,
  );
}

/** DescribeStacks' response, as in the API reference's example (one stack member, its outputs). */
function describeStacks(state: FakeAccountState, name: string, stack: FakeStack): string {
  const stackId = `arn:aws:cloudformation:${state.region}:${state.accountId}:stack/${name}/${randomUUID()}`;
  const outputs = Object.entries(stack.outputs ?? {})
    .map(
      ([key, value]) => `
          <member>
            <OutputKey>${escape(key)}</OutputKey>
            <OutputValue>${escape(value)}</OutputValue>
          </member>`,
    )
    .join('');
  return `<DescribeStacksResponse xmlns="${CFN}">
  <DescribeStacksResult>
    <Stacks>
      <member>
        <StackName>${escape(name)}</StackName>
        <StackId>${stackId}</StackId>
        <CreationTime>2026-11-20T10:15:00.000Z</CreationTime>
        <StackStatus>${stack.status}</StackStatus>
        <DisableRollback>false</DisableRollback>
        <Outputs>${outputs}
        </Outputs>
      </member>
    </Stacks>
  </DescribeStacksResult>
  <ResponseMetadata>
    <RequestId>${randomUUID()}</RequestId>
  </ResponseMetadata>
</DescribeStacksResponse>
`;
}

/** ListSubscriptionsByTopic's response, as in the API reference's example; `NextToken` while more remain. */
function listSubscriptions(
  state: FakeAccountState,
  topic: string,
  all: FakeSubscription[],
  start: number,
  size: number,
): string {
  const page = all.slice(start, start + size);
  const members = page
    .map(
      (s) => `
      <member>
        <TopicArn>${escape(topic)}</TopicArn>
        <Protocol>${escape(s.protocol)}</Protocol>
        <SubscriptionArn>${s.confirmed ? `${escape(topic)}:${randomUUID()}` : 'PendingConfirmation'}</SubscriptionArn>
        <Owner>${state.accountId}</Owner>
        <Endpoint>${escape(s.endpoint)}</Endpoint>
      </member>`,
    )
    .join('');
  const next = start + size < all.length ? `\n    <NextToken>${start + size}</NextToken>` : '';
  return `<ListSubscriptionsByTopicResponse xmlns="${SNS}">
  <ListSubscriptionsByTopicResult>
    <Subscriptions>${members}
    </Subscriptions>${next}
  </ListSubscriptionsByTopicResult>
  <ResponseMetadata>
    <RequestId>${randomUUID()}</RequestId>
  </ResponseMetadata>
</ListSubscriptionsByTopicResponse>
`;
}

/** GetAccount's response syntax (the fields AWS returns for an account; VDM left out). */
function getAccount(state: FakeAccountState) {
  const { ses } = state;
  return {
    DedicatedIpAutoWarmupEnabled: true,
    EnforcementStatus: ses.enforcementStatus,
    ProductionAccessEnabled: ses.productionAccessEnabled,
    SendingEnabled: ses.sendingEnabled,
    SendQuota: { Max24HourSend: ses.max24HourSend, MaxSendRate: ses.maxSendRate, SentLast24Hours: ses.sentLast24Hours },
    SuppressionAttributes: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
    ...(ses.review && {
      Details: {
        MailType: 'MARKETING',
        WebsiteURL: 'https://nurture-fixture-clinic.com',
        ContactLanguage: 'EN',
        UseCaseDescription: 'Educational emails to people who asked for them on the clinic’s sign-up form.',
        ReviewDetails: { Status: ses.review.status, CaseId: ses.review.caseId },
      },
    }),
  };
}

/** GetEmailIdentity's response syntax for a domain identity with Easy DKIM (or a key of its own). */
function getEmailIdentity(identity: FakeIdentity) {
  const external = identity.dkim.origin === 'EXTERNAL';
  return {
    IdentityType: 'DOMAIN',
    FeedbackForwardingStatus: true,
    VerifiedForSendingStatus: identity.verifiedForSending,
    VerificationStatus: identity.verificationStatus,
    DkimAttributes: {
      SigningEnabled: true,
      Status: identity.dkim.status,
      Tokens: external ? undefined : identity.dkim.tokens,
      SigningAttributesOrigin: identity.dkim.origin ?? 'AWS_SES',
      ...(!external && {
        CurrentSigningKeyLength: 'RSA_2048_BIT',
        NextSigningKeyLength: 'RSA_2048_BIT',
        LastKeyGenerationTimestamp: 1_795_000_000,
      }),
    },
    MailFromAttributes: { BehaviorOnMxFailure: 'USE_DEFAULT_VALUE', MailFromDomainStatus: 'NOT_STARTED' },
    Policies: {},
    Tags: [],
  };
}
