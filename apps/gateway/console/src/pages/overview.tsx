import { Bar, BarChart, CartesianGrid, Cell, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import { saveFile } from '../api/client';
import { api } from '../api/endpoints';
import type { AssessmentPoint, FundingAccount, Program } from '../api/types';
import { ErrorNotice, Kpi, Loading, Section, StatusBadge } from '../components/ui';
import { toCsv } from '../lib/csv';
import { formatDateTime, formatUsd } from '../lib/format';
import { COUNTRIES, COUNTRY_NAMES, PILLARS, PILLAR_NAMES, PROGRAM_STATUSES, type ProgramStatus } from '../lib/reference';
import { link } from '../lib/router';
import { usePolled } from '../lib/use-polled';

export const STATUS_COLOURS: Record<ProgramStatus, string> = {
  DRAFT: '#8a94a6',
  SUBMITTED: '#3b82c4',
  UNDER_REVIEW: '#6d5bd0',
  REVISION_REQUESTED: '#d08a18',
  APPROVED: '#2f8f5b',
  REJECTED: '#c2413b',
  WITHDRAWN: '#6b6b6b',
  SUSPENDED: '#b5561c',
  DISCONTINUED: '#8c2d4a',
  CLOSED: '#3d4a5c',
};

/** The overview reads every program and every funding account: refreshed less often than one record's page. */
const OVERVIEW_POLL_MS = 15_000;

/** One line per program with its money, for reports made outside Cuentas. */
function downloadPortfolio({ programs, accounts }: OverviewData): void {
  const accountOf = new Map(accounts.map(({ program, account }) => [program.id, account]));
  const csv = toCsv(
    ['programId', 'title', 'country', 'pillar', 'status', 'implementingPartner', 'startDate', 'endDate', 'budgetCents', 'reservedCents', 'releasedCents', 'availableCents', 'holds', 'createdBy', 'createdByName'],
    programs.map((p) => {
      const account = accountOf.get(p.id);
      return [p.id, p.title, p.country, p.pillar, p.status, p.implementingPartner?.name, p.startDate, p.endDate, p.budgetCents, account?.reservedCents, account?.releasedCents, account?.availableCents, account?.holds.join(' '), p.createdBy, p.createdByName];
    }),
  );
  saveFile(new Blob([csv], { type: 'text/csv' }), `cuentas-portfolio-${new Date().toISOString().slice(0, 10)}.csv`);
}

interface OverviewData {
  programs: Program[];
  accounts: Array<{ program: Program; account: FundingAccount }>;
  due: AssessmentPoint[];
  overdue: AssessmentPoint[];
}

async function loadOverview(): Promise<OverviewData> {
  const [programs, allAccounts, due, overdue] = await Promise.all([
    api.programs.all(),
    api.funding.accounts(),
    api.assessments.list({ status: 'DUE' }),
    api.assessments.list({ status: 'OVERDUE' }),
  ]);
  // An account opens a moment after approval (an event away): a program approved just now shows without money until the next read.
  const programOf = new Map(programs.map((p) => [p.id, p]));
  const accounts = allAccounts.flatMap((account) => {
    const program = programOf.get(account.programId);
    return program ? [{ program, account }] : [];
  });
  return { programs, accounts, due, overdue };
}

interface MoneyRow {
  label: string;
  budget: number;
  reserved: number;
  released: number;
}

function moneyBy<K extends string>(keys: readonly K[], label: (k: K) => string, pick: (p: Program) => K, accounts: OverviewData['accounts']): MoneyRow[] {
  return keys.map((key) => {
    const mine = accounts.filter((a) => pick(a.program) === key);
    const sum = (f: (a: FundingAccount) => number) => mine.reduce((total, a) => total + f(a.account), 0);
    // Chart axes take dollars; the sums themselves stay in integer cents until here.
    return { label: label(key), budget: sum((a) => a.budgetCents) / 100, reserved: sum((a) => a.reservedCents) / 100, released: sum((a) => a.releasedCents) / 100 };
  });
}

const compactUsd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', notation: 'compact', maximumFractionDigits: 1 });
/** Portfolio sums outgrow a tile in cents: the tile rounds ("$15.9M") and spells the sum out below. */
function MoneyKpi({ label, cents, testId }: { label: string; cents: number; testId: string }) {
  return <Kpi label={label} value={compactUsd.format(cents / 100)} exact={formatUsd(cents)} testId={testId} />;
}
const dollarsTooltip = (value: unknown) => formatUsd(Math.round(Number(value) * 100));

function MoneyChart({ data, caption, testId }: { data: MoneyRow[]; caption: string; testId: string }) {
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption>{caption}</figcaption>
      <BarChart responsive data={data} style={{ width: '100%', height: 280 }} margin={{ top: 8, right: 8, bottom: 8, left: 8 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="label" tick={{ fontSize: 12 }} interval={0} />
        <YAxis tickFormatter={(v: number) => compactUsd.format(v)} width={72} tick={{ fontSize: 12 }} />
        <Tooltip formatter={dollarsTooltip} />
        <Legend itemSorter={null} />
        <Bar dataKey="budget" name="Budget" fill="#2c5282" isAnimationActive={false} />
        <Bar dataKey="reserved" name="Reserved" fill="#d69e2e" isAnimationActive={false} />
        <Bar dataKey="released" name="Released" fill="#2f855a" isAnimationActive={false} />
      </BarChart>
    </figure>
  );
}

export function OverviewPage() {
  const { data, error, loading } = usePolled(loadOverview, 'overview', OVERVIEW_POLL_MS);

  if (loading) return <Loading what="the overview" />;
  if (!data) return <ErrorNotice error={error} title="Could not load the overview" />;

  const { programs, accounts, due, overdue } = data;
  const byCountry = moneyBy(COUNTRIES, (c) => COUNTRY_NAMES[c], (p) => p.country, accounts);
  const byPillar = moneyBy(PILLARS, (p) => `Pillar ${p}`, (p) => p.pillar, accounts);
  const byStatus = PROGRAM_STATUSES.map((status) => ({ status, count: programs.filter((p) => p.status === status).length }));
  const countryOf = new Map(programs.map((p) => [p.id, p.country]));
  const titleOf = new Map(programs.map((p) => [p.id, p.title]));
  const pointsByCountry = COUNTRIES.map((c) => ({
    label: COUNTRY_NAMES[c],
    due: due.filter((a) => countryOf.get(a.programId) === c).length,
    overdue: overdue.filter((a) => countryOf.get(a.programId) === c).length,
  }));
  const totals = accounts.reduce(
    (t, { account }) => ({ budget: t.budget + account.budgetCents, released: t.released + account.releasedCents, reserved: t.reserved + account.reservedCents }),
    { budget: 0, released: 0, reserved: 0 },
  );
  const attention = [...overdue, ...due].sort((a, b) => a.dueAt.localeCompare(b.dueAt)).slice(0, 10);

  return (
    <div className="page" data-testid="page-overview">
      <header className="page-head page-head-row">
        <div>
          <h1>Overview</h1>
          <p className="muted">Funding, program status and assessment points across El Salvador, Guatemala, Honduras and regional work. Updates live.</p>
        </div>
        <button type="button" className="button" data-testid="action-download-portfolio" onClick={() => downloadPortfolio(data)}>
          Download portfolio (CSV)
        </button>
      </header>
      <ErrorNotice error={error} title="Refreshing failed; showing the last data" />
      <div className="kpis">
        <Kpi label="Programs" value={programs.length} testId="kpi-programs" />
        <MoneyKpi label="Approved budget" cents={totals.budget} testId="kpi-budget" />
        <MoneyKpi label="Reserved" cents={totals.reserved} testId="kpi-reserved" />
        <MoneyKpi label="Released" cents={totals.released} testId="kpi-released" />
        <Kpi label="Assessments due" value={due.length} testId="kpi-due" tone={due.length ? 'warn' : undefined} />
        <Kpi label="Assessments overdue" value={overdue.length} testId="kpi-overdue" tone={overdue.length ? 'bad' : undefined} />
      </div>
      <div className="grid-2">
        <Section title="Funding by country">
          <MoneyChart data={byCountry} caption="Budget, reserved and released, approved programs, by country" testId="chart-country" />
        </Section>
        <Section title="Funding by pillar">
          <MoneyChart data={byPillar} caption="Budget, reserved and released, approved programs, by pillar" testId="chart-pillar" />
          <ul className="legend-list">
            {PILLARS.map((p) => (
              <li key={p}>
                <strong>{p}</strong> {PILLAR_NAMES[p]}
              </li>
            ))}
          </ul>
        </Section>
        <Section title="Programs by status">
          <figure className="chart" data-testid="chart-status">
            <figcaption>Number of programs in each status</figcaption>
            <BarChart responsive data={byStatus} style={{ width: '100%', height: 280 }} margin={{ top: 8, right: 8, bottom: 48, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="status" tick={{ fontSize: 11 }} interval={0} angle={-30} textAnchor="end" />
              <YAxis allowDecimals={false} width={40} tick={{ fontSize: 12 }} />
              <Tooltip />
              <Bar dataKey="count" name="Programs" isAnimationActive={false}>
                {byStatus.map((row) => (
                  <Cell key={row.status} fill={STATUS_COLOURS[row.status]} />
                ))}
              </Bar>
            </BarChart>
          </figure>
        </Section>
        <Section title="Assessment points due and overdue">
          <figure className="chart" data-testid="chart-assessments">
            <figcaption>Open assessment points awaiting an outcome, by country</figcaption>
            <BarChart responsive data={pointsByCountry} style={{ width: '100%', height: 280 }} margin={{ top: 8, right: 8, bottom: 8, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="label" tick={{ fontSize: 12 }} interval={0} />
              <YAxis allowDecimals={false} width={40} tick={{ fontSize: 12 }} />
              <Tooltip />
              <Legend itemSorter={null} />
              <Bar dataKey="due" name="Due" stackId="points" fill="#d69e2e" isAnimationActive={false} />
              <Bar dataKey="overdue" name="Overdue" stackId="points" fill="#c53030" isAnimationActive={false} />
            </BarChart>
          </figure>
        </Section>
      </div>
      <Section title="Needs attention">
        {attention.length === 0 ? (
          <p className="muted">No assessment point is due or overdue.</p>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="attention-table">
              <thead>
                <tr>
                  <th scope="col">Due</th>
                  <th scope="col">Program</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {attention.map((point) => (
                  <tr key={point.id} className={`row-${point.status.toLowerCase()}`}>
                    <td>{formatDateTime(point.dueAt)}</td>
                    <td>
                      <a href={link(`/programs/${point.programId}`)}>{titleOf.get(point.programId) ?? point.programId}</a>
                    </td>
                    <td>
                      <StatusBadge status={point.status} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
    </div>
  );
}
