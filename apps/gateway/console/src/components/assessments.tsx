import { api } from '../api/endpoints';
import type { AssessmentPoint, Program } from '../api/types';
import { formatDateTime, humanize } from '../lib/format';
import { ASSESSMENT_OUTCOMES } from '../lib/reference';
import { link } from '../lib/router';
import { hasRole, type Session } from '../lib/session';
import type { DialogField, DialogSpec } from './action-dialog';
import { Person, StatusBadge } from './ui';

const OUTCOME_EFFECTS: Record<string, string> = {
  CONTINUE: 'Continue — lifts an overdue or adjustment hold this point answers',
  STRENGTHEN: 'Strengthen — records required actions; lifts holds as Continue does',
  ADJUST: 'Adjust — places an adjustment hold and schedules a follow-up in 30 days',
  DISCONTINUE: 'Discontinue — ends the program and cancels its open requests',
};

const MIN_NARRATIVE = 20;

/** Sent only when given: the service asks for them with STRENGTHEN and refuses empty entries. */
function requiredActions(text: string): { requiredActions?: string[] } {
  const actions = text
    .split('\n')
    .map((a) => a.trim())
    .filter(Boolean);
  return actions.length ? { requiredActions: actions } : {};
}

/** `datetime-local` gives local wall time without a zone; the API takes an instant. */
function localToIso(value: string): string {
  return new Date(value).toISOString();
}

function isoToLocal(iso: string): string {
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

interface Props {
  points: AssessmentPoint[];
  session: Session;
  titles?: Record<string, string>;
  openDialog: (spec: DialogSpec) => void;
  onDone: (message: string) => void;
  onError: (error: unknown) => void;
}

/** Assessment points with what schedulers (reschedule) and reviewers (record outcome) may do. */
export function AssessmentTable({ points, session, titles, openDialog, onDone, onError }: Props) {
  const scheduler = hasRole(session, 'scheduler');
  const reviewer = hasRole(session, 'reviewer');

  const reschedule = (point: AssessmentPoint) =>
    openDialog({
      title: 'Reschedule assessment point',
      description: `Currently due ${formatDateTime(point.dueAt)}.`,
      confirmLabel: 'Reschedule',
      fields: [
        { name: 'dueAt', label: 'New due date and time', kind: 'datetime-local', required: true, initial: isoToLocal(point.dueAt) },
        { name: 'reason', label: 'Reason', kind: 'textarea', required: true },
      ],
      onConfirm: (v) => api.assessments.reschedule(point.id, localToIso(v.dueAt), v.reason.trim()),
      onDone: () => onDone('Assessment point rescheduled.'),
    });

  // The outcome form asks for each of the program's indicators, so the program is read first.
  const recordOutcome = async (point: AssessmentPoint) => {
    let program: Program;
    try {
      program = await api.programs.get(point.programId);
    } catch (error) {
      onError(error);
      return;
    }
    // One field per indicator name (the service reports results by name), with what it is measured against.
    const byName = new Map(program.objectives.flatMap((o) => o.indicators).map((i) => [i.name, i] as const));
    const indicators = [...byName.keys()];
    const indicatorFields: DialogField[] = [...byName.values()].map(({ name, unit, baseline, target }, i) => ({
      name: `indicator-${i}`,
      label: `${name} (${unit})`,
      kind: 'number',
      hint: `Baseline ${baseline}, target ${target}.${i === 0 ? ' Report at least one indicator.' : ''}`,
    }));
    openDialog({
      title: 'Record assessment outcome',
      description: `${program.title} — point due ${formatDateTime(point.dueAt)}.`,
      confirmLabel: 'Record outcome',
      fields: [
        { name: 'outcome', label: 'Outcome', kind: 'select', options: ASSESSMENT_OUTCOMES.map((o) => ({ value: o, label: OUTCOME_EFFECTS[o] })) },
        { name: 'narrative', label: 'Narrative', kind: 'textarea', required: true, minLength: MIN_NARRATIVE },
        { name: 'requiredActions', label: 'Required actions, one per line', kind: 'textarea', hint: 'Needed for Strengthen.' },
        ...indicatorFields,
      ],
      onConfirm: (v) =>
        api.assessments.recordOutcome(point.id, {
          outcome: v.outcome as (typeof ASSESSMENT_OUTCOMES)[number],
          narrative: v.narrative.trim(),
          ...requiredActions(v.requiredActions),
          indicatorResults: indicators.flatMap((indicator, i) => {
            const raw = v[`indicator-${i}`].trim();
            return raw ? [{ indicator, value: Number(raw) }] : [];
          }),
        }),
      onDone: () => onDone('Outcome recorded.'),
    });
  };

  return (
    <div className="table-wrap">
      <table className="table" data-testid="assessments-table">
        <thead>
          <tr>
            <th scope="col">Due</th>
            {titles && <th scope="col">Program</th>}
            <th scope="col">Kind</th>
            <th scope="col">Status</th>
            <th scope="col">Reason / outcome</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {points.map((point) => (
            <tr key={point.id} className={`row-${point.status.toLowerCase()}`} data-testid={`assessment-row-${point.id}`} data-status={point.status} data-program-id={point.programId}>
              <td>
                <time dateTime={point.dueAt}>{formatDateTime(point.dueAt)}</time>
              </td>
              {titles && (
                <td>
                  <a href={link(`/programs/${point.programId}`)}>{titles[point.programId] ?? point.programId}</a>
                </td>
              )}
              <td>{point.kind ? humanize(point.kind) : '—'}</td>
              <td>
                <StatusBadge status={point.status} />
              </td>
              <td>
                {point.outcome && <StatusBadge status={point.outcome} />} {point.narrative ?? point.reason ?? ''}
                {point.completedBy && (
                  <div className="muted" data-testid="assessment-recorded-by">
                    Recorded by <Person id={point.completedBy} name={point.completedByName} />
                    {point.completedAt && `, ${formatDateTime(point.completedAt)}`}
                  </div>
                )}
                {point.requiredActions && point.requiredActions.length > 0 && (
                  <ul className="plain muted">
                    {point.requiredActions.map((action) => (
                      <li key={action}>→ {action}</li>
                    ))}
                  </ul>
                )}
              </td>
              <td className="row-actions">
                {scheduler && point.status === 'SCHEDULED' && (
                  <button type="button" className="button button-small" data-testid="action-reschedule" onClick={() => reschedule(point)}>
                    Reschedule
                  </button>
                )}
                {reviewer && (point.status === 'DUE' || point.status === 'OVERDUE') && (
                  <button type="button" className="button button-small button-primary" data-testid="action-record-outcome" onClick={() => void recordOutcome(point)}>
                    Record outcome
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
