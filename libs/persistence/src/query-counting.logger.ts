import { Logger } from '@nestjs/common';
import { Counter, type Registry } from 'prom-client';
import type { Logger as TypeOrmLogger } from 'typeorm';

/**
 * TypeORM's logger for a service: counts every statement the service sends to Postgres (each a
 * round trip, the unit of its database cost) as `db_queries_total`. Failed statements are the
 * callers' to handle (a unique violation is often expected), so they are counted, not logged.
 */
export class QueryCountingLogger implements TypeOrmLogger {
  private readonly logger = new Logger('Database');
  private readonly queries: Counter;

  constructor(registry: Registry) {
    this.queries = new Counter({ name: 'db_queries_total', help: 'Statements sent to Postgres, each a round trip', registers: [registry] });
  }

  logQuery(): void {
    this.queries.inc();
  }

  logQueryError(): void {}

  logQuerySlow(): void {}

  logSchemaBuild(): void {}

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(message);
  }
}
