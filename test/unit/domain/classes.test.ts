/**
 * Message classes in the pure domain: planning passes over marketing for a lead that unsubscribed from it, the
 * sequences are checked at start, and the report splits sends and unsubscribes by class.
 */
import { describe, expect, it } from 'vitest';
import { followUpOutline, nurtureOutline, outlines, rescheduleOutline } from '../../../emails/outline.ts';
import { planNext } from '../../../lambdas/domain/plan.ts';
import { buildReport, type ReportMessage } from '../../../lambdas/domain/report.ts';
import { classOf, validateSequences, type Sequence } from '../../../lambdas/domain/sequence.ts';

const now = new Date('2026-03-02T15:00:00Z');
const zone = 'America/New_York';

describe('planning by class', () => {
  it('a lead that unsubscribed from marketing is planned no marketing step, and every care step', () => {
    const optedOutAt = now.toISOString();
    const nurture = planNext(nurtureOutline, { sentSteps: ['welcome'], timeZone: zone, optedOutAt }, now, now);
    expect(nurture.next).toBeUndefined();
    // Every marketing step but the check-in, which is due only after four unclicked emails the lead was sent.
    expect(nurture.skipped).toEqual(
      nurtureOutline.steps
        .slice(1)
        .map((step) => step.id)
        .filter((id) => id !== 'check-in'),
    );
    const nudge = planNext(rescheduleOutline, { sentSteps: [], timeZone: zone, optedOutAt }, now, now);
    expect(nudge).toEqual({ skipped: ['reschedule-nudge'] });

    const appointmentAt = '2026-03-09T14:00:00.000Z';
    const care = planNext(followUpOutline, { sentSteps: [], timeZone: zone, optedOutAt, appointmentAt }, now, now);
    expect(care.next?.stepId).toBe('confirmation');
  });

  it('without an opt-out, marketing is planned as before', () => {
    expect(planNext(nurtureOutline, { sentSteps: ['welcome'], timeZone: zone }, now, now).next?.stepId).toBe(
      'how-it-works',
    );
  });

  it('the class of the step a lead waits on', () => {
    expect(classOf(outlines, 'nurture', 'welcome')).toBe('marketing');
    expect(classOf(outlines, 'follow-up', 'reminder')).toBe('care');
    expect(classOf(outlines, 'reschedule', 'reschedule-nudge')).toBe('marketing');
    expect(classOf(outlines, 'follow-up', undefined)).toBeUndefined();
    expect(classOf(outlines, 'follow-up', 'a-removed-step')).toBeUndefined();
  });
});

describe('the sequences checked at start', () => {
  it('the configured sequences pass, with each care step in the follow-up or the double opt-in', () => {
    expect(() => validateSequences(outlines)).not.toThrow();
    const care = Object.values(outlines).flatMap((s) => s.steps.filter((step) => step.class === 'care'));
    expect(care.map((step) => step.id)).toEqual(['confirmation', 'reminder', 'after-visit', 'confirm-address']);
  });

  it('a step without a class, with another class, or a step id used twice is refused, each named', () => {
    const broken = {
      a: { ...nurtureOutline, id: 'a', steps: [{ id: 'one' }, { id: 'two', class: 'promo' }] },
      b: { ...followUpOutline, id: 'b', steps: [{ id: 'one', class: 'care' }] },
    } as unknown as Record<string, Sequence>;
    expect(() => validateSequences(broken)).toThrow(/a\/one: class must be one of: marketing, care/);
    expect(() => validateSequences(broken)).toThrow(/a\/two: class must be/);
    expect(() => validateSequences(broken)).toThrow(/b\/one: step id used twice/);
  });
});

describe('the report by class', () => {
  const message = (leadId: string, sequenceId: string, stepId: string, at: string): ReportMessage => ({
    leadId,
    sequenceId,
    stepId,
    state: 'sent',
    at,
    counts: {},
  });

  it('counts sends by class, and unsubscribes from marketing apart from "stop everything"', () => {
    const report = buildReport(
      {
        leads: [
          // Unsubscribed from the nurture, booked later: care goes on.
          {
            leadId: 'a',
            status: 'active',
            sequenceId: 'follow-up',
            optedOutAt: '2026-03-02T16:00:00Z',
            stoppedAt: '2026-03-02T16:00:00Z',
            bookedAt: '2026-03-03T10:00:00Z',
          },
          // Booked, then stopped everything.
          {
            leadId: 'b',
            status: 'stopped',
            sequenceId: 'follow-up',
            bookedAt: '2026-03-02T16:00:00Z',
            stoppedAt: '2026-03-04T10:00:00Z',
          },
          { leadId: 'c', status: 'active', sequenceId: 'nurture' },
        ],
        messages: [
          message('a', 'nurture', 'welcome', '2026-03-02T15:00:00Z'),
          message('a', 'follow-up', 'confirmation', '2026-03-03T10:00:00Z'),
          message('b', 'nurture', 'welcome', '2026-03-02T15:00:00Z'),
          message('b', 'follow-up', 'confirmation', '2026-03-02T16:00:00Z'),
          message('c', 'nurture', 'welcome', '2026-03-02T15:00:00Z'),
        ],
        clicks: [],
      },
      { now, sequences: outlines },
    );
    expect(report.classes).toEqual({ sent: { marketing: 3, care: 2 }, unsubscribed: { marketing: 1, everything: 1 } });
    // The lead that unsubscribed and then booked left the nurture by unsubscribing; the other by booking.
    expect(report.nurture.left).toMatchObject({ unsubscribed: 1, booked: 1, active: 1, stopped: 0 });
    const welcome = report.sequences[0]!.steps.find((step) => step.stepId === 'welcome')!;
    const confirmation = report.sequences
      .find((s) => s.sequenceId === 'follow-up')!
      .steps.find((step) => step.stepId === 'confirmation')!;
    expect([welcome.unsubscribed, confirmation.unsubscribed]).toEqual([1, 1]);
  });
});
