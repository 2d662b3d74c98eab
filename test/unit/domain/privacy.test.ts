import { describe, expect, it } from 'vitest';
import type { StoredLead } from '../../../lambdas/domain/ports.ts';
import {
  addressHash,
  addressKey,
  erasePerson,
  exportPerson,
  hashKeptFor,
  type AuditEntry,
  type PersonStore,
  type StoredPerson,
} from '../../../lambdas/domain/privacy.ts';

const SECRET = 'unit-test-unsubscribe-secret-unit-test';
const key = addressKey(SECRET);

const person = (more: Partial<StoredPerson> = {}): StoredPerson => ({
  email: 'ana@example.com',
  messages: [],
  events: [],
  other: [],
  ...more,
});
const lead = (status: StoredLead['status']) =>
  ({ leadId: 'L1', email: 'ana@example.com', status, consent: { at: 'x', textVersion: 'v1' } }) as StoredLead;

describe('the address hash', () => {
  it('is the same for every spelling of one address, and differs between addresses', () => {
    expect(addressHash(key, ' Ana@Example.COM ')).toBe(addressHash(key, 'ana@example.com'));
    expect(addressHash(key, 'ana@example.com')).not.toBe(addressHash(key, 'ana2@example.com'));
    expect(addressHash(key, 'ana@example.com')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is keyed: another secret gives another hash, and the key is not the unsubscribe secret itself', () => {
    expect(addressHash(addressKey(`${SECRET}-other`), 'ana@example.com')).not.toBe(addressHash(key, 'ana@example.com'));
    expect(key).not.toBe(SECRET);
    expect(addressHash(key, 'ana@example.com')).not.toContain('ana');
  });
});

describe('what an erasure keeps', () => {
  it('the hash, for an address on the suppression list or a lead that unsubscribed, bounced or complained', () => {
    expect(hashKeptFor(person({ suppression: { reason: 'complained' } }))).toBe('complained');
    for (const status of ['unsubscribed', 'bounced', 'complained'] as const)
      expect(hashKeptFor(person({ leadId: 'L1', lead: lead(status) }))).toBe(status);
    expect(hashKeptFor(person({ erased: { reason: 'unsubscribed' } }))).toBe('unsubscribed');
  });

  it('a hash kept as unsubscribed, for "stop everything" and for a marketing opt-out while care went on', () => {
    expect(hashKeptFor(person({ leadId: 'L1', lead: lead('stopped') }))).toBe('unsubscribed');
    const optedOut = { ...lead('active'), optedOutAt: '2026-03-02T10:00:00.000Z' };
    expect(hashKeptFor(person({ leadId: 'L1', lead: optedOut }))).toBe('unsubscribed');
  });

  it('nothing, for a lead that was active, completed its sequence or was rejected by SES', () => {
    for (const status of ['active', 'completed', 'rejected'] as const)
      expect(hashKeptFor(person({ leadId: 'L1', lead: lead(status) }))).toBeUndefined();
    expect(hashKeptFor(person())).toBeUndefined();
  });
});

describe('export and erasure', () => {
  function store(found: StoredPerson) {
    const audits: AuditEntry[] = [];
    const erased: unknown[] = [];
    const people: PersonStore = {
      find: async (email) => ({ ...found, email }),
      erase: async (_person, keep) => {
        erased.push(keep);
        return { lead: 1, addressIndex: 1, suppression: 0, events: 0, other: 0 };
      },
      audit: async (entry) => void audits.push(entry),
    };
    return { deps: { people, now: () => new Date('2026-03-02T15:00:00Z'), who: 'local:ops' }, audits, erased };
  }

  it('export puts consent apart from the lead and audits who, what and when, with the lead id only', async () => {
    const { deps, audits } = store(person({ leadId: 'L1', lead: lead('active') }));
    const exported = await exportPerson(deps, 'ANA@example.com');
    expect(exported).toMatchObject({ email: 'ana@example.com', found: true, consent: { textVersion: 'v1' } });
    expect(exported.lead).not.toHaveProperty('consent');
    expect(audits).toEqual([
      { who: 'local:ops', action: 'export', at: '2026-03-02T15:00:00.000Z', found: true, leadId: 'L1' },
    ]);
  });

  it('erasure of an unsubscribed lead keeps the hash and audits the counts', async () => {
    const { deps, audits, erased } = store(person({ leadId: 'L1', lead: lead('unsubscribed') }));
    expect(await erasePerson(deps, 'ana@example.com')).toMatchObject({ found: true, keptHash: 'unsubscribed' });
    expect(erased).toEqual(['unsubscribed']);
    expect(audits[0]).toMatchObject({ action: 'erase', keptHash: 'unsubscribed', deleted: { lead: 1 } });
    expect(JSON.stringify(audits)).not.toContain('ana@');
  });
});
