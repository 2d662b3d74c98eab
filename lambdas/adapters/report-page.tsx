/**
 * The `/admin` page: the report rendered as a chart and tables with React on the server; no script, nothing fetched
 * from elsewhere. Ids and counts only: the report it is given holds no address, name or health interest.
 */
import { renderToStaticMarkup } from 'react-dom/server';
import {
  EXPERIMENT_COLUMNS,
  experimentStateText,
  FUNNEL_COLUMNS,
  LEAVE_LABELS,
  LEAVE_REASONS,
  type Report,
  type SequenceFunnel,
  type StepFunnel,
  type VariantFunnel,
} from '../domain/report.ts';
import type { HoldoutComparison } from '../domain/holdout-comparison.ts';

const COLOURS = {
  clicked: '#1d4e89',
  bookedAfter: '#2f855a',
  holdout: '#9a6700',
  track: '#e4e7eb',
  ink: '#1f2933',
  muted: '#616e7c',
};

const CSS = `
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:${COLOURS.ink};line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.25rem}h2{font-size:1.2rem;margin-top:2.5rem}
.meta{color:${COLOURS.muted};margin-top:0}.note{background:#fff8e1;border-left:4px solid #f0b429;padding:.75rem 1rem}
.cards{display:flex;gap:1rem;flex-wrap:wrap}.card{flex:1 1 9rem;border:1px solid ${COLOURS.track};border-radius:6px;padding:.75rem 1rem}
.card strong{display:block;font-size:1.6rem}
table{border-collapse:collapse;width:100%;margin-top:1rem;font-variant-numeric:tabular-nums}
th,td{padding:.35rem .6rem;border-bottom:1px solid ${COLOURS.track};text-align:right}th:first-child,td:first-child{text-align:left}
th{font-weight:600;font-size:.9rem}.primary{background:#f0f4f8}.unreliable{color:${COLOURS.muted}}
dl{font-size:.9rem;color:${COLOURS.muted}}dt{font-weight:600;color:${COLOURS.ink};margin-top:.4rem}dd{margin-left:1rem}
svg text{font-family:inherit;font-size:13px}
`;

/** Clicks and bookings stand out; opens are greyed. */
const columnClass = (column: (typeof FUNNEL_COLUMNS)[number]) =>
  column.unreliable ? 'unreliable' : column.key === 'clicked' || column.key === 'bookedAfter' ? 'primary' : undefined;

const percent = (value: number | null) => (value === null ? '' : ` (${Math.round(value * 100)}%)`);

export interface AdminPageOptions {
  /**
   * Link to the same report as JSON (default: yes). The signed-in page in AWS leaves it out: a link is a plain
   * navigation, which carries no token, so it would only meet the authorizer's 401.
   */
  jsonLink?: boolean;
}

/** The whole page, as an HTML document. */
export function adminPage(report: Report, { jsonLink = true }: AdminPageOptions = {}): string {
  const { bookings, nurture } = report;
  return `<!doctype html>${renderToStaticMarkup(
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Nurture report</title>
        <style>{CSS}</style>
      </head>
      <body>
        <h1>Nurture report</h1>
        <p className="meta">
          Generated {report.generatedAt}. Ids and counts only.
          {jsonLink && (
            <>
              {' '}
              <a href="admin/report">The same as JSON</a>.
            </>
          )}
        </p>
        <p className="note">{report.note}</p>

        <div className="cards">
          <div className="card" data-metric="bookings">
            <strong>{bookings.total}</strong>bookings
          </div>
          <div className="card" data-metric="booked-after-click">
            <strong>{bookings.afterClick}</strong>booked after clicking an email
          </div>
          <div className="card" data-metric="booked-without-click">
            <strong>{bookings.withoutClick}</strong>booked without a click
          </div>
          <div className="card" data-metric="nurture-leads">
            <strong>{nurture.leads}</strong>leads entered the nurture
          </div>
          {report.optIn.asked > 0 && (
            <div className="card" data-metric="confirmation-rate">
              <strong>{report.optIn.rate === null ? '–' : `${Math.round(report.optIn.rate * 100)}%`}</strong>
              confirmed their address ({report.optIn.confirmed} of {report.optIn.asked} asked)
            </div>
          )}
        </div>

        {report.sequences.map((sequence) => (
          <section key={sequence.sequenceId} id={`sequence-${sequence.sequenceId}`}>
            <h2>Sequence “{sequence.sequenceId}”: clicks and bookings by email</h2>
            <FunnelChart sequence={sequence} />
            <FunnelTable sequence={sequence} />
            {sequence.steps
              .filter((step) => step.experiment)
              .map((step) => (
                <div key={`experiment/${step.stepId}`}>
                  <ExperimentChart step={step} />
                  <ExperimentTable step={step} />
                </div>
              ))}
          </section>
        ))}

        <section id="classes">
          <h2>Marketing and care emails</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">Class</th>
                <th scope="col">Sent</th>
                <th scope="col">Unsubscribed</th>
              </tr>
            </thead>
            <tbody>
              <tr data-class="marketing">
                <th scope="row">Marketing (education, rebooking nudge)</th>
                <td data-column="sent">{report.classes.sent.marketing}</td>
                <td data-column="unsubscribed">{report.classes.unsubscribed.marketing}</td>
              </tr>
              <tr data-class="care">
                <th scope="row">Care (confirmation, reminder, after the visit)</th>
                <td data-column="sent">{report.classes.sent.care}</td>
                <td data-column="unsubscribed">{report.classes.unsubscribed.everything}</td>
              </tr>
            </tbody>
          </table>
          <p>
            An unsubscribe stops marketing only: care emails about a booked visit still go. “Stop everything” stops
            both, and is counted on the care row.
          </p>
        </section>

        <HoldoutSection holdout={report.holdout} />

        <section id="left">
          <h2>Why leads left the nurture</h2>
          <LeaveChart left={nurture.left} />
        </section>

        <h2>What the columns count</h2>
        <p>Each lead counts once per email, however often it opened or clicked.</p>
        <dl>
          {FUNNEL_COLUMNS.map((column) => (
            <div key={column.key}>
              <dt>{column.label}</dt>
              <dd>
                {column.meaning}
                {column.unreliable && ': not a reliable signal'}.
              </dd>
            </div>
          ))}
        </dl>
      </body>
    </html>,
  )}`;
}

