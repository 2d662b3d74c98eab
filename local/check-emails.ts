/**
 * `npm run check:emails`: render every email of every sequence, every step's variants by interest (`byInterest`) and
 * every template in emails/, and check it against the content rules, the source registry's included
 * (local/source-checks.ts). Exits 1 when any email has a problem, after saying what to fix.
 *
 *   npm run check:emails                                   check every email
 *   npm run check:emails -- emails/welcome.tsx …           check only these templates
 *   npm run check:emails -- --claims                       print the claims sheet (Markdown) for the medical director
 *   npm run check:emails -- --claims --out docs/claims-sheet.md   write it to a file instead
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';

const USAGE = `usage: npm run check:emails [-- [--claims [--out FILE]] [TEMPLATE.tsx …]]
  (no options)     check every email of every sequence; exit 1 if any needs a fix
  TEMPLATE.tsx …   check only these template files
  --claims         print the claims sheet (Markdown): every factual sentence with its source, for the medical director
  --out FILE       with --claims: write the sheet to FILE (e.g. docs/claims-sheet.md) instead of printing it
  --help           show this help`;

const args = parseArguments();
if (args.values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (args.values.out !== undefined && !args.values.claims) fail('check:emails: --out needs --claims');

// Loaded after the options are read, so --help and a mistyped option answer at once.
const [
  { clinic },
  { sequences },
  { claimsSheet },
  { checkTemplate, formatProblems },
  { emailsFromFiles, emailsToCheck },
] = await Promise.all([
  import('../emails/clinic.ts'),
  import('../emails/sequences.ts'),
  import('./claims-sheet.ts'),
  import('./email-checks.ts'),
  import('./email-templates.ts'),
]);

const files = args.positionals;
const emails = files.length ? await emailsFromFiles(files) : await emailsToCheck(sequences);

if (args.values.claims) {
  const sheet = await claimsSheet(emails, {
    clinic,
    sequences,
    generated: new Date(),
    commit: gitCommit(),
    check: (template) => checkTemplate(template),
  });
  if (args.values.out) {
    mkdirSync(dirname(args.values.out), { recursive: true });
    writeFileSync(args.values.out, sheet);
    console.log(
      `Wrote the claims sheet for ${emails.length} email${emails.length === 1 ? '' : 's'} to ${args.values.out}.`,
    );
  } else {
    process.stdout.write(sheet);
  }
} else {
  let failed = 0;
  for (const email of emails) {
    const problems = await checkTemplate(email.template);
    if (problems.length === 0) {
      console.log(`✓ ${email.file}`);
    } else {
      failed++;
      console.log(formatProblems(email, problems));
    }
  }
  console.log(
    failed
      ? `\n${failed} of ${emails.length} emails need a fix before they can be sent.`
      : `\nAll ${emails.length} emails pass the content checks.`,
  );
  process.exitCode = failed ? 1 : 0;
}

function parseArguments() {
  try {
    return parseArgs({
      allowPositionals: true,
      strict: true,
      options: {
        claims: { type: 'boolean', default: false },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    const unknown = code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && /'([^']+)'/.exec(message)?.[1];
    return fail(unknown ? `check:emails: unknown option ${unknown}` : `check:emails: ${message.split('\n')[0]}`);
  }
}

/** The commit the emails come from, and whether emails/ has changes since; undefined outside a git checkout. */
function gitCommit(): { sha: string; dirty: boolean } | undefined {
  try {
    const git = (...argv: string[]) =>
      execFileSync('git', argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return { sha: git('rev-parse', 'HEAD'), dirty: git('status', '--porcelain', '--', 'emails').length > 0 };
  } catch {
    return undefined;
  }
}

function fail(line: string): never {
  console.error(`${line}\n${USAGE}`);
  process.exit(2);
}
