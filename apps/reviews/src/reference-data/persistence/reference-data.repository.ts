import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import type { EntityManager } from 'typeorm';
import { THRESHOLD_NAMES, type Country, type EventPayloads, type ProgramSnapshot, type Threshold as ContractThreshold, type ThresholdName } from '#libs/contracts';
import { NotFoundError, RuleViolationError, assertExpectedVersion } from '#libs/core';
import type { ServiceConfig } from '#libs/common';
import { Outbox } from '#libs/messaging';
import { TransactionRunner, decodeCursor, findRow, toPage, violatesUnique, type Page } from '#libs/persistence';
import { normalisePartyName, normaliseRegistrationId, type PartnerKeys } from '#libs/core';
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
  /** Changes so far (0: never written); a PUT may send it back as `expectedVersion`. */
  version: number;
}

export type Threshold = ContractThreshold<Date>;

/** What a threshold is until admin sets it: the configured amount. */
export type ThresholdDefaults = Record<ThresholdName, number>;

export function thresholdDefaults(config: Pick<ServiceConfig, 'highValueThresholdCents' | 'dualApprovalThresholdCents'>): ThresholdDefaults {
  return { 'high-value': config.highValueThresholdCents, 'dual-approval': config.dualApprovalThresholdCents };
}

/** The reference data the safeguard checks read; the high-value threshold is null while its configured default applies. */
export type SafeguardReference = Pick<SafeguardContext, 'restrictedParties' | 'restrictedListSize' | 'priorityAreas'> & {
  highValueThresholdCents: number | null;
};

