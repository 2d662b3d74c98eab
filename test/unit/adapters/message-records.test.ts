import { describe, expect, it } from 'vitest';
import {
  decodeCounted,
  encodeCounted,
  messageEntry,
  messageRecords,
} from '../../../lambdas/adapters/dynamo-lead-item.ts';
import type { MessageRecord } from '../../../lambdas/domain/ports.ts';

const at = new Date('2026-03-10T14:00:00.000Z');
const record = (stepId: string, extra: Partial<MessageRecord> = {}): MessageRecord => ({
  leadId: 'L1',
  sequenceId: 'nurture',
  stepId,
  state: 'sent',
  at,
  ...extra,
});

describe("the lead's message records, as its item stores them", () => {
  it('a variant reads back with its step, and a step without one reads back without', () => {
    const msgs = [
      messageEntry(record('welcome', { messageId: 'a' })),
      messageEntry(record('who-it-helps', { variant: 'who-it-helps-chronic', messageId: 'b' })),
      messageEntry(
        record('the-research', { state: 'unconfirmed', variant: 'the-research-aura', reason: 'ECONNRESET' }),
      ),
    ];
    const read = messageRecords({ leadId: 'L1', msgs });
    expect(read.map((m) => [m.stepId, m.variant, m.state, m.reason])).toEqual([
      ['welcome', undefined, 'sent', undefined],
      ['who-it-helps', 'who-it-helps-chronic', 'sent', undefined],
      ['the-research', 'the-research-aura', 'unconfirmed', 'ECONNRESET'],
    ]);
    // Without its step's id, which it starts with: a dozen bytes fewer on the lead item.
    expect(msgs[1]).toMatch(/^nurture\|who-it-helps\+-chronic\|s\|/);
    const other = messageEntry(record('welcome', { variant: 'status-first' }));
    expect(other).toMatch(/^nurture\|welcome\+status-first\|s\|/);
    expect(messageRecords({ leadId: 'L1', msgs: [other] })[0]?.variant).toBe('status-first');
  });

  it("a lead's count with a variant's key reads back whole", () => {
    const counts = {
      'lead/bookings': 1,
      'step/nurture/who-it-helps/bookedAfter': 1,
      'variant/nurture/who-it-helps/who-it-helps-chronic/bookedAfter': 1,
    };
    expect(decodeCounted(encodeCounted(counts))).toEqual(counts);
  });
});
