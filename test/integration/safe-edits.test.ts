/**
 * Marketing edits a sequence while leads are in the middle of it (a deploy swaps `emails/sequences.ts`):
 * the dispatcher, on the real table, keeps every lead on track.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { ReactEmailRenderer } from '../../lambdas/adapters/renderer.ts';
import { dispatchDue } from '../../lambdas/domain/dispatch.ts';
import { nurture, sequences as allSequences, type EmailStep } from '../../emails/sequences.ts';
import SideEffects from '../../emails/side-effects.tsx';
import CostAndFinancing from '../../emails/cost-and-financing.tsx';
import { seedHumanClicks } from '../support/human-clicks.ts';
import { compareCounters } from '../support/report-compare.ts';
import { inbox, manualClock, runNext, runUntilDone, signUp, testEnv, uniqueEmail, type TestEnv } from './harness.ts';

const ZONE = 'America/New_York';
/** The nurture of a lead who clicked its welcome: every email but the check-in. */
const ids = nurture.steps.map((step) => step.id).filter((id) => id !== 'check-in');
const local = (at: Date | string) =>
  DateTime.fromJSDate(new Date(at), { zone: ZONE }).toFormat("ccc yyyy-MM-dd'T'HH:mm");

/** The same service after a deploy of an edited sequence: same table, same clock, new steps. */
function deployEdit(env: TestEnv, edit: (steps: EmailStep[]) => EmailStep[]): TestEnv {
  const sequences = { ...allSequences, nurture: { ...nurture, steps: edit([...nurture.steps]) } };
  return { ...env, dispatch: { ...env.dispatch, sequences, renderer: new ReactEmailRenderer(sequences, env.clinic) } };
}

const sentSteps = async (env: TestEnv, leadId: string) =>
  (await env.store.messages(leadId)).map((message) => message.stepId);

/** A lead who signed up Monday 2 March 2026, 10:00 in New York, has had the welcome and clicked it (no check-in). */
async function leadWithWelcome() {
  const env = await testEnv({}, manualClock('2026-03-02T15:00:00Z'));
  const email = uniqueEmail('edit');
  const leadId = await signUp(env, { email, timeZone: ZONE });
  await seedHumanClicks(env, leadId, 'welcome');
  return { env, email, leadId };
}

