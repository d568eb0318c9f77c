import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { NotFoundError, ValidationError } from '#libs/core';
import { Outbox } from '#libs/messaging';
import { TransactionRunner, decodeCursor, toPage, type Page } from '#libs/persistence';
import { ProgramAggregate, type ProgramState } from '../domain/program.aggregate.js';
import { ProgramEntity } from './program.entity.js';

export interface ProgramFilter {
  status?: string;
  country?: string;
  pillar?: string;
  q?: string;
  limit: number;
  cursor?: string;
}

/** Loads and saves programs; every save writes the aggregate's events to the outbox in the same transaction. */
@Injectable()
export class ProgramRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly outbox: Outbox,
  ) {}

  async add(program: ProgramAggregate): Promise<ProgramAggregate> {
    await this.tx.run(async (em) => {
      await em.insert(ProgramEntity, this.toRow(program));
      await this.outbox.appendFrom(em, program);
    });
    return program;
  }

  /** Locks the program's row for the transaction, applies the change and saves it with its events. */
  async change(id: string, apply: (program: ProgramAggregate) => void): Promise<ProgramAggregate> {
    return this.tx.run(async (em) => {
      const program = await this.lock(em, id);
      apply(program);
      await em.update(ProgramEntity, { id }, this.toRow(program));
      await this.outbox.appendFrom(em, program);
      return program;
    });
  }

  async get(id: string): Promise<ProgramState> {
    const row = await this.dataSource.getRepository(ProgramEntity).findOneBy({ id });
    if (!row) throw new NotFoundError('Program', id);
    return row.state;
  }

  async list(f: ProgramFilter): Promise<Page<ProgramState>> {
    const qb = this.dataSource.getRepository(ProgramEntity).createQueryBuilder('p').orderBy('p.id', 'DESC');
    if (f.status) qb.andWhere('p.status = :status', { status: f.status });
    if (f.country) qb.andWhere('p.country = :country', { country: f.country });
    if (f.pillar) qb.andWhere('p.pillar = :pillar', { pillar: f.pillar });
    if (f.q) qb.andWhere(`p.title ILIKE :q ESCAPE '\\'`, { q: `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` });
    const after = decodeCursor(f.cursor);
    // A cursor this list never issued is the caller's 400, not a silent first page.
    if (f.cursor && !after) {
      const problems = ['cursor is not one this list issued'];
      throw new ValidationError('Invalid request: cursor', [{ field: 'cursor', problems }]);
    }
    if (after) qb.andWhere('p.id < :after', { after: after.id });
    const rows = await qb.limit(f.limit + 1).getMany();
    return toPage(
      rows.map((r) => r.state),
      f.limit,
      (p) => ({ k: p.id, id: p.id }),
    );
  }

  private async lock(em: EntityManager, id: string): Promise<ProgramAggregate> {
    const row = await em.findOne(ProgramEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!row) throw new NotFoundError('Program', id);
    return ProgramAggregate.restore(row.state);
  }

  private toRow(program: ProgramAggregate): ProgramEntity {
    const state = program.toState();
    return {
      id: state.id,
      status: state.status,
      version: state.version,
      createdBy: state.createdBy,
      title: state.title,
      country: state.country,
      pillar: state.pillar,
      state,
      createdAt: new Date(state.createdAt),
      updatedAt: new Date(state.updatedAt),
    };
  }
}
