import pg from 'pg';
import type { Actor, EventEnvelope, SourceHead } from '#libs/contracts';
import type { SegmentBounds } from '../domain/chain-stitcher.js';
import { fromStoredEntry, GENESIS_HASH, type LedgerEntry, type StoredLedgerEntry } from '../domain/ledger-hash.js';
import type { SourceGap } from '../domain/source-gaps.js';
import type { SignedCheckpoint } from '../domain/checkpoint-signer.js';

/**
 * Runs one SQL statement and returns its rows. TypeORM's `DataSource.query` and a thin wrapper
 * around a `pg` client both fit, so the service, the CLI verifier and the bench share these reads.
 */
export type SqlRunner = (text: string, params?: unknown[]) => Promise<unknown[]>;

/** The filters of GET /audit/events and /audit/export; `from`/`to` bound `recordedAt` (ISO, inclusive). */
export interface LedgerFilter {
  aggregateId?: string;
  type?: string;
  actorId?: string;
  source?: string;
  correlationId?: string;
  programId?: string;
  from?: string;
  to?: string;
}

/** Where a page starts: entries above `afterSeq` in seq order or, descending, newest first below `beforeSeq` (null: from the head). */
export interface LedgerPage {
  afterSeq: number;
  beforeSeq: number | null;
  descending: boolean;
}

export const inSeqOrder = (afterSeq: number): LedgerPage => ({ afterSeq, beforeSeq: null, descending: false });

interface LedgerRow {
  seq: string;
  event_id: string;
  type: string;
  version: number;
  source: EventEnvelope['source'];
  source_seq: string;
  aggregate_type: string;
  aggregate_id: string;
  aggregate_version: number;
  occurred_at: string;
  recorded_at: string;
  /** RFC 8785 JSON text, as hashed. */
  actor: string;
  correlation_id: string;
  causation_id: string | null;
  /** RFC 8785 JSON text, as hashed. */
  payload: string;
  prev_hash: string;
  hash: string;
}

const COLUMNS = `seq, event_id, type, version, source, source_seq, aggregate_type, aggregate_id, aggregate_version,
  occurred_at, recorded_at, actor, correlation_id, causation_id, payload, prev_hash, hash`;

