import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ProgramState } from '../domain/program.aggregate.js';

/** The aggregate's state as one document, with the columns lists filter and sort on beside it. */
@Entity({ name: 'programs', schema: 'proposals' })
export class ProgramEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('text') status: string;
  @Column('integer') version: number;
  @Column('text', { name: 'created_by' }) createdBy: string;
  @Column('text') title: string;
  @Column('text') country: string;
  @Column('text') pillar: string;
  @Column('jsonb') state: ProgramState;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt: Date;
}
