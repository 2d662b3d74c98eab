import { describe, expect, it } from 'vitest';
import { decodeCounted, encodeCounted } from '../../../lambdas/adapters/dynamo-lead-item.ts';
import { countLead } from '../../../lambdas/domain/report-counts.ts';
import { LEAVE_REASONS } from '../../../lambdas/domain/report.ts';

describe("a lead's count for the report, as its item stores it", () => {
  it('every lead total has its own code, and each reads back', () => {
    const totals = [
      'nurture',
      'bookings',
      'afterClick',
      'withoutClick',
      'unsubscribed.marketing',
      'unsubscribed.everything',
      'optIn.asked',
      'optIn.confirmed',
      ...LEAVE_REASONS.map((reason) => `left.${reason}`),
    ];
    const all = Object.fromEntries(totals.map((total) => [`lead/${total}`, 1]));
    const text = encodeCounted(all);
    expect(new Set(text.split(' ')).size).toBe(totals.length);
    expect(decodeCounted(text)).toEqual(all);
  });

  it('reads back as written, in a few bytes, whatever order the keys came in', () => {
    const booked = {
      'step/nurture/how-it-works/bookedAfter': 1,
      'lead/nurture': 1,
      'lead/left.booked': 1,
      'lead/bookings': 1,
      'lead/afterClick': 1,
    };
    const text = encodeCounted(booked);
    expect(text).toBe('ac b lb n step/nurture/how-it-works/bookedAfter');
    expect(decodeCounted(text)).toEqual(booked);
    expect(
      encodeCounted({
        'lead/bookings': 1,
        'lead/afterClick': 1,
        'step/nurture/how-it-works/bookedAfter': 1,
        'lead/left.booked': 1,
        'lead/nurture': 1,
      }),
    ).toBe(text);
  });

  it('a new nurture lead takes 11 bytes; none is "-", not absent; a count other than 1 keeps its number', () => {
    const lead = { leadId: 'L', status: 'active' as const, sequenceId: 'nurture' };
    const text = encodeCounted(countLead({ lead, messages: [], clicks: [] }, 'nurture'));
    expect(text).toBe('la n');
    expect(Buffer.byteLength('counted') + Buffer.byteLength(text)).toBe(11);
    expect(encodeCounted({})).toBe('-');
    expect(decodeCounted('-')).toEqual({});
    expect(decodeCounted(undefined)).toBeUndefined();
    expect(decodeCounted(encodeCounted({ 'lead/nurture': 2, 'step/a/b/sent': -1, 'lead/some.new': 1 }))).toEqual({
      'lead/nurture': 2,
      'step/a/b/sent': -1,
      'lead/some.new': 1,
    });
  });
});