function toStoredEntry(r: LedgerRow): StoredLedgerEntry {
  return {
    seq: Number(r.seq),
    eventId: r.event_id,
    type: r.type,
    version: r.version,
    source: r.source,
    sourceSeq: Number(r.source_seq),
    aggregateType: r.aggregate_type,
    aggregateId: r.aggregate_id,
    aggregateVersion: r.aggregate_version,
    occurredAt: r.occurred_at,
    recordedAt: r.recorded_at,
    actor: r.actor,
    correlationId: r.correlation_id,
    causationId: r.causation_id,
    payload: r.payload,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

const toEntry = (r: LedgerRow): LedgerEntry => fromStoredEntry(toStoredEntry(r));

const FILTER_COLUMNS: ReadonlyArray<[keyof LedgerFilter, string]> = [
  ['aggregateId', 'aggregate_id = $'],
  ['type', 'type = $'],
  ['actorId', 'actor_id = $'],
  ['source', 'source = $'],
  ['correlationId', 'correlation_id = $'],
  ['programId', 'program_id = $'],
  // recorded_at is an ISO text (exactly as hashed): fixed-width UTC ISO strings sort as instants.
  ['from', 'recorded_at >= $'],
  ['to', 'recorded_at <= $'],
];

/**
 * One keyset page, in seq order or newest first (see LedgerPage), of the entries that match the
 * filter. Each filter has an index led by its column and ending in seq, so a page costs the page,
 * not the ledger, read forwards or backwards.
 */
export async function readLedgerPage(sql: SqlRunner, filter: LedgerFilter, page: LedgerPage, limit: number): Promise<LedgerEntry[]> {
  return (await readStoredPage(sql, filter, page, limit)).map(fromStoredEntry);
}

/** The same page as stored: actor and payload as their canonical text (for exports). */
async function readStoredPage(sql: SqlRunner, filter: LedgerFilter, page: LedgerPage, limit: number): Promise<StoredLedgerEntry[]> {
  const params: unknown[] = [page.afterSeq];
  const where = ['seq > $1'];
  if (page.beforeSeq !== null) {
    params.push(page.beforeSeq);
    where.push(`seq < $${params.length}`);
  }
  for (const [key, condition] of FILTER_COLUMNS) {
    const value = filter[key];
    if (value === undefined) continue;
    params.push(value);
    where.push(condition + params.length);
  }
  params.push(limit);
  const rows = (await sql(
    `SELECT ${COLUMNS} FROM audit.ledger WHERE ${where.join(' AND ')} ORDER BY seq${page.descending ? ' DESC' : ''} LIMIT $${params.length}`,
    params,
  )) as LedgerRow[];
  return rows.map(toStoredEntry);
}

/**
 * Keyset batches in seq order, from the page after `afterSeq` until a short page. The next batch
 * is already being read while the caller works on the current one, so the database and the
 * caller overlap; at most two batches are in memory.
 */
async function* prefetchedBatches(
  page: (afterSeq: number) => Promise<StoredLedgerEntry[]>,
  afterSeq: number,
  batchSize: number,
): AsyncGenerator<StoredLedgerEntry[]> {
  let next = page(afterSeq);
  for (;;) {
    const batch = await next;
    if (batch.length < batchSize) {
      if (batch.length > 0) yield batch;
      return;
    }
    next = page(batch[batch.length - 1].seq);
    // A failed prefetch is reported by the await above on the next turn, not as an unhandled rejection.
    next.catch(() => undefined);
    yield batch;
  }
}

/** Every matching entry in seq order, as stored, a prefetched keyset batch at a time. */
export function ledgerBatches(sql: SqlRunner, filter: LedgerFilter, batchSize: number): AsyncGenerator<StoredLedgerEntry[]> {
  return prefetchedBatches((afterSeq) => readStoredPage(sql, filter, inSeqOrder(afterSeq), batchSize), 0, batchSize);
}

/**
 * A connection of the verifier's own, on which bigint columns arrive as numbers (exact up to
 * 2^53, as Number() in toEntry): with the columns named as in LedgerEntry, a row is then a stored
 * entry as it stands, and verifying a million of them skips a million copies.
 */
export async function openVerifyConnection(databaseUrl: string): Promise<{ sql: SqlRunner; close: () => Promise<void> }> {
  const types = { getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format)) };
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'cuentas-audit-verify', types: types as never });
  await client.connect();
  return { sql: async (text, params) => (await client.query(text, params)).rows, close: () => client.end() };
}

const INT8_OID = 20;

/** COLUMNS under their LedgerEntry names (see toEntry); actor and payload stay the stored text. */
const ENTRY_COLUMNS = `seq, event_id AS "eventId", type, version, source, source_seq AS "sourceSeq", aggregate_type AS "aggregateType",
  aggregate_id AS "aggregateId", aggregate_version AS "aggregateVersion", occurred_at AS "occurredAt", recorded_at AS "recordedAt",
  actor, correlation_id AS "correlationId", causation_id AS "causationId", payload, prev_hash AS "prevHash", hash`;

/**
 * The entries of one segment in seq order, a prefetched keyset batch at a time. `sql` must come
 * from openVerifyConnection: rows are returned as stored entries.
 */
export function ledgerSegmentBatches(sql: SqlRunner, { fromSeq, toSeq }: SegmentBounds, batchSize: number): AsyncGenerator<StoredLedgerEntry[]> {
  const page = (afterSeq: number) =>
    sql(
      `SELECT ${ENTRY_COLUMNS} FROM audit.ledger WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3`,
      // A bigint bound past any seq stands for "to the end".
      [afterSeq, toSeq ?? '9223372036854775807', batchSize],
    ) as Promise<StoredLedgerEntry[]>;
  return prefetchedBatches(page, fromSeq - 1, batchSize);
}

export async function findLedgerEntry(sql: SqlRunner, seq: number): Promise<LedgerEntry | null> {
  const rows = (await sql(`SELECT ${COLUMNS} FROM audit.ledger WHERE seq = $1`, [seq])) as LedgerRow[];
  return rows.length ? toEntry(rows[0]) : null;
}

