import { describe, expect, it } from 'vitest';
import { parseImportRow } from '../../../lambdas/domain/import-row.ts';

const context = { now: new Date('2026-12-01T12:00:00Z'), defaultTimeZone: 'America/New_York' };
const row = (fields: Record<string, unknown>) =>
  parseImportRow(
    {
      email: 'Ana@Example.com',
      firstName: 'Ana',
      consentAt: '2025-06-02T15:04:11Z',
      consentSource: 'old CRM web form',
      ...fields,
    },
    context,
  );

describe('an imported row', () => {
  it('becomes a lead profile with its consent as given: when, where, and "imported" as the text version', () => {
    expect(row({ timeZone: 'Europe/London', interest: 'chronic-migraine', page: 'https://clinic.example/m' })).toEqual({
      ok: true,
      profile: {
        email: 'ana@example.com',
        firstName: 'Ana',
        timeZone: 'Europe/London',
        interest: 'chronic-migraine',
        consent: {
          at: '2025-06-02T15:04:11.000Z',
          textVersion: 'imported',
          source: 'old CRM web form',
          page: 'https://clinic.example/m',
        },
        attribution: {},
      },
    });
  });

  it("takes a date alone as that day's midnight UTC, the clinic's zone when none is given, and the row's consent version", () => {
    const parsed = row({ consentAt: '2025-06-02', consentVersion: 'crm-2024' });
    expect(parsed.ok && parsed.profile.consent).toEqual({
      at: '2025-06-02T00:00:00.000Z',
      textVersion: 'crm-2024',
      source: 'old CRM web form',
    });
    expect(parsed.ok && parsed.profile.timeZone).toBe('America/New_York');
  });

  it.each([
    [{ consentAt: undefined }, 'consentAt is required'],
    [{ consentAt: '' }, 'consentAt is required'],
    [{ consentAt: 'last spring' }, 'consentAt is not an ISO 8601 date or time'],
    [{ consentAt: '2026-12-02' }, 'consentAt is in the future.'],
    [{ consentSource: undefined }, 'consentSource is required.'],
    [{ consentSource: '   ' }, 'consentSource is required.'],
  ] as const)('is refused without a consent it can store (%o)', (fields, reason) => {
    const parsed = row(fields);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toContain(reason);
  });

  it.each([
    [{ email: 'not-an-address' }, 'Enter a valid email address, like name@example.com.'],
    [{ firstName: '   ' }, 'First name is required.'],
    [{ firstName: 'Ana\nBcc: x@example.com' }, 'First name must not contain line breaks.'],
    [{ timeZone: 'Mars/Base' }, 'Time zone is not a known IANA time zone, like America/New_York.'],
    [{ interest: 'knees' }, 'Interest must be one of'],
  ] as const)(
    "is refused by the sign-up's own rules (%o), with a reason that never repeats the value",
    (fields, reason) => {
      const parsed = row(fields);
      expect(!parsed.ok && parsed.reason).toContain(reason);
      expect(!parsed.ok && parsed.reason).not.toContain(String(Object.values(fields)[0]));
    },
  );
});
