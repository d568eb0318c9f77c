import { useEffect, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { api } from '../api/endpoints';
import type { Person } from '../api/types';
import { ErrorNotice } from '../components/ui';
import { ROLE_NAMES, ROLES, type Role } from '../lib/reference';
import { navigate } from '../lib/router';
import { signIn, signOutNotice } from '../lib/session';

type PeopleState = { kind: 'loading' } | { kind: 'ready'; people: Person[] } | { kind: 'absent' } | { kind: 'failed'; error: Error };

/** Each person appears once, under their first role, so every sign-in button is unique on the page. */
function groupByRole(people: Person[]): Array<[Role, Person[]]> {
  const groups = new Map<Role, Person[]>();
  for (const person of people) {
    const role = ROLES.find((r) => person.roles.includes(r));
    if (!role) continue;
    groups.set(role, [...(groups.get(role) ?? []), person]);
  }
  return ROLES.filter((r) => groups.has(r)).map((r) => [r, groups.get(r)!]);
}

export function SignInPage() {
  const [people, setPeople] = useState<PeopleState>({ kind: 'loading' });
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const notice = signOutNotice();

  useEffect(() => {
    let live = true;
    api.people().then(
      (list) => live && setPeople({ kind: 'ready', people: list }),
      (error: unknown) => {
        if (!live) return;
        // The gateway only lists people in development; elsewhere a pasted token is the way in.
        if (error instanceof ApiError && (error.statusCode === 404 || error.statusCode === 403)) setPeople({ kind: 'absent' });
        else setPeople({ kind: 'failed', error: error as Error });
      },
    );
    return () => {
      live = false;
    };
  }, []);

  const enter = (value: string) => {
    const refusal = signIn(value);
    setProblem(refusal);
    if (!refusal) navigate('/');
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    enter(token);
  };

  return (
    <main className="signin" id="main">
      <div className="signin-card">
        <h1>
          <span className="brand-mark" aria-hidden="true">
            C
          </span>{' '}
          Cuentas
        </h1>
        <p className="muted">Programs, accountability reviews, disbursements, assessments and the audit ledger of the Root Causes Strategy.</p>
        {notice && (
          <p className="notice notice-warn" role="alert" data-testid="signout-notice">
            Signed out: {notice}
          </p>
        )}

        {people.kind === 'loading' && <p className="muted">Looking for the development people list…</p>}
        {people.kind === 'failed' && <ErrorNotice error={people.error} title="Could not list people" />}
        {people.kind === 'ready' && people.people.length > 0 && (
          <section aria-labelledby="people-heading" data-testid="people-chooser">
            <h2 id="people-heading">Sign in as</h2>
            {groupByRole(people.people).map(([role, members]) => (
              <div className="people-group" key={role} data-testid={`people-group-${role}`}>
                <h3>{ROLE_NAMES[role]}</h3>
                <ul className="people">
                  {members.map((person) => (
                    <li key={person.sub}>
                      <button type="button" className="person" data-testid={`signin-${person.sub}`} onClick={() => enter(person.token)}>
                        <span className="person-name">{person.name}</span>
                        <span className="person-org">{person.org}</span>
                        <span className="person-roles">
                          {person.roles.map((r) => (
                            <span key={r} className="role-tag">
                              {r}
                            </span>
                          ))}
                        </span>
                      </button>
                    </li>
                  ))}
                </ul>
              </div>
            ))}
          </section>
        )}

        <form onSubmit={submit} className="token-form" aria-labelledby="token-heading">
          <h2 id="token-heading">{people.kind === 'ready' ? 'Or paste a token' : 'Sign in with a token'}</h2>
          <label htmlFor="token">Bearer token (JWT)</label>
          <textarea
            id="token"
            rows={3}
            value={token}
            onChange={(e) => setToken(e.target.value)}
            data-testid="field-token"
            spellCheck={false}
            autoComplete="off"
            aria-invalid={problem ? true : undefined}
            aria-describedby={problem ? 'token-error' : undefined}
            placeholder="eyJhbGciOiJIUzI1NiIs…"
          />
          {problem && (
            <small id="token-error" className="field-error" role="alert" data-testid="error-token">
              {problem}
            </small>
          )}
          <button type="submit" className="button button-primary" data-testid="action-signin-token" disabled={!token.trim()}>
            Sign in
          </button>
        </form>
      </div>
    </main>
  );
}
