import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A party barred from funds; removal keeps the row (who and when) so the list's history stays readable. */
@Entity({ name: 'restricted_parties', schema: 'reviews' })
export class RestrictedPartyEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('text') name: string;
  @Column('text', { name: 'normalised_name' }) normalisedName: string;
  @Column('text', { name: 'registration_id', nullable: true }) registrationId: string | null;
  @Column('text', { name: 'normalised_registration_id', nullable: true }) normalisedRegistrationId: string | null;
  @Column('text') reason: string;
  @Column('text') source: string;
  @Column('text', { name: 'created_by' }) createdBy: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('text', { name: 'removed_by', nullable: true }) removedBy: string | null;
  @Column('timestamptz', { name: 'removed_at', nullable: true }) removedAt: Date | null;
  @Column('text', { name: 'removed_reason', nullable: true }) removedReason: string | null;
}
