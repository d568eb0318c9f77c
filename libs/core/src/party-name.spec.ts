import { foldText, normalisePartyName, normaliseRegistrationId } from './party-name.js';

describe('normalisePartyName', () => {
  it('sees through case, accents, punctuation, spacing and the legal suffix', () => {
    expect(normalisePartyName('Constructora Éjemplo, S.A. de C.V.')).toBe('CONSTRUCTORA EJEMPLO');
    expect(normalisePartyName('CONSTRUCTORA EJEMPLO')).toBe('CONSTRUCTORA EJEMPLO');
  });

  it.each([
    ['S.A.', 'Ejemplo S.A.'],
    ['SA without dots', 'Ejemplo SA'],
    ['spaced S. A.', 'Ejemplo S. A.'],
    ['S.A. de C.V.', 'Ejemplo S.A. de C.V.'],
    ['S.A.de C.V. run together', 'Ejemplo S.A.de C.V.'],
    ['S. de R.L.', 'Ejemplo S. de R.L.'],
    ['S. de R.L. de C.V.', 'Ejemplo, S. de R. L. de C. V.'],
    ['S.R.L.', 'Ejemplo S.R.L.'],
    ['S.A.S.', 'Ejemplo S.A.S.'],
    ['Sociedad Anónima', 'Ejemplo SOCIEDAD ANONIMA'],
    ['Sociedad Anónima de Capital Variable', 'Ejemplo Sociedad Anónima de Capital Variable'],
    ['Ltda.', 'Ejemplo Ltda.'],
    ['Cía.', 'Ejemplo Cía.'],
    ['y Cía.', 'Ejemplo y Cía.'],
    ['& Cía', 'Ejemplo & Cía'],
    ['Inc.', 'Ejemplo, Inc.'],
    ['LLC', 'Ejemplo LLC'],
    ['L.L.C.', 'Ejemplo L.L.C.'],
    ['Corp.', 'Ejemplo Corp.'],
    ['Co.', 'Ejemplo Co.'],
    ['Ltd.', 'Ejemplo Ltd.'],
    ['two suffixes', 'Ejemplo Co. Ltd.'],
  ])('strips %s', (_, name) => {
    expect(normalisePartyName(name)).toBe('EJEMPLO');
  });

  it('keeps words that only look like suffixes when they are inside the name', () => {
    expect(normalisePartyName('Inc Alianza Co Sur')).toBe('INC ALIANZA CO SUR');
  });

  it('keeps the first word even when it is a suffix', () => {
    expect(normalisePartyName('Corp.')).toBe('CORP');
  });

  it('does not strip what is not a legal form', () => {
    expect(normalisePartyName('Asociación Ejemplo')).toBe('ASOCIACION EJEMPLO');
    expect(normalisePartyName('Fundación Ejemplo')).not.toBe(normalisePartyName('Asociación Ejemplo'));
  });

  it('keeps distinct names distinct', () => {
    expect(normalisePartyName('Constructora Ejemplo S.A.')).not.toBe(normalisePartyName('Constructora Ejemplar S.A.'));
  });
});

describe('foldText', () => {
  it('folds ñ, accents, apostrophes and separators', () => {
    expect(foldText("  Peña  O'Neil--Quiché ")).toBe('PENA ONEIL QUICHE');
  });
});

describe('normaliseRegistrationId', () => {
  it('drops spaces, dashes and dots and upper-cases', () => {
    expect(normaliseRegistrationId('0614-290190-102-3')).toBe('06142901901023');
    expect(normaliseRegistrationId(' 0614 290190.102 3 ')).toBe('06142901901023');
    expect(normaliseRegistrationId('hn-0801.1999')).toBe('HN08011999');
  });
});
