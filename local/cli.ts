/**
 * The options of the project's own commands (`npm start`, `npm run report`, …), read one way:
 *   --help or -h          the usage on stdout, exit 0
 *   an unknown option, a missing or bad value, a stray argument
 *                         one line on stderr naming it ("timeline: unknown option --tzz"), then the usage; exit 2
 * Never a stack trace. Built on node:util's parseArgs (strict): no dependency, and what check:emails already uses.
 * Values are checked with an optional zod schema whose messages follow "--option: ", so they say the value too:
 *   z.string().refine(isValidTimeZone, { error: bad('is not a time zone') })  →  timeline: --tz: "Mars/Base" is not a time zone
 * Call `command(…)` before starting anything (emulators, servers, table reads): it exits on --help and bad input.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { z } from 'zod';

type Options = NonNullable<ParseArgsConfig['options']>;
type WithHelp<O extends Options> = O & { help: { type: 'boolean'; short: 'h' } };
/** What parseArgs gives for these options (strict), without `help`. */
export type OptionValues<O extends Options> = Omit<
  ReturnType<typeof parseArgs<{ options: WithHelp<O>; strict: true; allowPositionals: true }>>['values'],
  'help'
>;

export interface CommandSpec<O extends Options> {
  /** The npm script: errors start with "name: ". */
  name: string;
  /** The whole usage text, starting "usage: npm run name …"; printed for --help and after every error. */
  usage: string;
  options: O;
  /** Whether the command takes arguments that are not options (default: no, and a stray one is an error). */
  positionals?: boolean;
  /** argv without node and the script (default: process.argv.slice(2)). */
  args?: string[];
}

export interface Command<V> {
  values: V;
  positionals: string[];
  /** One line naming what is wrong, then the usage, on stderr; exit 2. */
  fail: (problem: string) => never;
}

/** Read the command line; exits on --help (0) and on anything it cannot take (2). */
export function command<O extends Options>(spec: CommandSpec<O>): Command<OptionValues<O>>;
/** Read the command line and check (and convert) the option values with `schema`. */
export function command<O extends Options, S extends z.ZodType>(
  spec: CommandSpec<O> & { schema: S },
): Command<z.output<S>>;
export function command<O extends Options>(spec: CommandSpec<O> & { schema?: z.ZodType }): Command<unknown> {
  const fail = (problem: string): never => usageError(spec, problem);
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: spec.args ?? process.argv.slice(2),
      options: { ...spec.options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: spec.positionals ?? false,
    });
  } catch (error) {
    return fail(parseProblem(error as Error & { code?: string }));
  }
  const { help, ...values } = parsed.values;
  if (help) {
    process.stdout.write(`${spec.usage.trimEnd()}\n`);
    process.exit(0);
  }
  if (!spec.schema) return { values, positionals: parsed.positionals, fail };
  const checked = spec.schema.safeParse(values);
  if (!checked.success) {
    const [issue] = checked.error.issues;
    const key = issue?.path[0];
    if (typeof key !== 'string') return fail(issue?.message ?? 'bad options');
    // A required option not given: the schema's message would be about a value there is none of.
    if ((values as Record<string, unknown>)[key] === undefined) return fail(`missing --${key}`);
    return fail(`--${key}: ${issue!.message}`);
  }
  return { values: checked.data, positionals: parsed.positionals, fail };
}

/** A zod error message that quotes the value: `bad('is not a time zone')` → `"Mars/Base" is not a time zone`. */
export function bad(what: string): (issue: { input?: unknown }) => string {
  return (issue) => `"${String(issue.input)}" ${what}`;
}

/** One line naming the problem, then the usage, on stderr; exit 2. */
export function usageError(spec: Pick<CommandSpec<Options>, 'name' | 'usage'>, problem: string): never {
  process.stderr.write(`${spec.name}: ${problem}\n${spec.usage.trimEnd()}\n`);
  process.exit(2);
}

/** parseArgs' error, as one line that names the option or argument. */
export function parseProblem(error: Error & { code?: string }): string {
  const quoted = /'([^']+)'/.exec(error.message)?.[1] ?? '';
  // "-s, --speed <value>" → "--speed"
  const option = /--[^\s,<]+/.exec(quoted)?.[0] ?? quoted.split(/[\s,]/)[0] ?? quoted;
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument "${quoted}"`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/argument missing/.test(error.message)) return `${option} needs a value`;
      if (/does not take an argument/.test(error.message)) return `${option} takes no value`;
      if (/ambiguous/.test(error.message))
        return `${option} needs a value (write ${option}=VALUE for one that starts with "-")`;
  }
  return error.message.split('\n')[0]!;
}
