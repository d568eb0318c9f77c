import { useState, type FormEvent } from 'react';
import { api } from '../api/endpoints';
import { newId } from '../api/client';
import type { Disbursement, FundingAccount, Program, Review } from '../api/types';
import { useDialog, type DialogSpec } from '../components/action-dialog';
import { AssessmentTable } from '../components/assessments';
import { DisbursementTable } from '../components/disbursements';
import { StatusHistory, Timeline } from '../components/history';
import { notYours, ReviewCard } from '../components/reviews';
import { ErrorNotice, Field, HoldBadge, Kpi, Loading, Person, Section, StatusBadge, useFeedback } from '../components/ui';
import { formatDate, formatDateTime, formatUsd, parseUsdToCents } from '../lib/format';
import { COUNTRY_NAMES, PILLAR_NAMES, type ProgramStatus, type Role } from '../lib/reference';
import { link } from '../lib/router';
import { hasRole, type Session } from '../lib/session';
import { usePolled } from '../lib/use-polled';

type ProgramCommand = 'withdraw' | 'suspend' | 'reinstate' | 'close';

interface ActionRule {
  name: 'edit' | 'submit' | ProgramCommand;
  label: string;
  role: Role;
  from: ProgramStatus[];
  tone?: 'primary' | 'danger';
}

/** What each role may do from each status (DOMAIN.md's state machine); the server decides who, by person. */
const ACTIONS: ActionRule[] = [
  { name: 'edit', label: 'Edit', role: 'grant_manager', from: ['DRAFT', 'REVISION_REQUESTED'] },
  { name: 'submit', label: 'Submit for review', role: 'grant_manager', from: ['DRAFT', 'REVISION_REQUESTED'], tone: 'primary' },
  { name: 'withdraw', label: 'Withdraw', role: 'grant_manager', from: ['DRAFT', 'SUBMITTED', 'UNDER_REVIEW', 'REVISION_REQUESTED'], tone: 'danger' },
  { name: 'suspend', label: 'Suspend', role: 'reviewer', from: ['APPROVED'], tone: 'danger' },
  { name: 'reinstate', label: 'Reinstate', role: 'reviewer', from: ['SUSPENDED'], tone: 'primary' },
  { name: 'close', label: 'Close', role: 'grant_manager', from: ['APPROVED'], tone: 'danger' },
];

const COMMAND_TEXT: Record<ProgramCommand, { title: string; confirm: string; done: string }> = {
  withdraw: { title: 'Withdraw the program', confirm: 'Withdraw', done: 'Program withdrawn.' },
  suspend: { title: 'Suspend the program', confirm: 'Suspend', done: 'Program suspended; its funding account is on hold.' },
  reinstate: { title: 'Reinstate the program', confirm: 'Reinstate', done: 'Program reinstated.' },
  close: { title: 'Close the program', confirm: 'Close', done: 'Program closed.' },
};

const FUNDED: ReadonlySet<ProgramStatus> = new Set(['APPROVED', 'SUSPENDED', 'DISCONTINUED', 'CLOSED']);

