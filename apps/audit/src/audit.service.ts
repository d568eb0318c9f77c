import type { ServiceDefinition } from '#libs/platform';
import { LedgerModule } from './ledger/ledger.module.js';
import { Ledger1764300000500 } from './migrations/1764300000500-ledger.js';

export const auditService: ServiceDefinition = {
  name: 'audit',
  title: 'Cuentas audit',
  description: 'The append-only, hash-chained ledger of every event and every denied access.',
  features: [LedgerModule],
  entities: [],
  migrations: [Ledger1764300000500],
};
