import { useState } from 'react';
import { saveFile } from '../api/client';
import { api } from '../api/endpoints';
import type { FundingAccount } from '../api/types';
import { useDialog } from '../components/action-dialog';
import { DisbursementTable, type DisbursementRow } from '../components/disbursements';
import { CountryFilter, ErrorNotice, Loading, NotForYou, Person, Section, useFeedback } from '../components/ui';
import { toCsv } from '../lib/csv';
import { formatDateTime, formatUsd } from '../lib/format';
import { programSummaries } from '../lib/program-titles';
import { link } from '../lib/router';
import type { Country, DisbursementStatus } from '../lib/reference';
import { hasRole, type Session } from '../lib/session';
import { usePolled } from '../lib/use-polled';

const QUEUES: Array<{ status: DisbursementStatus; title: string; hint: string }> = [
  { status: 'REQUESTED', title: 'Requested', hint: 'Awaiting a first approval.' },
  { status: 'PARTIALLY_APPROVED', title: 'Partially approved', hint: 'At or above the dual-approval threshold: a second, different approver is needed.' },
  { status: 'APPROVED', title: 'Approved, to release', hint: 'Release with the payment reference. The requester can neither approve nor release.' },
];

export async function loadApprovals(): Promise<Partial<Record<DisbursementStatus, DisbursementRow[]>>> {
  const lists = await Promise.all(QUEUES.map((q) => api.disbursements.list({ status: q.status })));
  const detailed = lists.flat();
  const programIds = [...new Set(detailed.map((d) => d.programId))];
  const [programs, accounts] = await Promise.all([
    programSummaries(programIds),
    Promise.all(programIds.map((id) => api.funding.account(id).catch((): FundingAccount | null => null))),
  ]);
  const accountOf = new Map(programIds.map((id, i) => [id, accounts[i]]));
  const rows: DisbursementRow[] = detailed.map((d) => ({
    ...d,
    programTitle: programs[d.programId].title,
    partnerName: programs[d.programId].partnerName,
    programCountry: programs[d.programId].country,
    account: accountOf.get(d.programId) ?? null,
  }));
  return Object.fromEntries(QUEUES.map((q) => [q.status, rows.filter((r) => r.status === q.status)]));
}

/** Released payments, latest first, with their programs' titles: what finance reconciles with the bank. */
async function loadReleased(): Promise<DisbursementRow[]> {
  const released = await api.disbursements.list({ status: 'RELEASED' });
  const programs = await programSummaries(released.map((d) => d.programId));
  return released
    .map((d) => ({ ...d, programTitle: programs[d.programId].title, programCountry: programs[d.programId].country }))
    .sort((a, b) => (b.release?.at ?? '').localeCompare(a.release?.at ?? ''));
}

const RELEASED_SHOWN = 25;

function inCountry(rows: DisbursementRow[], country: Country | ''): DisbursementRow[] {
  return country ? rows.filter((d) => d.programCountry === country) : rows;
}
const RELEASED_POLL_MS = 10_000;

function downloadReleased(rows: DisbursementRow[]): void {
  const csv = toCsv(
    ['releasedAt', 'paymentReference', 'amountCents', 'amountUsd', 'programId', 'program', 'disbursementId', 'purpose', 'requestedBy', 'approvedBy', 'releasedBy', 'requestedByName', 'approvedByNames', 'releasedByName'],
    rows.map((d) => [
      d.release?.at,
      d.release?.paymentReference ?? d.paymentReference,
      d.amountCents,
      (d.amountCents / 100).toFixed(2),
      d.programId,
      d.programTitle,
      d.id,
      d.purpose,
      d.requestedBy,
      (d.approvals ?? []).map((a) => a.approverId).join(' '),
      d.release?.by,
      // Names after the ids, so spreadsheets built on the earlier columns still line up; names hold spaces, hence '; '.
      d.requestedByName,
      (d.approvals ?? []).map((a) => a.approverName ?? a.approverId).join('; '),
      d.release?.byName,
    ]),
  );
  saveFile(new Blob([csv], { type: 'text/csv' }), `cuentas-released-payments-${new Date().toISOString().slice(0, 10)}.csv`);
}

