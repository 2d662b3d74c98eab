import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { clinic } from '../../../emails/clinic.ts';
import { interestEmails } from '../../../emails/interest-emails.ts';
import { sequences } from '../../../emails/sequences.ts';
import { sources, type Source } from '../../../emails/sources.ts';
import { claimsSheet, inSequenceOrder } from '../../../local/claims-sheet.ts';
import { mdText } from '../../../local/markdown.ts';
import { checkTemplate } from '../../../local/email-checks.ts';
import { renderForCheck } from '../../../local/email-render.ts';
import { emailsFromFiles, emailsToCheck, interestEmailSentAs } from '../../../local/email-templates.ts';

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'local/check-emails.ts', ...args], { encoding: 'utf8' });

describe('Markdown', () => {
  it('a registry text with a pipe does not break the appendix table', async () => {
    const piped = {
      ...sources.pomeroy2017,
      facts: { patients: { ...sources.pomeroy2017.facts.patients, measures: 'records | reviewed' } },
    } satisfies Source;
    const sheet = await claimsSheet([], {
      clinic,
      sequences,
      generated: new Date('2026-03-01T12:00:00Z'),
      check: async () => [],
      registry: { pomeroy2017: piped },
    });
    expect(sheet).toContain('| patients | 77 | records \\| reviewed | adults with chronic migraine');
  });
});

describe('the claims sheet', () => {
  const generated = new Date('2026-03-01T12:00:00Z');

  it('lists a cited sentence with its source’s link and citation, and each number with the fact it states', async () => {
    const emails = await emailsFromFiles(['test/fixtures/emails/cited-research.tsx']);
    const sheet = await claimsSheet(emails, {
      clinic,
      sequences,
      generated,
      commit: { sha: 'abc123', dirty: true },
      check: async () => [],
    });
    expect(sheet).toContain('# Claims sheet: Ketamine Center of Central Georgia');
    expect(sheet).toContain('- Generated: 2026-03-01 12:00 UTC');
    expect(sheet).toContain('- From commit: `abc123` — ⚠ emails/ had changes not yet committed');
    expect(sheet).toContain(
      [
        '4. “In a 2023 study of 169 people using intranasal ketamine, 49.1% rated it very effective (Yuan et al., Reg Anesth Pain Med, 2023).”',
        '   - Source: [Yuan et al., Reg Anesth Pain Med, 2023](<https://doi.org/10.1136/rapm-2022-104223>). Yuan H, Natekar A, Park J, Lauritsen CG, Viscusi ER, Marmura MJ. Real-world study of intranasal ketamine for use in patients with refractory chronic migraine: a retrospective analysis. Reg Anesth Pain Med. 2023;48(12):581-587.',
        '   - “2023” — the year Yuan et al., Reg Anesth Pain Med, 2023 was published',
        '   - “169 people” — from Yuan et al., Reg Anesth Pain Med, 2023 (fact `interviewed`): value 169; measures: people interviewed; in: adults with refractory chronic migraine prescribed intranasal ketamine at one headache center (of 242 screened)',
        '   - “49.1%” — from Yuan et al., Reg Anesth Pain Med, 2023 (fact `veryEffective`): value 49.1%; measures: rated intranasal ketamine "very effective"; in: the 169 people interviewed',
      ].join('\n'),
    );
    // The preview text's number, with its fact; a clinic sentence, marked as such; the greeting, left out.
    expect(sheet).toContain(
      '  - Preview: “49.1%” — from Yuan et al., Reg Anesth Pain Med, 2023 (fact `veryEffective`)',
    );
    expect(sheet).toMatch(
      /“Please come 15 minutes early, and call us if anything changes\.”\n {3}- Clinic statement — no study cited\n {3}- “15 minutes” — the clinic’s own number, from no study/,
    );
    expect(sheet).not.toContain('“Hi Jordan,”');
    expect(sheet).toContain('- Cited in: test/fixtures/emails/cited-research.tsx');
  });

  it('marks a number no cited source backs, and says the email fails the checks', async () => {
    const emails = await emailsFromFiles(['test/fixtures/emails/wrong-percentage.tsx']);
    const sheet = await claimsSheet(emails, {
      clinic,
      sequences,
      generated,
      check: async () => [{ rule: 'sources', problem: 'It says "49%".', fix: 'Write 49.1%.' }],
    });
    expect(sheet).toContain('- From commit: unknown');
    expect(sheet).toContain(
      '> ⚠ 1 of 1 email fails `npm run check:emails` (test/fixtures/emails/wrong-percentage.tsx)',
    );
    expect(sheet).toContain('  - sources: It says "49%".');
    expect(sheet).toContain('   - ⚠ “49%” — no cited source backs it (the checks fail on it)');
  });

  it('puts the emails in the order a lead gets them: nurture, follow-up, then reschedule; then the interest emails', async () => {
    const ordered = inSequenceOrder(await emailsToCheck(sequences, interestEmails), sequences).map(
      (email) => email.sentAs[0],
    );
    expect(ordered).toEqual([
      ...Object.values(sequences).flatMap((sequence) => sequence.steps.map((step) => `${sequence.id} → ${step.id}`)),
      // Each subject-line experiment variant, then the interest emails alphabetical by file.
      'nurture → how-it-works (experiment how-it-works-subject, variant b)',
      'interest email → the-research-aura',
      'interest email → welcome-status-migrainosus',
      'interest email → who-it-helps-chronic',
      'interest email → who-it-helps-refractory',
    ]);
  });
});

