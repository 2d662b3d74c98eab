import { describe, expect, it } from 'vitest';
import { formatOf, pinpointFields } from '../../../lambdas/adapters/lead-file.ts';

const endpoint = (overrides: Record<string, unknown> = {}) => ({
  ChannelType: 'EMAIL',
  Address: 'ana@example.com',
  EndpointStatus: 'ACTIVE',
  OptOut: 'NONE',
  Demographic: { Timezone: 'America/Chicago' },
  Attributes: { consentAt: ['2025-06-02'], consentSource: ['web form'] },
  User: { UserId: 'u1', UserAttributes: { FirstName: ['Ana', 'Anita'], 'Last Name': ['Reyes'], Shoe: ['9'] } },
  ...overrides,
});

describe("a Pinpoint endpoint as an import row's fields", () => {
  it("takes the address, Demographic.Timezone, and attributes named as the CSV's columns (first value of each); others are dropped", () => {
    expect(pinpointFields(endpoint())).toEqual({
      fields: {
        email: 'ana@example.com',
        timeZone: 'America/Chicago',
        firstName: 'Ana',
        lastName: 'Reyes',
        consentAt: '2025-06-02',
        consentSource: 'web form',
      },
    });
  });

  it.each([
    [{ ChannelType: 'SMS' }, 'not an email endpoint (ChannelType SMS)'],
    [{ OptOut: 'ALL' }, 'opted out in Pinpoint (OptOut ALL)'],
    [{ EndpointStatus: 'INACTIVE' }, 'inactive in Pinpoint (EndpointStatus INACTIVE)'],
  ] as const)('is refused when it is not a lead to email (%o)', (overrides, problem) => {
    expect(pinpointFields(endpoint(overrides))).toEqual({ problem });
  });

  it('is refused when a line is not an object', () => {
    expect(pinpointFields([1, 2])).toEqual({ problem: 'not a Pinpoint endpoint (a JSON object a line)' });
  });
});

describe("a lead file's format, from its name", () => {
  it.each([
    ['leads.csv', 'csv'],
    ['LEADS.CSV.gz', 'csv'],
    ['endpoints.jsonl', 'pinpoint'],
    ['export/6e0b7591.json.gz', 'pinpoint'],
    ['export/6e0b7591.gz', 'pinpoint'],
    ['leads.xlsx', undefined],
  ])('%s: %s', (name, format) => {
    expect(formatOf(name)).toBe(format);
  });
});