describe('marketing edits a sequence while leads are in it', () => {
  it('steps are tracked by id: a step inserted before a lead’s place is not sent to it, and nothing is sent twice', async () => {
    const { env, leadId } = await leadWithWelcome();
    await runNext(env, leadId); // how-it-works
    const edited = deployEdit(env, (steps) => [
      { id: 'before-we-start', class: 'marketing', after: { days: 1 }, template: SideEffects },
      ...steps,
    ]);

    await runUntilDone(edited, leadId);
    expect(await sentSteps(env, leadId)).toEqual(ids);
  });

  it('a removed step is skipped: the lead waiting for it gets the next one, its delay counted from the last email', async () => {
    const { env, email, leadId } = await leadWithWelcome();
    expect((await env.store.get(leadId))?.nextStepId).toBe('how-it-works');
    const edited = deployEdit(env, (steps) => steps.filter((step) => step.id !== 'how-it-works'));

    const lead = await runUntilDone(edited, leadId);
    expect(lead?.status).toBe('completed');
    expect(await sentSteps(env, leadId)).toEqual(ids.filter((id) => id !== 'how-it-works'));
    expect(lead?.skippedSteps).toBeUndefined(); // a step that no longer exists is not the lead's to skip
    const messages = await env.store.messages(leadId);
    // who-it-helps waits its own 3 days after the welcome (Monday 10:00), not how-it-works' 2.
    expect(local(messages[1]!.at)).toBe('Thu 2026-03-05T10:00');
    const subjects = (await inbox(email)).map((mail) => mail.subject);
    // Neither of its subject lines (its experiment's variants a and b).
    expect(subjects).not.toContain('How ketamine may calm an over-sensitive migraine brain');
    expect(subjects).not.toContain('What ketamine may do in a migraine brain, and what is unknown');
  });

  it('a step removed late in the sequence: the next one waits its own delay from the last email, not from the sign-up', async () => {
    const { env, leadId } = await leadWithWelcome();
    for (let step = 0; step < 4; step++) await runNext(env, leadId); // how-it-works … iv-and-nasal
    expect((await env.store.get(leadId))?.nextStepId).toBe('the-research');
    const edited = deployEdit(env, (steps) => steps.filter((step) => step.id !== 'the-research'));

    await runUntilDone(edited, leadId);
    const messages = await env.store.messages(leadId);
    expect(messages.map((message) => message.stepId)).toEqual(ids.filter((id) => id !== 'the-research'));
    expect(local(messages[4]!.at)).toBe('Sat 2026-03-14T10:00'); // iv-and-nasal
    // cost-and-financing: its 5 days after iv-and-nasal; 5 days after the sign-up would have sent it at once, the day
    // the-research was due (Wednesday 18).
    expect(local(messages[5]!.at)).toBe('Thu 2026-03-19T10:00');
  });

  it('a lead waiting for the last step when it is removed completes without it, counted as the recount finds it', async () => {
    const { env, email, leadId } = await leadWithWelcome();
    for (let step = 0; step < 6; step++) await runNext(env, leadId); // how-it-works … cost-and-financing
    expect((await env.store.get(leadId))?.nextStepId).toBe('last-invitation');
    const edited = deployEdit(env, (steps) => steps.filter((step) => step.id !== 'last-invitation'));

    expect((await runUntilDone(edited, leadId))?.status).toBe('completed');
    expect(await inbox(email)).toHaveLength(ids.length - 1);
    const { differences, leadsOff, recounted } = await compareCounters(env);
    expect(differences).toEqual([]);
    expect(leadsOff).toEqual([]);
    expect(recounted).toMatchObject({ 'lead/nurture': 1, 'lead/left.completed': 1 });
  });

  it('a new step is picked up by a lead that has not passed it, then the sequence goes on', async () => {
    const { env, leadId } = await leadWithWelcome();
    await runNext(env, leadId); // how-it-works, Wednesday 4 March
    await seedHumanClicks(env, leadId, 'how-it-works'); // with the new email, the welcome is five emails back
    const edited = deployEdit(env, (steps) => [
      ...steps.slice(0, 2),
      { id: 'a-new-email', class: 'marketing', after: { days: 1 }, template: SideEffects },
      ...steps.slice(2),
    ]);

    await runUntilDone(edited, leadId);
    expect(await sentSteps(env, leadId)).toEqual([...ids.slice(0, 2), 'a-new-email', ...ids.slice(2)]);
  });

  it('a new step is not sent to a lead already past it', async () => {
    const { env, leadId } = await leadWithWelcome();
    await runNext(env, leadId); // how-it-works
    await runNext(env, leadId); // who-it-helps
    const edited = deployEdit(env, (steps) => [
      ...steps.slice(0, 2),
      { id: 'a-new-email', class: 'marketing', after: { days: 1 }, template: SideEffects },
      ...steps.slice(2),
    ]);

    await runUntilDone(edited, leadId);
    expect(await sentSteps(env, leadId)).toEqual(ids);
  });

  it('a lead that finished the sequence gets no step added to its end', async () => {
    const { env, email, leadId } = await leadWithWelcome();
    expect((await runUntilDone(env, leadId))?.status).toBe('completed');
    const edited = deployEdit(env, (steps) => [
      ...steps,
      { id: 'one-more', class: 'marketing', after: { days: 1 }, template: SideEffects },
    ]);

    env.clock.advance(30 * 86_400_000);
    expect((await dispatchDue(edited.dispatch)).sent).toBe(0);
    expect(await inbox(email)).toHaveLength(ids.length);
  });

  it('a changed delay applies from the lead’s next scheduled email: the email it is waiting for keeps its time', async () => {
    const { env, leadId } = await leadWithWelcome();
    const waiting = await env.store.get(leadId);
    expect(local(waiting!.nextSendAt!)).toBe('Wed 2026-03-04T10:00'); // how-it-works, 2 days after the welcome
    const edited = deployEdit(env, (steps) =>
      steps.map((step) =>
        step.id === 'how-it-works'
          ? { ...step, after: { days: 5 } }
          : step.id === 'who-it-helps'
            ? { ...step, after: { days: 10 } }
            : step,
      ),
    );

    const after = await runNext(edited, leadId);
    const messages = await env.store.messages(leadId);
    expect(local(messages[1]!.at)).toBe('Wed 2026-03-04T10:00');
    expect(after?.nextStepId).toBe('who-it-helps');
    expect(local(after!.nextSendAt!)).toBe('Sat 2026-03-14T10:00'); // the new 10 days, across the DST change
  });
});

