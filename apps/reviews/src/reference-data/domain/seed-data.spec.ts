import { COUNTRIES } from '#libs/contracts';
import { normalisePartyName } from '#libs/core';
import { SEED_PRIORITY_AREAS, SEED_RESTRICTED_PARTIES } from './seed-data.js';

describe('seed data', () => {
  it('marks every restricted party as fictional', () => {
    for (const party of SEED_RESTRICTED_PARTIES) {
      expect(party.reason).toMatch(/fictional/i);
      expect(party.source).toMatch(/fictional/i);
    }
  });

  it('seeds distinct restricted parties', () => {
    const names = SEED_RESTRICTED_PARTIES.map((p) => normalisePartyName(p.name));
    expect(new Set(names).size).toBe(names.length);
  });

  it('seeds priority areas for every country, none for REGIONAL', () => {
    expect(Object.keys(SEED_PRIORITY_AREAS).sort()).toEqual([...COUNTRIES].sort());
    for (const country of ['SV', 'GT', 'HN'] as const) expect(SEED_PRIORITY_AREAS[country]).toHaveLength(5);
    expect(SEED_PRIORITY_AREAS.REGIONAL).toEqual([]);
  });
});
