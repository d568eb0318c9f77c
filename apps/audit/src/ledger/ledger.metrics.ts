import { Injectable, OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { MetricsRegistry } from '#libs/common';
import { SERVICES } from '#libs/contracts';
import { findMissingHeads } from './persistence/ledger-sql.js';

/** The ledger's head, what waits to be chained and what sources reported but never arrived, read from Postgres when Prometheus scrapes. */
@Injectable()
export class LedgerMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsRegistry,
    private readonly dataSource: DataSource,
  ) {}

  onModuleInit(): void {
    const dataSource = this.dataSource;
    new Gauge({
      name: 'audit_ledger_head_seq',
      help: 'Sequence number of the last entry chained into the audit ledger',
      registers: [this.metrics.registry],
      async collect() {
        const rows = (await dataSource.query(`SELECT seq FROM audit.ledger_head WHERE id = 1`).catch(() => [])) as Array<{ seq: string }>;
        if (rows[0]) this.set(Number(rows[0].seq));
      },
    });
    new Gauge({
      name: 'audit_ledger_intake_pending',
      help: 'Events accepted by audit and not yet chained into the ledger',
      registers: [this.metrics.registry],
      async collect() {
        const rows = (await dataSource.query(`SELECT count(*) AS n FROM audit.ledger_intake`).catch(() => [])) as Array<{ n: string }>;
        if (rows[0]) this.set(Number(rows[0].n));
      },
    });
    new Gauge({
      name: 'audit_unrecorded_events',
      help: "Events above a source's newest ledger entry up to the head it reported (lost if it stays above 0)",
      labelNames: ['source'],
      registers: [this.metrics.registry],
      async collect() {
        const missing = await findMissingHeads((text, params) => dataSource.query(text, params), { aboveWatermarks: false }).catch(() => null);
        if (!missing) return;
        for (const source of SERVICES) this.set({ source }, 0);
        for (const { source, fromSeq, toSeq } of missing) this.set({ source }, toSeq - fromSeq + 1);
      },
    });
  }
}
