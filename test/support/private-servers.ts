import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, readdirSync, chmodSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '#libs/testing';

/**
 * Each Jest worker takes the ports of the servers its tests start from a block of its own, below the
 * ephemeral range and in turn. A port the OS hands out (listen on 0, then close) could be handed
 * to a test in the other worker before either server bound it; so it once was, and a test read
 * another test's service on its gateway's port.
 */
const PORT_BLOCK = 400;
const FIRST_PORT = 20_000 + (Number(process.env.JEST_WORKER_ID ?? 0) % 30) * PORT_BLOCK;
let nextPort = 0;

/** A TCP port no server listens on, from this worker's block. */
export async function sparePort(): Promise<number> {
  for (let tried = 0; tried < PORT_BLOCK; tried++) {
    const port = FIRST_PORT + (nextPort++ % PORT_BLOCK);
    if (await canListen(port)) return port;
  }
  throw new Error(`No free port from ${FIRST_PORT} to ${FIRST_PORT + PORT_BLOCK - 1}`);
}

/** Whether a server could listen on the port on every address, as the services do. */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });
}

async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * A redis-server of the test's own on a spare port, which the test may kill and restart.
 * The machine's shared Redis is never touched.
 */
export class PrivateRedis {
  private process: ChildProcess | null = null;
  readonly dir = mkdtempSync(join(tmpdir(), 'cuentas-redis-'));

  private constructor(
    readonly port: number,
    private readonly aof: boolean,
    private readonly clusterEnabled: boolean,
  ) {}

  static async start(options: { aof?: boolean; clusterEnabled?: boolean } = {}): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await sparePort(), options.aof ?? false, options.clusterEnabled ?? false);
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const persistence = this.aof ? ['--appendonly', 'yes', '--appendfsync', 'everysec'] : ['--appendonly', 'no'];
    const cluster = this.clusterEnabled ? ['--cluster-enabled', 'yes', '--cluster-config-file', join(this.dir, 'nodes.conf')] : [];
    this.process = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--dir', this.dir, '--maxmemory-policy', 'noeviction', ...persistence, ...cluster],
      { stdio: 'ignore' },
    );
    await eventually(async () => {
      if (!(await portOpen(this.port))) throw new Error('redis not up yet');
    }, 10_000);
  }

  /** SIGKILL: no shutdown save, like a crash. */
  async kill(): Promise<void> {
    const child = this.process;
    this.process = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A private PostgreSQL cluster (initdb as the postgres user) on a spare port, for tests that kill it. */
export class PrivatePostgres {
  private process: ChildProcess | null = null;

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly bin: string,
  ) {}

  static async start(): Promise<PrivatePostgres> {
    const versions = readdirSync('/usr/lib/postgresql').sort();
    const bin = join('/usr/lib/postgresql', versions[versions.length - 1], 'bin');
    const dir = mkdtempSync(join(tmpdir(), 'cuentas-pg-'));
    chmodSync(dir, 0o777);
    const asPostgres = process.getuid?.() === 0 ? ['-u', 'postgres'] : [];
    const run = (cmd: string, args: string[]) =>
      asPostgres.length ? execFileSync('runuser', [...asPostgres, '--', cmd, ...args], { stdio: 'ignore' }) : execFileSync(cmd, args, { stdio: 'ignore' });
    run(join(bin, 'initdb'), ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync']);
    const pg = new PrivatePostgres(await sparePort(), dir, bin);
    await pg.start();
    return pg;
  }

  get adminUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  async start(): Promise<void> {
    const args = ['-D', join(this.dir, 'data'), '-p', String(this.port), '-k', this.dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'];
    const cmd = join(this.bin, 'postgres');
    this.process =
      process.getuid?.() === 0 ? spawn('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'ignore' }) : spawn(cmd, args, { stdio: 'ignore' });
    // Accepting connections, not only listening: while it starts up (or recovers after a kill) it
    // listens and refuses every client with "the database system is starting up".
    await eventually(() => execFileSync(join(this.bin, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(this.port)], { stdio: 'ignore' }), 20_000);
  }

  async kill(): Promise<void> {
    const child = this.process;
    this.process = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    // Kill the postmaster itself (runuser does not forward SIGKILL); its backends exit with it.
    try {
      execFileSync('pkill', ['-KILL', '-f', `postgres -D ${join(this.dir, 'data')}`], { stdio: 'ignore' });
    } catch {
      // nothing left to kill
    }
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A three-master Redis Cluster of the test's own, on spare ports. */
export class PrivateRedisCluster {
  private constructor(readonly nodes: PrivateRedis[]) {}

  static async start(): Promise<PrivateRedisCluster> {
    const nodes = await Promise.all([0, 1, 2].map(() => PrivateRedis.start({ clusterEnabled: true })));
    execFileSync(
      'redis-cli',
      ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'],
      { stdio: 'ignore' },
    );
    // Wait until every slot is served.
    await eventually(async () => {
      const info = execFileSync('redis-cli', ['-p', String(nodes[0].port), 'cluster', 'info']).toString();
      if (!info.includes('cluster_state:ok')) throw new Error('cluster not ready');
    }, 20_000);
    return new PrivateRedisCluster(nodes);
  }

  get seedNodes(): string[] {
    return this.nodes.map((n) => `127.0.0.1:${n.port}`);
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop()));
  }
}
