/**
 * Engagement branches in the pure domain: which step a lead gets next given its human clicks, how it is timed, when a
 * check-in ends the sequence, and the checks at start.
 */
import { describe, expect, it } from 'vitest';
import { nurtureOutline } from '../../../emails/outline.ts';
import { nextStep, route } from '../../../lambdas/domain/branches.ts';
import { planNext } from '../../../lambdas/domain/plan.ts';
import { validateSequences, type Sequence, type SequenceStep } from '../../../lambdas/domain/sequence.ts';

const zone = 'America/New_York';
const monday = new Date('2026-03-02T15:00:00Z'); // 10:00 in New York

const seq = (...steps: (string | SequenceStep)[]): Sequence => ({
  id: 'n',
  window: { start: '09:00', end: '18:00' },
  onePerDay: true,
  steps: steps.map((step) =>
    typeof step === 'string' ? { id: step, class: 'marketing' as const, after: { days: 1 } } : step,
  ),
});
const step = (id: string, more: Partial<SequenceStep> = {}): SequenceStep => ({
  id,
  class: 'marketing',
  after: { days: 1 },
  ...more,
});

/** Every step a lead gets, one after another, when it has made `clicks` on the steps sent so far. */
function path(sequence: Sequence, clicks: string[]): string[] {
  const sent: string[] = [];
  for (let next = nextStep(sequence, { sentSteps: sent }); next;) {
    sent.push(next.id);
    const humanClicks = clicks.filter((click) => sent.includes(click.split(':')[0]!));
    next = nextStep(sequence, { sentSteps: sent, humanClicks });
  }
  return sent;
}

