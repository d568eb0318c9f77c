import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../api/endpoints';
import type { RestrictedParty, Threshold } from '../api/types';
import { ApiError } from '../api/client';
import { useDialog } from '../components/action-dialog';
import { CountryOptions, ErrorNotice, Field, Loading, NotForYou, Section, useFeedback } from '../components/ui';
import { centsToInput, formatDateTime, formatUsd, parseUsdToCents } from '../lib/format';
import { COUNTRY_NAMES, type Country, type ThresholdName } from '../lib/reference';
import { hasRole, type Session } from '../lib/session';
import { usePolled } from '../lib/use-polled';

/** What each threshold decides, in the words of the people it affects. */
const THRESHOLD_MEANING: Record<ThresholdName, { title: string; rule: string }> = {
  'high-value': { title: 'High-value review', rule: 'Programs with a budget at or above this need two reviewers to approve them.' },
  'dual-approval': { title: 'Dual approval', rule: 'Disbursements at or above this need two approvers.' },
};

/** A sanctions list runs to thousands: the page lists a first stretch, and search finds the rest. */
const PARTIES_PAGE = 100;
const MAX_PARTIES_SHOWN = 500;

/** Priority areas are departments of highest out-migration; regional programs have none of their own. */
const AREA_COUNTRIES: Country[] = ['SV', 'GT', 'HN'];

