import { useState, type FormEvent } from 'react';
import { api } from '../api/endpoints';
import type { Review } from '../api/types';
import { notYours, ReviewCard } from '../components/reviews';
import { CountryFilter, ErrorNotice, Field, Loading, NotForYou, Section, StatusBadge, useFeedback } from '../components/ui';
import { formatDateTime } from '../lib/format';
import { programSummaries, programTitles, type ProgramSummary } from '../lib/program-titles';
import { REVIEW_DECISIONS, type Country, type ReviewDecision } from '../lib/reference';
import { link } from '../lib/router';
import { hasRole, type Session } from '../lib/session';
import { usePolled } from '../lib/use-polled';

const MIN_RATIONALE = 20;
const DECISION_LABELS: Record<ReviewDecision, string> = {
  APPROVE: 'Approve',
  REQUEST_REVISION: 'Request revision',
  REJECT: 'Reject',
};

async function loadQueue(): Promise<{ open: Review[]; awaiting: Review[]; programs: Record<string, ProgramSummary> }> {
  const [open, awaiting] = await Promise.all([api.reviews.list({ status: 'OPEN' }), api.reviews.list({ status: 'AWAITING_SECOND_REVIEW' })]);
  const programs = await programSummaries([...open, ...awaiting].map((r) => r.programId));
  return { open, awaiting, programs };
}

