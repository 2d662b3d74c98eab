/**
 * `npm run check:emails`: render every email of every sequence (and every template in emails/) and check it
 * against the content rules. `npm run check:emails -- path/to/template.tsx …` checks only those files.
 * Exits 1 when any email has a problem, after saying what to fix.
 */
import { sequences } from '../emails/sequences.ts';
import { checkTemplate, emailsFromFiles, emailsToCheck, formatProblems } from './email-checks.ts';

const files = process.argv.slice(2);
const emails = files.length ? await emailsFromFiles(files) : await emailsToCheck(sequences);
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
console.log(failed ? `\n${failed} of ${emails.length} emails need a fix before they can be sent.` : `\nAll ${emails.length} emails pass the content checks.`);
process.exitCode = failed ? 1 : 0;
