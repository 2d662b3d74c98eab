import { describe, expect, it } from 'vitest';
import { Counting } from '../../../lambdas/domain/counting.ts';
import type { Lead } from '../../../lambdas/domain/lead.ts';
import type { LeadCounts, Log, ReportCounters } from '../../../lambdas/domain/ports.ts';
import { addCounts, type Counts, type LeadView } from '../../../lambdas/domain/report-counts.ts';
import type { EngagementEvent } from '../../../lambdas/domain/ses-event.ts';

/** Counts in key order, for comparing two as a whole (as the store compares the stored string). */
const sorted = (counts: Counts | undefined) => counts && Object.entries(counts).sort(([a], [b]) => a.localeCompare(b));

const silent: Log = { info: () => {}, warn: () => {}, error: () => {} };

/** Counters and per-lead counts in memory, with a hook to race a write in between a read and a store. */
function fakes() {
  const totals: Counts = {};
  const adds: Counts[] = [];
  const views = new Map<string, LeadView>();
  const counted = new Map<string, Counts>();
  let beforeStore: (() => void) | undefined;
  let failAdd: ((deltas: Counts) => Counts) | undefined;
  const counters: ReportCounters = {
    add: async (deltas) => {
      adds.push({ ...deltas });
      const unwritten = failAdd?.(deltas) ?? {};
      addCounts(totals, addCounts({ ...deltas }, unwritten, -1));
      return unwritten;
    },
    read: async () => ({ ...totals }),
    replace: async () => {},
  };
  const leads: LeadCounts = {
    view: async (leadId) => ({
      ...(views.has(leadId) && { view: views.get(leadId)! }),
      ...(counted.has(leadId) && { counted: structuredClone(counted.get(leadId)!) }),
    }),
    store: async (leadId, counts, seen) => {
      beforeStore?.();
      beforeStore = undefined;
      if (JSON.stringify(sorted(counted.get(leadId))) !== JSON.stringify(sorted(seen))) return false;
      counted.set(leadId, { ...counts });
      return true;
    },
  };
  const counting = new Counting({ counters, leads, log: silent, nurtureId: 'nurture' });
  /** The lead store's create: the lead's count written with it. */
  const create = (lead: Lead) => {
    const counts = counting.of(lead);
    counted.set(lead.leadId, counts);
    counting.created(counts);
  };
  /** The settle that ends a claimed lead's sequence: what `ending` gives is written with it, what was there returned. */
  const end = async (lead: Parameters<Counting['ending']>[0], status: 'completed' | 'rejected') => {
    const counts = counting.ending(lead, status);
    const before = counted.get(lead.leadId);
    if (counts) counted.set(lead.leadId, counts);
    await counting.ended(lead, counts && { counted: counts, settled: { countedBefore: before } });
  };
  return {
    counting,
    create,
    end,
    totals,
    adds,
    views,
    counted,
    raceStore: (write: () => void) => (beforeStore = write),
    failAdd: (fail: (deltas: Counts) => Counts) => (failAdd = fail),
  };
}

const event = (type: EngagementEvent['type'], extra: Partial<EngagementEvent> = {}): EngagementEvent => ({
  eventId: `${type}-1`,
  type,
  leadId: 'L1',
  sequenceId: 'nurture',
  stepId: 'welcome',
  messageId: 'm-1',
  at: '2026-03-02T16:00:00.000Z',
  sentAt: '2026-03-02T15:00:00.000Z',
  suppresses: undefined,
  ...extra,
});

const newLead = (leadId: string): Lead => ({
  leadId,
  email: 'x@example.com',
  firstName: 'X',
  timeZone: 'America/Chicago',
  consent: { at: '2026-03-02T15:00:00Z', textVersion: 'v1' },
  attribution: {},
  createdAt: '2026-03-02T15:00:00Z',
  status: 'active',
  sequenceId: 'nurture',
  sentSteps: [],
});

