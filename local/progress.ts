/**
 * What a long command is doing, on stderr (stdout stays for its result, a table or --json):
 *   [bench 0:42] due: seeding leads: 40,000 of 101,000
 * On a terminal a count rewrites its own line; elsewhere (CI, a log file) it prints at most one line every few
 * seconds. With `quietFor`, nothing is printed unless the work is still going after that long: a quick command stays
 * quiet, and a slow one says what it is doing.
 */

export interface Progress {
  /** What is being done now, as a line of its own. */
  step(message: string): void;
  /** How far a counted piece of work has got; the first count of a new message shows at once. */
  count(message: string, done: number, total?: number): void;
  /** The work is over: a last line (when anything was shown or `always`), and no more timers. */
  done(message?: string, options?: { always?: boolean }): void;
}

export interface ProgressOptions {
  stream?: { write(text: string): unknown; isTTY?: boolean };
  /** Say nothing until the work has taken this long (ms); default 0. */
  quietFor?: number;
  /** Off a terminal, the least time between two count lines (ms); default 5000. A terminal's line is redrawn up to 10 times a second. */
  every?: number;
  now?: () => number;
}

const number = new Intl.NumberFormat('en-US');

/** m:ss since `ms` (or h:mm:ss). */
export function elapsed(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const [h, m, s] = [Math.floor(seconds / 3600), Math.floor(seconds / 60) % 60, seconds % 60];
  const pad = (n: number) => String(n).padStart(2, '0');
  return h ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

export function progress(
  label: string,
  { stream = process.stderr, quietFor = 0, every = 5000, now = Date.now }: ProgressOptions = {},
): Progress {
  const started = now();
  const tty = Boolean(stream.isTTY);
  let shown = quietFor <= 0;
  let over = false;
  let pending: string | undefined; // the latest line while quiet, printed if the work outlasts `quietFor`
  let open = false; // a count line on the terminal waits to be rewritten
  let lastCount = -Infinity;
  let lastCounted: string | undefined; // the message of the last count shown: a new one shows at once

  const line = (message: string) => `[${label} ${elapsed(now() - started)}] ${message}`;
  const write = (message: string, rewritable = false) => {
    if (tty) stream.write(`${open ? '\r\x1b[K' : ''}${line(message)}${rewritable ? '' : '\n'}`);
    else stream.write(`${line(message)}\n`);
    open = tty && rewritable;
    pending = undefined;
  };
  const timer =
    quietFor > 0
      ? setTimeout(() => {
          shown = true;
          if (pending !== undefined && !over) write(pending, true);
        }, quietFor)
      : undefined;
  timer?.unref();

  return {
    step(message) {
      if (over) return;
      if (shown) write(message);
      else pending = message;
    },
    count(message, done, total) {
      if (over) return;
      const text = () =>
        `${message}: ${number.format(done)}${total === undefined ? '' : ` of ${number.format(total)}`}`;
      if (!shown) {
        pending = text();
        return;
      }
      const at = now();
      const last = total !== undefined && done >= total;
      if (!last && message === lastCounted && at - lastCount < (tty ? 100 : every)) return;
      lastCount = at;
      lastCounted = message;
      write(text(), !last);
    },
    done(message, { always = false } = {}) {
      if (over) return;
      over = true;
      clearTimeout(timer);
      if (message !== undefined && (shown || always)) write(message);
      else if (open) stream.write('\n');
      open = false;
    },
  };
}
