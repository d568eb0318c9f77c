import request from 'supertest';
import type { INestApplication } from '@nestjs/common';
import { createService } from '#libs/platform';
import { loadServiceDefinition } from '../support/services.js';
import { TestSystem } from '../support/test-system.js';
import { people } from '../support/fixtures.js';

describe('rate limiting with shared Redis storage, and security headers', () => {
  let sys: TestSystem;
  let second: INestApplication;
  beforeAll(async () => {
    sys = await TestSystem.start({ services: ['proposals'], config: { rateLimitPerMinute: 6 } });
    second = await createService(await loadServiceDefinition('proposals'), sys.config('proposals'));
    await second.init();
  });
  afterAll(async () => {
    await second?.close();
    await sys?.stop();
  });

  it('counts requests across two instances and answers 429 RATE_LIMITED past the limit', async () => {
    const instances = [sys.app('proposals'), second];
    const statuses: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      const res = await request(instances[i % 2].getHttpServer()).get('/programs').set(sys.auth(people.auditor));
      statuses.push(res.status);
      if (res.status === 429) expect(res.body).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' });
    }
    // Six allowed in all, not six per instance.
    expect(statuses.slice(0, 6)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(statuses.slice(6)).toEqual([429, 429, 429, 429]);
    // Health stays reachable for probes whatever the limiter says.
    await sys.http('proposals').get('/health/live').expect(200);
  });

  it('counts each client the gateway forwards separately, not the gateway as one client', async () => {
    const get = (client: string) =>
      sys.http('proposals').get('/programs').set(sys.auth(people.auditor)).set('X-Forwarded-For', client);
    for (let i = 0; i < 6; i += 1) await get('10.1.0.1').expect(200);
    await get('10.1.0.1').expect(429);
    await get('10.1.0.2').expect(200);
  });

  it('sends the usual security headers', async () => {
    const res = await sys.http('proposals').get('/health/live').expect(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=/);
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});
