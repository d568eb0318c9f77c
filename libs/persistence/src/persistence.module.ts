import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { MixedList } from 'typeorm';
import { MetricsRegistry } from '#libs/common';
import { dataSourceOptions } from './database.js';
import { QueryCountingLogger } from './query-counting.logger.js';
import { TransactionRunner } from './transaction-runner.js';

export interface PersistenceOptions {
  url: string;
  schema: string;
  poolSize: number;
  entities: MixedList<Function | string>;
  migrations: MixedList<Function | string>;
}

@Global()
@Module({})
export class PersistenceModule {
  static forRoot(options: PersistenceOptions): DynamicModule {
    return {
      module: PersistenceModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [MetricsRegistry],
          useFactory: (metrics: MetricsRegistry) => ({ ...dataSourceOptions(options), logger: new QueryCountingLogger(metrics.registry) }),
        }),
      ],
      providers: [TransactionRunner],
      exports: [TransactionRunner],
    };
  }
}
