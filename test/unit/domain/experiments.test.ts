import { describe, expect, it } from 'vitest';
import { messageEntry, messageRecords } from '../../../lambdas/adapters/dynamo-lead-item.ts';
import { armBookings, countMessage, recount } from '../../../lambdas/domain/report-counts.ts';
import {
  armCounts,
  armFor,
  assign,
  experimentProblems,
  experimentTag,
  type StepExperiment,
} from '../../../lambdas/domain/experiments.ts';
import { reportFromCounts } from '../../../lambdas/domain/report.ts';
import { validateSequences, type Sequence } from '../../../lambdas/domain/sequence.ts';
import { nurture } from '../../../emails/sequences.ts';

const experiment: StepExperiment = {
  id: 'subject-test',
  variants: [
    { id: 'a', weight: 3 },
    { id: 'b', weight: 1 },
  ],
};
const ids = Array.from({ length: 10_000 }, (_, i) => `lead-${i}`);

describe('assignment', () => {
  it('gives one lead the same variant every time, and another experiment shuffles leads afresh', () => {
    for (const id of ids.slice(0, 200)) expect(assign(experiment, id)).toBe(assign(experiment, id));
    const other = { ...experiment, id: 'another-test' };
    const moved = ids.filter((id) => assign(experiment, id) !== assign(other, id)).length;
    expect(moved).toBeGreaterThan(1000);
  });

  it('shares leads by the weights (3:1 gives about 75% and 25% of 10,000)', () => {
    const b = ids.filter((id) => assign(experiment, id) === 'b').length / ids.length;
    expect(b).toBeGreaterThan(0.23);
    expect(b).toBeLessThan(0.27);
    const four: StepExperiment = {
      id: 'four',
      variants: (['a', 'b', 'c', 'd'] as const).map((id) => ({ id, weight: 1 })),
    };
    for (const arm of ['a', 'b', 'c', 'd']) {
      const share = ids.filter((id) => assign(four, id) === arm).length / ids.length;
      expect(share).toBeGreaterThan(0.23);
      expect(share).toBeLessThan(0.27);
    }
  });

  it('after a decision, a step that falls due then gets the winner; one due before keeps its own variant', () => {
    const decided = {
      status: 'decided',
      winner: 'b',
      at: '2026-03-02T10:00:00.000Z',
      by: 'auto',
      reason: 'r',
    } as const;
    const lead = ids.find((id) => assign(experiment, id) === 'a')!;
    expect(armFor(experiment, lead, decided, '2026-03-02T10:00:00.000Z')).toBe('b');
    expect(armFor(experiment, lead, decided, '2026-03-02T09:59:00.000Z')).toBe('a');
    const stopped = { status: 'stopped', at: '2026-03-02T10:00:00.000Z', by: 'cli', reason: 'r' } as const;
    const onB = ids.find((id) => assign(experiment, id) === 'b')!;
    expect(armFor(experiment, onB, stopped, '2026-03-03T10:00:00.000Z')).toBe('a');
    expect(armFor(experiment, onB, { status: 'running' }, '2026-03-03T10:00:00.000Z')).toBe('b');
  });
});

