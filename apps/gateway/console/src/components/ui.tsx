import { useCallback, useId, useState, type ReactElement, type ReactNode } from 'react';
import { ApiError } from '../api/client';
import { humanize } from '../lib/format';
import { toFieldErrors } from '../lib/field-errors';
import { COUNTRIES, COUNTRY_NAMES, type Country } from '../lib/reference';

/** A country select's options, by name: every country unless told which. */
export function CountryOptions({ countries = COUNTRIES }: { countries?: readonly Country[] }) {
  return (
    <>
      {countries.map((c) => (
        <option key={c} value={c}>
          {COUNTRY_NAMES[c]}
        </option>
      ))}
    </>
  );
}

/** The country a work list is narrowed to ('' for all): schedulers, reviewers and finance often answer for one. */
export function CountryFilter({ id, value, onChange, testId, inline }: { id: string; value: Country | ''; onChange: (country: Country | '') => void; testId: string; inline?: boolean }) {
  return (
    <div className={inline ? 'field field-inline' : 'field'}>
      <label htmlFor={id}>Country</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value as Country | '')} data-testid={testId}>
        <option value="">All countries</option>
        <CountryOptions />
      </select>
    </div>
  );
}

/** A person by name when their token gave one, else by id; the id stays a hover away, as separation of duties uses it. */
export function Person({ id, name }: { id: string | null | undefined; name?: string }) {
  if (!id) return <span className="muted">—</span>;
  return name ? <span title={id} data-person={id}>{name}</span> : <span data-person={id}>{id}</span>;
}

export function StatusBadge({ status, testId }: { status: string; testId?: string }) {
  return (
    <span className={`badge badge-${status.toLowerCase().replace(/_/g, '-')}`} data-testid={testId} data-status={status}>
      {humanize(status)}
    </span>
  );
}

export function CheckBadge({ result }: { result: string }) {
  return (
    <span className={`badge check-${result.toLowerCase()}`} data-testid="check-result" data-result={result}>
      {result}
    </span>
  );
}

export function HoldBadge({ hold }: { hold: string }) {
  return (
    <span className="badge badge-hold" data-testid={`hold-${hold}`} title="Approvals and releases are refused while this hold is set">
      Hold: {humanize(hold)}
    </span>
  );
}

/** A refusal exactly as the server put it: message, stable code, details, correlation id. */
export function ErrorNotice({ error, title }: { error: Error | null; title?: string }) {
  if (!error) return null;
  if (!(error instanceof ApiError)) {
    return (
      <div className="notice notice-error" role="alert" data-testid="api-error">
        <strong>{title ?? 'Something went wrong'}:</strong> {error.message}
      </div>
    );
  }
  const fields = toFieldErrors(error.details);
  const entries = Object.entries(fields);
  return (
    <div className="notice notice-error" role="alert" data-testid="api-error" data-code={error.code}>
      <div className="notice-head">
        {title && <strong>{title}: </strong>}
        <span data-testid="api-error-message">{error.message}</span>
      </div>
      <div className="notice-meta">
        <code className="code-pill" data-testid="api-error-code">
          {error.code}
        </code>
        {error.statusCode > 0 && <span>HTTP {error.statusCode}</span>}
        {error.correlationId && <span>Correlation id: {error.correlationId}</span>}
      </div>
      {entries.length > 0 && (
        <ul className="notice-details">
          {entries.map(([field, messages]) => (
            <li key={field}>
              {field && <code>{field}</code>} {messages.join('; ')}
            </li>
          ))}
        </ul>
      )}
      {entries.length === 0 && error.details !== undefined && error.details !== null && (
        <pre className="notice-details">{JSON.stringify(error.details, null, 2)}</pre>
      )}
    </div>
  );
}

export function SuccessNotice({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <div className="notice notice-success" role="status" data-testid="flash">
      {message}
    </div>
  );
}

/** Page-level outcome of the last command: a success line or the server's refusal. */
export function useFeedback() {
  const [error, setError] = useState<Error | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const succeed = useCallback((text: string) => {
    setError(null);
    setMessage(text);
  }, []);
  const fail = useCallback((failure: unknown) => {
    setMessage(null);
    setError(failure instanceof Error ? failure : new Error(String(failure)));
  }, []);
  const clear = useCallback(() => {
    setError(null);
    setMessage(null);
  }, []);
  const node = (
    <>
      <SuccessNotice message={message} />
      <ErrorNotice error={error} title="Refused" />
    </>
  );
  return { succeed, fail, clear, node };
}

interface FieldProps {
  name: string;
  label: string;
  errors?: string[];
  warnings?: string[];
  hint?: ReactNode;
  children: (props: { id: string; 'aria-invalid'?: boolean; 'aria-describedby'?: string; 'data-testid': string; name: string }) => ReactElement;
}

/** A labelled control with its hint, client-side warnings and the server's messages for it. */
export function Field({ name, label, errors, warnings, hint, children }: FieldProps) {
  const id = useId();
  const described: string[] = [];
  if (hint) described.push(`${id}-hint`);
  if (errors?.length) described.push(`${id}-error`);
  if (warnings?.length) described.push(`${id}-warning`);
  return (
    <div className={`field${errors?.length ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        name,
        'data-testid': `field-${name}`,
        'aria-invalid': errors?.length ? true : undefined,
        'aria-describedby': described.length ? described.join(' ') : undefined,
      })}
      {hint && (
        <small id={`${id}-hint`} className="field-hint">
          {hint}
        </small>
      )}
      {errors?.length ? (
        <small id={`${id}-error`} className="field-error" data-testid={`error-${name}`}>
          {errors.join(' ')}
        </small>
      ) : null}
      {warnings?.length ? (
        <small id={`${id}-warning`} className="field-warning" data-testid={`warning-${name}`}>
          {warnings.join(' ')}
        </small>
      ) : null}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

export function Section({ title, actions, children, testId }: { title: string; actions?: ReactNode; children: ReactNode; testId?: string }) {
  return (
    <section className="panel" data-testid={testId} aria-label={title}>
      <header className="panel-head">
        <h2>{title}</h2>
        {actions && <div className="panel-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

export function NotForYou({ roles }: { roles: string }) {
  return (
    <div className="notice notice-info" role="note" data-testid="not-permitted">
      This page is for {roles}. Your roles do not include it; pick another page from the navigation.
    </div>
  );
}

/** A headline figure; `exact` spells it out below when the headline rounds it. */
export function Kpi({ label, value, exact, testId, tone }: { label: string; value: ReactNode; exact?: string; testId?: string; tone?: 'warn' | 'bad' }) {
  return (
    <div className={`kpi${tone ? ` kpi-${tone}` : ''}`} data-testid={testId}>
      <span className="kpi-label">{label}</span>
      <span className="kpi-value">{value}</span>
      {exact && <span className="kpi-exact">{exact}</span>}
    </div>
  );
}

/** A filter that is on or off, beside the other fields of a filter bar. */
export function CheckboxFilter({ label, checked, testId, onChange }: { label: string; checked: boolean; testId: string; onChange: (checked: boolean) => void }) {
  return (
    <div className="field field-checkbox">
      <label>
        <input type="checkbox" checked={checked} data-testid={testId} onChange={(e) => onChange(e.target.checked)} /> {label}
      </label>
    </div>
  );
}
