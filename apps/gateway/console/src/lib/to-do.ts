import { api } from '../api/endpoints';
import { blockedFor } from '../components/disbursements';
import { notYours } from '../components/reviews';
import { loadApprovals } from '../pages/approvals';
import { hasRole, type Session } from './session';

/** How often the navigation counts what waits for the person signed in. */
export const TO_DO_POLL_MS = 15_000;

/**
 * What waits for this person, by navigation page: reviews they may decide, requests they may
 * approve or release now, points awaiting an outcome (reviewers record them), and their own
 * programs sent back for revision. Only what the person can act on is counted.
 */
export async function loadToDo(session: Session): Promise<Record<string, number>> {
  const counts: Array<Promise<[string, number]>> = [];
  if (hasRole(session, 'reviewer')) {
    counts.push(
      Promise.all([api.reviews.list({ status: 'OPEN' }), api.reviews.list({ status: 'AWAITING_SECOND_REVIEW' })]).then(([open, awaiting]) => [
        'reviews',
        [...open, ...awaiting].filter((r) => notYours(r, session) === null).length,
      ]),
    );
    counts.push(
      Promise.all([api.assessments.list({ status: 'DUE' }), api.assessments.list({ status: 'OVERDUE' })]).then(([due, overdue]) => ['assessments', due.length + overdue.length]),
    );
  }
  if (hasRole(session, 'approver')) {
    counts.push(
      loadApprovals().then((queues) => [
        'approvals',
        Object.values(queues)
          .flat()
          .filter((d) => blockedFor(d, session, d.status === 'APPROVED' ? 'release' : 'approve') === null).length,
      ]),
    );
  }
  if (hasRole(session, 'grant_manager')) {
    counts.push(api.programs.page({ status: 'REVISION_REQUESTED', createdBy: session.sub, limit: 500 }).then((page) => ['programs', page.items.length]));
  }
  return Object.fromEntries(await Promise.all(counts));
}
