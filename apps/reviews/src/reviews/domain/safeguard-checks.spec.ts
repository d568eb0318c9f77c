import type { CheckName, CheckResult, ProgramSnapshot } from '#libs/contracts';
import { cleanContext, cleanProgram } from './program-snapshot.fixture.js';
import { blockingFailures, requiredApprovals, runSafeguardChecks, type SafeguardContext } from './safeguard-checks.js';

const check = (checks: CheckResult[], name: CheckName) => checks.find((c) => c.name === name)!;
const checkOf = (name: CheckName, program: ProgramSnapshot, ctx: SafeguardContext = cleanContext) =>
  check(runSafeguardChecks(program, ctx), name);
const partner = (name: string, registrationId?: string) =>
  cleanProgram({ implementingPartner: { name, registrationId, country: 'SV' } });

describe('runSafeguardChecks', () => {
  it('runs all five checks in order and passes a clean program', () => {
    const checks = runSafeguardChecks(cleanProgram(), cleanContext);
    expect(checks.map((c) => c.name)).toEqual([
      'restricted-party',
      'measurable-objectives',
      'schedule',
      'targeting',
      'high-value',
    ]);
    expect(checks.every((c) => c.result === 'PASS' && !c.blocking && c.detail.length > 0)).toBe(true);
    expect(blockingFailures(checks)).toEqual([]);
    expect(requiredApprovals(checks)).toBe(1);
  });

  describe('restricted-party', () => {
    it.each([
      'Constructora Ejemplo S.A. de C.V.',
      'CONSTRUCTORA EJEMPLO',
      'constructora éjemplo',
      'Constructora   Ejemplo ,  S. A. de C. V.',
      'Constructora-Ejemplo, Sociedad Anónima de Capital Variable',
      'Constructora Ejemplo SA de CV',
      'Constrúctora Ejemplo Ltda.',
    ])('catches the restricted partner spelled %p', (name) => {
      const result = checkOf('restricted-party', partner(name));
      expect(result).toMatchObject({ result: 'FAIL', blocking: true });
      expect(result.detail).toContain('restricted party "Constructora Ejemplo S.A. de C.V." by name');
    });

    it('catches a differently named partner by its registration id in another format', () => {
      const result = checkOf('restricted-party', partner('Nuevo Nombre Ficticio', '0614 290190.1023'));
      expect(result).toMatchObject({ result: 'FAIL', blocking: true });
      expect(result.detail).toContain('by registration id "0614-290190-102-3"');
      expect(result.detail).not.toContain('by name');
    });

    it('says when both name and registration id match', () => {
      const result = checkOf('restricted-party', partner('Constructora Ejemplo', '06142901901023'));
      expect(result.detail).toContain('by name (normalised "CONSTRUCTORA EJEMPLO") and registration id');
    });

    it('names the length of the list checked, not the number of candidates it was given', () => {
      const ctx = { ...cleanContext, restrictedParties: [], restrictedListSize: 12_000 };
      expect(checkOf('restricted-party', partner('Fundación Horizonte'), ctx).detail).toBe(
        'Implementing partner "Fundación Horizonte" matches none of the 12000 restricted parties.',
      );
    });

    it('does not match on a missing registration id', () => {
      const ctx = { ...cleanContext, restrictedParties: [{ name: 'Otra Empresa', registrationId: null }] };
      const result = checkOf('restricted-party', partner('Fundación Horizonte', undefined), ctx);
      expect(result.result).toBe('PASS');
    });
  });

  describe('measurable-objectives', () => {
    it('fails when an objective has no indicator with unit, numeric baseline and numeric target', () => {
      const program = cleanProgram();
      program.objectives.push({
        description: 'Reduce extortion reports',
        indicators: [
          { name: 'Reports filed', unit: ' ', baseline: 10, target: 5 },
          { name: 'Cases closed', unit: 'cases', baseline: Number.NaN, target: '40' as unknown as number },
        ],
      });
      const result = checkOf('measurable-objectives', program);
      expect(result).toMatchObject({ result: 'FAIL', blocking: true });
      expect(result.detail).toContain('Objective 2 ("Reduce extortion reports") has no measurable indicator');
      expect(result.detail).toContain('indicator "Reports filed" lacks a unit');
      expect(result.detail).toContain('indicator "Cases closed" lacks a numeric baseline, a numeric target');
      expect(result.detail).not.toContain('Objective 1');
    });

    it('passes an objective when one of its indicators is measurable', () => {
      const program = cleanProgram();
      program.objectives[0].indicators.push({ name: 'Vague', unit: '', baseline: 0, target: 1 });
      expect(checkOf('measurable-objectives', program).result).toBe('PASS');
    });

    it('fails an objective without indicators and a program without objectives', () => {
      const noIndicators = cleanProgram({ objectives: [{ description: 'Empty', indicators: [] }] });
      expect(checkOf('measurable-objectives', noIndicators).detail).toContain(
        'Objective 1 ("Empty") has no indicators',
      );
      const none = checkOf('measurable-objectives', cleanProgram({ objectives: [] }));
      expect(none).toMatchObject({ result: 'FAIL', blocking: true, detail: 'The program has no objectives.' });
    });
  });

  describe('schedule', () => {
    const schedule = (overrides: Partial<ProgramSnapshot>, maxYears?: number) =>
      checkOf('schedule', cleanProgram(overrides), { ...cleanContext, maxYears });

    it('fails when endDate is not after startDate', () => {
      const result = schedule({ startDate: '2026-06-01', endDate: '2026-06-01' });
      expect(result).toMatchObject({ result: 'FAIL', blocking: true });
      expect(result.detail).toContain('endDate 2026-06-01 is not after startDate 2026-06-01');
    });

    it('allows exactly five years and fails a day more', () => {
      expect(schedule({ startDate: '2026-01-01', endDate: '2031-01-01' }).result).toBe('PASS');
      const result = schedule({ startDate: '2026-01-01', endDate: '2031-01-02' });
      expect(result).toMatchObject({ result: 'FAIL', blocking: true });
      expect(result.detail).toBe(
        'endDate 2031-01-02 is more than 5 years after startDate 2026-01-01 (latest allowed endDate 2031-01-01).',
      );
    });

    it('honours a configured maximum length', () => {
      expect(schedule({ startDate: '2026-01-01', endDate: '2028-01-02' }, 2).result).toBe('FAIL');
    });

    it.each([29, 366, 45.5])('fails a cadence of %p days', (assessmentCadenceDays) => {
      const result = schedule({ assessmentCadenceDays });
      expect(result).toMatchObject({ result: 'FAIL', blocking: true });
      expect(result.detail).toContain(
        `assessmentCadenceDays ${assessmentCadenceDays} is not a whole number of days between 30 and 365`,
      );
    });

    it.each([30, 365])('accepts a cadence of %p days', (assessmentCadenceDays) => {
      expect(schedule({ assessmentCadenceDays }).result).toBe('PASS');
    });

    it('fails dates that do not exist and lists every problem', () => {
      const result = schedule({ startDate: '2026-02-30', endDate: 'soon', assessmentCadenceDays: 10 });
      expect(result.result).toBe('FAIL');
      expect(result.detail).toContain('startDate "2026-02-30" is not a valid YYYY-MM-DD date');
      expect(result.detail).toContain('endDate "soon" is not a valid YYYY-MM-DD date');
      expect(result.detail).toContain('assessmentCadenceDays 10');
    });
  });

  describe('targeting', () => {
    it('matches priority areas regardless of case and accents', () => {
      const result = checkOf('targeting', cleanProgram({ targetAreas: ['QUICHE', 'Sololá'] }));
      expect(result).toMatchObject({ result: 'PASS', blocking: false });
      expect(result.detail).toContain('QUICHE');
    });

    it('warns without blocking when no target area is a priority area', () => {
      const result = checkOf('targeting', cleanProgram({ targetAreas: ['Sololá', 'Petén'] }));
      expect(result).toMatchObject({ result: 'WARN', blocking: false });
      expect(result.detail).toBe(
        'No target area is a priority area of GT. Target areas: Sololá, Petén. ' +
          'Priority areas: Huehuetenango, San Marcos, Quiché.',
      );
    });

    it('warns when the country has no priority areas configured', () => {
      const result = checkOf('targeting', cleanProgram({ country: 'SV', targetAreas: ['Sonsonate'] }), { ...cleanContext, priorityAreas: [] });
      expect(result.result).toBe('WARN');
      expect(result.detail).toContain('Priority areas: none configured');
    });

    it('names the region for a regional program, whose areas are those of every country', () => {
      const regional = cleanProgram({ country: 'REGIONAL', targetAreas: ['Trifinio', 'Quiche'] });
      const result = checkOf('targeting', regional, { ...cleanContext, priorityAreas: ['San Miguel', 'Huehuetenango', 'Quiché', 'Cortés'] });
      expect(result).toMatchObject({ result: 'PASS', detail: 'Targets priority areas of the region (SV, GT, HN and REGIONAL): Quiche.' });
    });
  });

  describe('high-value', () => {
    it('asks for two reviewers at the threshold, without blocking', () => {
      const checks = runSafeguardChecks(cleanProgram({ budgetCents: 500_000_000 }), cleanContext);
      expect(check(checks, 'high-value')).toEqual({
        name: 'high-value',
        result: 'WARN',
        blocking: false,
        detail:
          'Budget $5,000,000.00 is at or above the high-value threshold of $5,000,000.00: ' +
          'two different reviewers must approve.',
      });
      expect(requiredApprovals(checks)).toBe(2);
      expect(blockingFailures(checks)).toEqual([]);
    });

    it('needs one approval a cent below the threshold', () => {
      const checks = runSafeguardChecks(cleanProgram({ budgetCents: 499_999_999 }), cleanContext);
      expect(check(checks, 'high-value')).toMatchObject({ result: 'PASS', blocking: false });
      expect(check(checks, 'high-value').detail).toContain('$4,999,999.99 is below');
      expect(requiredApprovals(checks)).toBe(1);
    });
  });

  it('blockingFailures lists only failed blocking checks', () => {
    const program = cleanProgram({
      implementingPartner: { name: 'Constructora Ejemplo', country: 'SV' },
      assessmentCadenceDays: 400,
      targetAreas: ['Petén'],
      budgetCents: 900_000_000,
    });
    expect(blockingFailures(runSafeguardChecks(program, cleanContext)).map((c) => c.name)).toEqual([
      'restricted-party',
      'schedule',
    ]);
  });
});