describe('declarations', () => {
  const sequence = (steps: Sequence['steps']): Record<string, Sequence> => ({
    s: { id: 's', window: { start: '09:00', end: '18:00' }, onePerDay: true, steps },
  });

  it('the default nurture declares a valid experiment on how-it-works', () => {
    expect(nurture.steps.find((step) => step.id === 'how-it-works')?.experiment?.id).toBe('how-it-works-subject');
    expect(experimentProblems({ nurture })).toEqual([]);
  });

  it('names every problem at once: a care step, one variant, no control, a zero weight, a bad id, an id used twice', () => {
    const bad = sequence([
      { id: 'one', class: 'care', experiment },
      { id: 'two', class: 'marketing', experiment: { id: 'x y', variants: [{ id: 'b', weight: 0 }] } },
      { id: 'three', class: 'marketing', experiment },
    ]);
    let message = '';
    try {
      validateSequences(bad);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('s/one: only a marketing step may have an experiment');
    expect(message).toContain('s/two (experiment.id): an experiment id is');
    expect(message).toContain('a weight is above 0');
    expect(message).toContain('an experiment has 2 to 4 variants');
    expect(message).toContain('variant a (the control) is missing');
    expect(message).toContain('s/three: experiment id subject-test is also s/one');
  });
});

describe('records and counts', () => {
  const at = new Date('2026-03-02T10:00:00.000Z');

  it("a message record carries the variant letter and its experiment's 4-character tag in six bytes, with or without an interest variant", () => {
    const tag = experimentTag(experiment.id);
    expect(tag).toMatch(/^[A-Za-z0-9_-]{4}$/);
    expect(experimentTag('another-test')).not.toBe(tag);
    const plain = { leadId: 'l', sequenceId: 'nurture', stepId: 'how-it-works', state: 'sent' as const, at };
    const entry = messageEntry({ ...plain, arm: 'b', experimentTag: tag });
    expect(entry.length - messageEntry(plain).length).toBe(6);
    expect(entry).toContain(`|how-it-works~b${tag}|`);
    const both = { ...plain, stepId: 'who-it-helps', variant: 'who-it-helps-chronic', arm: 'a', experimentTag: tag };
    // As written before the tag was kept: the letter alone, read back with no tag (it counts in no experiment).
    const old = `nurture|side-effects~c|s|${at.getTime().toString(36)}|abcdef`;
    const item = { leadId: 'l', msgs: [entry, messageEntry(both), old] };
    const read = messageRecords(item);
    expect(read).toEqual([
      expect.objectContaining({ stepId: 'how-it-works', arm: 'b', experimentTag: tag }),
      expect.objectContaining({
        stepId: 'who-it-helps',
        variant: 'who-it-helps-chronic',
        arm: 'a',
        experimentTag: tag,
      }),
      expect.objectContaining({ stepId: 'side-effects', arm: 'c', state: 'sent', fingerprint: 'abcdef' }),
    ]);
    expect(read[2]).not.toHaveProperty('experimentTag');
    // Written again, each reads as it was written (an old one stays without a tag).
    expect(read.map((record) => messageEntry(record))).toEqual([
      entry,
      messageEntry(both),
      `nurture|side-effects~c|s|${at.getTime().toString(36)}|`,
    ]);
  });

  it("counts a variant's sends, deliveries and a person's clicks under its experiment, never a message that went with an interest email", () => {
    const tag = experimentTag(experiment.id);
    const message = {
      sequenceId: 'nurture',
      stepId: 'how-it-works',
      state: 'sent' as const,
      arm: 'b',
      experimentTag: tag,
      counts: { Delivery: 1, Open: 1, Click: 2, MachineClick: 1 },
    };
    expect(countMessage(message)).toMatchObject({
      [`arm/nurture/how-it-works/${tag}/b/sent`]: 1,
      [`arm/nurture/how-it-works/${tag}/b/delivered`]: 1,
      [`arm/nurture/how-it-works/${tag}/b/clicked`]: 1,
    });
    // Another experiment of the step (its tag), or one recorded before tags were kept (none), counts apart.
    const ref = { sequenceId: 'nurture', stepId: 'how-it-works', experiment };
    const sent = (counts: Record<string, number>) => armCounts(ref, counts).map((arm) => arm.sent);
    expect(sent(countMessage(message))).toEqual([0, 1]);
    expect(sent(countMessage({ ...message, experimentTag: experimentTag('an-earlier-test') }))).toEqual([0, 0]);
    const { experimentTag: _none, ...untagged } = message;
    expect(countMessage(untagged)).toMatchObject({ 'arm/nurture/how-it-works//b/sent': 1 });
    expect(sent(countMessage(untagged))).toEqual([0, 0]);
    expect(
      Object.keys(countMessage(message)).filter((key) => key.includes('opened') && key.startsWith('arm/')),
    ).toEqual([]);
    const interest = countMessage({ ...message, variant: 'how-it-works-aura' });
    expect(Object.keys(interest).filter((key) => key.startsWith('arm/'))).toEqual([]);
  });

  it('credits a booking to each variant the lead was sent before it booked, and the arms feed the decision', () => {
    const lead = {
      leadId: 'l',
      status: 'completed' as const,
      sequenceId: 'follow-up',
      bookedAt: '2026-03-05T00:00:00.000Z',
    };
    const messages = [
      {
        leadId: 'l',
        sequenceId: 'nurture',
        stepId: 'how-it-works',
        state: 'sent' as const,
        at: at.toISOString(),
        arm: 'b',
        experimentTag: experimentTag(experiment.id),
        counts: { Delivery: 1 },
      },
    ];
    expect(armBookings({ lead, messages })).toEqual({
      [`arm/nurture/how-it-works/${experimentTag(experiment.id)}/b/booked`]: 1,
    });
    expect(armBookings({ lead: { ...lead, bookedAt: '2026-03-01T00:00:00.000Z' }, messages })).toEqual({});
    const counts = recount({ leads: [lead], messages, clicks: [] }, 'nurture');
    const ref = {
      sequenceId: 'nurture',
      stepId: 'how-it-works',
      experiment: { ...experiment, metric: 'bookings' as const },
    };
    expect(armCounts(ref, counts)).toEqual([
      expect.objectContaining({ id: 'a', trials: 0, successes: 0 }),
      expect.objectContaining({ id: 'b', sent: 1, delivered: 1, booked: 1, trials: 1, successes: 1 }),
    ]);
  });
  it("the report shows a step's declared experiment with its own counts only; an earlier one only when the step declares none and a state names it", () => {
    const earlier: StepExperiment = { ...experiment, id: 'earlier-test' };
    const message = (arm: string, tag: string) =>
      countMessage({ sequenceId: 's', stepId: 'one', state: 'sent', arm, experimentTag: tag, counts: { Delivery: 1 } });
    const counts: Record<string, number> = {};
    for (const [arm, tag] of [
      ['a', experimentTag(earlier.id)],
      ['b', experimentTag(earlier.id)],
      ['b', experimentTag(earlier.id)],
      ['b', experimentTag(experiment.id)],
    ] as const)
      for (const [key, value] of Object.entries(message(arm, tag))) counts[key] = (counts[key] ?? 0) + value;
    const sequences = (declared?: StepExperiment) => ({
      s: { id: 's', steps: [{ id: 'one', class: 'marketing' as const, ...(declared && { experiment: declared }) }] },
    });
    const shown = (
      declared?: StepExperiment,
      states: Parameters<typeof reportFromCounts>[1]['experimentStates'] = [],
    ) =>
      reportFromCounts(counts, { now: at, sequences: sequences(declared), experimentStates: states }).sequences[0]!
        .steps[0]!.experiment;
    expect(shown(experiment)).toMatchObject({
      experimentId: experiment.id,
      variants: [
        { variantId: 'a', sent: 0 },
        { variantId: 'b', sent: 1 },
      ],
    });
    // Declared no more: shown only with a state item naming it (decided or stopped), under its own counts.
    expect(shown()).toBeUndefined();
    const stopped = { status: 'stopped', at: at.toISOString(), by: 'cli', reason: 'r' } as const;
    expect(shown(undefined, [{ ...stopped, experimentId: earlier.id, sequenceId: 's', stepId: 'one' }])).toMatchObject({
      experimentId: earlier.id,
      state: { status: 'stopped' },
      variants: [
        { variantId: 'a', sent: 1 },
        { variantId: 'b', sent: 2 },
      ],
    });
  });
});
