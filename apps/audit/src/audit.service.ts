import type { ServiceDefinition } from '#libs/platform';
import { LedgerModule } from './ledger/ledger.module.js';
import { Ledger1764300000500 } from './migrations/1764300000500-ledger.js';
import { Checkpoints1764300000600 } from './migrations/1764300000600-checkpoints.js';
import { AuditAppRole1764300000700 } from './migrations/1764300000700-audit-app-role.js';
import { LedgerIntake1764300000800 } from './migrations/1764300000800-ledger-intake.js';
import { LedgerCanonicalJson1764300000900 } from './migrations/1764300000900-ledger-canonical-json.js';
import { SourceWatermarks1764300001000 } from './migrations/1764300001000-source-watermarks.js';
import { SourceHeads1764300001100 } from './migrations/1764300001100-source-heads.js';

export const auditService: ServiceDefinition = {
  name: 'audit',
  title: 'Cuentas audit',
  description: 'The append-only, hash-chained ledger of every event and every denied access.',
  features: [LedgerModule],
  entities: [],
  migrations: [Ledger1764300000500, Checkpoints1764300000600, AuditAppRole1764300000700, LedgerIntake1764300000800, LedgerCanonicalJson1764300000900,
    SourceWatermarks1764300001000, SourceHeads1764300001100],
};
