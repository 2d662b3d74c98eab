import { describe, expect, it } from 'vitest';
import { nextStep } from '../../../lambdas/domain/branches.ts';
import type { Sequence } from '../../../lambdas/domain/sequence.ts';

const seq = (...ids: string[]): Sequence => ({
  id: 'n',
  window: { start: '09:00', end: '18:00' },
  onePerDay: true,
  steps: ids.map((id) => ({ id, class: 'marketing' as const })),
});

describe('which step a lead gets next', () => {
  it('a new lead starts at the first step', () => {
    expect(nextStep(seq('a', 'b', 'c'), { sentSteps: [] })?.id).toBe('a');
  });

  it('a lead continues after the last step it was sent', () => {
    expect(nextStep(seq('a', 'b', 'c'), { sentSteps: ['a', 'b'] })?.id).toBe('c');
  });

  it('a lead that got every step has nothing next', () => {
    expect(nextStep(seq('a', 'b'), { sentSteps: ['a', 'b'] })).toBeUndefined();
  });

  it('a step marketing removed is skipped', () => {
    // The lead got a and b; b was then removed, and c is next.
    expect(nextStep(seq('a', 'c'), { sentSteps: ['a', 'b'] })?.id).toBe('c');
  });

  it('a step added ahead of the lead is picked up', () => {
    expect(nextStep(seq('a', 'b', 'new', 'c'), { sentSteps: ['a', 'b'] })?.id).toBe('new');
  });

  it('a step added behind the lead is not sent: the lead has passed it', () => {
    expect(nextStep(seq('new', 'a', 'b', 'c'), { sentSteps: ['a', 'b'] })?.id).toBe('c');
  });

  it('renaming a step id is, to a lead who had it, a new step: it is sent again', () => {
    // how-it-works was renamed "hiw": the lead had it under its old id.
    expect(nextStep(seq('welcome', 'hiw', 'who'), { sentSteps: ['welcome', 'how-it-works'] })?.id).toBe('hiw');
  });

  it('moving a step further down changes where a lead continues: after the furthest step it has had', () => {
    // b moved to the end: a lead that had a and b has passed c and d in the new order.
    expect(nextStep(seq('a', 'c', 'd', 'b'), { sentSteps: ['a', 'b'] })).toBeUndefined();
  });
});