describe('npm run check:emails -- --claims', () => {
  let sheet = '';
  beforeAll(() => {
    const run = cli('--claims');
    expect(run.status, run.stderr).toBe(0);
    sheet = run.stdout;
  });

  it('prints one sheet: every email’s subject in sequence order, the footer once, the sign-off and the appendix', async () => {
    const emails = inSequenceOrder(await emailsToCheck(sequences, interestEmails), sequences);
    let last = -1;
    for (const email of emails) {
      const { subject } = await renderForCheck(email.template);
      const at = sheet.indexOf(`- Subject: “${mdText(subject)}”`);
      expect(at, `${email.file}: ${subject}`).toBeGreaterThan(last);
      last = at;
    }

    for (const line of [
      '## Sign-off',
      'Name: ____',
      'Signature: ____',
      'Date: ____',
      '## Appendix: the source registry',
    ])
      expect(sheet).toContain(line);
    expect(sheet).toMatch(/- From commit: `[0-9a-f]{40}`/);
    for (const [id, source] of Object.entries(sources)) {
      expect(sheet).toContain(`### ${mdText(source.short)} (\`${id}\`)`);
      expect(sheet).toContain(`- Link: <${source.url}>`);
    }
    // Each version of a template (the after-visit note for an attended visit) is listed too.
    for (const email of emails)
      for (const name of Object.keys(email.template.Variants ?? {}))
        expect(sheet, email.file).toContain(`In the “${name}” version (`);
    // The interest emails, each under its own heading, and counted apart from the sequences' emails.
    expect(sheet).toContain('- Emails: 19 (nurture: 10, follow-up: 3, reschedule: 1, opt-in: 1, interest emails: 4)');
    for (const id of Object.keys(interestEmails))
      expect(sheet).toMatch(new RegExp(`^## \\d+\\. ${interestEmailSentAs(id)}$`, 'm'));
    // The shared footer is listed once, not once per email.
    expect(sheet.split('“This email is general information, not medical advice.”').length - 1).toBe(1);
  });

  it('lists a sentence of the research email with the DOI link of the paper it cites, and the facts its numbers state', () => {
    const research = sheet.slice(
      sheet.indexOf('. nurture → the-research\n'),
      sheet.indexOf('\n## ', sheet.indexOf('. nurture → the-research\n')),
    );
    expect(research).toMatch(/^\d+\. “.+”\n {3}- Source: \[[^\]]+\]\(<https:\/\/doi\.org\/10\.[^>]+>\)\. /m);
    expect(research).toMatch(/^ {3}- “[^”]+” — from [^(]+ \(fact `\w+`\): value [^;]+; measures: [^;]+; in: .+$/m);
  });

  it('--out writes the sheet to a file', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'claims-')), 'docs', 'claims-sheet.md');
    const run = cli('--claims', '--out', out, 'test/fixtures/emails/cited-research.tsx');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe(`Wrote the claims sheet for 1 email to ${out}.\n`);
    expect(readFileSync(out, 'utf8')).toContain(
      'Source: [Pomeroy et al., Headache, 2017](<https://doi.org/10.1111/head.13013>)',
    );
  });
});

describe('npm run check:emails options', () => {
  it('--help prints the usage and exits 0', () => {
    const run = cli('--help');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^usage: npm run check:emails/);
    expect(run.stdout).toContain('--claims');
    expect(run.stdout).toContain('--out FILE');
  });

  it('an unknown option is named on one line, followed by the usage, and exits 2', () => {
    const run = cli('--claim');
    expect(run.status).toBe(2);
    const [first, ...rest] = run.stderr.trimEnd().split('\n');
    expect(first).toBe('check:emails: unknown option --claim');
    expect(rest[0]).toMatch(/^usage: npm run check:emails/);
    expect(run.stdout).toBe('');
  });

  it('--out without --claims, or without a file, exits 2 with the usage', () => {
    for (const args of [
      ['--out', 'x.md'],
      ['--claims', '--out'],
    ]) {
      const run = cli(...args);
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr.split('\n')[0]).toMatch(/^check:emails: /);
      expect(run.stderr).toContain('usage: npm run check:emails');
    }
  });
});

describe('the committed sheet in docs/', () => {
  it('states exactly what the emails say today (regenerate it with npm run check:emails -- --claims --out docs/claims-sheet.md)', async () => {
    const fresh = await claimsSheet(await emailsToCheck(sequences, interestEmails), {
      clinic,
      sequences,
      generated: new Date(),
      check: (template) => checkTemplate(template),
    });
    // The date and the commit a sheet was made at differ from run to run; everything else must match.
    const body = (sheet: string) =>
      sheet
        .split('\n')
        .filter((line) => !/^- (Generated|From commit):/.test(line))
        .join('\n');
    expect(body(readFileSync('docs/claims-sheet.md', 'utf8'))).toBe(body(fresh));
  });
});
