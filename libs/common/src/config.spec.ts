import { loadConfig } from './config.js';

describe('loadConfig: DB_PREPARED_STATEMENTS', () => {
  it('prepares statements unless told not to', () => {
    expect(loadConfig('proposals', {}).dbPreparedStatements).toBe(true);
    expect(loadConfig('proposals', { DB_PREPARED_STATEMENTS: 'false' }).dbPreparedStatements).toBe(false);
    expect(loadConfig('proposals', { DB_PREPARED_STATEMENTS: 'true' }).dbPreparedStatements).toBe(true);
  });

  it('refuses anything but true or false, naming the variable', () => {
    expect(() => loadConfig('proposals', { DB_PREPARED_STATEMENTS: 'yes' })).toThrow('DB_PREPARED_STATEMENTS must be true or false');
  });
});
