/**
 * When an imported lead gets its first email: leads are given places in the order they are created, `perDay` to a
 * day from the day `from`, and each place is its share of the send window on that day, in the lead's own zone. So
 * an import never makes a backlog that goes out at once: at most `perDay` leads start a day, spaced evenly across
 * the window (500 over 09:00 to 18:00 is one every 65 seconds), each at a time it could have been sent anyway.
 */
import { DateTime } from 'luxon';
import type { WallClockWindow } from './sequence.ts';

export interface ImportSpread {
  /** The first local day ("yyyy-MM-dd"), in each lead's own zone. */
  from: string;
  /** Leads that start on one day. */
  perDay: number;
  window: WallClockWindow;
  /** Nothing is planned earlier: a place already past today moves to the same time the next day. */
  now: Date;
}

const secondsOf = (hhmm: string) => {
  const [hour = 0, minute = 0] = hhmm.split(':').map(Number);
  return hour * 3600 + minute * 60;
};

/** The first send of the lead in place `place` (0, 1, 2 … in the order leads are created), in `zone`. */
export function importSendTime(place: number, zone: string, spread: ImportSpread): Date {
  const day = Math.floor(place / spread.perDay);
  const start = secondsOf(spread.window.start);
  const length = secondsOf(spread.window.end) - start;
  // The middle of the place's share of the window: never on its edges, and the same share whatever the zone.
  const second = start + Math.floor((((place % spread.perDay) + 0.5) * length) / spread.perDay);
  const at = (days: number) =>
    DateTime.fromISO(spread.from, { zone })
      .plus({ days })
      // A wall time that a DST change skips moves forward to the first valid instant (luxon).
      .set({ hour: Math.floor(second / 3600), minute: Math.floor(second / 60) % 60, second: second % 60 });
  let extra = 0;
  while (at(day + extra).toMillis() < spread.now.getTime()) extra++;
  return at(day + extra).toJSDate();
}
