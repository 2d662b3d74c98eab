import { describe, expect, it } from 'vitest';
import { buildReport, type ReportMessage } from '../../../lambdas/domain/report.ts';
import { countLead, withVariants } from '../../../lambdas/domain/report-counts.ts';
import { validateSequences, variantFor, type Sequence, type SequenceStep } from '../../../lambdas/domain/sequence.ts';

const sequence = (id: string, ...steps: SequenceStep[]): Sequence => ({
  id,
  window: { start: '09:00', end: '18:00' },
  onePerDay: true,
  steps,
});
const step = (id: string, byInterest?: SequenceStep['byInterest']): SequenceStep => ({
  id,
  class: 'marketing',
  ...(byInterest && { byInterest }),
});
const research = step('the-research', { 'migraine-with-aura': 'the-research-aura' });

describe('which email a lead gets at a step', () => {
  it('a lead with an interest the step has a variant for gets the variant', () => {
    expect(variantFor(research, 'migraine-with-aura')).toBe('the-research-aura');
  });

  it('a lead with no interest, another interest, or other gets the step’s own email', () => {
    expect(variantFor(research, undefined)).toBeUndefined();
    expect(variantFor(research, 'chronic-migraine')).toBeUndefined();
    expect(variantFor(research, 'other')).toBeUndefined();
    expect(variantFor(step('welcome'), 'migraine-with-aura')).toBeUndefined();
  });

  it('an interest stored before an edit that is no key of the map, even an object’s own name, chooses nothing', () => {
    expect(variantFor(research, 'constructor')).toBeUndefined();
    expect(variantFor(research, 'toString')).toBeUndefined();
  });
});

describe('variants checked at start', () => {
  it('the default kind of variants pass: several interests, one variant shared by two of them', () => {
    const ok = {
      n: sequence(
        'n',
        step('welcome', { 'status-migrainosus': 'welcome-status' }),
        step('who', { 'chronic-migraine': 'who-chronic', 'refractory-migraine': 'who-chronic' }),
        research,
      ),
    };
    expect(() => validateSequences(ok)).not.toThrow();
  });

  it('a byInterest that is not a map of interests to ids is named as such, once', () => {
    const broken = { n: sequence('n', step('welcome', 'welcome-aura' as unknown as SequenceStep['byInterest'])) };
    expect(() => validateSequences(broken)).toThrow(
      /^invalid sequences: n\/welcome: byInterest must map interests to variant ids$/,
    );
  });

  it('one error names every problem: an unknown interest, other, a variant with a step’s id, one used by two steps, a bad id', () => {
    const broken = {
      n: sequence(
        'n',
        step('welcome', { aura: 'welcome-aura' } as SequenceStep['byInterest']),
        step('who', { other: 'who-other', 'chronic-migraine': 'welcome' }),
        step('research', { 'migraine-with-aura': 'shared' }),
      ),
      f: sequence('f', step('after', { 'migraine-with-aura': 'shared', 'chronic-migraine': 'has a space' })),
    };
    let message = '';
    try {
      validateSequences(broken);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('n/welcome (byInterest.aura): not an interest a variant is for');
    expect(message).toContain('n/who (byInterest.other): not an interest a variant is for');
    expect(message).toContain('n/who: variant welcome has the id of a step');
    expect(message).toContain('f/after: variant shared is also a variant of n/research');
    expect(message).toContain(
      'f/after (byInterest.chronic-migraine): a variant id is 1-64 letters, digits, - or _, starting',
    );
  });
});

describe('the report per variant', () => {
  const sequences = { nurture: sequence('nurture', step('welcome'), research) };
  const message = (leadId: string, variant?: string, counts: ReportMessage['counts'] = { Delivery: 1 }) =>
    ({
      leadId,
      sequenceId: 'nurture',
      stepId: 'the-research',
      state: 'sent',
      at: '2026-03-10T14:00:00.000Z',
      counts,
      ...(variant && { variant }),
    }) satisfies ReportMessage;

  it('a variant’s row counts the leads sent it, each also in its step’s row; the rest got the step’s own email', () => {
    const r = buildReport(
      {
        leads: [],
        messages: [
          message('a', 'the-research-aura', { Delivery: 1, Click: 2 }),
          message('b', 'the-research-aura'),
          message('c'),
        ],
        clicks: [],
      },
      { now: new Date('2026-03-20T00:00:00Z'), sequences },
    );
    const row = r.sequences[0]!.steps.find((s) => s.stepId === 'the-research')!;
    expect(row).toMatchObject({ sent: 3, delivered: 3, clicked: 1 });
    expect(row.variants).toEqual([
      expect.objectContaining({ variantId: 'the-research-aura', sent: 2, delivered: 2, clicked: 1, clickRate: 0.5 }),
    ]);
    expect(r.sequences[0]!.steps.find((s) => s.stepId === 'welcome')!.variants).toEqual([]);
  });

  it('a booking after a click on a variant is credited to the variant too, and a variant no longer configured keeps its row', () => {
    const view = {
      lead: { leadId: 'a', status: 'active' as const, sequenceId: 'follow-up', bookedAt: '2026-03-12T00:00:00Z' },
      messages: [{ ...message('a', 'the-research-old', { Delivery: 1, Click: 1 }) }],
      clicks: [{ leadId: 'a', sequenceId: 'nurture', stepId: 'the-research', at: '2026-03-11T00:00:00Z' }],
    };
    const counts = countLead(view, 'nurture');
    expect(counts).toMatchObject({
      'step/nurture/the-research/bookedAfter': 1,
      'variant/nurture/the-research/the-research-old/bookedAfter': 1,
    });
    const r = buildReport(
      { leads: [view.lead], messages: view.messages, clicks: view.clicks },
      { now: new Date('2026-03-20T00:00:00Z'), sequences },
    );
    const row = r.sequences[0]!.steps.find((s) => s.stepId === 'the-research')!;
    expect(row.variants.map((v) => [v.variantId, v.bookedAfter])).toEqual([
      ['the-research-aura', 0],
      ['the-research-old', 1],
    ]);
  });

  it('a step count of a message without a variant adds nothing per variant', () => {
    expect(withVariants({ 'step/nurture/the-research/sent': 1 }, [message('c')])).toEqual({
      'step/nurture/the-research/sent': 1,
    });
  });
});
