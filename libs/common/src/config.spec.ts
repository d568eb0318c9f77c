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

describe('loadConfig: several apps in one process (CUENTAS_APPS)', () => {
  it('runs one app per process by default, on PORT or its default port', () => {
    expect(loadConfig('reviews', {})).toMatchObject({ processApps: ['reviews'], port: 3002 });
    expect(loadConfig('reviews', { PORT: '4100' }).port).toBe(4100);
  });

  it('gives each app of a combined process its own port, from <APP>_PORT, never the shared PORT', () => {
    const env = { CUENTAS_APPS: 'gateway,proposals, reviews', PORT: '4100', REVIEWS_PORT: '4102' };
    expect(loadConfig('reviews', env)).toMatchObject({ processApps: ['gateway', 'proposals', 'reviews'], port: 4102 });
    expect(loadConfig('proposals', env).port).toBe(3001);
  });

  it('points the gateway at a service by its <APP>_PORT unless its URL is given', () => {
    const upstreams = loadConfig('gateway', { REVIEWS_PORT: '4102', AUDIT_PORT: '4105', AUDIT_URL: 'http://audit.internal:80' }).upstreams;
    expect(upstreams).toMatchObject({ reviews: 'http://127.0.0.1:4102', audit: 'http://audit.internal:80', proposals: 'http://127.0.0.1:3001' });
  });

  it('refuses unknown or repeated apps, and a list without the app being configured', () => {
    expect(() => loadConfig('reviews', { CUENTAS_APPS: 'reviews,payments' })).toThrow('CUENTAS_APPS names unknown apps (payments)');
    expect(() => loadConfig('reviews', { CUENTAS_APPS: 'reviews,reviews' })).toThrow('CUENTAS_APPS names an app twice');
    expect(() => loadConfig('reviews', { CUENTAS_APPS: 'gateway,audit' })).toThrow('CUENTAS_APPS must include reviews');
    expect(() => loadConfig('reviews', { CUENTAS_APPS: 'reviews', REVIEWS_PORT: '70000' })).toThrow('REVIEWS_PORT');
  });
});
