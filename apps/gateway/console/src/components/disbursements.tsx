import { api } from '../api/endpoints';
import type { Disbursement, FundingAccount } from '../api/types';
import { formatDateTime, formatUsd, humanize } from '../lib/format';
import { sameOrganisation } from '../lib/organisation';
import type { Country } from '../lib/reference';
import { link } from '../lib/router';
import { hasRole, type Session } from '../lib/session';
import type { DialogSpec } from './action-dialog';
import { HoldBadge, Person, StatusBadge } from './ui';

export interface DisbursementRow extends Disbursement {
  programTitle?: string;
  /** The program's implementing partner, when known: an approver of its organisation may not act. */
  partnerName?: string | null;
  programCountry?: Country | null;
  account?: FundingAccount | null;
}

interface Props {
  rows: DisbursementRow[];
  session: Session;
  showProgram?: boolean;
  /** Off where the rows are already grouped by status (the Approvals queues). */
  showStatus?: boolean;
  openDialog: (spec: DialogSpec) => void;
  onDone: (message: string) => void;
}

const APPROVABLE = new Set(['REQUESTED', 'PARTIALLY_APPROVED']);
const CANCELLABLE = new Set(['REQUESTED', 'PARTIALLY_APPROVED', 'APPROVED']);
const FINANCE_STEPS = {
  approve: { action: 'approve', label: 'Approve' },
  release: { action: 'release', label: 'Release' },
} as const;

/**
 * Why this approver may not approve or release the request now, as the service would answer
 * (separation of duties, then the account's holds); null when nothing known stands in the way.
 */
export function blockedFor(d: DisbursementRow, session: Session, action: 'approve' | 'release'): string | null {
  if (d.requestedBy === session.sub) return 'You requested it: another approver must act.';
  if (action === 'approve' && d.approvals?.some((a) => a.approverId === session.sub)) return 'You approved it already: a different approver must.';
  if (d.partnerName && sameOrganisation(session.org, d.partnerName)) return 'Your organisation is the implementing partner: a conflict of interest.';
  if (d.account?.holds.length) return `Refused while the account is on hold (${d.account.holds.map((h) => humanize(h).toLowerCase()).join(', ')}).`;
  return null;
}

