import { api } from '../api/endpoints';
import type { FundingAccount } from '../api/types';
import { useDialog } from '../components/action-dialog';
import { DisbursementTable, type DisbursementRow } from '../components/disbursements';
import { ErrorNotice, Loading, NotForYou, Section, useFeedback } from '../components/ui';
import { programTitles } from '../lib/program-titles';
import type { DisbursementStatus } from '../lib/reference';
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
  const [titles, accounts] = await Promise.all([
    programTitles(programIds),
    Promise.all(programIds.map((id) => api.funding.account(id).catch((): FundingAccount | null => null))),
  ]);
  const accountOf = new Map(programIds.map((id, i) => [id, accounts[i]]));
  const rows: DisbursementRow[] = detailed.map((d) => ({ ...d, programTitle: titles[d.programId], account: accountOf.get(d.programId) ?? null }));
  return Object.fromEntries(QUEUES.map((q) => [q.status, rows.filter((r) => r.status === q.status)]));
}

export function ApprovalsPage({ session }: { session: Session }) {
  const allowed = hasRole(session, 'approver', 'auditor');
  const { data, error, loading, refresh } = usePolled(loadApprovals, 'approvals', undefined, allowed);
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
      {feedback.node}
      <ErrorNotice error={error} title="Could not load disbursements" />
      {loading && <Loading what="disbursements" />}
      {data &&
        QUEUES.map((q) => {
          const rows = data[q.status] ?? [];
          return (
            <Section key={q.status} title={`${q.title} (${rows.length})`} testId={`queue-${q.status}`}>
              <p className="muted">{q.hint}</p>
              {rows.length === 0 ? <p className="muted">Nothing here.</p> : <DisbursementTable rows={rows} session={session} showProgram openDialog={dialog.show} onDone={done} />}
            </Section>
          );
        })}
      {dialog.node}
    </div>
  );
}
