import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { api } from '../api/endpoints';
import type { Program, ProgramInput } from '../api/types';
import { CountryOptions, ErrorNotice, Field, Loading, NotForYou, Person } from '../components/ui';
import { focusFirstInvalid, toFieldErrors, type FieldErrors } from '../lib/field-errors';
import { centsToInput, formatDateTime, parseUsdToCents } from '../lib/format';
import { COUNTRIES, COUNTRY_NAMES, PILLARS, PILLAR_NAMES, type Country, type Pillar } from '../lib/reference';
import { link, navigate } from '../lib/router';
import { hasRole, type Session } from '../lib/session';

interface IndicatorDraft {
  name: string;
  unit: string;
  baseline: string;
  target: string;
}
interface ObjectiveDraft {
  description: string;
  indicators: IndicatorDraft[];
}
interface Draft {
  title: string;
  summary: string;
  country: Country;
  pillar: Pillar;
  objectives: ObjectiveDraft[];
  targetAreas: string;
  partnerName: string;
  partnerRegistrationId: string;
  partnerCountry: Country;
  budget: string;
  cofunding: Array<{ partner: string; amount: string }>;
  startDate: string;
  endDate: string;
  assessmentCadenceDays: string;
}

const EDITABLE = new Set(['DRAFT', 'REVISION_REQUESTED']);
const emptyIndicator = (): IndicatorDraft => ({ name: '', unit: '', baseline: '', target: '' });
const emptyObjective = (): ObjectiveDraft => ({ description: '', indicators: [emptyIndicator()] });

function blankDraft(): Draft {
  return {
    title: '',
    summary: '',
    country: 'GT',
    pillar: 'I',
    objectives: [emptyObjective()],
    targetAreas: '',
    partnerName: '',
    partnerRegistrationId: '',
    partnerCountry: 'GT',
    budget: '',
    cofunding: [],
    startDate: '',
    endDate: '',
    assessmentCadenceDays: '90',
  };
}

function draftOf(p: Program): Draft {
  return {
    title: p.title,
    summary: p.summary,
    country: p.country,
    pillar: p.pillar,
    objectives: p.objectives.map((o) => ({
      description: o.description,
      indicators: o.indicators.map((i) => ({ name: i.name, unit: i.unit, baseline: String(i.baseline), target: String(i.target) })),
    })),
    targetAreas: p.targetAreas.join(', '),
    partnerName: p.implementingPartner.name,
    partnerRegistrationId: p.implementingPartner.registrationId ?? '',
    partnerCountry: p.implementingPartner.country,
    budget: centsToInput(p.budgetCents),
    cofunding: (p.cofunding ?? []).map((c) => ({ partner: c.partner, amount: centsToInput(c.amountCents) })),
    startDate: p.startDate,
    endDate: p.endDate,
    assessmentCadenceDays: String(p.assessmentCadenceDays ?? 90),
  };
}

const isDate = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v));
const isNumber = (v: string) => v.trim() !== '' && Number.isFinite(Number(v));
const isWholeNumber = (v: string) => /^\d+$/.test(v.trim());

/**
 * Errors stop the form: the request could not be well formed. Warnings only inform: they are
 * what the review's safeguard checks will flag, and a grant manager may still submit them.
 */