export function ProgramPage({ session, programId }: { session: Session; programId: string }) {
  const program = usePolled(() => api.programs.get(programId), `program:${programId}`);
  const feedback = useFeedback();
  const dialog = useDialog();

  if (program.loading) return <Loading what="the program" />;
  if (!program.data) return <ErrorNotice error={program.error} title="Could not load the program" />;
  const p = program.data;

  const done = (message: string) => {
    feedback.succeed(message);
    void program.refresh();
  };
  const run = ({ name, tone }: ActionRule) => {
    if (name === 'edit') return;
    if (name === 'submit') {
      feedback.clear();
      api.programs.submit(p.id).then(() => done('Submitted: an accountability review opens in a moment.'), feedback.fail);
      return;
    }
    const text = COMMAND_TEXT[name];
    const spec: DialogSpec = {
      title: text.title,
      description: `“${p.title}” is ${p.status}.`,
      confirmLabel: text.confirm,
      tone,
      fields: [{ name: 'reason', label: 'Reason', kind: 'textarea', required: true }],
      onConfirm: (v) => api.programs.command(p.id, name, v.reason.trim()),
      onDone: () => done(text.done),
    };
    dialog.show(spec);
  };

  const allowed = ACTIONS.filter((a) => a.from.includes(p.status) && hasRole(session, a.role));
  const history = p.statusHistory ?? [];

  return (
    <div className="page" data-testid="page-program" data-program-id={p.id}>
      <header className="page-head">
        <p className="breadcrumb">
          <a href={link('/programs')}>Programs</a> / {p.title}
        </p>
        <div className="page-head-row">
          <div>
            <h1 data-testid="program-title">{p.title}</h1>
            <p className="muted">
              {COUNTRY_NAMES[p.country] ?? p.country} · Pillar {p.pillar} — {PILLAR_NAMES[p.pillar]} · version <span data-testid="program-version">{p.version}</span>
            </p>
          </div>
          <StatusBadge status={p.status} testId="program-status" />
        </div>
        {allowed.length > 0 && (
          <div className="actions" role="group" aria-label="Program actions">
            {allowed.map((a) =>
              a.name === 'edit' ? (
                <a key={a.name} className="button" href={link(`/programs/${p.id}/edit`)} data-testid="action-edit">
                  {a.label}
                </a>
              ) : (
                <button
                  key={a.name}
                  type="button"
                  className={`button${a.tone ? ` button-${a.tone}` : ''}`}
                  data-testid={`action-${a.name}`}
                  onClick={() => run(a)}
                >
                  {a.label}
                </button>
              ),
            )}
          </div>
        )}
      </header>
      {feedback.node}
      <ErrorNotice error={program.error} title="Refreshing failed; showing the last data" />

      <ProgramDetails program={p} />

      <Section title="Status history" testId="section-history">
        <StatusHistory changes={history} />
      </Section>

      {(hasRole(session, 'reviewer', 'auditor') || (hasRole(session, 'grant_manager') && p.currentReviewId)) && <ReviewsSection program={p} session={session} />}

      <FundingSection program={p} session={session} openDialog={dialog.show} onDone={done} />

      <AssessmentsSection program={p} session={session} openDialog={dialog.show} onDone={done} onError={feedback.fail} />

      {hasRole(session, 'auditor') && <TimelineSection programId={p.id} />}
      {dialog.node}
    </div>
  );
}