function ReleasedPayments({ country }: { country: Country | '' }) {
  const polled = usePolled(loadReleased, 'released-payments', RELEASED_POLL_MS);
  const { error, loading } = polled;
  const data = polled.data && inCountry(polled.data, country);
  return (
    <Section
      title={`Released payments${data ? ` (${data.length})` : ''}`}
      testId="released-payments"
      actions={
        <button type="button" className="button button-small" disabled={!data?.length} data-testid="action-download-released" onClick={() => data && downloadReleased(data)}>
          Download CSV
        </button>
      }
    >
      <p className="muted">Latest first, for reconciling with the bank; the download holds every one shown.</p>
      <ErrorNotice error={error} title="Could not load released payments" />
      {loading && <Loading what="released payments" />}
      {data?.length === 0 && <p className="muted">{country ? 'No payment released for this country.' : 'No payment released yet.'}</p>}
      {data && data.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="released-table">
            <thead>
              <tr>
                <th scope="col">Released</th>
                <th scope="col">Payment reference</th>
                <th scope="col" className="num">
                  Amount
                </th>
                <th scope="col">Program</th>
                <th scope="col">Released by</th>
              </tr>
            </thead>
            <tbody>
              {data.slice(0, RELEASED_SHOWN).map((d) => (
                <tr key={d.id} data-testid={`released-row-${d.id}`}>
                  <td>{formatDateTime(d.release?.at)}</td>
                  <td>{d.release?.paymentReference ?? d.paymentReference}</td>
                  <td className="num">{formatUsd(d.amountCents)}</td>
                  <td>
                    <a href={link(`/programs/${d.programId}`)}>{d.programTitle ?? d.programId}</a>
                  </td>
                  <td>
                    <Person id={d.release?.by} name={d.release?.byName} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}

export function ApprovalsPage({ session }: { session: Session }) {
  const allowed = hasRole(session, 'approver', 'auditor');
  const { data, error, loading, refresh } = usePolled(loadApprovals, 'approvals', undefined, allowed);
  // Finance often pays for one country: its requests and payments alone.
  const [country, setCountry] = useState<Country | ''>('');
  const feedback = useFeedback();
  const dialog = useDialog();
  if (!allowed) return <NotForYou roles="approvers and auditors" />;
  const done = (message: string) => {
    feedback.succeed(message);
    void refresh();
  };
  return (
    <div className="page" data-testid="page-approvals">
      <header className="page-head">
        <h1>Approvals</h1>
        <p className="muted">Disbursement requests awaiting finance. While an account holds a reason (suspension, overdue assessment, adjustment, a partner put on the restricted list), approve and release are refused.</p>
      </header>
      <form className="filters" role="search" aria-label="Filter by country" onSubmit={(e) => e.preventDefault()}>
        <CountryFilter id="approvals-country" value={country} onChange={setCountry} testId="field-approvals-country" />
      </form>
      {feedback.node}
      <ErrorNotice error={error} title="Could not load disbursements" />
      {loading && <Loading what="disbursements" />}
      {data &&
        QUEUES.map((q) => {
          const rows = inCountry(data[q.status] ?? [], country);
          return (
            <Section key={q.status} title={`${q.title} (${rows.length})`} testId={`queue-${q.status}`}>
              <p className="muted">{q.hint}</p>
              {rows.length === 0 ? <p className="muted">Nothing here.</p> : <DisbursementTable rows={rows} session={session} showProgram showStatus={false} openDialog={dialog.show} onDone={done} />}
            </Section>
          );
        })}
      <ReleasedPayments country={country} />
      {dialog.node}
    </div>
  );
}
