import type { MigrationInterface, QueryRunner } from 'typeorm';
import { normalisePartyName, normaliseRegistrationId } from '#libs/core';
import { SEED_PRIORITY_AREAS, SEED_RESTRICTED_PARTIES } from '../reference-data/domain/seed-data.js';

export class Reviews1764300000100 implements MigrationInterface {
  name = 'Reviews1764300000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE reviews.reviews (
        id uuid PRIMARY KEY,
        program_id uuid NOT NULL,
        round integer NOT NULL,
        status text NOT NULL,
        version integer NOT NULL,
        state jsonb NOT NULL,
        opened_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT uq_reviews_program_round UNIQUE (program_id, round)
      )`);
    await q.query(`CREATE INDEX ix_reviews_status ON reviews.reviews (status, id)`);
    await q.query(`
      CREATE TABLE reviews.restricted_parties (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        normalised_name text NOT NULL,
        registration_id text,
        normalised_registration_id text,
        reason text NOT NULL,
        source text NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX ix_restricted_parties_name ON reviews.restricted_parties (normalised_name)`);
    await q.query(`
      CREATE TABLE reviews.priority_areas (
        country text PRIMARY KEY,
        areas jsonb NOT NULL,
        updated_by text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    for (const p of SEED_RESTRICTED_PARTIES) {
      await q.query(
        `INSERT INTO reviews.restricted_parties
           (name, normalised_name, registration_id, normalised_registration_id, reason, source, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, 'seed')`,
        [
          p.name,
          normalisePartyName(p.name),
          p.registrationId,
          p.registrationId ? normaliseRegistrationId(p.registrationId) : null,
          p.reason,
          p.source,
        ],
      );
    }
    for (const [country, areas] of Object.entries(SEED_PRIORITY_AREAS)) {
      await q.query(`INSERT INTO reviews.priority_areas (country, areas, updated_by) VALUES ($1, $2, 'seed')`, [
        country,
        JSON.stringify(areas),
      ]);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE reviews.priority_areas, reviews.restricted_parties, reviews.reviews`);
  }
}
