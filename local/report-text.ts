/** The report as plain text for a terminal (`npm run report`): clicks and bookings first, opens marked. */
import {
  EXPERIMENT_COLUMNS,
  experimentStateText,
  FUNNEL_COLUMNS,
  LEAVE_LABELS,
  LEAVE_REASONS,
  type Report,
  type StepFunnel,
  type VariantFunnel,
} from '../lambdas/domain/report.ts';
import type { GroupRate, HoldoutComparison } from '../lambdas/domain/holdout-comparison.ts';

const percent = (value: number | null) => (value === null ? '' : ` (${Math.round(value * 100)}%)`);

/** Columns padded to their widest cell: the first left-aligned, the rest right-aligned (numbers). */
function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function reportText(report: Report, source: string): string {
  const { bookings, nurture } = report;
  const lines = [
    `Nurture report, ${report.generatedAt} (${source})`,
    '',
    report.note,
    '',
    `Bookings: ${bookings.total}. After clicking an email: ${bookings.afterClick}. Booked without a click: ${bookings.withoutClick}.`,
    `Sent: ${report.classes.sent.marketing} marketing, ${report.classes.sent.care} care. Unsubscribed: ${report.classes.unsubscribed.marketing} from marketing (care still goes), ${report.classes.unsubscribed.everything} from everything.`,
    ...(report.optIn.asked > 0
      ? [
          `Double opt-in: ${report.optIn.confirmed} of ${report.optIn.asked} leads asked confirmed their address${percent(report.optIn.rate)}.`,
        ]
      : []),
  ];
  for (const sequence of report.sequences) {
    const header = [
      'Email (step)',
      ...FUNNEL_COLUMNS.map((column) => `${column.label}${column.unreliable ? '*' : ''}`),
    ];
    const cells = (row: StepFunnel | VariantFunnel) =>
      FUNNEL_COLUMNS.map(
        ({ key }) =>
          `${row[key]}${key === 'clicked' ? percent(row.clickRate) : key === 'bookedAfter' ? percent(row.bookingRate) : ''}`,
      );
    // Each variant by interest under its step: the leads sent it, also counted in the step's row.
    const rows = sequence.steps.flatMap((step) => [
      [step.stepId, ...cells(step)],
      ...step.variants.map((variant) => [`  ↳ ${variant.variantId}`, ...cells(variant)]),
    ]);
    lines.push('', `Sequence "${sequence.sequenceId}" (percentages are of delivered)`, table([header, ...rows]));
    // Each subject-line experiment under its own heading: a row per variant, judged on a person's clicks or bookings.
    for (const step of sequence.steps.filter((s) => s.experiment)) {
      const experiment = step.experiment!;
      lines.push(
        '',
        `Experiment ${experiment.experimentId} on ${step.stepId}, judged on ${experiment.metric}: ${experimentStateText(experiment.state)}`,
        table([
          ['Variant', ...EXPERIMENT_COLUMNS.map((column) => column.label)],
          ...experiment.variants.map((row) => [
            row.variantId,
            ...EXPERIMENT_COLUMNS.map(({ key }) =>
              key === 'probabilityBest' ? row[key].toFixed(3) : String(row[key]),
            ),
          ]),
        ]),
      );
    }
  }
  lines.push(
    '',
    `Why leads left the nurture (${nurture.leads} leads)`,
    table(LEAVE_REASONS.map((reason) => [LEAVE_LABELS[reason], String(nurture.left[reason])])),
  );
  lines.push('', ...holdoutText(report.holdout));
  const machine = FUNNEL_COLUMNS.find((c) => c.key === 'machineClicked')!;
  lines.push(
    '',
    `${machine.label}: ${machine.meaning}.`,
    `* ${FUNNEL_COLUMNS.filter((c) => c.unreliable)
      .map((c) => `${c.label}: ${c.meaning}; not a reliable signal.`)
      .join(' ')}`,
  );
  return lines.join('\n');
}

const pct = (value: number) => `${(value * 100).toFixed(1)}%`;

/** The holdout comparison: each group's leads, bookings and rate with its interval, then the verdict in words. */
export function holdoutText(holdout: HoldoutComparison): string[] {
  const title = `Holdout: does the nurture lead to more bookings? (share held out now: ${pct(holdout.share)})`;
  if (holdout.verdict === 'off') return [title, holdout.summary];
  const row = (label: string, group: GroupRate) => [
    label,
    String(group.leads),
    String(group.booked),
    group.rate === null ? '' : pct(group.rate),
    `${pct(group.interval.lower)} to ${pct(group.interval.upper)}`,
  ];
  return [
    title,
    table([
      ['Group', 'Leads', 'Booked', 'Booking rate', '95% interval'],
      row('Nurture (every email)', holdout.nurture),
      row('Holdout (welcome only)', holdout.holdout),
    ]),
    holdout.summary,
  ];
}
