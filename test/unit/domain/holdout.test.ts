import { describe, expect, it } from 'vitest';
import { followUpOutline, nurtureOutline, rescheduleOutline } from '../../../emails/outline.ts';
import { heldOut, holdoutDraw, holdoutGroup } from '../../../lambdas/domain/holdout.ts';
import { planNext } from '../../../lambdas/domain/plan.ts';

const ids = Array.from({ length: 10_000 }, (_, i) => `01JH${String(i).padStart(6, '0')}ABCDEFGHJKMNPQ`);

describe('the holdout group', () => {
  it('is the same for the same lead id, every time', () => {
    for (const id of ids.slice(0, 50)) {
      expect(holdoutGroup(id, 0.1)).toBe(holdoutGroup(id, 0.1));
      expect(holdoutDraw(id)).toBe(holdoutDraw(id));
    }
  });

  it.each([0.1, 0.25, 0.5])('holds out a share of %s of 10,000 ids, within 1.5 points', (share) => {
    const held = ids.filter((id) => holdoutGroup(id, share) === 'h').length;
    // Binomial standard deviation at 0.5 and 10,000 is 0.5 points: 1.5 points is three of them.
    expect(Math.abs(held / ids.length - share)).toBeLessThan(0.015);
  });

  it('records no group when the share is 0: the lead is in neither group', () => {
    expect(ids.slice(0, 100).map((id) => holdoutGroup(id, 0))).toEqual(Array(100).fill(undefined));
  });

  it('a lead held out at 10% stays held out at 20%: raising the share only adds leads to the holdout', () => {
    for (const id of ids.slice(0, 2000)) if (holdoutGroup(id, 0.1) === 'h') expect(holdoutGroup(id, 0.2)).toBe('h');
  });
});

describe('what a held-out lead gets', () => {
  const [welcome, second] = nurtureOutline.steps;
  const at = new Date('2026-03-02T15:00:00Z');
  const after = (grp: 'h' | 'n' | undefined) =>
    planNext(nurtureOutline, { sentSteps: ['welcome'], timeZone: 'America/New_York', ...(grp && { grp }) }, at, at);

  it('the welcome, like everyone', () => {
    expect(heldOut(nurtureOutline, 'h', welcome)).toBe(false);
    expect(
      planNext(nurtureOutline, { sentSteps: [], timeZone: 'America/New_York', grp: 'h' }, at, at).next?.stepId,
    ).toBe('welcome');
  });

  it('nothing more from the nurture after the welcome, and no step recorded as skipped', () => {
    expect(after('h')).toEqual({ skipped: [] });
    expect(after('n').next?.stepId).toBe(second.id);
    expect(after(undefined).next?.stepId).toBe(second.id);
  });

  it('the care emails after a booking and the reschedule nudge, like everyone', () => {
    for (const step of [...followUpOutline.steps, ...rescheduleOutline.steps])
      expect(heldOut(step.id === 'reschedule-nudge' ? rescheduleOutline : followUpOutline, 'h', step)).toBe(false);
  });
});
