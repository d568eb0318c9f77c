import { useState } from 'react';
import { api, type ProgramFilter } from '../api/endpoints';
import type { Program } from '../api/types';
import { ErrorNotice, Loading, StatusBadge } from '../components/ui';
import { formatUsd } from '../lib/format';
import { COUNTRIES, COUNTRY_NAMES, PILLARS, PILLAR_NAMES, PROGRAM_STATUSES, type Country, type Pillar } from '../lib/reference';
import { link } from '../lib/router';
import { hasRole, type Session } from '../lib/session';
import { usePolled } from '../lib/use-polled';

const PAGE_SIZE = 50;

function ProgramCard({ program }: { program: Program }) {
  return (
    <li>
      <a className="card" href={link(`/programs/${program.id}`)} data-testid={`program-card-${program.id}`}>
        <span className="card-title">{program.title}</span>
        <span className="card-meta">
          {COUNTRY_NAMES[program.country] ?? program.country} · Pillar {program.pillar}
        </span>
        <span className="card-meta">
          {formatUsd(program.budgetCents)} · {program.implementingPartner?.name}
        </span>
      </a>
    </li>
  );
}

export function ProgramsBoardPage({ session }: { session: Session }) {
  const [country, setCountry] = useState<Country | ''>('');
  const [pillar, setPillar] = useState<Pillar | ''>('');
  const [q, setQ] = useState('');
  const drafts = hasRole(session, 'grant_manager');
  const [mine, setMine] = useState(false);
  // Cursors of the pages before the current one, so "Previous" can go back.
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const cursor = cursors[cursors.length - 1];
  const filter: ProgramFilter = { country, pillar, q: q.trim(), ...(mine ? { createdBy: session.sub } : {}), limit: PAGE_SIZE, cursor };
  const { data, error, loading } = usePolled(() => api.programs.page(filter), JSON.stringify(filter));

  // A changed filter starts again from the first page.
  const refilter = <T,>(set: (value: T) => void, value: T) => {
    set(value);
    setCursors([null]);
  };
  const programs = data?.items ?? [];

  return (
    <div className="page" data-testid="page-programs">
      <header className="page-head page-head-row">
        <div>
          <h1>Programs</h1>
          <p className="muted">Every program by status. Open a card for its reviews, funding, assessments and history.</p>
        </div>
        {hasRole(session, 'grant_manager') && (
          <a className="button button-primary" href={link('/programs/new')} data-testid="action-new-program">
            New program
          </a>
        )}
      </header>

      <form className="filters" role="search" aria-label="Filter programs" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="filter-q">Title contains</label>
          <input
            id="filter-q"
            type="search"
            value={q}
            data-testid="field-q"
            onChange={(e) => refilter(setQ, e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="filter-country">Country</label>
          <select
            id="filter-country"
            value={country}
            data-testid="field-filter-country"
            onChange={(e) => refilter(setCountry, e.target.value as Country | '')}
          >
            <option value="">All countries</option>
            {COUNTRIES.map((c) => (
              <option key={c} value={c}>
                {COUNTRY_NAMES[c]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-pillar">Pillar</label>
          <select
            id="filter-pillar"
            value={pillar}
            data-testid="field-filter-pillar"
            onChange={(e) => refilter(setPillar, e.target.value as Pillar | '')}
          >
            <option value="">All pillars</option>
            {PILLARS.map((p) => (
              <option key={p} value={p}>
                {p} — {PILLAR_NAMES[p]}
              </option>
            ))}
          </select>
        </div>
        {drafts && (
          <div className="field field-checkbox">
            <label>
              <input
                type="checkbox"
                checked={mine}
                data-testid="field-filter-mine"
                onChange={(e) => refilter(setMine, e.target.checked)}
              />{' '}
              Only programs I drafted
            </label>
          </div>
        )}
      </form>

      <ErrorNotice error={error} title="Could not load programs" />
      {loading ? (
        <Loading what="programs" />
      ) : (
        <div className="board" data-testid="programs-board">
          {PROGRAM_STATUSES.map((status) => {
            const column = programs.filter((p) => p.status === status);
            return (
              <section key={status} className="board-column" data-testid={`column-${status}`} aria-label={`${status} programs`}>
                <header>
                  <StatusBadge status={status} /> <span className="count">{column.length}</span>
                </header>
                {column.length === 0 ? <p className="muted board-empty">None</p> : <ul className="cards">{column.map((p) => <ProgramCard key={p.id} program={p} />)}</ul>}
              </section>
            );
          })}
        </div>
      )}

      <nav className="pager" aria-label="Pages of programs">
        <button type="button" className="button" disabled={cursors.length <= 1} data-testid="action-prev-page" onClick={() => setCursors((c) => c.slice(0, -1))}>
          Previous
        </button>
        <span className="muted">Page {cursors.length}</span>
        <button
          type="button"
          className="button"
          disabled={!data?.nextCursor}
          data-testid="action-next-page"
          onClick={() => data?.nextCursor && setCursors((c) => [...c, data.nextCursor])}
        >
          Next
        </button>
      </nav>
    </div>
  );
}
