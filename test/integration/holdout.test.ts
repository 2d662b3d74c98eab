/**
 * The holdout (HOLDOUT_SHARE, issue #17), through the real handlers on both DynamoDB emulators and aws-ses-v2-local: a
 * held-out lead gets the welcome and then nothing from the nurture, a nurture lead its emails; both get the care
 * emails after a booking; the report's counters agree with the recount; the report shows the comparison with its
 * sample sizes; and a share of 0 changes nothing.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ulid } from 'ulid';
import { describe, expect, inject, it } from 'vitest';
import { dynamoClient } from '../../lambdas/adapters/clients.ts';
import { DynamoReportCounters } from '../../lambdas/adapters/dynamo-report-counters.ts';
import { adminPage } from '../../lambdas/adapters/report-page.tsx';
import { dispatchDue } from '../../lambdas/domain/dispatch.ts';
import { holdoutGroup, type HoldoutGroup } from '../../lambdas/domain/holdout.ts';
import { reportFromCounts } from '../../lambdas/domain/report.ts';
import { makeAdminHandler } from '../../lambdas/handlers/admin.ts';
import { makeBookingHandler } from '../../lambdas/handlers/booking.ts';
import { makeSignupHandler } from '../../lambdas/handlers/signup.ts';
import { runImport } from '../../local/import-run.ts';
import { reportText } from '../../local/report-text.ts';
import { compareCounters } from '../support/report-compare.ts';
import { bookingEvent, confirmFromInbox, httpEvent, inbox, testEnv, uniqueEmail, type TestEnv } from './harness.ts';

const run = promisify(execFile);
const DAY = 24 * 3_600_000;

/** A lead id (as the service makes them) that the share puts in `group`: found by trying ids, never left to chance. */
function idIn(group: HoldoutGroup, share: number): string {
  for (;;) {
    const id = ulid();
    if (holdoutGroup(id, share) === group) return id;
  }
}

/** Sign up through the real handler with the lead id the service is given. */
async function signUpAs(env: TestEnv, leadId: string, email: string, fields: Record<string, unknown> = {}) {
  const result = await makeSignupHandler({ ...env, newId: () => leadId })(
    httpEvent('POST', '/signup', { body: { email, firstName: 'Jamie', consent: true, ...fields } }),
  );
  expect(result.statusCode).toBe(201);
}

/** Run the dispatcher at the leads' next send times, earliest first, until none has anything due: whole sequences. */
async function runAll(env: TestEnv, ...leadIds: string[]) {
  for (let run = 0; run < 60; run++) {
    const due = (await Promise.all(leadIds.map((id) => env.store.get(id))))
      .map((lead) => (lead?.nextSendAt ? Date.parse(lead.nextSendAt) : Infinity))
      .reduce((a, b) => Math.min(a, b), Infinity);
    if (due === Infinity) break;
    env.clock.set(new Date(Math.max(env.clock.now().getTime(), due)));
    await dispatchDue(env.dispatch);
  }
  // And a month more, at once: anything the planner left due for later would go now.
  env.clock.advance(30 * DAY);
  await dispatchDue(env.dispatch);
}

const steps = async (env: TestEnv, leadId: string) => (await env.store.messages(leadId)).map((m) => m.stepId);

const adminFor = (env: TestEnv, holdoutShare: number) =>
  makeAdminHandler({
    counters: new DynamoReportCounters(dynamoClient(env.config), {
      tableName: env.config.TABLE_NAME,
      retentionDays: 0,
    }),
    sequences: env.dispatch.sequences,
    holdoutShare,
    clock: env.clock,
    page: adminPage,
  });