export interface LedgerHead {
  seq: number;
  hash: string;
  recordedAt: string | null;
}

/** The last entry of the ledger as stored (not the head row, which the verifier does not trust). */
export async function readLedgerHead(sql: SqlRunner): Promise<LedgerHead> {
  const rows = (await sql(`SELECT seq, hash, recorded_at FROM audit.ledger ORDER BY seq DESC LIMIT 1`)) as Array<{
    seq: string;
    hash: string;
    recorded_at: string;
  }>;
  if (rows.length === 0) return { seq: 0, hash: GENESIS_HASH, recordedAt: null };
  return { seq: Number(rows[0].seq), hash: rows[0].hash, recordedAt: rows[0].recorded_at };
}

/** A source gap and when the entry just after it was recorded (the gap is visible since then). */
export interface ObservedGap extends SourceGap {
  visibleSince: string;
}

type GapRow = { source: string; from_seq: string; to_seq: string; recorded_at: string };

const observedGaps = (rows: GapRow[]): ObservedGap[] =>
  rows.map((r) => ({ source: r.source, fromSeq: Number(r.from_seq), toSeq: Number(r.to_seq), visibleSince: r.recorded_at }));

/** The holes among rows of (source, source_seq, prev_seq): each row whose seq does not follow the one before. */
const gapsAmong = (seqs: string) => `
  SELECT source, prev_seq + 1 AS from_seq, source_seq - 1 AS to_seq, source_seq AS after_seq
  FROM (${seqs}) s WHERE source_seq > prev_seq + 1`;

/** Gaps `g` as returned; recorded_at of the entry just after a gap is looked up for those few rows. */
const GAP_COLUMNS = `g.source, g.from_seq, g.to_seq,
  (SELECT l.recorded_at FROM audit.ledger l WHERE l.source = g.source AND l.source_seq = g.after_seq) AS recorded_at`;

/**
 * Holes in each source's sequence over the whole ledger, computed in the database: lag() over
 * the (source, source_seq) unique index compares each seq with the one before (0 before the
 * first). For verification, which trusts nothing but the entries.
 */
export async function findSourceGaps(sql: SqlRunner): Promise<ObservedGap[]> {
  // The window reads only (source, source_seq), an index-only scan of uq_ledger_source_seq in
  // order (no sort of the ledger).
  const rows = (await sql(`
    SELECT ${GAP_COLUMNS}
    FROM (${gapsAmong(`
      SELECT source, source_seq, lag(source_seq, 1, 0::bigint) OVER (PARTITION BY source ORDER BY source_seq) AS prev_seq
      FROM audit.ledger`)}) g
    ORDER BY g.source, g.from_seq`)) as GapRow[];
  return observedGaps(rows);
}

/**
 * The same holes, read only above each source's watermark (audit.source_watermarks), which the
 * statement then raises to just below the source's first hole, or to its highest seq. Entries are
 * never removed, so a sequence complete up to a seq stays complete: gap healing, every few
 * seconds, costs what arrived since, not the whole ledger. The sources come from a skip scan of
 * an index led by source, one probe per source.
 */
export async function findSourceGapsAboveWatermarks(sql: SqlRunner): Promise<ObservedGap[]> {
  const rows = (await sql(`
    WITH RECURSIVE sources AS (
      (SELECT source FROM audit.ledger ORDER BY source LIMIT 1)
      UNION ALL
      SELECT (SELECT l.source FROM audit.ledger l WHERE l.source > s.source ORDER BY l.source LIMIT 1)
      FROM sources s WHERE s.source IS NOT NULL
    ), lows AS (
      SELECT s.source, coalesce(w.contiguous_seq, 0) AS low
      FROM sources s LEFT JOIN audit.source_watermarks w ON w.source = s.source
      WHERE s.source IS NOT NULL
    ), seqs AS (
      SELECT lows.source, l.source_seq, lag(l.source_seq, 1, lows.low) OVER (PARTITION BY lows.source ORDER BY l.source_seq) AS prev_seq
      FROM lows CROSS JOIN LATERAL (
        -- OFFSET 0 keeps this a range scan per source: pulled up into a join, it became a scan
        -- of the whole ledger whenever the planner had no statistics.
        SELECT source_seq FROM audit.ledger WHERE source = lows.source AND source_seq > lows.low OFFSET 0
      ) l
    ), g AS (${gapsAmong('SELECT * FROM seqs')}
    ), raised AS (
      INSERT INTO audit.source_watermarks (source, contiguous_seq)
      SELECT lows.source, coalesce(
        (SELECT min(g.from_seq) - 1 FROM g WHERE g.source = lows.source),
        (SELECT max(seqs.source_seq) FROM seqs WHERE seqs.source = lows.source),
        lows.low)
      FROM lows
      ON CONFLICT (source) DO UPDATE SET contiguous_seq = excluded.contiguous_seq
      WHERE audit.source_watermarks.contiguous_seq < excluded.contiguous_seq
    )
    SELECT ${GAP_COLUMNS} FROM g
    ORDER BY g.source, g.from_seq`)) as GapRow[];
  return observedGaps(rows);
}

