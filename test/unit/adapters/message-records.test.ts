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

  it('the link count SES tracks reads back with its message, in a byte or two; records written without one still read', () => {
    const msgs = [
      messageEntry(record('welcome', { messageId: 'a', links: 4 })),
      messageEntry(record('who-it-helps', { variant: 'who-it-helps-refractory', messageId: 'b', links: 250 })),
      messageEntry(record('how-it-works', { messageId: 'c', links: 0 })),
    ];
    const read = messageRecords({ leadId: 'L1', lastMessageId: 'c', msgs });
    expect(read.map((m) => [m.stepId, m.state, m.links])).toEqual([
      ['welcome', 'sent', 4],
      ['who-it-helps', 'sent', 250],
      ['how-it-works', 'sent', 0],
    ]);
    expect(
      msgs[1]!.length -
        messageEntry(record('who-it-helps', { variant: 'who-it-helps-refractory', messageId: 'b' })).length,
    ).toBe(2);
    // As written before the count was kept: a state's letter alone, or its whole name.
    const old = [
      `nurture|welcome|s|${at.getTime().toString(36)}|abcdef`,
      `nurture|how-it-works|sent|${at.getTime().toString(36)}|`,
    ];
    expect(messageRecords({ leadId: 'L1', msgs: old }).map((m) => [m.stepId, m.state, m.links])).toEqual([
      ['welcome', 'sent', undefined],
      ['how-it-works', 'sent', undefined],
    ]);
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