export function AdminPage({ session }: { session: Session }) {
  const allowed = hasRole(session, 'admin');
  const [q, setQ] = useState('');
  const [shown, setShown] = useState(PARTIES_PAGE);
  // A search of punctuation alone matches nothing the service can compare: list everyone instead.
  const search = /[\p{L}\p{N}]/u.test(q) ? q.trim() : '';
  const parties = usePolled(() => api.restrictedParties.page(search, shown), `restricted-parties:${search}`, undefined, allowed, shown);
  const feedback = useFeedback();
  const dialog = useDialog();
  if (!allowed) return <NotForYou roles="administrators" />;

  const done = (message: string) => {
    feedback.succeed(message);
    void parties.refresh();
  };
  const remove = (party: RestrictedParty) =>
    dialog.show({
      title: 'Remove from the restricted list',
      description: `“${party.name}” will no longer fail the restricted-party check of new reviews.`,
      confirmLabel: 'Remove',
      tone: 'danger',
      fields: [{ name: 'reason', label: 'Reason (kept in the audit ledger)', kind: 'textarea', required: true }],
      onConfirm: (v) => api.restrictedParties.remove(party.id, v.reason.trim()),
      onDone: () => done(`${party.name} removed from the restricted list.`),
    });

  return (
    <div className="page" data-testid="page-admin">
      <header className="page-head">
        <h1>Administration</h1>
        <p className="muted">Reference data the safeguard checks read: who may not receive funds, where the strategy targets its efforts, and when two people must agree.</p>
      </header>
      {feedback.node}

      <Section title="Restricted parties" testId="restricted-parties">
        <p className="muted">Organisations and people barred from receiving funds: corruption designations, debarments, sanctions. Names match regardless of case, accents, punctuation and legal suffixes.</p>
        <div className="field">
          <label htmlFor="party-search">Find by name or registration id</label>
          <input
            id="party-search"
            type="search"
            value={q}
            data-testid="field-party-search"
            onChange={(e) => {
              setQ(e.target.value);
              setShown(PARTIES_PAGE);
            }}
          />
        </div>
        <ErrorNotice error={parties.error} title="Could not load restricted parties" />
        {parties.loading && <Loading what="restricted parties" />}
        {parties.data && (
          <div className="table-wrap">
            <table className="table" data-testid="parties-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Registration id</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Source</th>
                  <th scope="col">Added</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {parties.data.items.length === 0 && (
                  <tr>
                    <td colSpan={6} className="muted">
                      {search ? 'No party matches.' : 'The list is empty.'}
                    </td>
                  </tr>
                )}
                {parties.data.items.map((party) => (
                  <tr key={party.id} data-testid={`party-row-${party.id}`}>
                    <td>{party.name}</td>
                    <td>{party.registrationId ?? <span className="muted">—</span>}</td>
                    <td>{party.reason}</td>
                    <td>{party.source}</td>
                    <td>{formatDateTime(party.createdAt)}</td>
                    <td className="row-actions">
                      <button type="button" className="button button-small button-danger" data-testid="action-remove-party" onClick={() => remove(party)}>
                        Remove
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {parties.data.nextCursor && (
              <p className="muted" data-testid="parties-more">
                The first {parties.data.items.length} in alphabetical order.{' '}
                {shown < MAX_PARTIES_SHOWN ? (
                  <button type="button" className="button button-small" data-testid="action-more-parties" onClick={() => setShown((n) => n + PARTIES_PAGE)}>
                    Show more
                  </button>
                ) : (
                  'Search to find the others.'
                )}
              </p>
            )}
          </div>
        )}
        <AddPartyForm onDone={done} />
      </Section>

      <PriorityAreas onDone={feedback.succeed} />
      <Thresholds onDone={feedback.succeed} />
      {dialog.node}
    </div>
  );
}

function AddPartyForm({ onDone }: { onDone: (message: string) => void }) {
  const empty = { name: '', registrationId: '', reason: '', source: '' };
  const [form, setForm] = useState(empty);
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Error | null>(null);
  const errors: Record<string, string[] | undefined> = {
    name: form.name.trim() ? undefined : ['Name the organisation or person.'],
    reason: form.reason.trim() ? undefined : ['Say why they are restricted.'],
    source: form.source.trim() ? undefined : ['Cite the source (designation, debarment list, sanction).'],
  };
  const set = (key: keyof typeof empty) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: e.target.value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (errors.name || errors.reason || errors.source) return;
    setBusy(true);
    setFailure(null);
    try {
      const registrationId = form.registrationId.trim();
      await api.restrictedParties.add({ name: form.name.trim(), reason: form.reason.trim(), source: form.source.trim(), ...(registrationId ? { registrationId } : {}) });
      setForm(empty);
      setTouched(false);
      onDone(`${form.name.trim()} added to the restricted list.`);
    } catch (error) {
      setFailure(error as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form inline-form" onSubmit={submit} noValidate aria-label="Add a restricted party">
      <h3>Add a restricted party</h3>
      <div className="row">
        <Field name="party-name" label="Name" errors={touched ? errors.name : undefined}>
          {(p) => <input {...p} value={form.name} onChange={set('name')} />}
        </Field>
        <Field name="party-registrationId" label="Registration id (optional)">
          {(p) => <input {...p} value={form.registrationId} onChange={set('registrationId')} />}
        </Field>
      </div>
      <div className="row">
        <Field name="party-reason" label="Reason" errors={touched ? errors.reason : undefined}>
          {(p) => <input {...p} value={form.reason} onChange={set('reason')} />}
        </Field>
        <Field name="party-source" label="Source" errors={touched ? errors.source : undefined}>
          {(p) => <input {...p} value={form.source} onChange={set('source')} />}
        </Field>
      </div>
      <ErrorNotice error={failure} title="Refused" />
      <button type="submit" className="button button-primary" disabled={busy} data-testid="action-add-party">
        {busy ? 'Adding…' : 'Add to list'}
      </button>
    </form>
  );
}

function PriorityAreas({ onDone }: { onDone: (message: string) => void }) {
  const [country, setCountry] = useState<Country>('GT');
  const current = usePolled(() => api.priorityAreas.get(country), `areas:${country}`);
  // The editor is filled when a country's list arrives and then left to the admin; polling only refreshes the list shown beside it.
  const [text, setText] = useState<string | null>(null);
  // The version the editor's list was made from: saving sends it, so another admin's change in between is not overwritten unseen.
  const [basis, setBasis] = useState(0);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Error | null>(null);
  useEffect(() => setText(null), [country]);
  useEffect(() => {
    if (text === null && current.data) {
      setText(current.data.areas.join('\n'));
      setBasis(current.data.version);
    }
  }, [text, current.data]);
  const stale = failure instanceof ApiError && failure.code === 'STALE_VERSION';

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const areas = [...new Set((text ?? '').split('\n').map((a) => a.trim()).filter(Boolean))];
    setBusy(true);
    setFailure(null);
    try {
      const saved = await api.priorityAreas.put(country, areas, basis);
      setText(saved.areas.join('\n'));
      setBasis(saved.version);
      await current.refresh();
      onDone(`Priority areas of ${COUNTRY_NAMES[country]} saved (${saved.areas.length}).`);
    } catch (error) {
      setFailure(error as Error);
      // Saving again, after comparing with the list now shown as current, replaces that list.
      const latest = error instanceof ApiError && error.code === 'STALE_VERSION' ? (error.details as { currentVersion?: number }).currentVersion : undefined;
      if (latest !== undefined) {
        setBasis(latest);
        await current.refresh();
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section title="Priority areas" testId="priority-areas">
      <p className="muted">Departments of highest out-migration per country. The targeting check warns when none of a program's target areas is on its country's list.</p>
      <form className="form" onSubmit={save} noValidate>
        <Field name="areas-country" label="Country">
          {(p) => (
            <select {...p} value={country} onChange={(e) => setCountry(e.target.value as Country)}>
              <CountryOptions countries={AREA_COUNTRIES} />
            </select>
          )}
        </Field>
        <ErrorNotice error={current.error} title="Could not load priority areas" />
        {current.data && (
          <p className="chips" data-testid="current-areas">
            Current:{' '}
            {current.data.areas.length === 0 ? (
              <span className="muted">none</span>
            ) : (
              current.data.areas.map((a) => (
                <span className="chip" key={a}>
                  {a}
                </span>
              ))
            )}
          </p>
        )}
        {text === null ? (
          <Loading what="priority areas" />
        ) : (
          <Field name="areas" label="Areas, one per line">
            {(p) => <textarea {...p} rows={8} value={text} onChange={(e) => setText(e.target.value)} />}
          </Field>
        )}
        <ErrorNotice error={failure} title="Refused" />
        {stale && (
          <p className="muted" data-testid="areas-stale">
            Another admin saved this list after you opened it; their list is shown as current above. Save again to replace it with yours.
          </p>
        )}
        <button type="submit" className="button button-primary" disabled={busy || text === null} data-testid="action-save-areas">
          {busy ? 'Saving…' : 'Save areas'}
        </button>
      </form>
    </Section>
  );
}

function Thresholds({ onDone }: { onDone: (message: string) => void }) {
  const thresholds = usePolled(api.thresholds.list, 'thresholds');
  return (
    <Section title="Thresholds" testId="thresholds">
      <p className="muted">A change applies to reviews opened and disbursements requested after it; what is under way keeps the rule it started under.</p>
      <ErrorNotice error={thresholds.error} title="Could not load thresholds" />
      {thresholds.loading && <Loading what="thresholds" />}
      {thresholds.data?.map((t) => (
        <ThresholdForm
          key={`${t.name}:${t.version}`}
          threshold={t}
          onDone={async (saved) => {
            await thresholds.refresh();
            onDone(`${THRESHOLD_MEANING[saved.name].title} threshold set to ${formatUsd(saved.amountCents)}.`);
          }}
        />
      ))}
    </Section>
  );
}

function ThresholdForm({ threshold, onDone }: { threshold: Threshold; onDone: (saved: Threshold) => Promise<void> }) {
  const { title, rule } = THRESHOLD_MEANING[threshold.name];
  const [text, setText] = useState(centsToInput(threshold.amountCents));
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Error | null>(null);
  const cents = parseUsdToCents(text);
  const invalid = cents === null || cents <= 0;

  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (invalid) return;
    setBusy(true);
    setFailure(null);
    try {
      await onDone(await api.thresholds.put(threshold, cents));
    } catch (error) {
      setFailure(error as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form" onSubmit={save} noValidate data-testid={`threshold-${threshold.name}`}>
      <h3>{title}</h3>
      <p className="muted">
        {rule} Now {formatUsd(threshold.amountCents)}
        {threshold.updatedBy ? `, set by ${threshold.updatedBy} on ${formatDateTime(threshold.updatedAt)}` : ', the configured default'}.
      </p>
      <Field name={`threshold-${threshold.name}-amount`} label="Amount in US dollars" errors={invalid ? ['Enter an amount in US dollars, for example 5000000 or 5,000,000.00.'] : undefined}>
        {(p) => <input {...p} inputMode="decimal" value={text} onChange={(e) => setText(e.target.value)} />}
      </Field>
      <ErrorNotice error={failure} title="Refused" />
      <button type="submit" className="button button-primary" disabled={busy || invalid} data-testid={`action-save-threshold-${threshold.name}`}>
        {busy ? 'Saving…' : 'Save threshold'}
      </button>
    </form>
  );
}
