import { PrivateRedisCluster } from '../support/private-servers.js';
import { TestSystem } from '../support/test-system.js';
import { people, programBody } from '../support/fixtures.js';

/** The same event flow on a three-node Redis Cluster, as a managed Redis in cluster mode runs it. */
describe('on a Redis Cluster', () => {
  let cluster: PrivateRedisCluster;
  let sys: TestSystem;
  beforeAll(async () => {
    cluster = await PrivateRedisCluster.start();
    sys = await TestSystem.start({
      services: ['proposals', 'reviews', 'audit'],
      config: { redisClusterNodes: cluster.seedNodes, redisPrefix: '{cuentas-cluster-test}' },
    });
  }, 60_000);
  afterAll(async () => {
    await sys?.stop();
    await cluster?.stop();
  });

  it('moves a program to UNDER_REVIEW through queues on the cluster, and reports Redis ready', async () => {
    const created = await sys.http('proposals').post('/programs').set(sys.auth(people.manager)).send(programBody()).expect(201);
    await sys.http('proposals').post(`/programs/${created.body.id}/submit`).set(sys.auth(people.manager)).expect(200);
    await sys.eventually(async () => {
      const res = await sys.http('proposals').get(`/programs/${created.body.id}`).set(sys.auth(people.manager)).expect(200);
      expect(res.body.status).toBe('UNDER_REVIEW');
    }, 20_000);
    await sys.eventually(async () => {
      const rows = await sys.query(`SELECT seq FROM audit.ledger WHERE program_id = $1`, [created.body.id]);
      expect(rows).toHaveLength(4);
    }, 20_000);
    await sys.http('reviews').get('/health/ready').expect(200);
  });
});
