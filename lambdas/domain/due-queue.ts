/**
 * The leads one dispatcher run works through: read from the due index, and read again as the run takes them up, so a
 * run keeps going for as long as something is due (and its budget lasts), not for one page per shard.
 *
 * - Each lead is offered once per run. A lead this run already took up (sent, retried, rescheduled) may still be
 *   listed by the index for a moment (DynamoDB's index is eventually consistent) or come due again within the run
 *   (a fast local clock): it waits for the next run, so a failing lead is never tried in a loop.
 * - The next read starts while `lowWater` leads are still queued, so workers do not wait on it; a read that finds
 *   nothing new stops that until the queue is empty. With the queue empty, one more read decides: nothing new, and
 *   the run is done.
 * - A complete read (every shard listed all it had due, `complete`) is the last: what it found is everything due when
 *   it was made, and what comes due after that is the next run's. Most runs make that one read and no other.
 */
/** One read of the index: the leads it listed, and whether that was everything due then (no shard held more back). */
export interface DuePage<T> {
  leads: T[];
  complete: boolean;
}

export interface DueQueue<T> {
  /** The next lead to take up, reading more when the queue runs low; undefined when nothing more is due or `stop()`. */
  next(stop: () => boolean): Promise<T | undefined>;
  /** Read the index once now (a run's first read, made even when its budget is already spent). */
  fill(): Promise<void>;
  /** Resolves once no read is under way (so the counts below are final). */
  idle(): Promise<void>;
  /** Leads the index offered this run, each counted once. */
  readonly offered: number;
  /** Leads read but not taken up. */
  readonly left: number;
}

/**
 * `read` lists what is due now, across the run's shards, most overdue first within each shard: lead ids, or the leads
 * as the due index holds them (`DueLead`), told apart by their ids. The first read's
 * failure is the caller's (`fill` throws); a later one ends the reading (`onReadError`), and the run finishes what it
 * holds.
 */
export function dueQueue<T extends string | { leadId: string }>(
  read: () => Promise<DuePage<T>>,
  lowWater: number,
  onReadError: (error: unknown) => void,
): DueQueue<T> {
  const seen = new Set<string>();
  const queue: T[] = [];
  let reading: Promise<void> | undefined;
  // The last read found nothing new: no more reads ahead of need, until the queue is empty.
  let dry = false;
  // A read made with the queue empty found nothing new: the run is done.
  let done = false;

  const fill = (): Promise<void> =>
    (reading ??= (async () => {
      const emptyBefore = queue.length === 0;
      try {
        let fresh = 0;
        const page = await read();
        for (const lead of page.leads) {
          const leadId = typeof lead === 'string' ? lead : lead.leadId;
          if (seen.has(leadId)) continue;
          seen.add(leadId);
          queue.push(lead);
          fresh++;
        }
        dry = fresh === 0 || page.complete;
        if ((fresh === 0 && emptyBefore) || page.complete) done = true;
      } finally {
        reading = undefined;
      }
    })());

  const stopReading = (error: unknown) => {
    if (done) return;
    done = dry = true;
    onReadError(error);
  };

  return {
    fill,
    async next(stop) {
      for (;;) {
        if (stop()) return undefined;
        const lead = queue.shift();
        if (lead !== undefined) {
          if (!dry && queue.length <= lowWater) void fill().catch(stopReading);
          return lead;
        }
        if (done) return undefined;
        await fill().catch(stopReading);
      }
    },
    async idle() {
      await reading?.catch(() => undefined);
    },
    get offered() {
      return seen.size;
    },
    get left() {
      return queue.length;
    },
  };
}
