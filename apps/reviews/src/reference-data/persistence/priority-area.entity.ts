import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'priority_areas', schema: 'reviews' })
export class PriorityAreaEntity {
  @PrimaryColumn('text') country: string;
  @Column('jsonb') areas: string[];
  @Column('text', { name: 'updated_by' }) updatedBy: string;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt: Date;
  /** Changes so far: the aggregate version of their events. */
  @Column('integer') version: number;
}
