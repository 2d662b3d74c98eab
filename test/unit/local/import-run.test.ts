import { describe, expect, it } from 'vitest';
import { importText, tomorrow } from '../../../local/import-run.ts';

const summary = {
  dryRun: false,
  rows: 10_030,
  created: 9_984,
  skipped: { present: 1, repeated: 5, suppressed: 0 },
  refused: Array.from({ length: 40 }, (_, i) => ({ line: i * 100 + 2, reason: 'consentAt is in the future.' })),
  firstSendAt: '2026-03-03T14:00:32.000Z',
  lastSendAt: '2026-03-22T22:59:27.000Z',
  from: '2026-03-03',
};

describe("the import's summary, as a person reads it", () => {
  it('gives the counts, why rows were skipped, when the first emails go out, and the first 20 refused rows', () => {
    const text = importText(summary, { file: 'leads.csv', table: 'table nurture-local' });
    expect(text.split('\n').slice(0, 7)).toEqual([
      'Imported leads.csv into table nurture-local.',
      '',
      '  rows     10,030',
      '  created   9,984   first emails go out from 2026-03-03 14:00 UTC to 2026-03-22 22:59 UTC',
      '  skipped       6   1 already a lead, 5 repeated in the file',
      '  refused      40',
      '',
    ]);
    expect(text).toContain(
      'Refused rows, the first 20 of 40 (--json lists them all):\n  line 2: consentAt is in the future.',
    );
    expect(text.split('\n').filter((line) => line.startsWith('  line '))).toHaveLength(20);
  });

  it('says a dry run wrote nothing, and what would happen', () => {
    const text = importText({ ...summary, dryRun: true, refused: [] }, { file: 'leads.csv', table: 'table t' });
    expect(text).toContain('Dry run of leads.csv against table t: nothing was written.');
    expect(text).toContain('first emails would go out from');
    expect(text).not.toContain('Refused rows');
  });

  it("starts tomorrow in the clinic's zone by default", () => {
    // 02:00 UTC on 3 March is still 2 March in New York.
    expect(tomorrow(new Date('2026-03-03T02:00:00Z'), 'America/New_York')).toBe('2026-03-03');
  });
});