/** Disbursement requests with their approvals, the account's holds and the commands the roles allow. */
export function DisbursementTable({ rows, session, showProgram = false, showStatus = true, openDialog, onDone }: Props) {
  const approver = hasRole(session, 'approver');
  const manager = hasRole(session, 'grant_manager');
  const label = (d: DisbursementRow) => `${formatUsd(d.amountCents)} for “${d.purpose}”`;

  const approve = (d: DisbursementRow) =>
    openDialog({
      title: 'Approve disbursement',
      description:
        d.requiredApprovals && d.requiredApprovals > 1
          ? `${label(d)}. Needs ${d.requiredApprovals} approvals from different approvers.`
          : label(d),
      confirmLabel: 'Approve',
      fields: [{ name: 'comment', label: 'Comment (optional)', kind: 'textarea' }],
      onConfirm: (v) => api.disbursements.approve(d.id, v.comment.trim() || undefined),
      onDone: () => onDone('Approval recorded.'),
    });
  const reject = (d: DisbursementRow) =>
    openDialog({
      title: 'Reject disbursement',
      description: label(d),
      confirmLabel: 'Reject',
      tone: 'danger',
      fields: [{ name: 'reason', label: 'Reason', kind: 'textarea', required: true }],
      onConfirm: (v) => api.disbursements.reject(d.id, v.reason.trim()),
      onDone: () => onDone('Disbursement rejected.'),
    });
  const release = (d: DisbursementRow) =>
    openDialog({
      title: 'Release payment',
      description: label(d),
      confirmLabel: 'Release',
      fields: [{ name: 'paymentReference', label: 'Payment reference', required: true, hint: 'The reference of the bank transfer or payment order.' }],
      onConfirm: (v) => api.disbursements.release(d.id, v.paymentReference.trim()),
      onDone: () => onDone('Payment released.'),
    });
  const cancel = (d: DisbursementRow) =>
    openDialog({
      title: 'Cancel disbursement request',
      description: label(d),
      confirmLabel: 'Cancel request',
      tone: 'danger',
      fields: [{ name: 'reason', label: 'Reason', kind: 'textarea', required: true }],
      onConfirm: (v) => api.disbursements.cancel(d.id, v.reason.trim()),
      onDone: () => onDone('Disbursement request cancelled.'),
    });

  return (
    <div className="table-wrap">
      <table className="table" data-testid="disbursements-table">
        <thead>
          <tr>
            {showProgram && <th scope="col">Program</th>}
            <th scope="col" className="num">
              Amount
            </th>
            <th scope="col">Purpose</th>
            <th scope="col">Requested</th>
            <th scope="col">Approvals</th>
            {showProgram && <th scope="col">Account holds</th>}
            {showStatus && <th scope="col">Status</th>}
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((d) => {
            const approvals = d.approvals ?? [];
            // Why a request ended without payment is what its requester needs to know next.
            const ending = d.rejection ?? d.cancellation ?? null;
            // An approver's next step on the request, if any, and why it may be refused.
            const finance = !approver ? null : APPROVABLE.has(d.status) ? FINANCE_STEPS.approve : d.status === 'APPROVED' ? FINANCE_STEPS.release : null;
            const blocked = finance && blockedFor(d, session, finance.action);
            return (
              <tr key={d.id} data-testid={`disbursement-row-${d.id}`} data-status={d.status}>
                {showProgram && (
                  <td>
                    <a href={link(`/programs/${d.programId}`)}>{d.programTitle ?? d.programId}</a>
                  </td>
                )}
                <td className="num" data-testid="disbursement-amount">
                  {formatUsd(d.amountCents)}
                </td>
                <td>
                  {d.purpose}
                  {ending && (
                    <div className="muted" data-testid="disbursement-ending">
                      {d.rejection ? 'Rejected' : 'Cancelled'} by <Person id={ending.by} name={ending.byName} />, {formatDateTime(ending.at)}: “{ending.reason}”
                    </div>
                  )}
                </td>
                <td>
                  <div data-testid="disbursement-requester">
                    <Person id={d.requestedBy} name={d.requestedByName} />
                  </div>
                  <small className="muted">{formatDateTime(d.requestedAt ?? d.createdAt)}</small>
                </td>
                <td data-testid="disbursement-approvals">
                  {approvals.length === 0 ? (
                    <span className="muted">none yet</span>
                  ) : (
                    <ul className="plain">
                      {approvals.map((a) => (
                        <li key={`${a.approverId}-${a.at}`}>
                          <Person id={a.approverId} name={a.approverName} /> <small className="muted">{formatDateTime(a.at)}</small>
                          {a.comment && <div className="muted">“{a.comment}”</div>}
                        </li>
                      ))}
                    </ul>
                  )}
                  {d.requiredApprovals && d.requiredApprovals > 1 && (
                    <small className="muted">
                      {approvals.length} of {d.requiredApprovals} needed
                    </small>
                  )}
                  {d.paymentReference && <div className="muted">Ref. {d.paymentReference}</div>}
                </td>
                {showProgram && (
                  <td>
                    {d.account?.holds.length ? d.account.holds.map((h) => <HoldBadge key={h} hold={h} />) : <span className="muted">none</span>}
                  </td>
                )}
                {showStatus && (
                  <td>
                    <StatusBadge status={d.status} />
                  </td>
                )}
                <td className="row-actions">
                  {finance && (
                    <button
                      type="button"
                      className="button button-small button-primary"
                      data-testid={`action-${finance.action}`}
                      disabled={blocked !== null}
                      title={blocked ?? undefined}
                      onClick={() => (finance.action === 'approve' ? approve : release)(d)}
                    >
                      {finance.label}
                    </button>
                  )}
                  {finance?.action === 'approve' && (
                    <button type="button" className="button button-small button-danger" data-testid="action-reject" onClick={() => reject(d)}>
                      Reject
                    </button>
                  )}
                  {manager && CANCELLABLE.has(d.status) && (
                    <button type="button" className="button button-small" data-testid="action-cancel-disbursement" onClick={() => cancel(d)}>
                      Cancel
                    </button>
                  )}
                  {blocked && (
                    <small className="muted blocked-reason" data-testid="action-blocked">
                      {blocked}
                    </small>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
