import { describe, expect, it } from 'vitest';
import { compareHoldout } from '../../../lambdas/domain/holdout-comparison.ts';

describe('the holdout comparison, in plain words', () => {
  it('says the holdout is off, and how to turn it on, while the share is 0 and no lead is in a group', () => {
    const off = compareHoldout(0, { leads: 0, booked: 0 }, { leads: 0, booked: 0 });
    expect(off.verdict).toBe('off');
    expect(off.summary).toMatch(/holdout is off.*HOLDOUT_SHARE/);
  });

  it('still compares the leads held out earlier after the share goes back to 0', () => {
    expect(compareHoldout(0, { leads: 400, booked: 60 }, { leads: 100, booked: 5 }).verdict).toBe('helps');
  });

  it('says "too small to conclude" with fewer than 30 leads in a group, whatever the rates, and gives the sizes', () => {
    const few = compareHoldout(0.1, { leads: 200, booked: 40 }, { leads: 29, booked: 0 });
    expect(few.verdict).toBe('too-few');
    expect(few.summary).toBe(
      'Too small to conclude: 200 nurture leads (40 booked) and 29 holdout leads (0 booked). The comparison needs at least 30 leads in each group and 5 bookings in all; until then any difference may be luck.',
    );
  });

  it('says "too small to conclude" with fewer than 5 bookings in all', () => {
    expect(compareHoldout(0.5, { leads: 100, booked: 4 }, { leads: 100, booked: 0 }).verdict).toBe('too-few');
    expect(compareHoldout(0.5, { leads: 100, booked: 5 }, { leads: 100, booked: 0 }).verdict).not.toBe('too-few');
  });

  it('says the emails likely help when the whole interval is above 0', () => {
    const helps = compareHoldout(0.1, { leads: 900, booked: 135 }, { leads: 100, booked: 5 });
    expect(helps.verdict).toBe('helps');
    expect(helps.difference!.difference).toBeCloseTo(0.1, 10);
    expect(helps.summary).toMatch(
      /^The nurture's leads booked 10\.0 points more often than the holdout's \(95% interval \d+\.\d to \d+\.\d points\): the emails likely help\.$/,
    );
  });

  it('says "too small to conclude" when the interval includes 0, with the difference and its interval', () => {
    const unclear = compareHoldout(0.1, { leads: 300, booked: 30 }, { leads: 40, booked: 3 });
    expect(unclear.verdict).toBe('unclear');
    expect(unclear.difference!.lower).toBeLessThan(0);
    expect(unclear.summary).toMatch(
      /^Too small to conclude: the nurture's leads booked 2\.5 points more often than the holdout's \(95% interval −\d+\.\d to \d+\.\d points\), and the interval includes 0/,
    );
  });

  it('says the emails likely put people off when the whole interval is below 0', () => {
    const hurts = compareHoldout(0.5, { leads: 500, booked: 10 }, { leads: 500, booked: 60 });
    expect(hurts.verdict).toBe('hurts');
    expect(hurts.summary).toMatch(/booked 10\.0 points less often .*: the emails likely put people off booking\.$/);
  });

  it("gives each group's rate with Wilson's interval", () => {
    const { nurture, holdout } = compareHoldout(0.1, { leads: 50, booked: 45 }, { leads: 0, booked: 0 });
    expect(nurture.rate).toBe(0.9);
    expect(nurture.interval.lower).toBeCloseTo(0.7864, 4);
    expect(holdout).toEqual({ leads: 0, booked: 0, rate: null, interval: { lower: 0, upper: 1 } });
  });
});
