import type { Review } from '../api/types';
import { formatDateTime, humanize } from '../lib/format';
import { sameOrganisation } from '../lib/organisation';
import type { Session } from '../lib/session';
import { CheckBadge, StatusBadge } from './ui';

/** A review's safeguard checks and decisions, stated plainly. */
export function ReviewCard({ review, heading }: { review: Review; heading?: string }) {
  const checks = review.checks ?? [];
  const decisions = review.decisions ?? [];
  const blockingFailures = checks.filter((c) => c.blocking && c.result === 'FAIL');
  return (
    <article className="review" data-testid={`review-${review.id}`} data-status={review.status}>
      <header className="review-head">
        <h3>{heading ?? `Review${review.round ? ` — round ${review.round}` : ''}`}</h3>
        <StatusBadge status={review.status} testId="review-status" />
        {review.outcome && <StatusBadge status={review.outcome} />}
        {review.requiredApprovals && review.requiredApprovals > 1 && (
          <span className="badge badge-info" title="High-value: two approvals from two different reviewers">
            {review.requiredApprovals} approvals needed
          </span>
        )}
      </header>
      {blockingFailures.length > 0 && (
        <p className="notice notice-warn" data-testid="blocking-notice">
          Approval is refused while {blockingFailures.length === 1 ? 'this blocking check fails' : 'these blocking checks fail'}:{' '}
          {blockingFailures.map((c) => c.name).join(', ')}.
        </p>
      )}
      <div className="table-wrap">
        <table className="table table-compact" data-testid="checks-table">
          <caption className="sr-only">Safeguard checks</caption>
          <thead>
            <tr>
              <th scope="col">Check</th>
              <th scope="col">Result</th>
              <th scope="col">Blocking</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {checks.length === 0 && (
              <tr>
                <td colSpan={4} className="muted">
                  No checks recorded.
                </td>
              </tr>
            )}
            {checks.map((check) => (
              <tr key={check.name} data-testid={`check-${check.name}`}>
                <td>{humanize(check.name)}</td>
                <td>
                  <CheckBadge result={check.result} />
                </td>
                <td>{check.blocking ? <span className="badge badge-blocking">Blocking</span> : <span className="muted">no</span>}</td>
                <td>{check.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h4>Decisions</h4>
      {decisions.length === 0 ? (
        <p className="muted">No decision yet.</p>
      ) : (
        <ol className="decisions">
          {decisions.map((d, i) => (
            <li key={`${d.reviewerId}-${i}`} data-testid="decision">
              <StatusBadge status={d.decision} /> by <strong>{d.reviewerName ?? d.reviewerId}</strong>{' '}
              <small className="muted">{formatDateTime(d.at)}</small>
              <blockquote>{d.rationale}</blockquote>
            </li>
          ))}
        </ol>
      )}
    </article>
  );
}

/** Why this reviewer may not decide the review, as the service would refuse it; null when they may. */
export function notYours(review: Review, session: Session): string | null {
  if (review.decisions?.some((d) => d.reviewerId === session.sub)) return 'You have decided this review: a second, different reviewer must.';
  if (review.snapshot?.createdBy === session.sub) return 'You drafted this program: another reviewer must decide.';
  const partner = review.snapshot?.implementingPartner?.name;
  if (partner && sameOrganisation(session.org, partner)) return 'Your organisation is the implementing partner: a conflict of interest.';
  return null;
}
