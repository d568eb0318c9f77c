import type { AuditEntry, StatusChange } from '../api/types';
import { formatDateTime, formatUsd } from '../lib/format';
import { Person, StatusBadge } from './ui';

function ActorOf({ change }: { change: StatusChange }) {
  if (typeof change.actor === 'string') return <Person id={change.actor} />;
  if (change.actor) return <Person id={change.actor.id} name={change.actor.name} />;
  return <Person id={change.actorId ?? change.by} name={change.byName} />;
}

/** Who moved the program to which status, when and why. */
export function StatusHistory({ changes }: { changes: StatusChange[] }) {
  if (changes.length === 0) return <p className="muted">No status changes recorded.</p>;
  return (
    <div className="table-wrap">
      <table className="table table-compact" data-testid="status-history">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Status</th>
            <th scope="col">Who</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {changes.map((change, i) => {
            const status = change.status ?? change.to;
            return (
              <tr key={i} data-testid="history-row">
                <td>{formatDateTime(change.at ?? change.occurredAt)}</td>
                <td>
                  {change.from && (
                    <>
                      <StatusBadge status={change.from} /> →{' '}
                    </>
                  )}
                  {status && <StatusBadge status={status} />}
                </td>
                <td data-testid="history-who">
                  {change.decidedBy ? (
                    <>
                      <Person id={change.decidedBy} name={change.decidedByName} />{' '}
                      <small className="muted">
                        (applied by <ActorOf change={change} />)
                      </small>
                    </>
                  ) : (
                    <ActorOf change={change} />
                  )}
                </td>
                <td>{change.reason ?? change.rationale ?? <span className="muted">—</span>}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** A few words on what an event says, so a timeline reads without opening payloads. */
function summarise(entry: AuditEntry): string {
  const p = (entry.payload ?? {}) as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of ['decision', 'outcome', 'hold', 'reason', 'rationale', 'paymentReference', 'dueAt', 'code']) {
    if (typeof p[key] === 'string' && p[key]) parts.push(`${key}: ${p[key] as string}`);
  }
  if (typeof p.amountCents === 'number') parts.push(`amount: ${formatUsd(p.amountCents)}`);
  if (entry.type === 'access.denied' && typeof p.method === 'string') parts.unshift(`${p.method} ${String(p.path)}`);
  return parts.join(' · ');
}

export function Timeline({ entries }: { entries: AuditEntry[] }) {
  if (entries.length === 0) return <p className="muted">No ledger entries yet.</p>;
  return (
    <ol className="timeline" data-testid="timeline">
      {entries.map((entry) => (
        <li key={entry.seq} className={`timeline-item${entry.type === 'access.denied' ? ' timeline-denied' : ''}`} data-testid="timeline-row" data-type={entry.type}>
          <div className="timeline-when">
            <span className="seq">#{entry.seq}</span>
            <time dateTime={entry.occurredAt}>{formatDateTime(entry.occurredAt)}</time>
          </div>
          <div className="timeline-what">
            <code className="event-type">{entry.type}</code> <span className="muted">from {entry.source}</span>
            <div>
              by <strong>{entry.actor?.name ?? entry.actor?.id ?? 'unknown'}</strong>
              {entry.actor?.roles?.length ? <span className="muted"> ({entry.actor.roles.join(', ')})</span> : null}
            </div>
            {summarise(entry) && <div className="timeline-summary">{summarise(entry)}</div>}
          </div>
        </li>
      ))}
    </ol>
  );
}