function check(d: Draft): { errors: FieldErrors; warnings: FieldErrors } {
  const errors: FieldErrors = {};
  const warnings: FieldErrors = {};
  const err = (k: string, m: string) => (errors[k] = [...(errors[k] ?? []), m]);
  const warn = (k: string, m: string) => (warnings[k] = [...(warnings[k] ?? []), m]);

  if (!d.title.trim()) err('title', 'Give the program a title.');
  else if (d.title.trim().length > 200) err('title', 'Keep the title under 200 characters.');
  if (!d.summary.trim()) err('summary', 'Summarise what the program does.');
  if (!d.partnerName.trim()) err('implementingPartner.name', 'Name the implementing partner.');
  const budget = parseUsdToCents(d.budget);
  if (budget === null || budget <= 0) err('budgetCents', 'Enter the budget in US dollars, for example 250000 or 250,000.00.');
  d.cofunding.forEach((c, i) => {
    if (!c.partner.trim()) err(`cofunding.${i}.partner`, 'Name the co-funding partner.');
    const cents = parseUsdToCents(c.amount);
    if (cents === null || cents <= 0) err(`cofunding.${i}.amountCents`, 'Enter an amount in US dollars.');
  });
  if (!isDate(d.startDate)) err('startDate', 'Pick a start date.');
  if (!isDate(d.endDate)) err('endDate', 'Pick an end date.');
  if (isDate(d.startDate) && isDate(d.endDate)) {
    const start = Date.parse(d.startDate);
    const end = Date.parse(d.endDate);
    if (end <= start) warn('endDate', 'The end date is not after the start date: the schedule check will block approval.');
    else if (end - start > 5 * 366 * 86_400_000) warn('endDate', 'Longer than five years: the schedule check will block approval.');
  }
  if (d.assessmentCadenceDays.trim()) {
    if (!isWholeNumber(d.assessmentCadenceDays)) err('assessmentCadenceDays', 'Enter a whole number of days.');
    else if (Number(d.assessmentCadenceDays) < 30 || Number(d.assessmentCadenceDays) > 365)
      warn('assessmentCadenceDays', 'Outside 30–365 days: the schedule check will block approval.');
  }
  if (d.objectives.length === 0) err('objectives', 'Add at least one objective.');
  if (d.objectives.length > 20) err('objectives', 'At most 20 objectives.');
  d.objectives.forEach((o, i) => {
    if (!o.description.trim()) err(`objectives.${i}.description`, 'Describe the objective.');
    if (o.indicators.length === 0) err(`objectives.${i}.indicators`, 'Add at least one indicator.');
    if (o.indicators.length > 10) err(`objectives.${i}.indicators`, 'At most 10 indicators per objective.');
    o.indicators.forEach((ind, j) => {
      const key = `objectives.${i}.indicators.${j}`;
      if (!ind.name.trim()) err(`${key}.name`, 'Name the indicator.');
      if (!ind.unit.trim()) warn(`${key}.unit`, 'Without a unit the objective is not measurable: a blocking check.');
      if (!isNumber(ind.baseline)) err(`${key}.baseline`, 'A number.');
      if (!isNumber(ind.target)) err(`${key}.target`, 'A number.');
    });
  });
  if (!d.targetAreas.trim()) warn('targetAreas', 'No target area: the targeting check will warn.');
  return { errors, warnings };
}

function toInput(d: Draft): ProgramInput {
  return {
    title: d.title.trim(),
    summary: d.summary.trim(),
    country: d.country,
    pillar: d.pillar,
    objectives: d.objectives.map((o) => ({
      description: o.description.trim(),
      indicators: o.indicators.map((i) => ({ name: i.name.trim(), unit: i.unit.trim(), baseline: Number(i.baseline), target: Number(i.target) })),
    })),
    targetAreas: d.targetAreas
      .split(/[,\n]/)
      .map((a) => a.trim())
      .filter(Boolean),
    implementingPartner: {
      name: d.partnerName.trim(),
      ...(d.partnerRegistrationId.trim() ? { registrationId: d.partnerRegistrationId.trim() } : {}),
      country: d.partnerCountry,
    },
    budgetCents: parseUsdToCents(d.budget) ?? 0,
    cofunding: d.cofunding.map((c) => ({ partner: c.partner.trim(), amountCents: parseUsdToCents(c.amount) ?? 0 })),
    startDate: d.startDate,
    endDate: d.endDate,
    ...(d.assessmentCadenceDays.trim() ? { assessmentCadenceDays: Number(d.assessmentCadenceDays) } : {}),
  };
}

