import { describe, expect, it } from 'vitest';
import { dueQueue, type DueQueue } from '../../../lambdas/domain/due-queue.ts';

/** An index that lists `pages` in turn (the last one again and again), counting its reads; none of them complete. */
function index(pages: string[][], complete = false) {
  let reads = 0;
  return {
    read: async () => ({ leads: pages[Math.min(reads++, pages.length - 1)]!, complete }),
    get reads() {
      return reads;
    },
  };
}

const go = () => false;

async function drain(queue: DueQueue<string>, stop = go): Promise<string[]> {
  const taken: string[] = [];
  for (let id = await queue.next(stop); id !== undefined; id = await queue.next(stop)) taken.push(id);
  await queue.idle();
  return taken;
}

describe("a run's queue of due leads", () => {
  it('reads again as it runs low, and offers each lead once however often the index lists it', async () => {
    const due = index([['a', 'b', 'c'], ['c', 'd', 'e'], ['e', 'f'], []]);
    const queue = dueQueue(due.read, 1, () => {});
    await queue.fill();
    expect(await drain(queue)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(queue.offered).toBe(6);
    expect(queue.left).toBe(0);
  });

  it('ends when a read made with the queue empty finds nothing new, even if the index still lists old leads', async () => {
    // A lead this run took up may still be listed a moment later (an eventually consistent index).
    const due = index([
      ['a', 'b'],
      ['a', 'b'],
    ]);
    const queue = dueQueue(due.read, 0, () => {});
    await queue.fill();
    expect(await drain(queue)).toEqual(['a', 'b']);
    expect(due.reads).toBe(2);
  });

  it('a complete read is the last: the run hands out what it found and reads no more', async () => {
    const due = index([['a', 'b', 'c'], ['d']], true);
    const queue = dueQueue(due.read, 2, () => {});
    await queue.fill();
    expect(await drain(queue)).toEqual(['a', 'b', 'c']);
    expect(due.reads).toBe(1);
  });

  it('takes nothing once told to stop, and counts what it read but did not hand out', async () => {
    const queue = dueQueue(index([['a', 'b', 'c']]).read, 0, () => {});
    await queue.fill();
    let handed = 0;
    expect(await drain(queue, () => handed++ >= 1)).toEqual(['a']);
    expect(queue.offered).toBe(3);
    expect(queue.left).toBe(2);
  });

  it("a failed read after the first ends the reading, once, and the run finishes what it holds; the first read's failure is the caller's", async () => {
    const failures: unknown[] = [];
    let reads = 0;
    const queue = dueQueue(
      async () => {
        if (reads++ === 0) return { leads: ['a', 'b'], complete: false };
        throw new Error('throttled');
      },
      5,
      (error) => failures.push(error),
    );
    await queue.fill();
    expect(await drain(queue)).toEqual(['a', 'b']);
    expect(failures).toHaveLength(1);

    const failing = dueQueue(
      () => Promise.reject(new Error('no table')),
      0,
      () => {},
    );
    await expect(failing.fill()).rejects.toThrow('no table');
  });

  it('holds the leads as the index lists them, each lead once by its id however often it is listed', async () => {
    const lead = (leadId: string, dueAt: number) => ({ leadId, dueAt });
    let reads = 0;
    const pages = [[lead('a', 1), lead('b', 2)], [lead('b', 3), lead('c', 4)], []];
    const queue = dueQueue(
      async () => ({ leads: pages[Math.min(reads++, pages.length - 1)]!, complete: false }),
      1,
      () => {},
    );
    await queue.fill();
    const taken: { leadId: string; dueAt: number }[] = [];
    for (let next = await queue.next(go); next !== undefined; next = await queue.next(go)) taken.push(next);
    await queue.idle();
    // The first listing of a lead is the one handed out: a later one is not offered again in the same run.
    expect(taken).toEqual([lead('a', 1), lead('b', 2), lead('c', 4)]);
    expect(queue.offered).toBe(3);
  });

  it('starts the next read while lowWater leads are still queued, so a worker does not wait on it', async () => {
    const due = index([['a', 'b', 'c', 'd'], ['e'], []]);
    const queue = dueQueue(due.read, 1, () => {});
    await queue.fill();
    const readsWhenTaken: Record<string, number> = {};
    for (let id = await queue.next(go); id !== undefined; id = await queue.next(go)) readsWhenTaken[id] = due.reads;
    // Taking c leaves one queued (d): the second read starts then, not once the queue is empty.
    expect(readsWhenTaken).toMatchObject({ a: 1, b: 1, c: 2 });
  });

  it('a read ahead that finds nothing new stops reading ahead: one more read, with the queue empty, ends the run', async () => {
    // The index lists the leads this run holds, and nothing else, until the end.
    const due = index([
      ['a', 'b', 'c', 'd', 'e'],
      ['a', 'b', 'c', 'd', 'e'],
    ]);
    const queue = dueQueue(due.read, 3, () => {});
    await queue.fill();
    expect(await drain(queue)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(due.reads).toBe(3); // the first, one ahead (nothing new), the last
  });
});
