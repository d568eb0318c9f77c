import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { AssessmentPointState } from '../domain/assessment-point.aggregate.js';

/** The point's state as one document, with the columns lists and timers filter and sort on beside it. */
@Entity({ name: 'points', schema: 'assessments' })
export class AssessmentPointEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { name: 'program_id' }) programId: string;
  @Column('integer', { nullable: true }) sequence: number | null;
  @Column('text') kind: string;
  @Column('text') status: string;
  @Column('timestamptz', { name: 'due_at' }) dueAt: Date;
  @Column('timestamptz', { name: 'overdue_at' }) overdueAt: Date;
  @Column('integer') version: number;
  @Column('jsonb') state: AssessmentPointState;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt: Date;
}