/** Reference data the safeguard checks read: restricted parties and priority areas, kept by admin. */
@Injectable()
export class ReferenceDataRepository {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly outbox: Outbox,
  ) {}

  /**
   * What the safeguard checks read, in one statement: the active parties the partner could match,
   * found through the indexes on the normalised columns; the active list's length, kept by a
   * trigger; the priority areas of the program's country (of every country, for a regional
   * program: the region is theirs together); the high-value threshold admin set. Opening a review then costs the same
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
              coalesce((SELECT json_agg(area ORDER BY p.country, n) FROM reviews.priority_areas p, jsonb_array_elements_text(p.areas) WITH ORDINALITY AS a (area, n)
                         WHERE p.country = $3 OR $3 = 'REGIONAL'), '[]') AS "priorityAreas",
              (SELECT amount_cents::float8 FROM reviews.thresholds WHERE name = 'high-value' AND version > 0) AS "highValueThresholdCents"`,
      // An empty normalised name or id is no evidence of a match: null matches nothing.
      [normalisePartyName(partner.name) || null, normaliseRegistrationId(partner.registrationId ?? '') || null, program.country],
    );
    return row;
  }

  async listRestrictedParties(page: {
    limit: number;
    cursor?: string;
    includeRemoved: boolean;
    /** Parties whose normalised name or registration id contains these keys (a null key matches nothing). */
    search: PartnerKeys | null;
  }): Promise<Page<RestrictedPartyEntity>> {
    const after = decodeCursor(page.cursor);
    const qb = this.tx.manager.getRepository(RestrictedPartyEntity).createQueryBuilder('p').orderBy('p.name', 'ASC').addOrderBy('p.id', 'ASC');
    if (!page.includeRemoved) qb.andWhere('p.removed_at IS NULL');
    if (page.search) {
      // strpos, not LIKE: nothing in a key needs escaping. A list of sanctions' size scans in milliseconds.
      qb.andWhere('(strpos(p.normalised_name, :nameKey) > 0 OR strpos(p.normalised_registration_id, :registrationKey) > 0)', page.search);
    }
    if (after) qb.andWhere('(p.name, p.id) > (:k, :id)', { k: String(after.k), id: after.id });
    const rows = await qb.limit(page.limit + 1).getMany();
    return toPage(rows, page.limit, (p) => ({ k: p.name, id: p.id }));
  }

  /** Adds the party and its event in one transaction. */
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
      removedReason: null,
    };
    try {
      await this.tx.run(async (em) => {
        await em.insert(RestrictedPartyEntity, row);
        await this.appendPartyEvent(em, row, 1, 'reference.restricted-party-added', { reason: row.reason, source: row.source });
      });
    } catch (err) {
      if (violatesUnique(err)) {
        throw new RuleViolationError('DUPLICATE', `"${party.name}" is already on the restricted list`, {
          normalisedName: row.normalisedName,
          registrationId: party.registrationId,
        });
      }
      throw err;
    }
    return row;
  }

  /** Marks the party removed (who, when), with its event; a party already removed is no longer on the list: 404. */
  async removeRestrictedParty(id: string, actorId: string, now: Date, reason: string | null): Promise<RestrictedPartyEntity> {
    return this.tx.run(async (em) => {
      const row = await em.findOne(RestrictedPartyEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!row || row.removedAt) throw new NotFoundError('Restricted party', id);
      const removal = { removedBy: actorId, removedAt: now, removedReason: reason };
      await em.update(RestrictedPartyEntity, { id }, removal);
      Object.assign(row, removal);
      // A party is added once and removed once: its two versions.
      await this.appendPartyEvent(em, row, 2, 'reference.restricted-party-removed', { reason });
      return row;
    });
  }

  /** Every threshold, as set by admin or else at its default. */
  async thresholds(defaults: ThresholdDefaults): Promise<Threshold[]> {
    const rows = await this.tx.manager.query<ThresholdRow[]>(`SELECT ${THRESHOLD_COLUMNS} FROM reviews.thresholds`);
    return THRESHOLD_NAMES.map((name) => toThreshold(name, rows.find((r) => r.name === name), defaults[name]));
  }

  /**
   * Sets a threshold and records the change (with the amount it replaced) in one transaction;
   * with `expectedVersion`, only if it is still the one the admin read. The same amount again
   * changes nothing.
   */
  async setThreshold(
    name: ThresholdName,
    amountCents: number,
    actorId: string,
    now: Date,
    defaultCents: number,
    expectedVersion?: number,
  ): Promise<Threshold> {
    return this.tx.run(async (em) => {
      // As with priority areas: a threshold still at its default gets its row (version 0) first, to lock.
      await em.query(
        `INSERT INTO reviews.thresholds (name, amount_cents, version, updated_by, updated_at) VALUES ($1, $2, 0, $3, $4) ON CONFLICT (name) DO NOTHING`,
        [name, defaultCents, actorId, now],
      );
      const [row] = await em.query<ThresholdRow[]>(`SELECT ${THRESHOLD_COLUMNS} FROM reviews.thresholds WHERE name = $1 FOR UPDATE`, [name]);
      const before = toThreshold(name, row, defaultCents);
      assertExpectedVersion(expectedVersion, before.version);
      if (before.amountCents === amountCents) return before;
      const version = before.version + 1;
      await em.query(`UPDATE reviews.thresholds SET amount_cents = $2, version = $3, updated_by = $4, updated_at = $5 WHERE name = $1`, [
        name,
        amountCents,
        version,
        actorId,
        now,
      ]);
      await this.outbox.append(em, [
        {
          type: 'reference.threshold-changed',
          payload: { name, amountCents, previousAmountCents: before.amountCents },
          aggregateType: 'threshold',
          aggregateId: name,
          aggregateVersion: version,
        },
      ]);
      return { name, amountCents, version, updatedBy: actorId, updatedAt: now };
    });
  }

  private appendPartyEvent<T extends 'reference.restricted-party-added' | 'reference.restricted-party-removed'>(
    em: EntityManager,
    row: RestrictedPartyEntity,
    version: number,
    type: T,
    extra: Omit<EventPayloads[T], 'partyId' | 'name' | 'registrationId'>,
  ) {
    const payload = { partyId: row.id, name: row.name, registrationId: row.registrationId, ...extra } as EventPayloads[T];
    return this.outbox.append(em, [{ type, payload, aggregateType: 'restricted-party', aggregateId: row.id, aggregateVersion: version }]);
  }

  /** A country without a row has no priority areas yet (REGIONAL, or a list never seeded). */
  async priorityAreasOf(country: Country): Promise<PriorityAreas> {
    const row = await findRow(this.tx.manager, PriorityAreaEntity, { country });
    return row
      ? { country, areas: row.areas, updatedBy: row.updatedBy, updatedAt: row.updatedAt, version: row.version }
      : { country, areas: [], updatedBy: null, updatedAt: null, version: 0 };
  }

  /**
   * Replaces the country's list and records the change (with the list it replaced) in one
   * transaction; with `expectedVersion`, only if the list is still the one the admin edited.
   */
  async setPriorityAreas(
    country: Country,
    areas: string[],
    actorId: string,
    now: Date,
    expectedVersion?: number,
  ): Promise<PriorityAreas> {
    return this.tx.run(async (em) => {
      // A country never listed gets an empty list (version 0) first, so there is always a row to
      // lock: two admins' changes are then numbered in turn, each replacing what the other wrote.
      await em.query(
        `INSERT INTO reviews.priority_areas (country, areas, updated_by, updated_at, version) VALUES ($1, '[]', $2, $3, 0) ON CONFLICT (country) DO NOTHING`,
        [country, actorId, now],
      );
      const before = await em.findOneOrFail(PriorityAreaEntity, { where: { country }, lock: { mode: 'pessimistic_write' } });
      assertExpectedVersion(expectedVersion, before.version);
      const version = before.version + 1;
      await em.update(PriorityAreaEntity, { country }, { areas, updatedBy: actorId, updatedAt: now, version });
      await this.outbox.append(em, [
        {
          type: 'reference.priority-areas-changed',
          payload: { country, areas, previousAreas: before.areas },
          aggregateType: 'priority-areas',
          aggregateId: country,
          aggregateVersion: version,
        },
      ]);
      return { country, areas, updatedBy: actorId, updatedAt: now, version };
    });
  }
}

interface ThresholdRow {
  name: string;
  amount_cents: number;
  version: number;
  updated_by: string;
  updated_at: Date;
}

const THRESHOLD_COLUMNS = 'name, amount_cents::float8 AS amount_cents, version, updated_by, updated_at';

/** A row at version 0 was made only to be locked: the configured default still applies, set by nobody. */
function toThreshold(name: ThresholdName, row: ThresholdRow | undefined, defaultCents: number): Threshold {
  if (!row || row.version === 0) return { name, amountCents: defaultCents, version: 0, updatedBy: null, updatedAt: null };
  return { name, amountCents: row.amount_cents, version: row.version, updatedBy: row.updated_by, updatedAt: row.updated_at };
}
