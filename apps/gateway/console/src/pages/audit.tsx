import { Fragment, useState, type FormEvent } from 'react';
import { api } from '../api/endpoints';
import type { AuditEntry, AuditFilter, AuditVerification } from '../api/types';
import { CheckboxFilter, ErrorNotice, Loading, NotForYou, Section, useFeedback } from '../components/ui';
import { formatDateTime, shortId } from '../lib/format';
import { link, routeQuery } from '../lib/router';
import { EVENT_TYPES, SERVICES } from '../lib/reference';
import { hasRole, type Session } from '../lib/session';
import { usePolled } from '../lib/use-polled';

interface FilterField {
  name: keyof AuditFilter;
  label: string;
  kind: 'text' | 'datetime-local' | 'select';
  placeholder?: string;
  options?: readonly string[];
}

/** Type and source are closed lists on the server (anything else is a 400), so they are chosen, not typed. */
const FILTER_FIELDS: FilterField[] = [
  { name: 'aggregateId', label: 'Aggregate id', kind: 'text', placeholder: 'program, review, disbursement…' },
  { name: 'programId', label: 'Program id', kind: 'text', placeholder: 'all about a program' },
  { name: 'type', label: 'Event type', kind: 'select', options: [...EVENT_TYPES].sort() },
  { name: 'actorId', label: 'Actor id', kind: 'text', placeholder: 'gm-ana' },
  { name: 'source', label: 'Source', kind: 'select', options: SERVICES },
  { name: 'correlationId', label: 'Correlation id', kind: 'text' },
  { name: 'from', label: 'From', kind: 'datetime-local' },
  { name: 'to', label: 'To', kind: 'datetime-local' },
];
const PAGE_SIZE = 50;
const VERIFY_INTERVAL_MS = 5000;

/** Form values to query values: empty fields are dropped, local times become instants. */
function toFilter(form: Record<string, string>): AuditFilter {
  const filter: AuditFilter = {};
  for (const field of FILTER_FIELDS) {
    const value = (form[field.name] ?? '').trim();
    if (!value) continue;
    filter[field.name] = field.kind === 'datetime-local' ? new Date(value).toISOString() : value;
  }
  return filter;
}

function VerifyBadge({ result, error }: { result: AuditVerification | undefined; error: Error | null }) {
  if (!result) {
    return (
      <span className="verify verify-unknown" data-testid="verify-badge" data-valid="unknown">
        {error ? 'Verification unavailable' : 'Verifying…'}
      </span>
    );
  }
  const gapCount = result.gaps.length;
  const ok = result.valid && gapCount === 0;
  return (
    <span className={`verify ${ok ? 'verify-ok' : 'verify-bad'}`} data-testid="verify-badge" data-valid={String(result.valid)} data-gaps={gapCount} role="status">
      {result.valid ? `Chain valid · ${result.checked} entries checked` : `Chain broken at #${result.firstInvalidSeq}${result.reason ? ` (${result.reason})` : ''}`}
      {gapCount > 0 && ` · ${gapCount} sequence gap${gapCount === 1 ? '' : 's'}`}
    </span>
  );
}

