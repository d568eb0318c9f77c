/**
 * `npm run audit:verify`: verifies the audit ledger from the command line against DATABASE_URL,
 * prints the report as JSON and exits 1 when the chain is invalid (2 when it could not run).
 * Gaps are reported but, as in GET /audit/verify, do not make the chain invalid.
 */
import pg from 'pg';
import { loadConfig } from '#libs/common';
import { checkpointKeyPair } from '../apps/audit/src/ledger/persistence/checkpoint-keys.js';
import { verifyLedger } from '../apps/audit/src/ledger/queries/verify-ledger.js';

async function main(): Promise<number> {
  const config = loadConfig('audit');
  const client = new pg.Client({ connectionString: config.databaseUrl, application_name: 'cuentas-audit-verify' });
  await client.connect();
  try {
    const started = performance.now();
    const report = await verifyLedger(async (text, params) => (await client.query(text, params)).rows, checkpointKeyPair(config).publicKeyPem);
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