/**
 * Keeps the highest head a source has reported (replicas report in any order and repeat
 * themselves), with the time audit first heard of it; true when it moved.
 */
export async function raiseSourceHead(sql: SqlRunner, head: SourceHead): Promise<boolean> {
  const moved = await sql(
    `INSERT INTO audit.source_heads AS h (source, head_seq, reported_at) VALUES ($1, $2, now())
     ON CONFLICT (source) DO UPDATE SET head_seq = excluded.head_seq, reported_at = excluded.reported_at
     WHERE h.head_seq < excluded.head_seq
     RETURNING head_seq`,
    [head.source, head.headSeq],
  );
  return moved.length > 0;
}

/**
 * The newest events of each source that are missing: those above its newest recorded entry up to
 * the head it reported, visible since audit heard of that head. Other gaps have an entry after
 * them; these have none. Gap healing also trusts each source's watermark, as
 * findSourceGapsAboveWatermarks does; verification (`aboveWatermarks: false`) trusts only entries.
 */
export async function findMissingHeads(sql: SqlRunner, { aboveWatermarks }: { aboveWatermarks: boolean }): Promise<ObservedGap[]> {
  const watermark = aboveWatermarks ? '(SELECT contiguous_seq FROM audit.source_watermarks WHERE source = h.source)' : '0';
  const rows = (await sql(`
    SELECT h.source, newest.seq + 1 AS from_seq, h.head_seq AS to_seq, h.reported_at
    FROM audit.source_heads h
    CROSS JOIN LATERAL (
      SELECT greatest((SELECT max(source_seq) FROM audit.ledger WHERE source = h.source), ${watermark}, 0) AS seq
    ) newest
    WHERE h.head_seq > newest.seq
    ORDER BY h.source`)) as Array<{ source: string; from_seq: string; to_seq: string; reported_at: Date }>;
  return rows.map((r) => ({ source: r.source, fromSeq: Number(r.from_seq), toSeq: Number(r.to_seq), visibleSince: r.reported_at.toISOString() }));
}

type CheckpointRow = { seq: string; hash: string; signed_at: string; signature: string };
const toCheckpoint = (r: CheckpointRow): SignedCheckpoint => ({ seq: Number(r.seq), hash: r.hash, signedAt: r.signed_at, signature: r.signature });

export async function readCheckpoints(sql: SqlRunner): Promise<SignedCheckpoint[]> {
  const rows = (await sql(`SELECT seq, hash, signed_at, signature FROM audit.checkpoints ORDER BY seq, id`)) as CheckpointRow[];
  return rows.map(toCheckpoint);
}

/** Checkpoints below `beforeSeq` (all when null), newest first: the newest one vouches for every entry up to it. */
export async function readCheckpointPage(sql: SqlRunner, beforeSeq: number | null, limit: number): Promise<SignedCheckpoint[]> {
  const rows = (await sql(
    `SELECT seq, hash, signed_at, signature FROM audit.checkpoints WHERE $1::bigint IS NULL OR seq < $1 ORDER BY seq DESC, id DESC LIMIT $2`,
    [beforeSeq, limit],
  )) as CheckpointRow[];
  return rows.map(toCheckpoint);
}
