import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { QueryFailedError } from 'typeorm';
import type { Country, ProgramSnapshot } from '#libs/contracts';
import { NotFoundError, RuleViolationError } from '#libs/core';
import { TransactionRunner, decodeCursor, findRow, toPage, type Page } from '#libs/persistence';
import { normalisePartyName, normaliseRegistrationId } from '#libs/core';
import type { SafeguardContext } from '../../reviews/domain/safeguard-checks.js';
import { PriorityAreaEntity } from './priority-area.entity.js';
import { RestrictedPartyEntity } from './restricted-party.entity.js';

export interface NewRestrictedParty {
  name: string;
  registrationId: string | null;
  reason: string;
  source: string;
}

export interface PriorityAreas {
  country: Country;
  areas: string[];
  /** Null for a country whose list was never written. */
  updatedBy: string | null;
  updatedAt: Date | null;
}

/** The reference data the safeguard checks read; the threshold comes from configuration. */
export type SafeguardReference = Pick<SafeguardContext, 'restrictedParties' | 'restrictedListSize' | 'priorityAreas'>;

const UNIQUE_VIOLATION = '23505';

/** Reference data the safeguard checks read: restricted parties and priority areas, kept by admin. */
@Injectable()
export class ReferenceDataRepository {
  constructor(private readonly tx: TransactionRunner) {}

  /**
   * What the safeguard checks read, in one statement: the active parties the partner could match,
   * found through the indexes on the normalised columns; the active list's length, kept by a
   * trigger; the priority areas of the program's country. Opening a review then costs the same
   * for ten restricted parties as for the tens of thousands a sanctions list holds, where reading
   * and normalising every party took about 5 ms of CPU per thousand for each review opened.
   */
  async safeguardReference(program: ProgramSnapshot): Promise<SafeguardReference> {
    const partner = program.implementingPartner;
    const [row] = await this.tx.manager.query<SafeguardReference[]>(
      `SELECT coalesce((SELECT json_agg(json_build_object('name', name, 'registrationId', registration_id) ORDER BY name)
                          FROM reviews.restricted_parties
                         WHERE removed_at IS NULL AND (normalised_name = $1 OR normalised_registration_id = $2)), '[]') AS "restrictedParties",
              (SELECT active FROM reviews.restricted_list_size) AS "restrictedListSize",
              coalesce((SELECT areas FROM reviews.priority_areas WHERE country = $3), '[]') AS "priorityAreas"`,
      // An empty normalised name or id is no evidence of a match: null matches nothing.
      [normalisePartyName(partner.name) || null, normaliseRegistrationId(partner.registrationId ?? '') || null, program.country],
    );
    return row;
  }

  async listRestrictedParties(page: {
    limit: number;
    cursor?: string;
    includeRemoved: boolean;
  }): Promise<Page<RestrictedPartyEntity>> {
    const after = decodeCursor(page.cursor);
    const qb = this.tx.manager.getRepository(RestrictedPartyEntity).createQueryBuilder('p').orderBy('p.name', 'ASC').addOrderBy('p.id', 'ASC');
    if (!page.includeRemoved) qb.andWhere('p.removed_at IS NULL');
    if (after) qb.andWhere('(p.name, p.id) > (:k, :id)', { k: String(after.k), id: after.id });
    const rows = await qb.limit(page.limit + 1).getMany();
    return toPage(rows, page.limit, (p) => ({ k: p.name, id: p.id }));
  }

  async addRestrictedParty(party: NewRestrictedParty, actorId: string, now: Date): Promise<RestrictedPartyEntity> {
    const row: RestrictedPartyEntity = {
      id: uuidv7(),
      name: party.name,
      normalisedName: normalisePartyName(party.name),
      registrationId: party.registrationId,
      normalisedRegistrationId: party.registrationId === null ? null : normaliseRegistrationId(party.registrationId),
      reason: party.reason,
      source: party.source,
      createdBy: actorId,
      createdAt: now,
      removedBy: null,
      removedAt: null,
    };
    try {
      await this.tx.manager.insert(RestrictedPartyEntity, row);
    } catch (err) {
      if (err instanceof QueryFailedError && (err.driverError as { code?: string }).code === UNIQUE_VIOLATION) {
        throw new RuleViolationError('DUPLICATE', `"${party.name}" is already on the restricted list`, {
          normalisedName: row.normalisedName,
          registrationId: party.registrationId,
        });
      }
      throw err;
    }
    return row;
  }

  /** Marks the party removed (who, when); a party already removed is no longer on the list: 404. */
  async removeRestrictedParty(id: string, actorId: string, now: Date): Promise<RestrictedPartyEntity> {
    return this.tx.run(async (em) => {
      const row = await em.findOne(RestrictedPartyEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!row || row.removedAt) throw new NotFoundError('Restricted party', id);
      row.removedBy = actorId;
      row.removedAt = now;
      await em.update(RestrictedPartyEntity, { id }, { removedBy: actorId, removedAt: now });
      return row;
    });
  }

  /** A country without a row has no priority areas yet (REGIONAL, or a list never seeded). */
  async priorityAreasOf(country: Country): Promise<PriorityAreas> {
    const row = await findRow(this.tx.manager, PriorityAreaEntity, { country });
    return row
      ? { country, areas: row.areas, updatedBy: row.updatedBy, updatedAt: row.updatedAt }
      : { country, areas: [], updatedBy: null, updatedAt: null };
  }

  async setPriorityAreas(country: Country, areas: string[], actorId: string, now: Date): Promise<PriorityAreas> {
    await this.tx.manager.upsert(PriorityAreaEntity, { country, areas, updatedBy: actorId, updatedAt: now }, ['country']);
    return { country, areas, updatedBy: actorId, updatedAt: now };
  }
}
