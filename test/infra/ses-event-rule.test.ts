/**
 * The stack's EventBridge rule for SES events, checked against AWS's own sample events (test/fixtures/ses-events/,
 * verbatim from the SES developer guide, in the envelope EventBridge delivers), not against our constants. The
 * pattern is read from the synthesized template and matched with EventBridge's documented semantics
 * (test/support/event-pattern.ts).
 */
import { describe, expect, it } from 'vitest';
import { SES_DETAIL_TYPES, SES_EVENT_TYPES } from '../../lambdas/contract.ts';
import { inEnvelope, recordOf, SES_EVENT_SAMPLES } from '../fixtures/ses-events/index.ts';
import { matchesPattern } from '../support/event-pattern.ts';
import { logicalId, ref, synth } from './synth.ts';

const app = synth();
const devStack = app.stacks.dev!;
const rules = Object.values(app.template('dev').findResources('AWS::Events::Rule')).filter(
  (rule) => rule.Properties.EventPattern,
);

/**
 * In AWS the configuration set's `Ref` is its name, and SES writes that name in each event's `ses:configuration-set`
 * tag. A stand-in name for both sides: what CloudFormation would generate for it.
 */
const SET_NAME = 'ConfigurationSet3DD38186-8kTq2RmLw0Zx';
const configurationSet = ref(logicalId(devStack, devStack.configurationSet));
const resolveRefs = (value: unknown): unknown =>
  JSON.stringify(value) === JSON.stringify(configurationSet)
    ? SET_NAME
    : Array.isArray(value)
      ? value.map(resolveRefs)
      : value !== null && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, resolveRefs(inner)]))
        : value;

/** The sample as SES would publish it for a message sent through our configuration set. */
const fromOurSet = (sample: (typeof SES_EVENT_SAMPLES)[number]) => {
  const record = recordOf(sample);
  record.mail.tags['ses:configuration-set'] = [SET_NAME];
  return inEnvelope(sample, record);
};

describe("the SES events rule, against AWS's sample events", () => {
  it('is one rule, with a pattern naming our configuration set', () => {
    expect(rules).toHaveLength(1);
    expect(JSON.stringify(rules[0]!.Properties.EventPattern)).toContain(JSON.stringify(configurationSet));
  });
  const pattern = resolveRefs(rules[0]!.Properties.EventPattern) as Record<string, unknown>;

  it.each(SES_EVENT_SAMPLES.map((sample) => [sample.record.eventType, sample] as const))(
    'a %s event of our configuration set reaches the handler',
    (_type, sample) => {
      expect(matchesPattern(pattern, fromOurSet(sample))).toBe(true);
    },
  );

  it.each(SES_EVENT_SAMPLES.map((sample) => [sample.record.eventType, sample] as const))(
    "a %s event of another configuration set (the sample's own ConfigSet) does not",
    (_type, sample) => {
      expect(sample.record.mail.tags['ses:configuration-set']).toEqual(['ConfigSet']);
      expect(matchesPattern(pattern, inEnvelope(sample))).toBe(false);
    },
  );

  it("names each event type as SES writes it, and each EventBridge detail-type as AWS's reference gives it", () => {
    for (const sample of SES_EVENT_SAMPLES) {
      const type = sample.record.eventType as (typeof SES_EVENT_TYPES)[number];
      expect(SES_EVENT_TYPES).toContain(type);
      expect(SES_DETAIL_TYPES[type]).toBe(sample.detailType);
    }
  });

  it("would have missed AWS's Rendering Failure event with the type written without its space", () => {
    const rendering = SES_EVENT_SAMPLES.find((sample) => sample.file === 'rendering-failure.json')!;
    const withoutSpace = structuredClone(pattern) as { detail: { eventType: string[] } };
    withoutSpace.detail.eventType = withoutSpace.detail.eventType.map((type) => type.replace(' ', ''));
    expect(matchesPattern(withoutSpace, fromOurSet(rendering))).toBe(false);
    expect(matchesPattern(pattern, fromOurSet(rendering))).toBe(true);
  });
});

describe("the pattern matcher follows EventBridge's documented rules", () => {
  // The EventBridge user guide's own example (Arrays in Amazon EventBridge event patterns).
  const resources = {
    resources: [
      'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
      'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
    ],
  };

  it('an array in the event matches when it shares a value with the pattern', () => {
    const event = {
      resources: [
        'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      ],
    };
    expect(matchesPattern(resources, event)).toBe(true);
    expect(matchesPattern(resources, { resources: [event.resources[0]] })).toBe(false);
  });

  it('every field the pattern names must be there, nested the same way, with an exact, case-sensitive value', () => {
    const pattern = { source: ['aws.ses'], detail: { eventType: ['Bounce'] } };
    expect(matchesPattern(pattern, { source: 'aws.ses', detail: { eventType: 'Bounce', other: 1 } })).toBe(true);
    expect(matchesPattern(pattern, { source: 'aws.ses', detail: { eventType: 'bounce' } })).toBe(false);
    expect(matchesPattern(pattern, { source: 'aws.ses', eventType: 'Bounce' })).toBe(false);
    expect(matchesPattern(pattern, { source: 'aws.ses' })).toBe(false);
  });

  it('refuses a content filter it does not implement, rather than guess', () => {
    expect(() => matchesPattern({ source: [{ prefix: 'aws.' }] }, { source: 'aws.ses' })).toThrow(/not implemented/);
  });
});