/** Runs of a source's sequence numbers the ledger lacks; nothing when there are none. */
function SequenceRanges({ ranges, caption, testId }: { ranges: AuditVerification['gaps']; caption: string; testId: string }) {
  if (ranges.length === 0) return null;
  return (
    <table className="table table-compact" data-testid={testId}>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Source</th>
          <th scope="col">From</th>
          <th scope="col">To</th>
        </tr>
      </thead>
      <tbody>
        {ranges.map((range) => (
          <tr key={`${range.source}-${range.fromSeq}`}>
            <td>{range.source}</td>
            <td>{range.fromSeq}</td>
            <td>{range.toSeq}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function AuditPage({ session }: { session: Session }) {
  const allowed = hasRole(session, 'auditor');
  const [form, setForm] = useState<Record<string, string>>(() => {
    const query = routeQuery();
    return Object.fromEntries(FILTER_FIELDS.map((f) => [f.name, query.get(f.name) ?? '']));
  });
  const [filter, setFilter] = useState<AuditFilter>(() => toFilter(form));
  const [afters, setAfters] = useState<Array<string | null>>([null]);
  const [expanded, setExpanded] = useState<number | null>(null);
  // An auditor looking into what happened starts from the latest; the chain is checked from the first.
  const [newestFirst, setNewestFirst] = useState(true);
  const after = afters[afters.length - 1];
  const page = usePolled(() => api.audit.events(filter, after, PAGE_SIZE, newestFirst), `audit:${JSON.stringify(filter)}:${after}:${newestFirst}`, undefined, allowed);
  const verify = usePolled(api.audit.verify, 'audit-verify', VERIFY_INTERVAL_MS, allowed);
  const feedback = useFeedback();
  // Said beside the integrity panel's own buttons, not down among the entries.
  const integrityFeedback = useFeedback();
  if (!allowed) return <NotForYou roles="auditors" />;

  const search = (event: FormEvent) => {
    event.preventDefault();
    setFilter(toFilter(form));
    setAfters([null]);
  };
  const clear = () => {
    setForm(Object.fromEntries(FILTER_FIELDS.map((f) => [f.name, ''])));
    setFilter({});
    setAfters([null]);
  };
  const download = (format: 'ndjson' | 'csv') => {
    feedback.clear();
    api.audit.export(format, filter).then(() => feedback.succeed(`Export (${format.toUpperCase()}) downloaded.`), feedback.fail);
  };
  const downloadCheckpoints = () => {
    integrityFeedback.clear();
    api.audit.checkpoints().then(() => integrityFeedback.succeed('Signed checkpoints downloaded.'), integrityFeedback.fail);
  };
  const entries: AuditEntry[] = page.data?.items ?? [];
  const v = verify.data;
  // SEQ:HASH is what `audit:verify --anchor` takes: kept outside Cuentas, it proves a later export still holds this head.
  const anchor = v && v.headSeq !== null && v.headHash ? `${v.headSeq}:${v.headHash}` : null;
  const copyAnchor = (text: string) => {
    integrityFeedback.clear();
    navigator.clipboard
      .writeText(text)
      .then(() => integrityFeedback.succeed(`Copied the anchor ${text.slice(0, 20)}…: keep it outside Cuentas.`), integrityFeedback.fail);
  };

  return (
    <div className="page" data-testid="page-audit">
      <header className="page-head">
        <h1>Audit explorer</h1>
        <p className="muted">The append-only ledger of every event and every denied access, chained by SHA-256. Anchor the head hash elsewhere to prove later that nothing changed.</p>
      </header>

      <Section title="Integrity" testId="integrity">
        <div className="integrity">
          <VerifyBadge result={v} error={verify.error} />
          <button type="button" className="button button-small" data-testid="action-verify" onClick={() => void verify.refresh()}>
            Verify again
          </button>
          <button type="button" className="button button-small" data-testid="action-download-checkpoints" onClick={downloadCheckpoints}>
            Download signed checkpoints
          </button>
        </div>
        {integrityFeedback.node}
        <p className="muted">
          To check an NDJSON export away from Cuentas: <code>npm run audit:verify -- --file export.ndjson --checkpoints checkpoints.json --anchor SEQ:HASH</code>
        </p>
        <dl className="details">
          <div>
            <dt>Head sequence</dt>
            <dd data-testid="head-seq">{v?.headSeq ?? '—'}</dd>
          </div>
          <div className="wide">
            <dt>Head hash</dt>
            <dd>
              <code className="hash" data-testid="head-hash">
                {v?.headHash ?? '—'}
              </code>{' '}
              {anchor && (
                <button type="button" className="button button-small" data-testid="action-copy-anchor" onClick={() => copyAnchor(anchor)}>
                  Copy as anchor
                </button>
              )}
            </dd>
          </div>
          {v && v.firstInvalidSeq !== null && (
            <div>
              <dt>First invalid entry</dt>
              <dd data-testid="first-invalid-seq">#{v.firstInvalidSeq}</dd>
            </div>
          )}
        </dl>
        {v && <SequenceRanges ranges={v.gaps} caption="Missing source sequences" testId="gaps-table" />}
        {v && (
          <SequenceRanges
            ranges={v.unrecorded}
            caption="Reported by their source, not yet recorded (asked for again if they stay missing)"
            testId="unrecorded-table"
          />
        )}
        <ErrorNotice error={verify.error} title="Verification failed" />
      </Section>

      <Section
        title="Entries"
        testId="entries"
        actions={
          <>
            <button type="button" className="button button-small" data-testid="action-export-ndjson" onClick={() => download('ndjson')}>
              Export NDJSON
            </button>
            <button type="button" className="button button-small" data-testid="action-export-csv" onClick={() => download('csv')}>
              Export CSV
            </button>
          </>
        }
      >
        <form className="filters" role="search" aria-label="Filter ledger entries" onSubmit={search}>
          {FILTER_FIELDS.map((field) => (
            <div className="field" key={field.name}>
              <label htmlFor={`audit-${field.name}`}>{field.label}</label>
              {field.kind === 'select' ? (
                <select id={`audit-${field.name}`} value={form[field.name]} data-testid={`field-${field.name}`} onChange={(e) => setForm((f) => ({ ...f, [field.name]: e.target.value }))}>
                  <option value="">Any</option>
                  {field.options?.map((option) => (
                    <option key={option} value={option}>
                      {option}
                    </option>
                  ))}
                </select>
              ) : (
                <input
                  id={`audit-${field.name}`}
                  type={field.kind}
                  value={form[field.name]}
                  placeholder={field.placeholder}
                  data-testid={`field-${field.name}`}
                  onChange={(e) => setForm((f) => ({ ...f, [field.name]: e.target.value }))}
                />
              )}
            </div>
          ))}
          <CheckboxFilter
            label="Newest first"
            checked={newestFirst}
            testId="field-newest-first"
            onChange={(checked) => {
              setNewestFirst(checked);
              setAfters([null]);
            }}
          />
          <div className="filter-actions">
            <button type="submit" className="button button-primary" data-testid="action-search">
              Search
            </button>
            <button type="button" className="button" data-testid="action-clear" onClick={clear}>
              Clear
            </button>
          </div>
        </form>
        {feedback.node}
        <ErrorNotice error={page.error} title="Could not load entries" />
        {page.loading && <Loading what="ledger entries" />}
        {page.data && entries.length === 0 && <p className="muted">No entry matches.</p>}
        {entries.length > 0 && (
          <div className="table-wrap">
            <table className="table table-compact" data-testid="audit-table">
              <thead>
                <tr>
                  <th scope="col">Seq</th>
                  <th scope="col">Recorded</th>
                  <th scope="col">Type</th>
                  <th scope="col">Source</th>
                  <th scope="col">Aggregate</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Correlation</th>
                  <th scope="col">Hash</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((entry) => (
                  <Fragment key={entry.seq}>
                    <tr data-testid="audit-row" data-seq={entry.seq} data-type={entry.type} className={entry.type === 'access.denied' ? 'row-denied' : undefined}>
                      <td>
                        <button
                          type="button"
                          className="link-button"
                          aria-expanded={expanded === entry.seq}
                          data-testid="action-expand"
                          onClick={() => setExpanded(expanded === entry.seq ? null : entry.seq)}
                        >
                          #{entry.seq}
                        </button>
                      </td>
                      <td>{formatDateTime(entry.recordedAt)}</td>
                      <td>
                        <code className="event-type">{entry.type}</code>
                      </td>
                      <td>
                        {entry.source} <small className="muted">#{entry.sourceSeq}</small>
                      </td>
                      <td title={entry.aggregateId}>
                        {entry.aggregateType === 'program' && entry.aggregateId ? (
                          <a href={link(`/programs/${entry.aggregateId}`)}>{shortId(entry.aggregateId)}</a>
                        ) : (
                          shortId(entry.aggregateId)
                        )}
                      </td>
                      <td>{entry.actor?.name ?? entry.actor?.id}</td>
                      <td title={entry.correlationId}>{shortId(entry.correlationId)}</td>
                      <td>
                        <code className="hash" title={entry.hash}>
                          {entry.hash.slice(0, 12)}…
                        </code>
                      </td>
                    </tr>
                    {expanded === entry.seq && (
                      <tr className="detail-row" data-testid="audit-detail">
                        <td colSpan={8}>
                          <dl className="details">
                            <div>
                              <dt>Event id</dt>
                              <dd>
                                <code>{entry.eventId}</code>
                              </dd>
                            </div>
                            <div>
                              <dt>Occurred</dt>
                              <dd>{formatDateTime(entry.occurredAt)}</dd>
                            </div>
                            <div className="wide">
                              <dt>Previous hash</dt>
                              <dd>
                                <code className="hash">{entry.prevHash}</code>
                              </dd>
                            </div>
                            <div className="wide">
                              <dt>Hash</dt>
                              <dd>
                                <code className="hash">{entry.hash}</code>
                              </dd>
                            </div>
                          </dl>
                          <pre className="payload">{JSON.stringify(entry.payload, null, 2)}</pre>
                        </td>
                      </tr>
                    )}
                  </Fragment>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <nav className="pager" aria-label="Pages of ledger entries">
          <button type="button" className="button" disabled={afters.length <= 1} data-testid="action-first-page" onClick={() => setAfters([null])}>
            First
          </button>
          <button type="button" className="button" disabled={afters.length <= 1} data-testid="action-prev-page" onClick={() => setAfters((a) => a.slice(0, -1))}>
            Previous
          </button>
          <span className="muted">Page {afters.length}</span>
          <button
            type="button"
            className="button"
            disabled={!page.data?.nextCursor}
            data-testid="action-next-page"
            onClick={() => page.data?.nextCursor && setAfters((a) => [...a, String(page.data!.nextCursor)])}
          >
            Next
          </button>
        </nav>
      </Section>
    </div>
  );
}
