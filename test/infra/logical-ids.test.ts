/**
 * The logical ids CloudFormation knows the stateful resources by, written out as literals. A deploy that changes one
 * replaces the resource: a new, empty table; a new key (and everything encrypted with the old one unreadable once it
 * is deleted); new secrets that break every unsubscribe link already sent and every booking webhook; a new identity
 * to verify again. CDK derives these ids from construct paths, so moving a construct in the tree is enough to change
 * them. If this test fails after a refactor, keep the old ids (see `NurtureStack.allocateLogicalId`); never update
 * the literals here for a stage that has been deployed.
 */
import { describe, expect, it } from 'vitest';
import { synth } from './synth.ts';

/** Logical id → resource type, identical in every stage (the ids do not include the stack name). */
const PINNED: Record<string, string> = {
  // What holds the leads and the secrets: replacing it loses data.
  TableCD117FA1: 'AWS::DynamoDB::Table',
  DataKey17AFBB84: 'AWS::KMS::Key',
  UnsubscribeKeyAE156D09: 'AWS::SecretsManager::Secret',
  BookingWebhookKey4727FBE5: 'AWS::SecretsManager::Secret',
  Identity2D60E2CC: 'AWS::SES::EmailIdentity',
  // Logs kept for the stage's retention.
  ApiAccessLogsE9DF007D: 'AWS::Logs::LogGroup',
  SignupLogs36D6D3EF: 'AWS::Logs::LogGroup',
  UnsubscribeLogs9DCA35A5: 'AWS::Logs::LogGroup',
  DispatchLogsD81576BD: 'AWS::Logs::LogGroup',
  SesEventsLogsEF81DFEB: 'AWS::Logs::LogGroup',
  BookingLogsB4AA61A7: 'AWS::Logs::LogGroup',
  AdminLogs4026B555: 'AWS::Logs::LogGroup',
  ConfirmLogs0147B153: 'AWS::Logs::LogGroup',
  PrivacyLogsFCB64A2B: 'AWS::Logs::LogGroup',
  // Not data, but names that sent emails and outside parties hold: a new API has a new execute-api URL (the links in
  // every email sent, unless the stage sets publicBaseUrl); a new configuration set has a new name, so the SES
  // events of emails already sent no longer match the rule; a new queue drops the dead letters waiting in it; a new
  // alarm topic drops its subscriptions.
  ApiF70053CD: 'AWS::ApiGatewayV2::Api',
  ConfigurationSet3DD38186: 'AWS::SES::ConfigurationSet',
  DeadLettersBBF8BAAB: 'AWS::SQS::Queue',
  MonitoringAlarmTopicAF62D4F1: 'AWS::SNS::Topic',
  // SES events waiting to be recorded, and those the handler failed on: a new queue drops what waits in it.
  SesEventsQueueF9CC1F5C: 'AWS::SQS::Queue',
  SesEventsDeadLetters0B4438CC: 'AWS::SQS::Queue',
};

/**
 * Only in a stage with `customDomain` (the prod fixture's is in a Route 53 zone, so the stack makes the certificate).
 * A new domain resource for the same name fails the deploy (the name is taken) or, once the old one is gone, leaves
 * the API's links unreachable while the new one is set up; a new certificate is validated again.
 */
const PINNED_CUSTOM_DOMAIN: Record<string, string> = {
  DomainNameEC95A6E9: 'AWS::ApiGatewayV2::DomainName',
  Certificate4E7ABB08: 'AWS::CertificateManager::Certificate',
};

const app = synth();

describe.each([
  ['dev', PINNED],
  ['prod', { ...PINNED, ...PINNED_CUSTOM_DOMAIN }],
])('the %s stage', (stage, pinned) => {
  const resources = app.template(stage).toJSON().Resources as Record<string, { Type: string }>;

  it('keeps the logical id of every stateful resource', () => {
    const found = Object.fromEntries(Object.keys(pinned).map((id) => [id, resources[id]?.Type ?? 'missing']));
    expect(found).toEqual(pinned);
  });

  it('has no table, key, secret, identity, log group, queue, API domain or certificate that is not pinned (pin a new one here once it is deployed)', () => {
    const types = new Set([
      'AWS::SQS::Queue',
      'AWS::DynamoDB::Table',
      'AWS::KMS::Key',
      'AWS::SecretsManager::Secret',
      'AWS::SES::EmailIdentity',
      'AWS::Logs::LogGroup',
      'AWS::ApiGatewayV2::DomainName',
      'AWS::CertificateManager::Certificate',
    ]);
    const stateful = Object.entries(resources)
      .filter(([, resource]) => types.has(resource.Type))
      .map(([id]) => id);
    expect(stateful.sort()).toEqual(
      Object.keys(pinned)
        .filter((id) => types.has(pinned[id]!))
        .sort(),
    );
  });
});
