import { TestSystem } from '../../../../../test/support/test-system.js';
import { envelopeFixture } from '../domain/ledger-entry.fixtures.js';
import { LedgerReader } from './ledger.reader.js';
import { LedgerRepository } from './ledger.repository.js';

describe('LedgerRepository: accepting and chaining concurrently', () => {
  let sys: TestSystem;
  beforeAll(async () => {
    sys = await TestSystem.start({ services: ['audit'] });
  });
  afterAll(() => sys?.stop());

  it('chains every accepted event exactly once, gapless and linear, with several chainers racing', async () => {
    const app = sys.app('audit');
    const ledger = app.get(LedgerRepository);
    const total = 600;

    // Acceptors and three extra chainers (besides the service's own) all run at once.
    let next = 0;
    const accepting = Promise.all(
      Array.from({ length: 6 }, async () => {
        while (next < total) {
          const envelope = envelopeFixture(++next);
          await ledger.record([envelope]);
        }
      }),
    );
    let done = false;
    const chaining = Promise.all(
      Array.from({ length: 3 }, async () => {
        while (!done) if ((await ledger.chainPending(50)).length === 0) await new Promise((r) => setTimeout(r, 5));
      }),
    );
    await accepting;
    await sys.eventually(async () => {
      const [{ n }] = await sys.query<{ n: string }>(`SELECT count(*) AS n FROM audit.ledger`);
      expect(Number(n)).toBe(total);
    });
    done = true;
    await chaining;

    const rows = await sys.query<{ seq: string; source_seq: string }>(`SELECT seq, source_seq FROM audit.ledger ORDER BY seq`);
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(new Set(rows.map((r) => r.source_seq)).size).toBe(total);
    expect(await sys.query(`SELECT 1 FROM audit.ledger_intake`)).toEqual([]);
    expect(await app.get(LedgerReader).verify()).toMatchObject({ valid: true, checked: total, headSeq: total, gaps: [] });
    const [head] = await sys.query<{ seq: string; hash: string }>(`SELECT seq, hash FROM audit.ledger_head`);
    expect(await app.get(LedgerReader).head()).toMatchObject({ seq: Number(head.seq), hash: head.hash });
  });
});
