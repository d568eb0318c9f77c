import type { ServiceDefinition } from '#libs/platform';
import { FundingModule } from './funding/funding.module.js';
import { DisbursementEntity } from './funding/persistence/disbursement.entity.js';
import { FundingAccountEntity } from './funding/persistence/funding-account.entity.js';
import { Funding1764300000200 } from './migrations/1764300000200-funding.js';
import { PartnerScreening1764300000210 } from './migrations/1764300000210-partner-screening.js';
import { RestrictedPartyDetails1764300000220 } from './migrations/1764300000220-restricted-party-details.js';
import { Thresholds1764300000230 } from './migrations/1764300000230-thresholds.js';
import { PaymentReferenceUnique1764300000240 } from './migrations/1764300000240-payment-reference-unique.js';

export const disbursementsService: ServiceDefinition = {
  name: 'disbursements',
  title: 'Cuentas disbursements',
  description: 'Funding accounts of approved programs, disbursement requests, approvals, releases and holds.',
  features: [FundingModule],
  entities: [FundingAccountEntity, DisbursementEntity],
  migrations: [Funding1764300000200, PartnerScreening1764300000210, RestrictedPartyDetails1764300000220, Thresholds1764300000230, PaymentReferenceUnique1764300000240],
};
