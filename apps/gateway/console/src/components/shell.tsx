import type { ReactNode } from 'react';
import { formatDateTime, localTimeZone } from '../lib/format';
import { PAGES, mayUse } from '../lib/pages';
import { link, navigate } from '../lib/router';
import { signOut, type Session } from '../lib/session';
import { loadToDo, TO_DO_POLL_MS } from '../lib/to-do';
import { usePolled } from '../lib/use-polled';

function isActive(pagePath: string, path: string): boolean {
  return pagePath === '/' ? path === '/' : path === pagePath || path.startsWith(`${pagePath}/`);
}

/** The frame of every signed-in page: left navigation by role, who is signed in, the page. */
export function Shell({ session, path, children }: { session: Session; path: string; children: ReactNode }) {
  // Moving to another page is often the end of a task: count again then, not only on the timer.
  const toDo = usePolled(() => loadToDo(session), `to-do:${session.sub}`, TO_DO_POLL_MS, true, path);
  return (
    <div className="shell">
      <a className="skip-link" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>
        Skip to content
      </a>
      <aside className="sidebar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            C
          </span>
          <span>
            Cuentas
            <small>Root Causes Strategy</small>
          </span>
        </div>
        <nav aria-label="Main">
          <ul>
            {PAGES.filter((page) => mayUse(session, page)).map((page) => {
              const active = isActive(page.path, path);
              return (
                <li key={page.key}>
                  <a href={link(page.path)} data-testid={`nav-${page.key}`} className={active ? 'active' : undefined} aria-current={active ? 'page' : undefined}>
                    {page.label}
                    {(toDo.data?.[page.key] ?? 0) > 0 && (
                      <>
                        <span className="nav-count" data-testid={`nav-count-${page.key}`} aria-hidden="true">
                          {toDo.data?.[page.key]}
                        </span>
                        <span className="sr-only">, {toDo.data?.[page.key]} waiting for you</span>
                      </>
                    )}
                  </a>
                </li>
              );
            })}
          </ul>
        </nav>
        <div className="whoami" data-testid="current-user" data-sub={session.sub}>
          <div className="whoami-name">{session.name}</div>
          <div className="whoami-org">{session.org}</div>
          <div className="whoami-zone" data-testid="time-zone" title="Every time on screen is in this zone; exports and the API use UTC.">
            Times in {localTimeZone()}
          </div>
          <div className="whoami-roles">
            {session.roles.map((role) => (
              <span key={role} className="role-tag">
                {role}
              </span>
            ))}
          </div>
          <button
            type="button"
            className="button button-small button-ghost"
            data-testid="action-signout"
            onClick={() => {
              signOut();
              navigate('/');
            }}
          >
            Sign out
          </button>
        </div>
      </aside>
      <main className="content" id="main" tabIndex={-1}>
        {children}
        {/* On paper the sidebar is gone: the page still says whose view it was, when, and in which zone. */}
        <p className="print-only" data-testid="print-footer">
          Printed from Cuentas for {session.name} ({session.org}) on {formatDateTime(new Date().toISOString())}. Times in {localTimeZone()}.
        </p>
      </main>
    </div>
  );
}
