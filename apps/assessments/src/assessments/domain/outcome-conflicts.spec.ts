import { AccessDeniedError } from '#libs/core';
import { assertNoConflictOfInterest } from './outcome-conflicts.js';

const program = { programId: 'p-1', createdBy: 'gm-ana', partnerName: 'Fundación Juventud, S.A.' };

describe('assertNoConflictOfInterest', () => {
  it('refuses the program’s own drafter', () => {
    expect(() => assertNoConflictOfInterest({ id: 'gm-ana', org: 'Mission' }, program)).toThrow(
      expect.objectContaining({ code: 'CONFLICT_OF_INTEREST', details: { programId: 'p-1', reason: 'SELF_ASSESSMENT' } }),
    );
  });

  it('refuses someone of the implementing partner, however the name is written', () => {
    expect(() => assertNoConflictOfInterest({ id: 'rv-x', org: 'FUNDACION JUVENTUD' }, program)).toThrow(AccessDeniedError);
  });

  it('lets an independent reviewer through, and programs approved before parties were recorded', () => {
    expect(() => assertNoConflictOfInterest({ id: 'rv-carla', org: 'Office of Accountability Review' }, program)).not.toThrow();
    expect(() => assertNoConflictOfInterest({ id: 'gm-ana' }, { programId: 'p-2', createdBy: null, partnerName: null })).not.toThrow();
  });
});
