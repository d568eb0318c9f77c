import { Injectable } from '@nestjs/common';
import type { Country } from '#libs/contracts';
import { TransactionRunner } from '#libs/persistence';
import type { RestrictedPartyRef } from '../../reviews/domain/safeguard-checks.js';
import { PriorityAreaEntity } from './priority-area.entity.js';
import { RestrictedPartyEntity } from './restricted-party.entity.js';

/** Reference data the safeguard checks read: restricted parties and priority areas, kept by admin. */
@Injectable()
export class ReferenceDataRepository {
  constructor(private readonly tx: TransactionRunner) {}

  restrictedParties(): Promise<RestrictedPartyRef[]> {
    return this.tx.run((em) => em.find(RestrictedPartyEntity, { select: { name: true, registrationId: true } }));
  }

  async priorityAreas(country: Country): Promise<string[]> {
    const row = await this.tx.run((em) => em.findOneBy(PriorityAreaEntity, { country }));
    return row?.areas ?? [];
  }
}