function QueueTable({ reviews, titles, session, testId }: { reviews: Review[]; titles: Record<string, string>; session: Session; testId: string }) {
  if (reviews.length === 0) return <p className="muted">Nothing waiting.</p>;
  return (
    <div className="table-wrap">
      <table className="table" data-testid={testId}>
        <thead>
          <tr>
            <th scope="col">Program</th>
            <th scope="col">Round</th>
            <th scope="col">Opened</th>
            <th scope="col">Checks</th>
            <th scope="col">Decisions</th>
            <th scope="col">
              <span className="sr-only">Open</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {reviews.map((r) => {
            const checks = r.checks ?? [];
            const fails = checks.filter((c) => c.result === 'FAIL');
            const warns = checks.filter((c) => c.result === 'WARN');
            const blocked = notYours(r, session);
            return (
              <tr key={r.id} data-testid={`review-row-${r.id}`} data-program-id={r.programId}>
                <td>
                  <a href={link(`/programs/${r.programId}`)}>{titles[r.programId] ?? r.programId}</a>
                </td>
                <td>{r.round ?? '—'}</td>
                <td>{formatDateTime(r.openedAt ?? r.createdAt)}</td>
                <td>
                  {checks.length === 0 && <span className="muted">—</span>}
                  {fails.length > 0 && <span className="badge check-fail">{fails.length} FAIL</span>}{' '}
                  {warns.length > 0 && <span className="badge check-warn">{warns.length} WARN</span>}{' '}
                  {checks.length > 0 && fails.length === 0 && warns.length === 0 && <span className="badge check-pass">all PASS</span>}
                </td>
                <td>
                  {r.decisions?.length ?? 0}
                  {r.requiredApprovals && r.requiredApprovals > 1 ? ` (needs ${r.requiredApprovals} approvals)` : ''}
                </td>
                <td>
                  <a className={`button button-small${blocked ? '' : ' button-primary'}`} href={link(`/reviews/${r.id}`)} title={blocked ?? undefined} data-testid="action-open-review">
                    {blocked ? 'View' : 'Review'}
                  </a>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export function ReviewQueuePage({ session }: { session: Session }) {
  const allowed = hasRole(session, 'reviewer', 'auditor');
  const { data, error, loading } = usePolled(loadQueue, 'review-queue', undefined, allowed);
  const [country, setCountry] = useState<Country | ''>('');
  if (!allowed) return <NotForYou roles="reviewers and auditors" />;
  const titles = Object.fromEntries(Object.entries(data?.programs ?? {}).map(([id, p]) => [id, p.title]));
  const inCountry = (reviews: Review[]) => (country ? reviews.filter((r) => data?.programs[r.programId]?.country === country) : reviews);
  const open = inCountry(data?.open ?? []);
  const awaiting = inCountry(data?.awaiting ?? []);
  return (
    <div className="page" data-testid="page-reviews">
      <header className="page-head">
        <h1>Review queue</h1>
        <p className="muted">Accountability reviews waiting for a decision. Nobody reviews a program they drafted; high-value programs need two reviewers.</p>
      </header>
      <form className="filters" role="search" aria-label="Filter by country" onSubmit={(e) => e.preventDefault()}>
        <CountryFilter id="reviews-country" value={country} onChange={setCountry} testId="field-reviews-country" />
      </form>
      <ErrorNotice error={error} title="Could not load reviews" />
      {loading && <Loading what="the queue" />}
      {data && (
        <>
          <Section title={`Open (${open.length})`} testId="queue-open">
            <QueueTable reviews={open} titles={titles} session={session} testId="reviews-open" />
          </Section>
          <Section title={`Awaiting a second review (${awaiting.length})`} testId="queue-awaiting">
            <QueueTable reviews={awaiting} titles={titles} session={session} testId="reviews-awaiting" />
          </Section>
        </>
      )}
    </div>
  );
}

export function ReviewPage({ session, reviewId }: { session: Session; reviewId: string }) {
  const allowed = hasRole(session, 'reviewer', 'auditor', 'grant_manager');
  const review = usePolled(() => api.reviews.get(reviewId), `review:${reviewId}`, undefined, allowed);
  const feedback = useFeedback();
  const title = usePolled(async () => (review.data ? (await programTitles([review.data.programId]))[review.data.programId] : ''), `review-title:${review.data?.programId ?? ''}`, 30_000, allowed && !!review.data);
  if (!allowed) return <NotForYou roles="reviewers, auditors and grant managers" />;
  if (review.loading) return <Loading what="the review" />;
  if (!review.data) return <ErrorNotice error={review.error} title="Could not load the review" />;
  const r = review.data;
  const decides = (r.status === 'OPEN' || r.status === 'AWAITING_SECOND_REVIEW') && hasRole(session, 'reviewer');
  const blocked = notYours(r, session);
  return (
    <div className="page" data-testid="page-review">
      <header className="page-head">
        <p className="breadcrumb">
          {hasRole(session, 'reviewer', 'auditor') && (
            <>
              <a href={link('/reviews')}>Review queue</a> /{' '}
            </>
          )}
          <a href={link(`/programs/${r.programId}`)}>{title.data || 'Program'}</a>
        </p>
        <div className="page-head-row">
          <h1>Accountability review</h1>
          <StatusBadge status={r.status} />
        </div>
      </header>
      {feedback.node}
      <ErrorNotice error={review.error} title="Refreshing failed; showing the last data" />
      <Section title="Checks and decisions">
        <ReviewCard review={r} heading={`Round ${r.round ?? 1}`} />
      </Section>
      {decides && blocked && (
        <p className="notice notice-info" data-testid="decision-not-yours">
          {blocked}
        </p>
      )}
      {decides && !blocked && (
        <DecisionForm
          review={r}
          onDone={(message) => {
            feedback.succeed(message);
            void review.refresh();
          }}
        />
      )}
    </div>
  );
}

/** The outcome is reported by the page: a decision that completes the review removes this form. */
function DecisionForm({ review, onDone }: { review: Review; onDone: (message: string) => void }) {
  const [decision, setDecision] = useState<ReviewDecision>('APPROVE');
  const [rationale, setRationale] = useState('');
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Error | null>(null);
  const length = rationale.trim().length;
  const rationaleError = length < MIN_RATIONALE ? [`Explain the decision in at least ${MIN_RATIONALE} characters (${length} so far).`] : undefined;
  const blocking = (review.checks ?? []).filter((c) => c.blocking && c.result === 'FAIL');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (rationaleError) return;
    setBusy(true);
    setFailure(null);
    try {
      await api.reviews.decide(review.id, decision, rationale.trim());
      setRationale('');
      setTouched(false);
      onDone(`Decision recorded: ${DECISION_LABELS[decision]}.`);
    } catch (error) {
      setFailure(error as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section title="Your decision" testId="decision-form">
      <form className="form" onSubmit={submit} noValidate>
        <fieldset className="radio-group">
          <legend>Decision</legend>
          {REVIEW_DECISIONS.map((d) => (
            <label key={d} className="radio">
              <input type="radio" name="decision" value={d} checked={decision === d} onChange={() => setDecision(d)} data-testid={`field-decision-${d}`} />
              {DECISION_LABELS[d]}
            </label>
          ))}
        </fieldset>
        {decision === 'APPROVE' && blocking.length > 0 && (
          <p className="notice notice-warn">Approval will be refused while a blocking check fails ({blocking.map((c) => c.name).join(', ')}).</p>
        )}
        <Field name="rationale" label="Rationale" errors={touched ? rationaleError : undefined} hint={`At least ${MIN_RATIONALE} characters; ${length} written.`}>
          {(p) => <textarea {...p} rows={4} value={rationale} onChange={(e) => setRationale(e.target.value)} />}
        </Field>
        <ErrorNotice error={failure} title="Refused" />
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy} data-testid="action-decide">
            {busy ? 'Recording…' : 'Record decision'}
          </button>
        </div>
      </form>
    </Section>
  );
}
