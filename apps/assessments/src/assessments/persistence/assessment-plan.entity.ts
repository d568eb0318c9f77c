import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { AssessmentPlanState } from '../domain/assessment-plan.js';

/** A program's plan, with the program's indicator names kept from program.approved to check outcomes against. */
@Entity({ name: 'plans', schema: 'assessments' })
export class AssessmentPlanEntity {
  @PrimaryColumn('uuid', { name: 'program_id' }) programId: string;
  @Column('text') status: string;
  @Column('integer') version: number;
  @Column('jsonb') indicators: string[];
  @Column('text', { name: 'created_by', nullable: true }) createdBy: string | null;
  @Column('text', { name: 'partner_name', nullable: true }) partnerName: string | null;
  @Column('jsonb') state: AssessmentPlanState;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt: Date;
}