export function ProgramFormPage({ session, programId }: { session: Session; programId?: string }) {
  const [loaded, setLoaded] = useState<Program | null>(null);
  const [loadError, setLoadError] = useState<Error | null>(null);
  const [draft, setDraft] = useState<Draft>(blankDraft);
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<Error | null>(null);
  const [touched, setTouched] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const [busy, setBusy] = useState(false);
  const [priorityAreas, setPriorityAreas] = useState<string[]>([]);

  // An edit form loads once and never polls: a background refresh must not overwrite typing.
  // A newer version on the server surfaces as STALE_VERSION when saving.
  const reload = () => {
    if (!programId) return;
    setLoadError(null);
    api.programs.get(programId).then(
      (program) => {
        setLoaded(program);
        setDraft(draftOf(program));
        setServerErrors({});
        setFailure(null);
      },
      (error: Error) => setLoadError(error),
    );
  };
  useEffect(reload, [programId]);

  useEffect(() => {
    // A regional program is checked against every country's areas and the region's own, as the review does.
    const countries = draft.country === 'REGIONAL' ? COUNTRIES : [draft.country];
    let live = true;
    Promise.all(countries.map((c) => api.priorityAreas.get(c))).then(
      (lists) => live && setPriorityAreas([...new Set(lists.flatMap((r) => r.areas))]),
      () => live && setPriorityAreas([]),
    );
    return () => {
      live = false;
    };
  }, [draft.country]);

  if (!hasRole(session, 'grant_manager')) return <NotForYou roles="grant managers" />;
  if (programId && loadError) return <ErrorNotice error={loadError} title="Could not load the program" />;
  if (programId && !loaded) return <Loading what="the program" />;
  if (loaded && !EDITABLE.has(loaded.status)) {
    return (
      <div className="page">
        <div className="notice notice-info" role="note" data-testid="not-editable">
          “{loaded.title}” is {loaded.status}; programs can only be edited in DRAFT or REVISION_REQUESTED. <a href={link(`/programs/${loaded.id}`)}>Back to the program</a>
        </div>
      </div>
    );
  }

  const { errors, warnings } = check(draft);
  const shown = (key: string): string[] | undefined => {
    const mine = [...(touched ? (errors[key] ?? []) : []), ...(serverErrors[key] ?? [])];
    return mine.length ? mine : undefined;
  };
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const setObjective = (i: number, change: (o: ObjectiveDraft) => ObjectiveDraft) =>
    setDraft((d) => ({ ...d, objectives: d.objectives.map((o, k) => (k === i ? change(o) : o)) }));
  const setIndicator = (i: number, j: number, key: keyof IndicatorDraft, value: string) =>
    setObjective(i, (o) => ({ ...o, indicators: o.indicators.map((ind, k) => (k === j ? { ...ind, [key]: value } : ind)) }));
  const addArea = (area: string) => {
    const current = draft.targetAreas.split(/[,\n]/).map((a) => a.trim()).filter(Boolean);
    if (!current.includes(area)) set('targetAreas', [...current, area].join(', '));
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (Object.keys(errors).length > 0) {
      focusFirstInvalid(formRef.current);
      return;
    }
    setBusy(true);
    setFailure(null);
    setServerErrors({});
    try {
      const saved = loaded ? await api.programs.revise(loaded.id, toInput(draft), loaded.version) : await api.programs.create(toInput(draft));
      navigate(`/programs/${saved.id}`);
    } catch (error) {
      setFailure(error as Error);
      if (error instanceof ApiError) setServerErrors(toFieldErrors(error.details));
      focusFirstInvalid(formRef.current);
    } finally {
      setBusy(false);
    }
  };

  const errorCount = Object.keys(errors).length;
  // Server messages whose field has no control of its own still need to be seen.
  const knownKeys = new Set(['title', 'summary', 'country', 'pillar', 'targetAreas', 'budgetCents', 'startDate', 'endDate', 'assessmentCadenceDays', 'objectives', 'cofunding', 'implementingPartner', 'expectedVersion']);
  const stale = failure instanceof ApiError && failure.code === 'STALE_VERSION';
  // What the review asked for stays in view while the manager revises.
  const lastChange = loaded?.statusHistory?.at(-1);
  const asked = loaded?.status === 'REVISION_REQUESTED' && lastChange?.status === 'REVISION_REQUESTED' && lastChange.reason ? lastChange : null;

  return (
    <div className="page" data-testid="page-program-form">
      <header className="page-head">
        <p className="breadcrumb">
          <a href={link('/programs')}>Programs</a>
          {loaded && (
            <>
              {' / '}
              <a href={link(`/programs/${loaded.id}`)}>{loaded.title}</a>
            </>
          )}
        </p>
        <h1>{loaded ? 'Revise program' : 'New program'}</h1>
        {loaded && (
          <p className="muted">
            Editing version {loaded.version}. If someone saves a change before you do, saving is refused and nothing of theirs is overwritten.
          </p>
        )}
      </header>
      {asked && (
        <div className="notice notice-warn" data-testid="revision-asked">
          <strong>
            The review asked for a revision
            {asked.decidedBy && (
              <>
                {' '}
                (<Person id={asked.decidedBy} name={asked.decidedByName} />, {formatDateTime(asked.at)})
              </>
            )}
            :
          </strong>{' '}
          {asked.reason}
        </div>
      )}

      <form className="form" onSubmit={submit} noValidate data-testid="program-form" ref={formRef}>
        <ErrorNotice error={failure} title="The server refused the program" />
        {stale && (
          <p>
            <button type="button" className="button" data-testid="action-reload" onClick={reload}>
              Load the latest version (discards your changes)
            </button>
          </p>
        )}
        {Object.entries(serverErrors)
          .filter(([key]) => !knownKeys.has(key.split('.')[0]))
          .map(([key, messages]) => (
            <p key={key} className="field-error">
              <code>{key}</code> {messages.join(' ')}
            </p>
          ))}

        <fieldset>
          <legend>Program</legend>
          <Field name="title" label="Title" errors={shown('title')}>
            {(p) => <input {...p} value={draft.title} onChange={(e) => set('title', e.target.value)} required />}
          </Field>
          <Field name="summary" label="Summary" errors={shown('summary')}>
            {(p) => <textarea {...p} rows={4} value={draft.summary} onChange={(e) => set('summary', e.target.value)} required />}
          </Field>
          <div className="row">
            <Field name="country" label="Country" errors={shown('country')}>
              {(p) => (
                <select {...p} value={draft.country} onChange={(e) => set('country', e.target.value as Country)}>
                  <CountryOptions />
                </select>
              )}
            </Field>
            <Field name="pillar" label="Pillar" errors={shown('pillar')}>
              {(p) => (
                <select {...p} value={draft.pillar} onChange={(e) => set('pillar', e.target.value as Pillar)}>
                  {PILLARS.map((x) => (
                    <option key={x} value={x}>
                      {x} — {PILLAR_NAMES[x]}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
          <Field
            name="targetAreas"
            label="Target areas (departments), separated by commas"
            errors={shown('targetAreas')}
            warnings={warnings.targetAreas}
            hint={
              priorityAreas.length > 0 ? (
                <span className="chips">
                  Priority areas of {draft.country === 'REGIONAL' ? 'the region' : COUNTRY_NAMES[draft.country]}:{' '}
                  {priorityAreas.map((area) => (
                    <button type="button" key={area} className="chip" onClick={() => addArea(area)} data-testid={`priority-area-${area}`}>
                      + {area}
                    </button>
                  ))}
                </span>
              ) : undefined
            }
          >
            {(p) => <input {...p} value={draft.targetAreas} onChange={(e) => set('targetAreas', e.target.value)} />}
          </Field>
        </fieldset>

        <fieldset>
          <legend>Implementing partner</legend>
          <div className="row">
            <Field name="implementingPartner.name" label="Name" errors={shown('implementingPartner.name')}>
              {(p) => <input {...p} value={draft.partnerName} onChange={(e) => set('partnerName', e.target.value)} required />}
            </Field>
            <Field name="implementingPartner.registrationId" label="Registration id (optional)" errors={shown('implementingPartner.registrationId')}>
              {(p) => <input {...p} value={draft.partnerRegistrationId} onChange={(e) => set('partnerRegistrationId', e.target.value)} />}
            </Field>
            <Field name="implementingPartner.country" label="Country" errors={shown('implementingPartner.country')}>
              {(p) => (
                <select {...p} value={draft.partnerCountry} onChange={(e) => set('partnerCountry', e.target.value as Country)}>
                  <CountryOptions />
                </select>
              )}
            </Field>
          </div>
        </fieldset>

        <fieldset>
          <legend>Budget and schedule</legend>
          <div className="row">
            <Field name="budget" label="Budget (US dollars)" errors={shown('budgetCents')}>
              {(p) => <input {...p} inputMode="decimal" value={draft.budget} onChange={(e) => set('budget', e.target.value)} placeholder="250000.00" required />}
            </Field>
            <Field name="startDate" label="Start date" errors={shown('startDate')}>
              {(p) => <input {...p} type="date" value={draft.startDate} onChange={(e) => set('startDate', e.target.value)} required />}
            </Field>
            <Field name="endDate" label="End date" errors={shown('endDate')} warnings={warnings.endDate}>
              {(p) => <input {...p} type="date" value={draft.endDate} onChange={(e) => set('endDate', e.target.value)} required />}
            </Field>
            <Field name="assessmentCadenceDays" label="Assessment every (days)" errors={shown('assessmentCadenceDays')} warnings={warnings.assessmentCadenceDays} hint="30 to 365; 90 if left empty.">
              {(p) => <input {...p} inputMode="numeric" value={draft.assessmentCadenceDays} onChange={(e) => set('assessmentCadenceDays', e.target.value)} />}
            </Field>
          </div>
          <div className="subform">
            <h3>Co-funding</h3>
            {draft.cofunding.length === 0 && <p className="muted">No co-funding.</p>}
            {draft.cofunding.map((c, i) => (
              <div className="row" key={i}>
                <Field name={`cofunding.${i}.partner`} label={`Co-funder ${i + 1}`} errors={shown(`cofunding.${i}.partner`)}>
                  {(p) => <input {...p} value={c.partner} onChange={(e) => set('cofunding', draft.cofunding.map((x, k) => (k === i ? { ...x, partner: e.target.value } : x)))} />}
                </Field>
                <Field name={`cofunding.${i}.amount`} label="Amount (US dollars)" errors={shown(`cofunding.${i}.amountCents`)}>
                  {(p) => <input {...p} inputMode="decimal" value={c.amount} onChange={(e) => set('cofunding', draft.cofunding.map((x, k) => (k === i ? { ...x, amount: e.target.value } : x)))} />}
                </Field>
                <button type="button" className="button button-small button-ghost align-end" data-testid={`action-remove-cofunding-${i}`} onClick={() => set('cofunding', draft.cofunding.filter((_, k) => k !== i))}>
                  Remove
                </button>
              </div>
            ))}
            <button type="button" className="button button-small" data-testid="action-add-cofunding" onClick={() => set('cofunding', [...draft.cofunding, { partner: '', amount: '' }])}>
              Add co-funder
            </button>
          </div>
        </fieldset>

        <fieldset>
          <legend>Objectives and indicators</legend>
          {shown('objectives') && <p className="field-error">{shown('objectives')!.join(' ')}</p>}
          {draft.objectives.map((objective, i) => (
            <div className="objective" key={i} data-testid={`objective-${i}`}>
              <div className="objective-head">
                <h3>Objective {i + 1}</h3>
                {draft.objectives.length > 1 && (
                  <button type="button" className="button button-small button-ghost" data-testid={`action-remove-objective-${i}`} onClick={() => set('objectives', draft.objectives.filter((_, k) => k !== i))}>
                    Remove objective
                  </button>
                )}
              </div>
              <Field name={`objectives.${i}.description`} label="Description" errors={shown(`objectives.${i}.description`)}>
                {(p) => <textarea {...p} rows={2} value={objective.description} onChange={(e) => setObjective(i, (o) => ({ ...o, description: e.target.value }))} />}
              </Field>
              {shown(`objectives.${i}.indicators`) && <p className="field-error">{shown(`objectives.${i}.indicators`)!.join(' ')}</p>}
              {objective.indicators.map((indicator, j) => {
                const key = `objectives.${i}.indicators.${j}`;
                return (
                  <div className="row indicator" key={j}>
                    <Field name={`${key}.name`} label={`Indicator ${j + 1}`} errors={shown(`${key}.name`)}>
                      {(p) => <input {...p} value={indicator.name} onChange={(e) => setIndicator(i, j, 'name', e.target.value)} />}
                    </Field>
                    <Field name={`${key}.unit`} label="Unit" errors={shown(`${key}.unit`)} warnings={warnings[`${key}.unit`]}>
                      {(p) => <input {...p} value={indicator.unit} onChange={(e) => setIndicator(i, j, 'unit', e.target.value)} placeholder="%" />}
                    </Field>
                    <Field name={`${key}.baseline`} label="Baseline" errors={shown(`${key}.baseline`)}>
                      {(p) => <input {...p} inputMode="decimal" value={indicator.baseline} onChange={(e) => setIndicator(i, j, 'baseline', e.target.value)} />}
                    </Field>
                    <Field name={`${key}.target`} label="Target" errors={shown(`${key}.target`)}>
                      {(p) => <input {...p} inputMode="decimal" value={indicator.target} onChange={(e) => setIndicator(i, j, 'target', e.target.value)} />}
                    </Field>
                    {objective.indicators.length > 1 && (
                      <button type="button" className="button button-small button-ghost align-end" data-testid={`action-remove-indicator-${i}-${j}`} onClick={() => setObjective(i, (o) => ({ ...o, indicators: o.indicators.filter((_, k) => k !== j) }))}>
                        Remove
                      </button>
                    )}
                  </div>
                );
              })}
              {objective.indicators.length < 10 && (
                <button type="button" className="button button-small" data-testid={`action-add-indicator-${i}`} onClick={() => setObjective(i, (o) => ({ ...o, indicators: [...o.indicators, emptyIndicator()] }))}>
                  Add indicator
                </button>
              )}
            </div>
          ))}
          {draft.objectives.length < 20 && (
            <button type="button" className="button button-small" data-testid="action-add-objective" onClick={() => set('objectives', [...draft.objectives, emptyObjective()])}>
              Add objective
            </button>
          )}
        </fieldset>

        <div className="form-actions">
          {touched && errorCount > 0 && (
            <p className="field-error" role="alert" data-testid="form-invalid">
              {errorCount === 1 ? 'One field needs' : `${errorCount} fields need`} attention before saving.
            </p>
          )}
          <a className="button" href={link(loaded ? `/programs/${loaded.id}` : '/programs')} data-testid="action-cancel-edit">
            Cancel
          </a>
          <button type="submit" className="button button-primary" disabled={busy} data-testid="action-save">
            {busy ? 'Saving…' : loaded ? 'Save revision' : 'Create draft'}
          </button>
        </div>
      </form>
    </div>
  );
}