describe('skip', () => {
  const sequence = seq('a', 'b', step('c', { skip: { ifClicked: ['a:cost'] } }), 'd');

  it('a lead who clicked the named link is passed over the step; another link changes nothing', () => {
    expect(path(sequence, ['a:cost'])).toEqual(['a', 'b', 'd']);
    expect(path(sequence, ['a', 'a:book'])).toEqual(['a', 'b', 'c', 'd']);
  });

  it('a machine’s click is no entry at all, so without a human click the step goes', () => {
    expect(path(sequence, [])).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('bring forward', () => {
  const sequence = seq('a', 'b', 'c', step('d', { bringForward: { ifClicked: ['a:cost'] } }), 'e');

  it('the step goes next, then the lead gets every step it went ahead of, and never the step again', () => {
    expect(path(sequence, ['a:cost'])).toEqual(['a', 'd', 'b', 'c', 'e']);
    expect(path(sequence, [])).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('it takes the place and the time of the step that was due', () => {
    const timed = seq(
      step('a', { immediate: true }),
      step('b', { after: { days: 2 } }),
      step('d', { after: { days: 5 }, bringForward: { ifClicked: ['a:cost'] } }),
    );
    expect(route(timed, { sentSteps: ['a'], humanClicks: ['a', 'a:cost'] })).toMatchObject({
      step: { id: 'd' },
      slot: { id: 'b' },
    });
    const plan = planNext(timed, { sentSteps: ['a'], timeZone: zone, humanClicks: ['a:cost'] }, monday, monday);
    // b's 2 days, not d's 5: Wednesday 10:00 in New York.
    expect(plan.next).toEqual({ stepId: 'd', at: new Date('2026-03-04T15:00:00Z') });
  });

  it('in the default nurture, a click on the welcome’s cost link brings the cost email next', () => {
    const plan = planNext(
      nurtureOutline,
      { sentSteps: ['welcome'], timeZone: zone, humanClicks: ['welcome', 'welcome:cost'] },
      monday,
      monday,
    );
    expect(plan.next?.stepId).toBe('cost-and-financing');
    expect(path(nurtureOutline, ['how-it-works:cost', 'how-it-works', 'who-it-helps'])).toEqual([
      'welcome',
      'how-it-works',
      'cost-and-financing',
      'who-it-helps',
      'side-effects',
      'iv-and-nasal',
      'the-research',
      'last-invitation',
    ]);
  });
});

describe('swap', () => {
  const sequence = seq(
    'a',
    'b',
    step('b-for-cost', { after: undefined, insteadOf: { step: 'b', ifClicked: ['a:cost'] } }),
    'c',
  );

  it('the other email goes in the step’s place, and the step never goes', () => {
    expect(path(sequence, ['a:cost'])).toEqual(['a', 'b-for-cost', 'c']);
  });

  it('without the click the swapped-in email never goes', () => {
    expect(path(sequence, ['a'])).toEqual(['a', 'b', 'c']);
  });

  it('once swapped in, the step stays passed even if the click is later taken back (a burst)', () => {
    expect(nextStep(sequence, { sentSteps: ['a', 'b-for-cost'], humanClicks: [] })?.id).toBe('c');
  });
});

describe('check-in', () => {
  const sequence = seq('a', 'b', step('check', { checkIn: { afterUnclicked: 2 } }), step('c', { after: { days: 4 } }));

  it('goes only when the last n marketing emails got no human click', () => {
    expect(path(sequence, [])).toEqual(['a', 'b', 'check', 'c']);
    expect(path(sequence, ['b:book'])).toEqual(['a', 'b', 'c']);
    expect(path(sequence, ['a'])).toEqual(['a', 'b', 'c']);
  });

  it('left unclicked, the sequence ends when the next step comes due, not before', () => {
    const position = { sentSteps: ['a', 'b', 'check'], timeZone: zone };
    const planned = planNext(sequence, position, monday, monday);
    expect(planned).toEqual({ next: { stepId: 'c', at: new Date('2026-03-06T15:00:00Z') }, skipped: [] });
    expect(planNext(sequence, position, monday, new Date('2026-03-06T15:00:00Z'))).toEqual({
      end: 'sunset',
      skipped: [],
    });
  });

  it('a human click on it keeps the sequence going', () => {
    const position = { sentSteps: ['a', 'b', 'check'], timeZone: zone, humanClicks: ['check', 'check:keep'] };
    expect(planNext(sequence, position, monday, new Date('2026-03-07T15:00:00Z')).next?.stepId).toBe('c');
  });

  it('in the default nurture it comes after the side effects, to a lead who clicked none of the four emails', () => {
    expect(path(nurtureOutline, []).slice(0, 5)).toEqual([
      'welcome',
      'how-it-works',
      'who-it-helps',
      'side-effects',
      'check-in',
    ]);
    expect(path(nurtureOutline, ['who-it-helps'])).not.toContain('check-in');
  });
});

describe('marketing’s edits with branches', () => {
  it('a bring-forward step marks no place: a step added ahead of the lead is still picked up after it', () => {
    const sequence = seq('a', 'new', 'b', step('d', { bringForward: { ifClicked: ['a:cost'] } }));
    expect(nextStep(sequence, { sentSteps: ['a', 'd'], humanClicks: ['a:cost'] })?.id).toBe('new');
  });

  it('a bring-forward removed after it fired: the step recorded as sent ahead still marks no place, so the lead gets the steps it went ahead of', () => {
    const plain = seq('a', 'b', 'c', 'd', 'e');
    expect(nextStep(plain, { sentSteps: ['a', 'd'], sentAhead: ['d'] })?.id).toBe('b');
    expect(nextStep(plain, { sentSteps: ['a', 'd', 'b', 'c'], sentAhead: ['d'] })?.id).toBe('e');
    // Without the record it would mark its place, as a moved step does: b and c passed over.
    expect(nextStep(plain, { sentSteps: ['a', 'd'] })?.id).toBe('e');
  });

  it('a swap removed after it fired: the lead goes on after the step it replaced, as if it had been sent', () => {
    const withSwap = seq('a', 'b', step('x', { after: undefined, insteadOf: { step: 'b', ifClicked: ['a'] } }), 'c');
    expect(nextStep(withSwap, { sentSteps: ['a', 'x'] })?.id).toBe('c');
    // Removed: x is no step of the sequence any more, and marks no place; the lead gets b, then c.
    expect(path(seq('a', 'b', 'c'), []).length).toBe(3);
    expect(nextStep(seq('a', 'b', 'c'), { sentSteps: ['a', 'x'] })?.id).toBe('b');
  });
});

describe('the branches checked at start', () => {
  const check = (sequence: Sequence) => () => validateSequences({ [sequence.id]: sequence });

  it('the default sequences pass', () => {
    expect(check(nurtureOutline)).not.toThrow();
  });

  it('a click on a step that is not in the sequence is refused', () => {
    expect(check(seq('a', step('b', { skip: { ifClicked: ['nope:cost'] } })))).toThrow(
      /n\/b: skip on "nope:cost", which names no other step of this sequence/,
    );
  });

  it('a bad link name is refused', () => {
    expect(check(seq('a', step('b', { bringForward: { ifClicked: ['a:Cost Page'] } })))).toThrow(
      /n\/b: bringForward on "a:Cost Page": a link name is 1-32 of a-z, 0-9 and -/,
    );
  });

  it('a branch that names no click, or its own step, is refused', () => {
    expect(check(seq('a', step('b', { skip: { ifClicked: [] } })))).toThrow(/n\/b: skip names no click/);
    expect(check(seq('a', step('b', { skip: { ifClicked: ['b'] } })))).toThrow(/n\/b: skip on "b"/);
  });

  it('a swap for a step that does not exist, or for a swapped-in step (never sent), is refused', () => {
    expect(check(seq('a', step('x', { after: undefined, insteadOf: { step: 'gone', ifClicked: ['a'] } })))).toThrow(
      /n\/x: insteadOf "gone", which is no other step of this sequence/,
    );
    const chain = seq(
      'a',
      'b',
      step('x', { after: undefined, insteadOf: { step: 'b', ifClicked: ['a'] } }),
      step('y', { after: undefined, insteadOf: { step: 'x', ifClicked: ['a'] } }),
    );
    expect(check(chain)).toThrow(/n\/y: insteadOf "x", itself sent only instead of another: never sent/);
  });

  it('a swapped-in step with timing of its own is refused', () => {
    expect(check(seq('a', 'b', step('x', { insteadOf: { step: 'b', ifClicked: ['a'] } })))).toThrow(
      /n\/x: a step sent instead of another takes its timing/,
    );
  });

  it('two branches on one step are refused', () => {
    expect(check(seq('a', step('b', { skip: { ifClicked: ['a'] }, bringForward: { ifClicked: ['a'] } }), 'c'))).toThrow(
      /n\/b: one branch a step \(it has skip, bringForward\)/,
    );
  });

  it('a check-in that can never be due, or has nothing after it to wait for, is refused', () => {
    expect(check(seq('a', step('check', { checkIn: { afterUnclicked: 3 } }), 'b'))).toThrow(
      /n\/check: a check-in after 3 unclicked emails, with 1 before it: never sent/,
    );
    expect(check(seq('a', step('check', { checkIn: { afterUnclicked: 1 } })))).toThrow(
      /n\/check: a check-in waits for a click until the next step is due, and none follows it/,
    );
    expect(check(seq('a', step('check', { checkIn: { afterUnclicked: 0 } }), 'b'))).toThrow(
      /checkIn.afterUnclicked is a whole number/,
    );
  });

  it('a branch in a sequence timed from an appointment is refused', () => {
    const sequence = seq(
      step('a', { class: 'care', appointment: { days: -1, at: '10:00' } }),
      step('b', { class: 'care', skip: { ifClicked: ['a'] } }),
    );
    expect(check(sequence)).toThrow(/n\/branches: a sequence with branches times every step by delay/);
  });

  it('every problem is named in one error', () => {
    const sequence = seq(
      'a',
      step('b', { skip: { ifClicked: ['zz'] } }),
      step('c', { bringForward: { ifClicked: ['a:BAD'] } }),
    );
    expect(check(sequence)).toThrow(/n\/b: skip on "zz".*; n\/c: bringForward on "a:BAD"/);
  });
});