function ProgramDetails({ program: p }: { program: Program }) {
  return (
    <Section title="Program" testId="section-details">
      <p className="summary">{p.summary}</p>
      <dl className="details">
        <div>
          <dt>Implementing partner</dt>
          <dd data-testid="program-partner">
            {p.implementingPartner.name}
            {p.implementingPartner.registrationId && <span className="muted"> · reg. {p.implementingPartner.registrationId}</span>}
            <span className="muted"> · {COUNTRY_NAMES[p.implementingPartner.country] ?? p.implementingPartner.country}</span>
          </dd>
        </div>
        <div>
          <dt>Budget</dt>
          <dd data-testid="program-budget">{formatUsd(p.budgetCents)}</dd>
        </div>
        <div>
          <dt>Co-funding</dt>
          <dd>{p.cofunding?.length ? p.cofunding.map((c) => `${c.partner} ${formatUsd(c.amountCents)}`).join(' · ') : <span className="muted">none</span>}</dd>
        </div>
        <div>
          <dt>Period</dt>
          <dd>
            {formatDate(p.startDate)} – {formatDate(p.endDate)}
          </dd>
        </div>
        <div>
          <dt>Assessment cadence</dt>
          <dd>every {p.assessmentCadenceDays ?? 90} days</dd>
        </div>
        <div>
          <dt>Target areas</dt>
          <dd>{p.targetAreas.length ? p.targetAreas.join(', ') : <span className="muted">none</span>}</dd>
        </div>
        <div>
          <dt>Drafted by</dt>
          <dd data-testid="program-drafted-by">
            <Person id={p.createdBy} name={p.createdByName} />
            {p.createdAt && <span className="muted"> · {formatDateTime(p.createdAt)}</span>}
          </dd>
        </div>
      </dl>
      <h3>Objectives</h3>
      <ol className="objectives">
        {p.objectives.map((o, i) => (
          <li key={i}>
            <p>{o.description}</p>
            <div className="table-wrap">
              <table className="table table-compact">
                <thead>
                  <tr>
                    <th scope="col">Indicator</th>
                    <th scope="col">Unit</th>
                    <th scope="col" className="num">
                      Baseline
                    </th>
                    <th scope="col" className="num">
                      Target
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {o.indicators.map((ind, j) => (
                    <tr key={j}>
                      <td>{ind.name}</td>
                      <td>{ind.unit || <span className="muted">—</span>}</td>
                      <td className="num">{ind.baseline}</td>
                      <td className="num">{ind.target}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </li>
        ))}
      </ol>
    </Section>
  );
}

/**
 * Reviewers and auditors list every round; grant managers may read a review but not list them,
 * so they see the current round's. List items may be summaries: checks and decisions are fetched where missing.
 */
async function loadReviews(program: Program, canList: boolean): Promise<Review[]> {
  if (!canList) return program.currentReviewId ? [await api.reviews.get(program.currentReviewId)] : [];
  const list = await api.reviews.list({ programId: program.id });
  const full = await Promise.all(list.map((r) => (r.checks && r.decisions ? r : api.reviews.get(r.id))));
  return full.sort((a, b) => (b.round ?? 0) - (a.round ?? 0));
}

function ReviewsSection({ program, session }: { program: Program; session: Session }) {
  const canList = hasRole(session, 'reviewer', 'auditor');
  const { data, error, loading } = usePolled(() => loadReviews(program, canList), `reviews:${program.id}:${canList ? 'all' : program.currentReviewId}`);
  return (
    <Section title="Accountability reviews" testId="section-reviews">
      <ErrorNotice error={error} title="Could not load reviews" />
      {loading && <Loading what="reviews" />}
      {data?.length === 0 && <p className="muted">No review yet: one opens when the program is submitted.</p>}
      {data?.map((review) => (
        <div key={review.id}>
          <ReviewCard review={review} />
          {hasRole(session, 'reviewer') && (review.status === 'OPEN' || review.status === 'AWAITING_SECOND_REVIEW') && (
            <p>
              <a className={`button${notYours(review, session) === null ? ' button-primary' : ''}`} href={link(`/reviews/${review.id}`)} data-testid="action-open-review">
                {notYours(review, session) === null ? 'Decide this review' : 'Open this review'}
              </a>
            </p>
          )}
        </div>
      ))}
    </Section>
  );
}

interface SectionProps {
  program: Program;
  session: Session;
  openDialog: (spec: DialogSpec) => void;
  onDone: (message: string) => void;
}

async function loadFunding(program: Program): Promise<{ account: FundingAccount | null; disbursements: Disbursement[] }> {
  const [account, disbursements] = await Promise.all([
    // No account exists before approval; asking would only earn a 404.
    FUNDED.has(program.status) ? api.funding.account(program.id).catch(() => null) : Promise.resolve(null),
    api.disbursements.list({ programId: program.id }),
  ]);
  return { account, disbursements };
}

function FundingSection({ program, session, openDialog, onDone }: SectionProps) {
  const { data, error, loading, refresh } = usePolled(() => loadFunding(program), `funding:${program.id}:${program.status}`);
  const finish = (message: string) => {
    onDone(message);
    void refresh();
  };
  if (!FUNDED.has(program.status) && !data?.disbursements.length) return null;
  const account = data?.account;
  return (
    <Section title="Funding" testId="section-funding">
      <ErrorNotice error={error} title="Could not load funding" />
      {loading && <Loading what="the funding account" />}
      {account ? (
        <>
          <div className="kpis" data-testid="funding-account" data-status={account.status}>
            <Kpi label="Budget" value={formatUsd(account.budgetCents)} testId="account-budget" />
            <Kpi label="Reserved" value={formatUsd(account.reservedCents)} testId="account-reserved" />
            <Kpi label="Released" value={formatUsd(account.releasedCents)} testId="account-released" />
            <Kpi label="Available" value={formatUsd(account.availableCents)} testId="account-available" />
          </div>
          <p className="holds" data-testid="account-holds">
            Account <StatusBadge status={account.status} testId="account-status" />{' '}
            {account.holds.length === 0 ? <span className="muted">No holds.</span> : account.holds.map((h) => <HoldBadge key={h} hold={h} />)}
          </p>
          {account.restrictingParties?.map((party) => (
            <p className="notice notice-error" key={party.partyId} data-testid="restricting-party">
              The partner is on the restricted list as <strong>{party.name}</strong>: {party.reason} <span className="muted">({party.source})</span>
            </p>
          ))}
        </>
      ) : (
        !loading && <p className="muted">The funding account opens a moment after approval.</p>
      )}
      <h3>Disbursements</h3>
      {data && data.disbursements.length === 0 && <p className="muted">No disbursement requested.</p>}
      {data && data.disbursements.length > 0 && <DisbursementTable rows={data.disbursements.map((d) => ({ ...d, account, partnerName: program.implementingPartner?.name }))} session={session} openDialog={openDialog} onDone={finish} />}
      {hasRole(session, 'grant_manager') && account?.status === 'OPEN' && <RequestDisbursementForm programId={program.id} availableCents={account.availableCents} onDone={finish} />}
    </Section>
  );
}

function RequestDisbursementForm({ programId, availableCents, onDone }: { programId: string; availableCents: number; onDone: (message: string) => void }) {
  const [amount, setAmount] = useState('');
  const [purpose, setPurpose] = useState('');
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Error | null>(null);
  // One key per intended request: a retry after a lost answer returns the same request, never a second one.
  const [idempotencyKey, setIdempotencyKey] = useState(newId);

  const cents = parseUsdToCents(amount);
  const errors = {
    amount:
      cents === null || cents <= 0
        ? ['Enter an amount in US dollars.']
        : cents > availableCents
          ? [`Only ${formatUsd(availableCents)} is available.`]
          : undefined,
    purpose: purpose.trim() ? undefined : ['Say what the money is for.'],
  };
  const edit = (apply: () => void) => {
    apply();
    setIdempotencyKey(newId());
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (errors.amount || errors.purpose || cents === null) return;
    setBusy(true);
    setFailure(null);
    try {
      await api.disbursements.request({ programId, amountCents: cents, purpose: purpose.trim() }, idempotencyKey);
      setAmount('');
      setPurpose('');
      setTouched(false);
      setIdempotencyKey(newId());
      onDone('Disbursement requested.');
    } catch (error) {
      setFailure(error as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form inline-form" onSubmit={submit} noValidate aria-label="Request a disbursement" data-testid="disbursement-form">
      <h3>Request a disbursement</h3>
      <div className="row">
        <Field name="amount" label="Amount (US dollars)" hint={`${formatUsd(availableCents)} available.`} errors={touched ? errors.amount : undefined}>
          {(p) => <input {...p} inputMode="decimal" value={amount} onChange={(e) => edit(() => setAmount(e.target.value))} placeholder="50000.00" />}
        </Field>
        <Field name="purpose" label="Purpose" errors={touched ? errors.purpose : undefined}>
          {(p) => <input {...p} value={purpose} onChange={(e) => edit(() => setPurpose(e.target.value))} />}
        </Field>
        <button type="submit" className="button button-primary align-end" disabled={busy} data-testid="action-request-disbursement">
          {busy ? 'Requesting…' : 'Request'}
        </button>
      </div>
      <ErrorNotice error={failure} title="Refused" />
    </form>
  );
}

function AssessmentsSection({ program, session, openDialog, onDone, onError }: SectionProps & { onError: (e: unknown) => void }) {
  const { data, error, loading, refresh } = usePolled(() => api.assessments.list({ programId: program.id }), `assessments:${program.id}`);
  if (!data?.length && !FUNDED.has(program.status)) return null;
  const points = [...(data ?? [])].sort((a, b) => a.dueAt.localeCompare(b.dueAt));
  return (
    <Section title="Assessment points" testId="section-assessments">
      <ErrorNotice error={error} title="Could not load assessment points" />
      {loading && <Loading what="assessment points" />}
      {!data ? null : points.length === 0 ? (
        <p className="muted">No assessment point yet: the plan is made when the program is approved.</p>
      ) : (
        <AssessmentTable
          points={points}
          session={session}
          openDialog={openDialog}
          onError={onError}
          onDone={(message) => {
            onDone(message);
            void refresh();
          }}
        />
      )}
    </Section>
  );
}

function TimelineSection({ programId }: { programId: string }) {
  const { data, error, loading } = usePolled(() => api.audit.timeline(programId), `timeline:${programId}`);
  return (
    <Section title="Audit timeline" testId="section-timeline" actions={
        <a href={link(`/audit?programId=${encodeURIComponent(programId)}`)} data-testid="action-open-in-explorer">
          Open in the audit explorer, to export
        </a>
      }>
      <ErrorNotice error={error} title="Could not load the timeline" />
      {loading ? <Loading what="the timeline" /> : <Timeline entries={data ?? []} />}
    </Section>
  );
}