describe('marketing edits a branch while leads are in it', () => {
  const withStep = (steps: EmailStep[], id: string, more: Partial<EmailStep>) =>
    steps.map((step) => (step.id === id ? { ...step, ...more } : step));

  it('a bring-forward added after a lead clicked its link: the lead gets that email next, and every email once', async () => {
    const { env, leadId } = await leadWithWelcome();
    await runNext(env, leadId); // how-it-works
    await seedHumanClicks(env, leadId, 'how-it-works:faq');
    const edited = deployEdit(env, (steps) =>
      withStep(steps, 'the-research', { bringForward: { ifClicked: ['how-it-works:faq'] } }),
    );

    await runUntilDone(edited, leadId);
    expect(await sentSteps(env, leadId)).toEqual([
      'welcome',
      'how-it-works',
      'the-research',
      'who-it-helps',
      'side-effects',
      'iv-and-nasal',
      'cost-and-financing',
      'last-invitation',
    ]);
  });

  it('a bring-forward removed before it fired: the lead who clicked goes the main path, nothing skipped', async () => {
    const { env, leadId } = await leadWithWelcome();
    await runNext(env, leadId); // how-it-works
    await seedHumanClicks(env, leadId, 'how-it-works:cost');
    const edited = deployEdit(env, (steps) => withStep(steps, 'cost-and-financing', { bringForward: undefined }));

    await runUntilDone(edited, leadId);
    expect(await sentSteps(env, leadId)).toEqual(ids);
  });

  it('a bring-forward removed after it fired: the lead still gets every email it went ahead of, and that one once', async () => {
    const { env, leadId } = await leadWithWelcome();
    await runNext(env, leadId); // how-it-works
    await seedHumanClicks(env, leadId, 'how-it-works:cost');
    await runNext(env, leadId); // who-it-helps came due: the cost email is planned in its place
    await runNext(env, leadId); // the cost email, ahead of its place
    expect(await env.store.get(leadId)).toMatchObject({ sentAhead: ['cost-and-financing'] });
    const edited = deployEdit(env, (steps) => withStep(steps, 'cost-and-financing', { bringForward: undefined }));

    await runUntilDone(edited, leadId);
    expect(await sentSteps(env, leadId)).toEqual([
      'welcome',
      'how-it-works',
      'cost-and-financing',
      'who-it-helps',
      'side-effects',
      'iv-and-nasal',
      'the-research',
      'last-invitation',
    ]);
  });

  it('the check-in removed while a lead waits for its click: the lead goes on to the end, not sunset', async () => {
    const env = await testEnv({}, manualClock('2026-03-02T15:00:00Z'));
    const leadId = await signUp(env, { email: uniqueEmail('edit'), timeZone: ZONE });
    for (let i = 0; i < 4; i++) await runNext(env, leadId);
    expect((await sentSteps(env, leadId)).at(-1)).toBe('check-in');
    const edited = deployEdit(env, (steps) => steps.filter((step) => step.id !== 'check-in'));

    expect((await runUntilDone(edited, leadId))?.status).toBe('completed');
    expect(await sentSteps(env, leadId)).toEqual([...ids.slice(0, 4), 'check-in', ...ids.slice(4)]);
  });

  it('a swapped-in email removed while a lead is due to get it: the lead gets the step it would have replaced', async () => {
    const { env, leadId } = await leadWithWelcome();
    const swap: EmailStep = {
      id: 'cost-early',
      class: 'marketing',
      template: CostAndFinancing,
      insteadOf: { step: 'who-it-helps', ifClicked: ['how-it-works'] },
    };
    const swapped = deployEdit(env, (steps) => [...steps.slice(0, 3), swap, ...steps.slice(3)]);
    await runNext(swapped, leadId); // how-it-works
    await seedHumanClicks(env, leadId, 'how-it-works');
    await runNext(swapped, leadId); // who-it-helps came due: the swapped-in email is planned in its place
    expect((await env.store.get(leadId))?.nextStepId).toBe('cost-early');

    await runUntilDone(
      deployEdit(env, (steps) => steps),
      leadId,
    );
    expect(await sentSteps(env, leadId)).toEqual(ids);
  });
});
