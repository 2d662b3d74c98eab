import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { shardFor } from '../../../lambdas/domain/lead.ts';

describe("a lead's due-index shard", () => {
  it('spreads lead ids made within one second evenly over the shards, so no partition of the due index runs hot', () => {
    const at = Date.parse('2026-03-02T15:00:00Z');
    const counts = Array.from({ length: 8 }, () => 0);
    for (let i = 0; i < 1_600; i++) counts[shardFor(ulid(at + (i % 1000)), 8)]! += 1;
    // 200 a shard on average; a hash that ignored the id, or part of it, would put them all in one or a few.
    for (const count of counts) expect(count).toBeGreaterThan(140);
  });

  it('is the same for a lead every time, and in range', () => {
    const leadId = '01KB4S6ZQ3VZ9S9V8T6N5W0XGE';
    expect(shardFor(leadId, 8)).toBe(shardFor(leadId, 8));
    for (const shards of [1, 3, 8, 16]) {
      const shard = shardFor(leadId, shards);
      expect(Number.isInteger(shard) && shard >= 0 && shard < shards).toBe(true);
    }
  });
});
