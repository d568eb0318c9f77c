import { jest } from '@jest/globals';
import request from 'supertest';
import { Redis } from 'ioredis';
import type { INestApplication } from '@nestjs/common';
import { createService } from '#libs/platform';
import { loadServiceDefinition } from '../support/services.js';
import { TestSystem } from '../support/test-system.js';
import { people } from '../support/fixtures.js';

/** A system with this limit and a second proposals instance sharing its Redis. */
function twoInstances(rateLimitPerMinute: number) {
  const it = { sys: undefined as unknown as TestSystem, second: undefined as unknown as INestApplication };
  beforeAll(async () => {
    it.sys = await TestSystem.start({ services: ['proposals'], config: { rateLimitPerMinute } });
    it.second = await createService(await loadServiceDefinition('proposals'), it.sys.config('proposals'));
    await it.second.init();
  });
  afterAll(async () => {
    await it.second?.close();
    await it.sys?.stop();
  });
  return it;
}

describe('rate limiting with shared Redis storage, and security headers', () => {
  const system = twoInstances(6);
  let sys: TestSystem;
  let second: INestApplication;
  beforeAll(() => ({ sys, second } = system));

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

describe('rate limiting far below the limit', () => {
  const system = twoInstances(300);

  it('admits most requests without a round trip to Redis, counts every one there, and refuses past the limit', async () => {
    const { sys, second } = system;
    const key = `${sys.redisPrefix}:ratelimit:proposals:10.2.0.1`;
    const sendCommand = jest.spyOn(Redis.prototype, 'sendCommand');
    const statuses: number[] = [];
    try {
      const instances = [sys.app('proposals'), second];
      for (let i = 0; i < 330; i += 1) {
        const res = await request(instances[i % 2].getHttpServer()).get('/programs').set(sys.auth(people.auditor)).set('X-Forwarded-For', '10.2.0.1');
        statuses.push(res.status);
      }
      // Each instance may admit its 1 % (3) on its own past the limit before Redis refuses.
      const admitted = statuses.filter((s) => s === 200).length;
      expect(admitted).toBeGreaterThanOrEqual(300);
      expect(admitted).toBeLessThanOrEqual(306);
      expect(statuses.slice(-20)).toEqual(Array(20).fill(429));
      // Every request is counted in Redis once the instances have reported.
      const redis = new Redis(sys.config('proposals').redisUrl);
      try {
        await sys.eventually(async () => expect(await redis.get(key)).toBe('330'));
      } finally {
        redis.disconnect();
      }
      const limiterCalls = sendCommand.mock.calls.filter(([command]) => command.args.some((a) => String(a) === key)).length;
      expect(limiterCalls).toBeLessThan(330 / 2);
    } finally {
      sendCommand.mockRestore();
    }
  });
});
