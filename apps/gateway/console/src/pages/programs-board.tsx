import { useState } from 'react';
import { api, type ProgramFilter } from '../api/endpoints';
import type { Program } from '../api/types';
import { CheckboxFilter, CountryOptions, ErrorNotice, Loading, StatusBadge } from '../components/ui';
import { formatUsd } from '../lib/format';
import { COUNTRY_NAMES, PILLARS, PILLAR_NAMES, PROGRAM_STATUSES, type Country, type Pillar, type ProgramStatus } from '../lib/reference';
import { link } from '../lib/router';
import { hasRole, type Session } from '../lib/session';
import { usePolled } from '../lib/use-polled';

/** Cards a column shows at first; "Show more" adds as many again. */
const COLUMN_SIZE = 25;
/** Ten columns are ten reads: the board refreshes less often than a single-record page. */
const BOARD_POLL_MS = 5000;
/** The most one read answers (the API's limit). */
const MAX_PAGE = 500;

type Column = { items: Program[]; more: boolean };

/** Each status is its own column and its own read, so a column's count and cards are its own, not a slice of one page of every status. */
async function loadBoard(filter: ProgramFilter, sizes: Partial<Record<ProgramStatus, number>>): Promise<Record<string, Column>> {
  const pages = await Promise.all(PROGRAM_STATUSES.map((status) => api.programs.page({ ...filter, status, limit: sizes[status] ?? COLUMN_SIZE })));
  return Object.fromEntries(PROGRAM_STATUSES.map((status, i) => [status, { items: pages[i].items, more: pages[i].nextCursor !== null }]));
}

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
  // How many cards each column shows, grown by "Show more".
  const [sizes, setSizes] = useState<Partial<Record<ProgramStatus, number>>>({});
  const filter: ProgramFilter = { country, pillar, q: q.trim(), ...(mine ? { createdBy: session.sub } : {}) };
  // A longer column reads again, keeping the board on screen meanwhile (a new filter starts afresh).
  const { data, error, loading } = usePolled(() => loadBoard(filter, sizes), JSON.stringify(filter), BOARD_POLL_MS, true, sizes);

  // A changed filter shows each column's first cards again.
  const refilter = <T,>(set: (value: T) => void, value: T) => {
    set(value);
    setSizes((s) => (Object.keys(s).length ? {} : s));
  };

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
            <CountryOptions />
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
        {drafts && <CheckboxFilter label="Only programs I drafted" checked={mine} testId="field-filter-mine" onChange={(checked) => refilter(setMine, checked)} />}
      </form>

      <ErrorNotice error={error} title="Could not load programs" />
      {loading ? (
        <Loading what="programs" />
      ) : (
        <div className="board" data-testid="programs-board">
          {PROGRAM_STATUSES.map((status) => {
            const column = data?.[status] ?? { items: [], more: false };
            return (
              <section key={status} className="board-column" data-testid={`column-${status}`} aria-label={`${status} programs`}>
                <header>
                  <StatusBadge status={status} /> <span className="count">{column.items.length}{column.more ? '+' : ''}</span>
                </header>
                {column.items.length === 0 ? <p className="muted board-empty">None</p> : <ul className="cards">{column.items.map((p) => <ProgramCard key={p.id} program={p} />)}</ul>}
                {column.more && (
                  <button
                    type="button"
                    className="button button-small board-more"
                    data-testid={`action-more-${status}`}
                    onClick={() => setSizes((s) => ({ ...s, [status]: Math.min((s[status] ?? COLUMN_SIZE) + COLUMN_SIZE, MAX_PAGE) }))}
                    disabled={(sizes[status] ?? COLUMN_SIZE) >= MAX_PAGE}
                  >
                    Show more
                  </button>
                )}
              </section>
            );
          })}
        </div>
      )}

    </div>
  );
}