describe('the holdout', () => {
  it('a held-out lead gets the welcome and nothing more from the nurture, a nurture lead its emails; both get the care emails after booking, and the report compares them', async () => {
    const env = await testEnv({ HOLDOUT_SHARE: '0.5' });
    const held = idIn('h', 0.5);
    const nurtured = idIn('n', 0.5);
    const heldEmail = uniqueEmail('held');
    const nurturedEmail = uniqueEmail('nurtured');
    // The welcome's variant for the lead's interest goes to the holdout too: it is the welcome.
    await signUpAs(env, held, heldEmail, { interest: 'status-migrainosus' });
    await signUpAs(env, nurtured, nurturedEmail);
    expect((await env.store.get(held))?.grp).toBe('h');
    expect((await env.store.get(nurtured))?.grp).toBe('n');

    await runAll(env, held, nurtured);
    expect(await env.store.messages(held)).toEqual([
      expect.objectContaining({ stepId: 'welcome', variant: 'welcome-status-migrainosus', state: 'sent' }),
    ]);
    expect((await inbox(heldEmail)).length).toBe(1);
    const heldLead = await env.store.get(held);
    // Its nurture is over, as held out: not a sunset, not an unsubscribe, and nothing is due.
    expect(heldLead).toMatchObject({ status: 'completed', sequenceId: 'nurture' });
    expect(heldLead?.nextStepId).toBeUndefined();
    expect(heldLead?.optedOutAt).toBeUndefined();
    // The nurture lead clicked nothing: it gets every email up to the check-in, then the series ends (a sunset).
    expect(await steps(env, nurtured)).toEqual(['welcome', 'how-it-works', 'who-it-helps', 'side-effects', 'check-in']);
    expect((await inbox(nurturedEmail)).length).toBe(5);

    let report = reportFromCounts(await compareCounters(env).then((c) => c.counters.read()), {
      now: env.clock.now(),
      sequences: env.dispatch.sequences,
      holdoutShare: 0.5,
    });
    expect(report.nurture.left).toMatchObject({ holdout: 1, sunset: 1, completed: 0 });
    expect(report.holdout).toMatchObject({ nurture: { leads: 1, booked: 0 }, holdout: { leads: 1, booked: 0 } });

    // Both book: each gets the care emails, the held-out lead as anyone.
    const book = makeBookingHandler(env);
    const appointmentAt = new Date(env.clock.now().getTime() + 5 * DAY).toISOString();
    for (const leadId of [held, nurtured])
      expect((await book(bookingEvent({ leadId, appointmentAt, status: 'booked' }))).statusCode).toBe(200);
    // A second booking of the same lead (a reschedule) is no new booking for its group.
    const later = new Date(env.clock.now().getTime() + 6 * DAY).toISOString();
    await book(bookingEvent({ leadId: held, appointmentAt: later, status: 'rescheduled' }));
    await runAll(env, held, nurtured);
    expect(await steps(env, held)).toEqual(['welcome', 'confirmation', 'reminder', 'after-visit']);
    expect(await steps(env, nurtured)).toEqual([
      'welcome',
      'how-it-works',
      'who-it-helps',
      'side-effects',
      'check-in',
      'confirmation',
      'reminder',
      'after-visit',
    ]);

    // The counters kept at write time agree with the recount from the raw items (`npm run report -- --rebuild`).
    const compared = await compareCounters(env);
    expect(compared.differences).toEqual([]);
    expect(compared.leadsOff).toEqual([]);
    expect(compared.recounted).toMatchObject({
      'lead/group.nurture': 1,
      'lead/group.holdout': 1,
      'lead/group.nurture.booked': 1,
      'lead/group.holdout.booked': 1,
    });

    report = reportFromCounts(await compared.counters.read(), {
      now: env.clock.now(),
      sequences: env.dispatch.sequences,
      holdoutShare: 0.5,
    });
    expect(report.holdout).toMatchObject({
      nurture: { leads: 1, booked: 1, rate: 1 },
      holdout: { leads: 1, booked: 1, rate: 1 },
      verdict: 'too-few',
    });
    // The terminal's report: the sample sizes, and plainly that it is too soon to tell.
    const text = reportText(report, 'test');
    expect(text).toMatch(/^Nurture \(every email\)\s+1\s+1\s+100\.0%\s+20\.7% to 100\.0%$/m);
    expect(text).toMatch(/^Holdout \(welcome only\)\s+1\s+1\s+100\.0%/m);
    expect(text).toContain('Too small to conclude: 1 nurture leads (1 booked) and 1 holdout leads (1 booked).');

    // /admin: the same, with the chart.
    const page = (await adminFor(env, 0.5)(httpEvent('GET', '/admin'))).body!;
    expect(page).toContain('<section id="holdout" data-verdict="too-few">');
    expect(page).toContain('Booking rate of the nurture and of the holdout, with 95% intervals');
    expect(page).toContain('Too small to conclude: 1 nurture leads (1 booked) and 1 holdout leads (1 booked).');
  }, 120_000);

  it('npm run report shows the comparison from the counters, with each group’s leads and bookings', async () => {
    const env = await testEnv({ HOLDOUT_SHARE: '0.5' });
    await signUpAs(env, idIn('h', 0.5), uniqueEmail('held'));
    await signUpAs(env, idIn('n', 0.5), uniqueEmail('nurtured'));
    const awsEnv = {
      ...process.env,
      AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'),
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      HOLDOUT_SHARE: '0.5',
    };
    const { stdout } = await run(
      'node_modules/.bin/tsx',
      ['local/report.ts', '--table', env.config.TABLE_NAME, '--region', 'us-east-1'],
      { env: awsEnv },
    );
    expect(stdout).toContain('Holdout: does the nurture lead to more bookings? (share held out now: 50.0%)');
    expect(stdout).toMatch(/^Nurture \(every email\)\s+1\s+0\s+0\.0%/m);
    expect(stdout).toMatch(/^Holdout \(welcome only\)\s+1\s+0\s+0\.0%/m);
    expect(stdout).toContain('Too small to conclude');
  }, 120_000);

  it('with the share at 0 (the default), nothing changes: no group is written, every lead gets the nurture, and the report says the holdout is off', async () => {
    const env = await testEnv();
    expect(env.config.HOLDOUT_SHARE).toBe(0);
    // An id the holdout would take at any share: with the share at 0 it is a lead like any other.
    const leadId = idIn('h', 0.5);
    await signUpAs(env, leadId, uniqueEmail('plain'));
    await runAll(env, leadId);
    const lead = await env.store.get(leadId);
    expect(lead && 'grp' in lead).toBe(false);
    expect(await steps(env, leadId)).toEqual(['welcome', 'how-it-works', 'who-it-helps', 'side-effects', 'check-in']);
    const compared = await compareCounters(env);
    expect(compared.differences).toEqual([]);
    expect(Object.keys(compared.recounted).filter((key) => key.includes('group'))).toEqual([]);
    const page = (await adminFor(env, 0)(httpEvent('GET', '/admin'))).body!;
    expect(page).toContain('<section id="holdout" data-verdict="off">');
    expect(page).toContain('The holdout is off');
    expect(page).toContain('HOLDOUT_SHARE');
  }, 120_000);

  it('with double opt-in, a held-out lead gets the confirm-your-address email and the welcome, then nothing more; it counts once it confirms', async () => {
    const env = await testEnv({ HOLDOUT_SHARE: '0.5', DOUBLE_OPT_IN: 'true' });
    const held = idIn('h', 0.5);
    const email = uniqueEmail('held-opt-in');
    const signup = await makeSignupHandler({ ...env, newId: () => held })(
      httpEvent('POST', '/signup', { body: { email, firstName: 'Jamie', consent: true } }),
    );
    expect(signup.statusCode).toBe(202);
    expect(await env.store.get(held)).toMatchObject({ status: 'pending', grp: 'h' });
    // Pending: not in the nurture yet, so in no group.
    expect((await compareCounters(env)).recounted['lead/group.holdout']).toBeUndefined();

    const confirmed = await confirmFromInbox(env, email);
    expect(confirmed.statusCode).toBe(200);
    await runAll(env, held);
    expect(await steps(env, held)).toEqual(['confirm-address', 'welcome']);
    expect(await env.store.get(held)).toMatchObject({ status: 'completed', grp: 'h' });
    const { differences, recounted } = await compareCounters(env);
    expect(differences).toEqual([]);
    expect(recounted).toMatchObject({ 'lead/group.holdout': 1, 'lead/left.holdout': 1, 'lead/optIn.confirmed': 1 });
  }, 120_000);

  it('an import holds out its share too: a held-out lead imported to start past the welcome gets nothing from the nurture', async () => {
    const env = await testEnv({ HOLDOUT_SHARE: '0.5' });
    const dir = mkdtempSync(join(tmpdir(), 'nurture-holdout-'));
    const file = join(dir, 'leads.csv');
    const rows = Array.from({ length: 40 }, (_, i) => `held-${i}-${ulid()}@import.example,Lead${i},2025-05-01,old CRM`);
    writeFileSync(file, ['Email,First Name,consentAt,consentSource', ...rows].join('\n'));
    const summary = await runImport(
      { file, format: 'csv', dryRun: false, perDay: 500, from: '2026-03-03', rate: 100_000, startAt: 'how-it-works' },
      { config: env.config, dynamo: dynamoClient(env.config), clock: env.clock },
    );
    expect(summary.created).toBe(40);
    const { input, differences, recounted } = await compareCounters(env);
    const leads = await Promise.all(input.leads.map((lead) => env.store.get(lead.leadId)));
    const held = leads.filter((lead) => lead?.grp === 'h');
    const nurtured = leads.filter((lead) => lead?.grp === 'n');
    expect(held.length + nurtured.length).toBe(40);
    // At a share of 0.5, 40 leads all in one group would be a 1-in-500-billion draw.
    expect(held.length).toBeGreaterThan(0);
    expect(nurtured.length).toBeGreaterThan(0);
    for (const lead of held) {
      expect(lead).toMatchObject({ status: 'completed', skippedSteps: ['welcome'] });
      expect(lead?.nextStepId).toBeUndefined();
    }
    for (const lead of nurtured) expect(lead).toMatchObject({ status: 'active', nextStepId: 'how-it-works' });
    expect(differences).toEqual([]);
    expect(recounted['lead/group.holdout'] ?? 0).toBe(held.length);
    expect(recounted['lead/group.nurture'] ?? 0).toBe(nurtured.length);
    expect(recounted['lead/left.holdout'] ?? 0).toBe(held.length);
  }, 120_000);

  it('a bad HOLDOUT_SHARE fails at start, naming the setting', async () => {
    await expect(testEnv({ HOLDOUT_SHARE: '0.6' })).rejects.toThrow(/HOLDOUT_SHARE: must be a number from 0 to 0\.5/);
    await expect(testEnv({ HOLDOUT_SHARE: 'ten percent' })).rejects.toThrow(/HOLDOUT_SHARE/);
  });
});
