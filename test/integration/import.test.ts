/**
 * `npm run import` against dynalite: a 10,000-row CSV, the same file again, refused rows, a dry run, Pinpoint's
 * endpoint export, and the command itself.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DateTime } from 'luxon';
import { describe, expect, inject, it } from 'vitest';
import { dynamoClient } from '../../lambdas/adapters/clients.ts';
import { DynamoReportCounters } from '../../lambdas/adapters/dynamo-report-counters.ts';
import { DynamoPrivacy } from '../../lambdas/adapters/dynamo-privacy.ts';
import { addressKey, erasePerson } from '../../lambdas/domain/privacy.ts';
import { leadKey } from '../../lambdas/domain/report-counts.ts';
import { stopLead } from '../../lambdas/domain/stop.ts';
import { runImport, type ImportRequest } from '../../local/import-run.ts';
import { progress } from '../../local/progress.ts';
import { signUp, testEnv, type TestEnv } from './harness.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'nurture-import-'));
const ZONES = ['America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles', 'Europe/London', ''];
const INTERESTS = ['chronic-migraine', 'refractory-migraine', '', 'other'];

/** Every item of the env's table, in key order, as plain objects. */
async function tableItems(env: TestEnv) {
  const doc = DynamoDBDocumentClient.from(dynamoClient(env.config));
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: env.config.TABLE_NAME, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  const key = (item: Record<string, unknown>) => `${String(item.pk)} ${String(item.sk)}`;
  return items.sort((a, b) => key(a).localeCompare(key(b)));
}

const request = (file: string, overrides: Partial<ImportRequest> = {}): ImportRequest => ({
  file,
  format: file.endsWith('.csv') ? 'csv' : 'pinpoint',
  dryRun: false,
  perDay: 500,
  from: '2026-03-03',
  rate: 100_000,
  ...overrides,
});

const run = (env: TestEnv, req: ImportRequest, lines?: string[]) =>
  runImport(req, {
    config: env.config,
    dynamo: dynamoClient(env.config),
    clock: env.clock,
    ...(lines && {
      progress: progress('import', { stream: { write: (text: string) => lines.push(text) }, every: 60_000 }),
    }),
  });

/** A refused row in the big file: every 1,000th row from the 18th, each with a different fault. */
type Fault = Partial<Record<'consentAt' | 'email' | 'consentSource' | 'zone', string>>;
const FAULTS: Fault[] = [
  { consentAt: '' },
  { consentAt: '2027-01-01' },
  { email: 'not-an-address' },
  { consentSource: '' },
  { zone: 'Mars/Base' },
];
const BIG_ROWS = 10_000;