function FunnelTable({ sequence }: { sequence: SequenceFunnel }) {
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Email (step)</th>
          {FUNNEL_COLUMNS.map((column) => (
            <th scope="col" key={column.key} className={columnClass(column)}>
              {column.label}
              {column.unreliable && '*'}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {sequence.steps.flatMap((step) => [
          <tr key={step.stepId} data-step={step.stepId}>
            <th scope="row">{step.stepId}</th>
            <FunnelCells row={step} />
          </tr>,
          // Each variant by interest under its step: the leads sent it, also counted in the step's row.
          ...step.variants.map((variant) => (
            <tr
              key={`${step.stepId}/${variant.variantId}`}
              data-variant={variant.variantId}
              data-variant-of={step.stepId}
            >
              <th scope="row">↳ {variant.variantId}</th>
              <FunnelCells row={variant} />
            </tr>
          )),
        ])}
      </tbody>
    </table>
  );
}

/** Each variant's rate on the experiment's metric, with its 95% credible interval: the table's numbers, drawn. */
function ExperimentChart({ step }: { step: StepFunnel }) {
  const experiment = step.experiment!;
  const metric = experiment.metric === 'bookings' ? 'booked' : 'clicked';
  return (
    <RateChart
      id={`experiment-${step.stepId}`}
      title={`${experiment.metric === 'bookings' ? 'Booking' : 'Click'} rate of each subject line of ${step.stepId}, with 95% intervals`}
      what={metric}
      empty="none delivered yet"
      groups={experiment.variants.map((row) => ({
        key: row.variantId,
        label: `Variant ${row.variantId}`,
        rate: row.rate,
        interval: row.interval,
        counts: `${row[metric]} of ${row.delivered} delivered`,
        colour: COLOURS.clicked,
      }))}
    />
  );
}

/** A step's subject-line experiment: its state, and a row per variant. */
function ExperimentTable({ step }: { step: StepFunnel }) {
  const experiment = step.experiment!;
  return (
    <table data-experiment={experiment.experimentId} data-experiment-of={step.stepId}>
      <caption>
        Experiment {experiment.experimentId} on {step.stepId}, judged on {experiment.metric}:{' '}
        {experimentStateText(experiment.state)}
      </caption>
      <thead>
        <tr>
          <th scope="col">Variant</th>
          {EXPERIMENT_COLUMNS.map((column) => (
            <th scope="col" key={column.key}>
              {column.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {experiment.variants.map((row) => (
          <tr key={row.variantId} data-variant={row.variantId}>
            <th scope="row">{row.variantId}</th>
            {EXPERIMENT_COLUMNS.map(({ key }) => (
              <td key={key} data-column={key}>
                {key === 'probabilityBest' ? row[key].toFixed(3) : row[key]}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function FunnelCells({ row }: { row: StepFunnel | VariantFunnel }) {
  return FUNNEL_COLUMNS.map((column) => (
    <td key={column.key} data-column={column.key} className={columnClass(column)}>
      {row[column.key]}
      {column.key === 'clicked' && percent(row.clickRate)}
      {column.key === 'bookedAfter' && percent(row.bookingRate)}
    </td>
  ));
}

const LABEL_WIDTH = 190;
const BAR_WIDTH = 440;
const ROW = 40;

/** Horizontal bars per step: clicks and bookings after that step, on one scale. */
function FunnelChart({ sequence }: { sequence: SequenceFunnel }) {
  const max = Math.max(1, ...sequence.steps.flatMap((s) => [s.clicked, s.bookedAfter]));
  const height = 30 + sequence.steps.length * ROW;
  const bar = (step: StepFunnel, key: 'clicked' | 'bookedAfter', y: number) => {
    const width = (step[key] / max) * BAR_WIDTH;
    return (
      <g>
        <rect x={LABEL_WIDTH} y={y} width={BAR_WIDTH} height={14} fill={COLOURS.track} />
        <rect x={LABEL_WIDTH} y={y} width={width} height={14} fill={COLOURS[key]} />
        <text x={LABEL_WIDTH + BAR_WIDTH + 8} y={y + 11} fill={COLOURS.ink}>
          {step[key]}
          {percent(key === 'clicked' ? step.clickRate : step.bookingRate)}
        </text>
      </g>
    );
  };
  return (
    <svg
      viewBox={`0 0 ${LABEL_WIDTH + BAR_WIDTH + 110} ${height}`}
      width="100%"
      role="img"
      aria-labelledby={`chart-${sequence.sequenceId}`}
    >
      <title
        id={`chart-${sequence.sequenceId}`}
      >{`Clicks and bookings after each email of the sequence ${sequence.sequenceId}`}</title>
      <rect x={LABEL_WIDTH} y={4} width={12} height={12} fill={COLOURS.clicked} />
      <text x={LABEL_WIDTH + 18} y={14}>
        Clicked (of delivered)
      </text>
      <rect x={LABEL_WIDTH + 190} y={4} width={12} height={12} fill={COLOURS.bookedAfter} />
      <text x={LABEL_WIDTH + 208} y={14}>
        Booked after this email
      </text>
      {sequence.steps.map((step, i) => {
        const y = 30 + i * ROW;
        return (
          <g key={step.stepId} data-step={step.stepId}>
            <text x={LABEL_WIDTH - 8} y={y + 20} textAnchor="end" fill={COLOURS.ink}>
              {step.stepId}
            </text>
            {bar(step, 'clicked', y)}
            {bar(step, 'bookedAfter', y + 16)}
          </g>
        );
      })}
    </svg>
  );
}

function LeaveChart({ left }: { left: Report['nurture']['left'] }) {
  const max = Math.max(1, ...Object.values(left));
  return (
    <svg
      viewBox={`0 0 ${LABEL_WIDTH + BAR_WIDTH + 60} ${LEAVE_REASONS.length * 24 + 4}`}
      width="100%"
      role="img"
      aria-labelledby="chart-left"
    >
      <title id="chart-left">Why leads left the nurture</title>
      {LEAVE_REASONS.map((reason, i) => (
        <g key={reason} data-reason={reason}>
          <text x={LABEL_WIDTH - 8} y={i * 24 + 16} textAnchor="end" fill={COLOURS.ink}>
            {LEAVE_LABELS[reason]}
          </text>
          <rect
            x={LABEL_WIDTH}
            y={i * 24 + 4}
            width={(left[reason] / max) * BAR_WIDTH}
            height={16}
            fill={reason === 'booked' ? COLOURS.bookedAfter : COLOURS.muted}
          />
          <text x={LABEL_WIDTH + (left[reason] / max) * BAR_WIDTH + 8} y={i * 24 + 16} fill={COLOURS.ink}>
            {left[reason]}
          </text>
        </g>
      ))}
    </svg>
  );
}

const pct = (value: number) => `${(value * 100).toFixed(1)}%`;

/** The holdout comparison: the two groups side by side, a chart of their rates, and the verdict in words. */
function HoldoutSection({ holdout }: { holdout: HoldoutComparison }) {
  const groups = [
    { key: 'nurture', label: 'Nurture (every email)', group: holdout.nurture, colour: COLOURS.bookedAfter },
    { key: 'holdout', label: 'Holdout (welcome only)', group: holdout.holdout, colour: COLOURS.holdout },
  ] as const;
  return (
    <section id="holdout" data-verdict={holdout.verdict}>
      <h2>Holdout: does the nurture lead to more bookings?</h2>
      {holdout.verdict !== 'off' && (
        <>
          <p className="meta">Share of new leads held out now: {pct(holdout.share)}.</p>
          <RateChart
            id="holdout"
            title="Booking rate of the nurture and of the holdout, with 95% intervals"
            what="booked"
            empty="no leads yet"
            groups={groups.map(({ key, label, group, colour }) => ({
              key,
              label,
              rate: group.rate,
              interval: group.interval,
              counts: `${group.booked} of ${group.leads}`,
              colour,
            }))}
          />
          <table>
            <thead>
              <tr>
                <th scope="col">Group</th>
                <th scope="col">Leads</th>
                <th scope="col">Booked</th>
                <th scope="col">Booking rate</th>
                <th scope="col">95% interval</th>
              </tr>
            </thead>
            <tbody>
              {groups.map(({ key, label, group }) => (
                <tr key={key} data-group={key}>
                  <th scope="row">{label}</th>
                  <td data-column="leads">{group.leads}</td>
                  <td data-column="booked">{group.booked}</td>
                  <td data-column="rate">{group.rate === null ? '–' : pct(group.rate)}</td>
                  <td data-column="interval">
                    {pct(group.interval.lower)} to {pct(group.interval.upper)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <p className="verdict">{holdout.summary}</p>
    </section>
  );
}

/**
 * Each group's (or variant's) rate as a bar, with its 95% interval as a line across it: where two lines overlap a lot,
 * the difference may be luck. The scale runs to the largest upper bound, rounded up to 10 points.
 */
function RateChart({
  id,
  title,
  what,
  empty,
  groups,
}: {
  id: string;
  title: string;
  /** The rate's verb in the text equivalent (`booked`, `clicked`), and what to say with nothing to count yet. */
  what: string;
  empty: string;
  groups: readonly {
    key: string;
    label: string;
    rate: number | null;
    interval: { lower: number; upper: number };
    counts: string;
    colour: string;
  }[];
}) {
  const top = Math.max(0.1, Math.ceil(Math.max(...groups.map((g) => g.interval.upper)) * 10) / 10);
  const x = (rate: number) => LABEL_WIDTH + (Math.min(rate, top) / top) * BAR_WIDTH;
  const described = groups
    .map(
      (group) =>
        `${group.label}: ${group.rate === null ? empty : `${pct(group.rate)} ${what} (${group.counts})`}, 95% interval ${pct(group.interval.lower)} to ${pct(group.interval.upper)}.`,
    )
    .join(' ');
  return (
    <svg
      viewBox={`0 0 ${LABEL_WIDTH + BAR_WIDTH + 110} ${groups.length * ROW + 30}`}
      width="100%"
      role="img"
      aria-labelledby={`chart-${id} chart-${id}-desc`}
    >
      <title id={`chart-${id}`}>{title}</title>
      <desc id={`chart-${id}-desc`}>{described}</desc>
      {groups.map(({ key, label, rate, interval, colour }, i) => {
        const y = 8 + i * ROW;
        return (
          <g key={key} data-group={key}>
            <text x={LABEL_WIDTH - 8} y={y + 15} textAnchor="end" fill={COLOURS.ink}>
              {label}
            </text>
            <rect x={LABEL_WIDTH} y={y} width={BAR_WIDTH} height={20} fill={COLOURS.track} />
            <rect x={LABEL_WIDTH} y={y} width={x(rate ?? 0) - LABEL_WIDTH} height={20} fill={colour} />
            <line
              data-interval={key}
              x1={x(interval.lower)}
              x2={x(interval.upper)}
              y1={y + 10}
              y2={y + 10}
              stroke={COLOURS.ink}
              strokeWidth={2}
            />
            <line x1={x(interval.lower)} x2={x(interval.lower)} y1={y + 4} y2={y + 16} stroke={COLOURS.ink} />
            <line x1={x(interval.upper)} x2={x(interval.upper)} y1={y + 4} y2={y + 16} stroke={COLOURS.ink} />
            <text x={LABEL_WIDTH + BAR_WIDTH + 8} y={y + 15} fill={COLOURS.ink}>
              {rate === null ? '–' : pct(rate)}
            </text>
          </g>
        );
      })}
      <text x={LABEL_WIDTH} y={groups.length * ROW + 24} fill={COLOURS.muted}>
        0%
      </text>
      <text x={LABEL_WIDTH + BAR_WIDTH} y={groups.length * ROW + 24} textAnchor="end" fill={COLOURS.muted}>
        {pct(top)}
      </text>
    </svg>
  );
}
