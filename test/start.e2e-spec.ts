import { readdirSync, readFileSync } from 'node:fs';
import { APPS, GROUPED_APPS } from '#libs/common';
import { LifecycleDriver } from '#libs/testing';
import { people } from './support/fixtures.js';
import { ProcessSystem } from './support/process-system.js';

/** The processes whose parent is `pid`, with what CUENTAS_APPS each was given. */
function childrenOf(pid: number): Array<{ pid: number; apps: string | undefined }> {
  const children: Array<{ pid: number; apps: string | undefined }> = [];
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      // /proc/<pid>/stat: pid (comm) state ppid ...; comm may hold spaces, so read after its ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== pid) continue;
      const env = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      children.push({ pid: Number(entry), apps: env.find((v) => v.startsWith('CUENTAS_APPS='))?.slice('CUENTAS_APPS='.length) });
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** `npm start -- --grouped`: the whole system in two processes, as on a small machine. */
describe('npm start -- --grouped', () => {
  let sys: ProcessSystem;
  let children: Array<{ pid: number; apps: string | undefined }> = [];
  beforeAll(async () => {
    sys = await ProcessSystem.create();
    await sys.startAll(['--grouped']);
    children = childrenOf(sys.cluster.get('start').child.pid!);
  }, 180_000);
  afterAll(async () => {
    // A failed test may leave start's children behind it: they hold the database.
    for (const { pid } of children) if (alive(pid)) process.kill(pid, 'SIGKILL');
    await sys?.stop();
  }, 60_000);

  it('runs the six apps in the two processes of GROUPED_APPS, each app on its own port', async () => {
    expect(children.map((c) => c.apps).sort()).toEqual(GROUPED_APPS.map((apps) => apps.join(',')).sort());
    for (const app of APPS) {
      const res = await fetch(`${sys.url(app)}/health/ready`);
      expect({ app, status: res.status }).toEqual({ app, status: 200 });
    }
  });

  it('logs no false alarm: each app of a process has its own data source', () => {
    const output = sys.cluster.output('start');
    // The log is there: every process warns that this test's Redis keeps nothing on disk.
    expect(output).toMatch(/\[gateway\+proposals\+reviews\].*Redis keeps nothing on disk/);
    expect(output).not.toMatch(/already registered/);
  });

  it('takes a program through its whole life across the two processes, the audit chain whole', async () => {
    const driver = new LifecycleDriver(() => sys.url('gateway'), sys.driverTokens());
    const id = await driver.run(1);
    await sys.eventually(async () => {
      const { outbox, ledger, distinct } = await sys.eventCounts();
      expect(ledger).toBe(outbox);
      expect(distinct).toBe(ledger);
    });
    expect(await sys.finished([id])).toEqual({ released: 1, completed: 1 });
    const verify = await driver.call('audit', 'GET', '/audit/verify', sys.token(people.auditor));
    expect(verify.body).toMatchObject({ valid: true, gaps: [] });
  }, 60_000);

  it('on SIGTERM stops both processes and exits 0', async () => {
    expect(await sys.cluster.signal('start', 'SIGTERM')).toBe(0);
    expect(children.filter((c) => alive(c.pid))).toEqual([]);
  }, 30_000);
});
