/**
 * `npm run audit:verify`: verifies the audit ledger from the command line against DATABASE_URL,
 * prints the report as JSON and exits 1 when the chain is invalid (2 when it could not run).
 * Gaps are reported but, as in GET /audit/verify, do not make the chain invalid.
 * `--parallelism N` and `--min-segment N` set how the chain is split over worker threads.
 *
 * `--file EXPORT.ndjson` verifies an export (GET /audit/export) instead, with no access to the
 * system: `--anchor SEQ:HASH` (repeatable) names heads taken earlier (GET /audit/head) that it must
 * contain; `--checkpoints FILE` is a saved GET /audit/checkpoints answer, whose signatures are
 * checked with `--public-key PEM` (by default the key that answer carries; the report prints its
 * SHA-256 to compare with the published one).
 */
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { loadConfig } from '#libs/common';
import type { ChainCheckpoint } from '../apps/audit/src/ledger/domain/chain-verifier.js';
import type { SignedCheckpoint } from '../apps/audit/src/ledger/domain/checkpoint-signer.js';
import { checkpointKeyPair } from '../apps/audit/src/ledger/persistence/checkpoint-keys.js';
import { verifyExport } from '../apps/audit/src/ledger/queries/verify-export.js';
import { verifyLedger } from '../apps/audit/src/ledger/queries/verify-ledger.js';
import { cliArgs } from './cli-args.js';

const { values } = cliArgs(
  {
    parallelism: { type: 'string' },
    'min-segment': { type: 'string' },
    file: { type: 'string' },
    anchor: { type: 'string', multiple: true },
    checkpoints: { type: 'string' },
    'public-key': { type: 'string' },
  },
  'npm run audit:verify -- [--parallelism N] [--min-segment N] | --file EXPORT.ndjson [--anchor SEQ:HASH]... [--checkpoints FILE [--public-key PEM]]',
);

function positive(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${value}`);
  return n;
}

function anchorOf(text: string): ChainCheckpoint {
  const match = /^(\d{1,15}):([0-9a-f]{64})$/.exec(text);
  if (!match || Number(match[1]) < 1) throw new Error(`--anchor must be SEQ:HASH (a ledger seq and its 64 hex digit hash), got ${text}`);
  return { seq: Number(match[1]), hash: match[2] };
}

/** A saved GET /audit/checkpoints answer (or several pages as an array of them). */
function checkpointsFile(path: string): { checkpoints: SignedCheckpoint[]; publicKey: string | undefined } {
  const saved = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  const pages = (Array.isArray(saved) ? saved : [saved]) as Array<{ items?: SignedCheckpoint[]; publicKey?: string }>;
  if (!pages.every((page) => Array.isArray(page?.items))) throw new Error(`${path} is not a saved GET /audit/checkpoints answer`);
  return { checkpoints: pages.flatMap((page) => page.items!), publicKey: pages.find((page) => page.publicKey)?.publicKey };
}

async function verifyFile(file: string): Promise<number> {
  const saved = values.checkpoints === undefined ? undefined : checkpointsFile(values.checkpoints);
  const publicKeyPem = values['public-key'] === undefined ? saved?.publicKey : readFileSync(values['public-key'], 'utf8');
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  const report = await verifyExport(lines, { anchors: (values.anchor ?? []).map(anchorOf), checkpoints: saved?.checkpoints, publicKeyPem });
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  return report.valid ? 0 : 1;
}

async function main(): Promise<number> {
  if (values.file !== undefined) return verifyFile(values.file);
  const config = loadConfig('audit');
  const options = {
    databaseUrl: config.databaseUrl,
    parallelism: positive('parallelism', values.parallelism),
    minSegmentEntries: positive('min-segment', values['min-segment']),
  };
  const client = new pg.Client({ connectionString: config.databaseUrl, application_name: 'cuentas-audit-verify' });
  await client.connect();
  try {
    const started = performance.now();
    const sql = async (text: string, params?: unknown[]) => (await client.query(text, params)).rows;
    const report = await verifyLedger(sql, checkpointKeyPair(config).publicKeyPem, options);
    process.stdout.write(`${JSON.stringify({ ...report, tookMs: Math.round(performance.now() - started) }, null, 2)}\n`);
    return report.valid ? 0 : 1;
  } finally {
    await client.end();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`audit:verify failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
