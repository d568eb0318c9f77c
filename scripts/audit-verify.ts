/**
 * `npm run audit:verify`: verifies the audit ledger from the command line against DATABASE_URL,
 * prints the report as JSON and exits 1 when the chain is invalid (2 when it could not run).
 * Gaps are reported but, as in GET /audit/verify, do not make the chain invalid.
 * `--parallelism N` and `--min-segment N` set how the chain is split over worker threads.
 */
import pg from 'pg';
import { loadConfig } from '#libs/common';
import { checkpointKeyPair } from '../apps/audit/src/ledger/persistence/checkpoint-keys.js';
import { verifyLedger } from '../apps/audit/src/ledger/queries/verify-ledger.js';
import { cliArgs } from './cli-args.js';

const { values } = cliArgs(
  { parallelism: { type: 'string' }, 'min-segment': { type: 'string' } },
  'npm run audit:verify -- [--parallelism N] [--min-segment N]',
);

function positive(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${value}`);
  return n;
}

async function main(): Promise<number> {
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
