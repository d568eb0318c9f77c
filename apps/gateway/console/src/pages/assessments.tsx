import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../api/endpoints';
import type { AssessmentPlan, AssessmentPoint, Program } from '../api/types';
import { useDialog } from '../components/action-dialog';
import { AssessmentTable } from '../components/assessments';
import { CountryFilter, ErrorNotice, Field, Loading, NotForYou, Section, useFeedback } from '../components/ui';
import { formatDateTime, monthKey, monthLabel } from '../lib/format';
import type { AssessmentStatus, Country } from '../lib/reference';
import { hasRole, type Session } from '../lib/session';
import { usePolled } from '../lib/use-polled';

type View = 'open' | AssessmentStatus | 'all';
const OPEN: AssessmentStatus[] = ['OVERDUE', 'DUE', 'SCHEDULED'];
const VIEWS: Array<{ value: View; label: string }> = [
  { value: 'open', label: 'Open (scheduled, due, overdue)' },
  { value: 'OVERDUE', label: 'Overdue' },
  { value: 'DUE', label: 'Due' },
  { value: 'SCHEDULED', label: 'Scheduled' },
  { value: 'COMPLETED', label: 'Completed' },
  { value: 'CANCELLED', label: 'Cancelled' },
  { value: 'all', label: 'All' },
];
/** Programs that have, or may get, assessment points. */
const ASSESSED = new Set(['APPROVED', 'SUSPENDED']);

async function loadCalendar(view: View): Promise<{ points: AssessmentPoint[]; programs: Program[] }> {
  const [points, programs] = await Promise.all([
    view === 'open'
      ? Promise.all(OPEN.map((status) => api.assessments.list({ status }))).then((lists) => lists.flat())
      : api.assessments.list(view === 'all' ? {} : { status: view }),
    api.programs.all(),
  ]);
  return { points: points.sort((a, b) => a.dueAt.localeCompare(b.dueAt)), programs };
}

export function AssessmentsPage({ session }: { session: Session }) {
  const allowed = hasRole(session, 'scheduler', 'reviewer', 'auditor');
  const [view, setView] = useState<View>('open');
  // Schedulers often answer for one country: its points alone, counts included.
  const [country, setCountry] = useState<Country | ''>('');
  const { data, error, loading, refresh } = usePolled(() => loadCalendar(view), `calendar:${view}`, undefined, allowed);
  const feedback = useFeedback();
  const dialog = useDialog();
  if (!allowed) return <NotForYou roles="schedulers, reviewers and auditors" />;

  const done = (message: string) => {
    feedback.succeed(message);
    void refresh();
  };
  const titles = Object.fromEntries((data?.programs ?? []).map((p) => [p.id, p.title]));
  const countryOf = new Map((data?.programs ?? []).map((p) => [p.id, p.country]));
  const shown = (data?.points ?? []).filter((point) => !country || countryOf.get(point.programId) === country);
  const months = new Map<string, AssessmentPoint[]>();
  for (const point of shown) {
    const key = monthKey(point.dueAt);
    months.set(key, [...(months.get(key) ?? []), point]);
  }
  const assessed = (data?.programs ?? []).filter((p) => ASSESSED.has(p.status));
  const overdue = shown.filter((p) => p.status === 'OVERDUE').length;
  const due = shown.filter((p) => p.status === 'DUE').length;

  return (
    <div className="page" data-testid="page-assessments">
      <header className="page-head">
        <h1>Assessment calendar</h1>
        <p className="muted">
          Points at which each program is continued, strengthened, adjusted or discontinued. A point is due on its date and overdue after the grace period; an overdue point puts the
          funding account on hold.
        </p>
      </header>
      {feedback.node}
      <ErrorNotice error={error} title="Could not load assessment points" />

      {hasRole(session, 'scheduler') && data && (
        <div className="grid-2">
          <TriggerForm programs={assessed} onDone={done} />
          <PlanForm programs={assessed} onDone={done} />
        </div>
      )}

      <Section
        title="Calendar"
        testId="calendar"
        actions={
          <>
            <CountryFilter id="calendar-country" value={country} onChange={setCountry} testId="field-calendar-country" inline />
            <div className="field field-inline">
              <label htmlFor="calendar-view">Show</label>
              <select id="calendar-view" value={view} onChange={(e) => setView(e.target.value as View)} data-testid="field-view">
                {VIEWS.map((v) => (
                  <option key={v.value} value={v.value}>
                    {v.label}
                  </option>
                ))}
              </select>
            </div>
          </>
        }
      >
        {data && (
          <p className="calendar-summary">
            <span className="badge badge-overdue">{overdue} overdue</span> <span className="badge badge-due">{due} due</span>
          </p>
        )}
        {loading && <Loading what="the calendar" />}
        {data && shown.length === 0 && <p className="muted">No assessment point in this view.</p>}
        {[...months.entries()].map(([key, points]) => (
          <section key={key} className="month" data-testid={`month-${key}`} aria-label={monthLabel(points[0].dueAt)}>
            <h3>{monthLabel(points[0].dueAt)}</h3>
            <AssessmentTable points={points} titles={titles} session={session} openDialog={dialog.show} onDone={done} onError={feedback.fail} />
          </section>
        ))}
      </Section>
      {dialog.node}
    </div>
  );
}