describe('counting what happened, for the report', () => {
  it('a sent step and the first delivery, open, click and complaint on a message each count once; later ones and SES Send do not', async () => {
    const { counting, totals } = fakes();
    counting.sent('nurture', 'welcome');
    await counting.recorded(event('Send'), true);
    await counting.recorded(event('Delivery'), true);
    await counting.recorded(event('Open'), true);
    await counting.recorded(event('Open', { eventId: 'open-2' }), false);
    await counting.recorded(event('Complaint'), true);
    await counting.flush();
    expect(totals).toEqual({
      'step/nurture/welcome/sent': 1,
      'step/nurture/welcome/delivered': 1,
      'step/nurture/welcome/opened': 1,
      'step/nurture/welcome/complained': 1,
    });
  });

  it("a message's clicks count once as clicked and once as machine-clicked, and move from one to the other when a burst shows its earlier clicks were a machine's", async () => {
    const { counting, totals } = fakes();
    const message = { leadId: 'L1', sequenceId: 'nurture', stepId: 'welcome' };
    await counting.clicks(message, { before: { human: 0, machine: 0 }, after: { human: 1, machine: 0 } }, false);
    await counting.clicks(message, { before: { human: 1, machine: 0 }, after: { human: 2, machine: 0 } }, false);
    await counting.flush();
    expect(totals).toEqual({ 'step/nurture/welcome/clicked': 1 });
    // The third click completes a burst over every link: all three were a machine's.
    await counting.clicks(message, { before: { human: 2, machine: 0 }, after: { human: 0, machine: 3 } }, false);
    await counting.flush();
    expect(totals).toEqual({ 'step/nurture/welcome/machineClicked': 1 });
  });

  it('what happened in one invocation is written once, at its end, and nothing more when nothing more happened', async () => {
    const { counting, adds } = fakes();
    counting.sent('nurture', 'welcome');
    counting.sent('nurture', 'welcome');
    counting.sent('nurture', 'how-it-works');
    expect(adds).toEqual([]);
    await counting.flush();
    await counting.flush();
    expect(adds).toEqual([{ 'step/nurture/welcome/sent': 2, 'step/nurture/how-it-works/sent': 1 }]);
  });

  it('a sign-up enters the nurture, still active; completing the sequence moves it to completed', async () => {
    const { counting, totals, counted, create, end } = fakes();
    create(newLead('L1'));
    await counting.flush();
    expect(totals).toEqual({ 'lead/nurture': 1, 'lead/left.active': 1 });
    await end({ leadId: 'L1', sequenceId: 'nurture' }, 'completed');
    await counting.flush();
    expect(totals).toEqual({ 'lead/nurture': 1, 'lead/left.completed': 1 });
    expect(counted.get('L1')).toEqual({ 'lead/nurture': 1, 'lead/left.completed': 1 });
  });

  it('a booked lead finishing its follow-up changes no lead total; a lead never counted is counted whole as it ends', async () => {
    const { counting, totals, counted, end } = fakes();
    await end({ leadId: 'B', sequenceId: 'follow-up', bookedAt: '2026-03-03T00:00:00Z' }, 'completed');
    await end({ leadId: 'unknown', sequenceId: 'nurture' }, 'rejected');
    await counting.flush();
    expect(totals).toEqual({ 'lead/nurture': 1, 'lead/left.rejected': 1 });
    expect(counted.has('B')).toBe(false);
  });

  it('a confirmed lead (double opt-in) ending its nurture stays counted as asked and confirmed', async () => {
    const { counting, totals, create, end } = fakes();
    const confirmedAt = '2026-03-02T15:10:00Z';
    create({ ...newLead('L1'), confirmedAt });
    await end({ leadId: 'L1', sequenceId: 'nurture', confirmedAt }, 'completed');
    await counting.flush();
    expect(totals).toEqual({
      'lead/optIn.asked': 1,
      'lead/optIn.confirmed': 1,
      'lead/nurture': 1,
      'lead/left.completed': 1,
    });
  });

  it('a lead that unsubscribed from marketing is recounted from its items when its sequence ends', async () => {
    const { counting, totals, views, create, end } = fakes();
    create(newLead('L1'));
    const optedOutAt = '2026-03-03T00:00:00Z';
    views.set('L1', {
      lead: { leadId: 'L1', status: 'completed', sequenceId: 'nurture', optedOutAt },
      messages: [],
      clicks: [],
    });
    await end({ leadId: 'L1', sequenceId: 'nurture', optedOutAt }, 'completed');
    await counting.flush();
    expect(totals).toEqual({ 'lead/nurture': 1, 'lead/left.unsubscribed': 1, 'lead/unsubscribed.marketing': 1 });
  });

  it('a booking, then a click from before it that arrives later, credits the booking to that email once', async () => {
    const { counting, totals, views, create } = fakes();
    create(newLead('L1'));
    const sent = { leadId: 'L1', sequenceId: 'nurture', state: 'sent' as const, counts: { Delivery: 1 } };
    const messages = [
      { ...sent, stepId: 'welcome', at: '2026-03-02T15:00:00Z' },
      { ...sent, stepId: 'how-it-works', at: '2026-03-05T15:00:00Z' },
    ];
    const booked = {
      leadId: 'L1',
      status: 'active' as const,
      sequenceId: 'follow-up',
      bookedAt: '2026-03-06T10:00:00Z',
    };
    views.set('L1', { lead: booked, messages, clicks: [] });
    await counting.changed('L1');
    views.set('L1', {
      lead: booked,
      messages,
      clicks: [{ leadId: 'L1', sequenceId: 'nurture', stepId: 'how-it-works', at: '2026-03-05T16:00:00Z' }],
    });
    const message = { leadId: 'L1', sequenceId: 'nurture', stepId: 'how-it-works' };
    await counting.clicks(message, { before: { human: 0, machine: 0 }, after: { human: 1, machine: 0 } }, true);
    await counting.clicks(message, { before: { human: 1, machine: 0 }, after: { human: 2, machine: 0 } }, true);
    await counting.flush();
    expect(totals).toEqual({
      'lead/nurture': 1,
      'lead/left.booked': 1,
      'lead/bookings': 1,
      'lead/afterClick': 1,
      'step/nurture/how-it-works/bookedAfter': 1,
      'step/nurture/how-it-works/clicked': 1,
    });
  });

  it('two changes racing on one lead count its difference once: the one that lost re-reads and adds only what is left', async () => {
    const { counting, totals, views, counted, raceStore, create } = fakes();
    create(newLead('L1'));
    const messages = [
      {
        leadId: 'L1',
        sequenceId: 'nurture',
        stepId: 'welcome',
        state: 'sent' as const,
        at: '2026-03-02T15:00:00Z',
        counts: {},
      },
    ];
    const unsubscribed = {
      lead: { leadId: 'L1', status: 'unsubscribed' as const, sequenceId: 'nurture', stoppedAt: '2026-03-03T00:00:00Z' },
      messages,
      clicks: [],
    };
    views.set('L1', unsubscribed);
    // Another process counts the same change between this one's read and its write.
    raceStore(() =>
      counted.set('L1', {
        'lead/nurture': 1,
        'lead/left.unsubscribed': 1,
        'lead/unsubscribed.marketing': 1,
        'step/nurture/welcome/unsubscribed': 1,
      }),
    );
    await counting.changed('L1');
    await counting.flush();
    // The other process adds its own difference when it flushes; this one added nothing more.
    expect(totals).toEqual({ 'lead/nurture': 1, 'lead/left.active': 1 });
  });

  it('counters that cannot be written now are written by the next flush, and only those', async () => {
    const { counting, totals, failAdd } = fakes();
    counting.sent('nurture', 'welcome');
    counting.sent('nurture', 'how-it-works');
    failAdd((deltas): Counts => ('step/nurture/welcome/sent' in deltas ? { 'step/nurture/welcome/sent': 1 } : {}));
    await counting.flush();
    expect(totals).toEqual({ 'step/nurture/how-it-works/sent': 1 });
    failAdd(() => ({}));
    await counting.flush();
    expect(totals).toEqual({ 'step/nurture/how-it-works/sent': 1, 'step/nurture/welcome/sent': 1 });
  });

  it('a failing read never fails what is being counted: the lead is left for the rebuild', async () => {
    const { counting } = fakes();
    const broken = new Counting({
      counters: { add: async () => ({}), read: async () => ({}), replace: async () => {} },
      leads: {
        view: async () => {
          throw new Error('throttled');
        },
        store: async () => true,
      },
      log: silent,
      nurtureId: 'nurture',
    });
    await expect(broken.changed('L1')).resolves.toBeUndefined();
    await expect(counting.flush()).resolves.toBeUndefined();
  });
});
