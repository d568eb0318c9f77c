import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Programs known to be withdrawn (a final status). Lets a `program.submitted` delivered after the
 * program's `program.withdrawn` open no review that nobody could ever complete.
 */
@Entity({ name: 'withdrawn_programs', schema: 'reviews' })
export class WithdrawnProgramEntity {
  @PrimaryColumn('uuid', { name: 'program_id' }) programId: string;
  @Column('text') reason: string;
  @Column('timestamptz', { name: 'withdrawn_at' }) withdrawnAt: Date;
}
