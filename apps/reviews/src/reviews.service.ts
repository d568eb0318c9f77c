import type { ServiceDefinition } from '#libs/platform';
import { Reviews1764300000100 } from './migrations/1764300000100-reviews.js';
import { ReferenceDataHistory1764300000110 } from './migrations/1764300000110-reference-data-history.js';
import { RestrictedPartyLookup1764300000120 } from './migrations/1764300000120-restricted-party-lookup.js';
import { PriorityAreasVersion1764300000130 } from './migrations/1764300000130-priority-areas-version.js';
import { RestrictedPartyRemovalReason1764300000140 } from './migrations/1764300000140-restricted-party-removal-reason.js';
import { Thresholds1764300000150 } from './migrations/1764300000150-thresholds.js';
import { PriorityAreaEntity } from './reference-data/persistence/priority-area.entity.js';
import { RestrictedPartyEntity } from './reference-data/persistence/restricted-party.entity.js';
import { ReviewEntity } from './reviews/persistence/review.entity.js';
import { WithdrawnProgramEntity } from './reviews/persistence/withdrawn-program.entity.js';
import { ReviewsModule } from './reviews/reviews.module.js';

export const reviewsService: ServiceDefinition = {
  name: 'reviews',
  title: 'Cuentas reviews',
  description: 'Accountability reviews with automated safeguard checks, and the reference data they use.',
  features: [ReviewsModule],
  entities: [ReviewEntity, WithdrawnProgramEntity, RestrictedPartyEntity, PriorityAreaEntity],
  migrations: [Reviews1764300000100, ReferenceDataHistory1764300000110, RestrictedPartyLookup1764300000120, PriorityAreasVersion1764300000130, RestrictedPartyRemovalReason1764300000140, Thresholds1764300000150],
};