function ProgramSelect({ name, label, programs, value, onChange, errors }: { name: string; label: string; programs: Program[]; value: string; onChange: (id: string) => void; errors?: string[] }) {
  return (
    <Field name={name} label={label} errors={errors}>
      {(p) => (
        <select {...p} value={value} onChange={(e) => onChange(e.target.value)}>
          <option value="">Choose an approved program…</option>
          {programs.map((program) => (
            <option key={program.id} value={program.id}>
              {program.title}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

function TriggerForm({ programs, onDone }: { programs: Program[]; onDone: (message: string) => void }) {
  const [programId, setProgramId] = useState('');
  const [reason, setReason] = useState('');
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Error | null>(null);
  const errors = { programId: programId ? undefined : ['Choose a program.'], reason: reason.trim() ? undefined : ['Say why the point is needed now.'] };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (errors.programId || errors.reason) return;
    setBusy(true);
    setFailure(null);
    try {
      await api.assessments.trigger(programId, reason.trim());
      setReason('');
      setTouched(false);
      onDone('Ad-hoc assessment point created; it is due now.');
    } catch (error) {
      setFailure(error as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section title="Trigger an ad-hoc assessment" testId="trigger-form">
      <form className="form" onSubmit={submit} noValidate>
        <ProgramSelect name="trigger-programId" label="Program" programs={programs} value={programId} onChange={setProgramId} errors={touched ? errors.programId : undefined} />
        <Field name="trigger-reason" label="Reason" errors={touched ? errors.reason : undefined}>
          {(p) => <textarea {...p} rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />}
        </Field>
        <ErrorNotice error={failure} title="Refused" />
        <button type="submit" className="button button-primary" disabled={busy} data-testid="action-trigger-assessment">
          {busy ? 'Creating…' : 'Create point due now'}
        </button>
      </form>
    </Section>
  );
}

function PlanForm({ programs, onDone }: { programs: Program[]; onDone: (message: string) => void }) {
  const [programId, setProgramId] = useState('');
  const [plan, setPlan] = useState<AssessmentPlan | null>(null);
  const [cadence, setCadence] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Error | null>(null);
  const [touched, setTouched] = useState(false);

  useEffect(() => {
    setPlan(null);
    setFailure(null);
    if (!programId) return undefined;
    let live = true;
    api.assessments.plan(programId).then(
      (found) => {
        if (!live) return;
        setPlan(found);
        setCadence(String(found.cadenceDays));
      },
      (error: Error) => live && setFailure(error),
    );
    return () => {
      live = false;
    };
  }, [programId]);

  const days = Number(cadence);
  const cadenceError = !/^\d+$/.test(cadence.trim()) || days < 30 || days > 365 ? ['A whole number of days from 30 to 365.'] : undefined;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (!programId || cadenceError) return;
    setBusy(true);
    setFailure(null);
    try {
      setPlan(await api.assessments.setCadence(programId, days));
      setTouched(false);
      onDone(`Cadence set to every ${days} days; future points moved.`);
    } catch (error) {
      setFailure(error as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section title="Plan cadence" testId="plan-form">
      <form className="form" onSubmit={submit} noValidate>
        <ProgramSelect name="plan-programId" label="Program" programs={programs} value={programId} onChange={setProgramId} errors={touched && !programId ? ['Choose a program.'] : undefined} />
        {plan && (
          <p className="muted" data-testid="current-plan">
            Every {plan.cadenceDays} days from {formatDateTime(plan.startAt)} to {formatDateTime(plan.endAt)}, {plan.graceDays} days' grace; next
            point {plan.nextDueAt ? formatDateTime(plan.nextDueAt) : 'none'}.
          </p>
        )}
        {programId && !plan && !failure && <Loading what="the plan" />}
        <Field name="cadenceDays" label="Assess every (days)" errors={touched ? cadenceError : undefined}>
          {(p) => <input {...p} inputMode="numeric" value={cadence} onChange={(e) => setCadence(e.target.value)} />}
        </Field>
        <ErrorNotice error={failure} title="Refused" />
        <button type="submit" className="button button-primary" disabled={busy || !programId} data-testid="action-save-plan">
          {busy ? 'Saving…' : 'Save cadence'}
        </button>
      </form>
    </Section>
  );
}