function bigCsv(): string {
  const rows = ['Email,First Name,Last Name,Time Zone,Interest,consentAt,consentSource'];
  for (let i = 0; i < BIG_ROWS; i++) {
    const fault: Fault = (i % 1000 === 17 ? FAULTS[Math.floor(i / 1000) % FAULTS.length] : undefined) ?? {};
    // Every 2,000th row from the 1,000th repeats the row before it, in capitals.
    const email = i % 2000 === 999 ? `LEAD-${i - 1}@IMPORT.EXAMPLE` : `lead-${i}@import.example`;
    rows.push(
      [
        fault.email ?? email,
        `Lead${i}`,
        i % 3 === 0 ? 'Okafor' : '',
        fault.zone ?? ZONES[i % ZONES.length],
        INTERESTS[i % INTERESTS.length],
        fault.consentAt ?? '2025-05-01',
        fault.consentSource ?? (i % 2 ? 'old CRM web form' : 'front desk, "paper" sheet'),
      ]
        .map((value) => (/[",]/.test(value!) ? `"${value!.replace(/"/g, '""')}"` : value))
        .join(','),
    );
  }
  return `${rows.join('\r\n')}\r\n`;
}

describe('npm run import', () => {
  // About 2 minutes on dynalite and 3 on DynamoDB Local (2 cores): it runs on dynalite only. The race and the
  // conditional puts it relies on run on both backends in the tests below.
  it.skipIf(inject('dynamoBackend') === 'dynamodb-local')(
    'a 10,000-row CSV imports with a progress bar and a correct summary, and importing it a second time changes nothing',
    { timeout: 900_000 },
    async () => {
      const env = await testEnv();
      const file = join(dir, 'leads.csv');
      writeFileSync(file, bigCsv());
      // One address in the file already signed up through the form.
      await signUp(env, { email: 'lead-5@import.example', firstName: 'Five' });

      const shown: string[] = [];
      const first = await run(env, request(file), shown);

      expect(first).toMatchObject({
        dryRun: false,
        rows: 10_000,
        created: 9_984,
        skipped: { present: 1, repeated: 5, suppressed: 0 },
        from: '2026-03-03',
      });
      expect(first.refused.map(({ line }) => line)).toEqual(
        Array.from({ length: 10 }, (_, n) => n * 1000 + 17 + 2), // the header is line 1
      );
      expect(first.refused.map(({ reason }) => reason.split(':')[0]!.split('.')[0])).toEqual([
        'consentAt is required',
        'consentAt is in the future',
        'Enter a valid email address, like name@example',
        'consentSource is required',
        'Time zone is not a known IANA time zone, like America/New_York',
        'consentAt is required',
        'consentAt is in the future',
        'Enter a valid email address, like name@example',
        'consentSource is required',
        'Time zone is not a known IANA time zone, like America/New_York',
      ]);
      // The bar fills as rows are imported, and ends full.
      const bars = shown.filter((line) => line.includes('rows imported'));
      expect(bars.length).toBeGreaterThanOrEqual(10);
      expect(bars.at(-1)).toContain(`${'█'.repeat(20)} rows imported: 10,000 of 10,000`);

      const items = await tableItems(env);
      const leads = items.filter((item) => item.sk === 'PROFILE' && item.email !== 'lead-5@import.example');
      expect(leads).toHaveLength(9_984);
      // Inside each lead's send window, in its own zone, 500 a day from 3 March: 20 days, the last with 484.
      const perDay = new Map<string, number>();
      for (const lead of leads) {
        const at = DateTime.fromISO(lead.nextSendAt as string, { zone: lead.timeZone as string });
        expect(at.hour >= 9 && at.hour < 18, `${at.toISO()}`).toBe(true);
        perDay.set(at.toISODate()!, (perDay.get(at.toISODate()!) ?? 0) + 1);
      }
      expect([...perDay.keys()].sort()[0]).toBe('2026-03-03');
      expect(perDay.size).toBe(20);
      expect(Math.max(...perDay.values())).toBe(500);
      expect(first.firstSendAt! < first.lastSendAt!).toBe(true);
      const ana = leads.find((lead) => lead.email === 'lead-1@import.example')!;
      expect(ana).toMatchObject({
        firstName: 'Lead1',
        timeZone: 'America/Chicago',
        interest: 'refractory-migraine',
        status: 'active',
        sequenceId: 'nurture',
        nextStepId: 'welcome',
        consent: { at: '2025-05-01T00:00:00.000Z', textVersion: 'imported', source: 'old CRM web form' },
      });
      // The report counts them as it counts sign-ups.
      const counters = new DynamoReportCounters(dynamoClient(env.config), {
        tableName: env.config.TABLE_NAME,
        retentionDays: 0,
      });
      expect((await counters.read())[leadKey('nurture')]).toBe(9_985);

      const again = await run(env, request(file));
      expect(again).toMatchObject({ created: 0, skipped: { present: 9_985, repeated: 5, suppressed: 0 } });
      expect(again.refused).toHaveLength(10);
      expect(await tableItems(env)).toEqual(items);
    },
  );

  it('two imports of the same file at once create each lead once', { timeout: 300_000 }, async () => {
    const env = await testEnv();
    const file = join(dir, 'race.csv');
    const rows = Array.from({ length: 300 }, (_, i) => `race-${i}@example.com,Rae${i},2025-01-01,web form`);
    writeFileSync(file, ['email,firstName,consentAt,consentSource', ...rows].join('\n'));
    const [a, b] = await Promise.all([run(env, request(file)), run(env, request(file))]);
    expect(a.created + b.created).toBe(300);
    expect(a.skipped.present + b.skipped.present).toBe(300);
    const leads = (await tableItems(env)).filter((item) => item.sk === 'PROFILE');
    expect(leads).toHaveLength(300);
    expect(new Set(leads.map((lead) => lead.email)).size).toBe(300);
  });

  it('refuses rows without consent or with bad fields, naming their line and reason, and imports the rest', async () => {
    const env = await testEnv();
    const file = join(dir, 'refused.csv');
    writeFileSync(
      file,
      [
        'email,firstName,consentAt,consentSource,notes',
        'ok@example.com,Ana,2025-01-01,web form,"a note, with a comma',
        'and a line break"',
        ',Ben,2025-01-01,web form,',
        'cara@example.com,Cara,,web form,',
        '',
        'dee@example.com,"Dee ""DJ"" Lee",2025-01-01T10:00:00-05:00,web form,',
        'eve@example.com,Eve,2025-01-01',
        'fay@example.com,Fay,2025-01-01,,',
      ].join('\n'),
    );
    const summary = await run(env, request(file));
    expect(summary.created).toBe(2);
    expect(summary.refused).toEqual([
      { line: 4, reason: 'Email is required.' },
      { line: 5, reason: expect.stringContaining('consentAt is required') },
      { line: 8, reason: expect.stringContaining('not a valid CSV row') },
      { line: 9, reason: 'consentSource is required.' },
    ]);
    const dee = await env.store.get((await env.store.leadIdForEmail('dee@example.com'))!);
    expect(dee).toMatchObject({ firstName: 'Dee "DJ" Lee', consent: { at: '2025-01-01T15:00:00.000Z' } });
  });

  it('stops before any write when the header lacks a column every row needs', async () => {
    const env = await testEnv();
    const file = join(dir, 'no-consent.csv');
    writeFileSync(file, 'email,firstName\nana@example.com,Ana\n');
    await expect(run(env, request(file))).rejects.toThrow('the header row has no consentAt, consentSource columns');
    expect(await tableItems(env)).toEqual([]);
  });

  it('a dry run gives the same summary as the import would, and writes nothing', async () => {
    const env = await testEnv();
    const file = join(dir, 'dry.csv');
    writeFileSync(
      file,
      [
        'email,firstName,consentAt,consentSource',
        'present@example.com,Pat,2025-01-01,web form',
        'new@example.com,Nia,2025-01-01,web form',
        'NEW@example.com,Nia,2025-01-01,web form',
        'nobody@example.com,,2025-01-01,web form',
      ].join('\n'),
    );
    await signUp(env, { email: 'present@example.com' });
    const before = await tableItems(env);
    const dry = await run(env, request(file, { dryRun: true }));
    expect(await tableItems(env)).toEqual(before);
    const { dryRun: _dry, ...wouldBe } = dry;
    const { dryRun: _real, ...was } = await run(env, request(file));
    expect(wouldBe).toEqual(was);
    expect(was).toMatchObject({ created: 1, skipped: { present: 1, repeated: 1 }, refused: [{ line: 5 }] });
  });

  it("imports Pinpoint's endpoint export: email endpoints with consent, in their Demographic.Timezone; never an opted-out one", async () => {
    const env = await testEnv();
    const summary = await run(env, request(join(root, 'test/fixtures/pinpoint/endpoints.jsonl')));
    expect(summary).toMatchObject({ rows: 7, created: 2, skipped: { present: 0, repeated: 1, suppressed: 0 } });
    expect(summary.refused).toEqual([
      { line: 3, reason: 'opted out in Pinpoint (OptOut ALL)' },
      { line: 4, reason: 'not an email endpoint (ChannelType SMS)' },
      { line: 5, reason: expect.stringContaining('consentAt is required') },
      { line: 6, reason: 'inactive in Pinpoint (EndpointStatus INACTIVE)' },
    ]);
    const ana = await env.store.get((await env.store.leadIdForEmail('ana.pinpoint@example.com'))!);
    expect(ana).toMatchObject({
      firstName: 'Ana',
      lastName: 'Reyes',
      timeZone: 'America/Chicago',
      interest: 'chronic-migraine',
      consent: { at: '2025-06-02T15:04:11.000Z', source: 'Pinpoint web form, migraine page' },
    });
    const ben = await env.store.get((await env.store.leadIdForEmail('ben.pinpoint@example.com'))!);
    expect(ben).toMatchObject({
      firstName: 'Ben',
      timeZone: 'Europe/London',
      consent: { at: '2025-08-19T00:00:00.000Z' },
    });
    expect(await env.store.leadIdForEmail('cara.pinpoint@example.com')).toBeUndefined();
  });

  it('never imports a person erased after unsubscribing: the kept hash of the address marks it suppressed', async () => {
    const env = await testEnv();
    const leadId = await signUp(env, { email: 'gone@example.com' });
    await stopLead({ store: env.store, clock: env.clock, sendTimeoutMs: 15_000 }, leadId, 'stopped'); // "Stop everything"
    const people = new DynamoPrivacy(dynamoClient(env.config), {
      tableName: env.config.TABLE_NAME,
      addressKey: addressKey(env.config.UNSUBSCRIBE_SECRET),
    });
    await erasePerson({ people, now: () => env.clock.now(), who: 'local:import-test' }, 'gone@example.com');
    const file = join(dir, 'erased.csv');
    writeFileSync(file, 'email,firstName,consentAt,consentSource\nGone@Example.com,Gil,2025-01-01,old CRM\n');
    const summary = await run(env, request(file));
    expect(summary).toMatchObject({ created: 0, skipped: { present: 0, repeated: 0, suppressed: 1 } });
    expect(await env.store.leadIdForEmail('gone@example.com')).toBeUndefined();
  });

  it('starts leads at the chosen step: the steps before it are never sent', async () => {
    const env = await testEnv();
    const file = join(dir, 'start-at.csv');
    writeFileSync(file, 'email,firstName,consentAt,consentSource\nlate@example.com,Lou,2025-01-01,web form\n');
    await run(env, request(file, { startAt: 'who-it-helps' }));
    const lead = await env.store.get((await env.store.leadIdForEmail('late@example.com'))!);
    expect(lead).toMatchObject({
      nextStepId: 'who-it-helps',
      skippedSteps: ['welcome', 'how-it-works'],
      sentSteps: [],
    });
  });

  it(
    'the command prints the summary as JSON for a program, and names a bad option on one line (exit 2)',
    { timeout: 120_000 },
    async () => {
      const env = await testEnv();
      const file = join(dir, 'cli.csv');
      writeFileSync(file, 'email,firstName,consentAt,consentSource\ncli@example.com,Cy,2025-01-01,web form\n');
      const cli = (...args: string[]) =>
        promisify(execFile)(process.execPath, ['--import', 'tsx', 'local/import.ts', ...args], {
          cwd: root,
          env: {
            ...process.env,
            AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'),
            AWS_ACCESS_KEY_ID: 'local',
            AWS_SECRET_ACCESS_KEY: 'local',
            UNSUBSCRIBE_SECRET: env.config.UNSUBSCRIBE_SECRET,
          },
        });
      const { stdout } = await cli(file, '--json', '--table', env.config.TABLE_NAME, '--region', 'us-east-1');
      expect(JSON.parse(stdout)).toMatchObject({ rows: 1, created: 1, refused: [] });
      const bad = await cli(file, '--start-at', 'nope').catch((error: { code: number; stderr: string }) => error);
      expect(bad).toMatchObject({ code: 2 });
      expect((bad as { stderr: string }).stderr.split('\n')[0]).toBe(
        'import: --start-at: "nope" is not a nurture step: use one of welcome, how-it-works, who-it-helps, side-effects, check-in, iv-and-nasal, the-research, cost-and-financing, last-invitation',
      );
    },
  );
});
