import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NotFoundError } from '#libs/core';
import { AggregateStore, Outbox } from '#libs/messaging';
import { TransactionRunner, findRow, newestFirstPage, type Page } from '#libs/persistence';
import { ProgramAggregate, type ProgramState } from '../domain/program.aggregate.js';
import { ProgramEntity } from './program.entity.js';

export interface ProgramFilter {
  status?: string;
  country?: string;
  pillar?: string;
  q?: string;
  createdBy?: string;
  limit: number;
  cursor?: string;
}

/** Loads and saves programs; every save writes the aggregate's events to the outbox in the same transaction. */
@Injectable()
export class ProgramRepository {
  private readonly store: AggregateStore<ProgramAggregate, ProgramEntity>;

  constructor(
    private readonly dataSource: DataSource,
    tx: TransactionRunner,
    outbox: Outbox,
  ) {
    this.store = new AggregateStore(tx, outbox, {
      entity: ProgramEntity,
      label: 'Program',
      toRow,
      fromRow: (row) => ProgramAggregate.restore(row.state),
    });
  }

  add(program: ProgramAggregate): Promise<ProgramAggregate> {
    return this.store.add(program);
  }

  /** Locks the program's row for the transaction, applies the change and saves it with its events. */
  change(id: string, apply: (program: ProgramAggregate) => void): Promise<ProgramAggregate> {
    return this.store.change(id, apply);
  }

  async get(id: string): Promise<ProgramState> {
    const row = await findRow(this.dataSource.manager, ProgramEntity, { id });
    if (!row) throw new NotFoundError('Program', id);
    return row.state;
  }

  async list(f: ProgramFilter): Promise<Page<ProgramState>> {
    const qb = this.dataSource.getRepository(ProgramEntity).createQueryBuilder('p');
    if (f.status) qb.andWhere('p.status = :status', { status: f.status });
    if (f.country) qb.andWhere('p.country = :country', { country: f.country });
    if (f.pillar) qb.andWhere('p.pillar = :pillar', { pillar: f.pillar });
    if (f.createdBy) qb.andWhere('p.created_by = :createdBy', { createdBy: f.createdBy });
    if (f.q) qb.andWhere(`p.title ILIKE :q ESCAPE '\\'`, { q: `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` });
    const page = await newestFirstPage(qb, 'p.id', f, (p) => p.id);
    return { ...page, items: page.items.map((r) => r.state) };
  }
}

function toRow(program: ProgramAggregate): ProgramEntity {
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
