import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, readFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { appPortEnv } from '#libs/common';
import { eventually } from './test-infra.js';

export interface ProcessSpec {
  /** e.g. 'reviews' or 'reviews#2' for a second instance */
  name: string;
  /** the compiled entry point, e.g. dist/apps/reviews/src/main.js */
  entry: string;
  env: Record<string, string>;
  port: number;
  /** Extra node flags, e.g. `--cpu-prof` to profile a service under load. */
  nodeArgs?: string[];
  /** Arguments after the entry, e.g. `--grouped` for scripts/start.js. */
  args?: string[];
}

export interface RunningProcess {
  spec: ProcessSpec;
  child: ChildProcess;
  exited: Promise<number | null>;
  /** Peak resident memory seen by sampling /proc, in bytes. */
  peakRss: number;
}

/**
 * A process running several apps (scripts/host.ts), named by them joined with `+`, each app on its
 * port from `ports` (<APP>_PORT). It starts the gateway, if any, after its services, so it is ready
 * once that app, else its last service, answers. `env` adds to what it is given (other processes' ports or URLs).
 */
export function hostProcessSpec(apps: readonly string[], ports: ReadonlyMap<string, number>, env: Record<string, string> = {}): ProcessSpec {
  const portOf = (app: string) => {
    const port = ports.get(app);
    if (port === undefined) throw new Error(`no port for ${app}`);
    return port;
  };
  return {
    name: apps.join('+'),
    entry: join('dist', 'scripts', 'host.js'),
    port: portOf(apps.includes('gateway') ? 'gateway' : apps.at(-1)!),
    env: { ...env, ...appPortEnv(apps.map((app) => [app, portOf(app)])), CUENTAS_APPS: apps.join(',') },
  };
}

/**
 * Services as real OS processes (compiled with `npm run build`), so tests and benchmarks can
 * SIGKILL or SIGTERM them and measure them like production. Logs go to files under `logDir`.
 */
export class ProcessCluster {
  private readonly running = new Map<string, RunningProcess>();
  private readonly logs = new Map<string, WriteStream>();
  private sampler: NodeJS.Timeout | null = null;

  constructor(
    private readonly cwd: string,
    private readonly logDir: string,
  ) {
    mkdirSync(logDir, { recursive: true });
  }

  async start(spec: ProcessSpec, waitReady = true): Promise<RunningProcess> {
    let log = this.logs.get(spec.name);
    if (!log) {
      log = createWriteStream(this.logPath(spec.name), { flags: 'a' });
      this.logs.set(spec.name, log);
    }
    const child = spawn(process.execPath, [...(spec.nodeArgs ?? []), spec.entry, ...(spec.args ?? [])], {
      cwd: this.cwd,
      env: { ...process.env, ...spec.env, PORT: String(spec.port), NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(log, { end: false });
    child.stderr!.pipe(log, { end: false });
    const exited = once(child, 'exit').then(([code]) => code as number | null);
    const running: RunningProcess = { spec, child, exited, peakRss: 0 };
    this.running.set(spec.name, running);
    this.ensureSampler();
    if (waitReady) await this.waitReady(spec, exited);
    return running;
  }

  private async waitReady(spec: ProcessSpec, exited: Promise<number | null>): Promise<void> {
    let dead = false;
    void exited.then(() => (dead = true));
    await eventually(async () => {
      if (dead) throw new Error(`${spec.name} exited during start; see its log in ${this.logDir}`);
      const res = await fetch(`http://127.0.0.1:${spec.port}/health/ready`).catch(() => null);
      if (res?.status !== 200) throw new Error(`${spec.name} not ready`);
    }, 60_000, 200);
  }

  /** What a process has written to stdout and stderr so far. */
  output(name: string): string {
    return readFileSync(this.logPath(name), 'utf8');
  }

  private logPath(name: string): string {
    return join(this.logDir, `${name.replace('#', '-')}.log`);
  }

  get(name: string): RunningProcess {
    const p = this.running.get(name);
    if (!p) throw new Error(`${name} is not running`);
    return p;
  }

  names(): string[] {
    return [...this.running.keys()];
  }

  /** Sends a signal and waits for the process to exit; returns its exit code. */
  async signal(name: string, signal: NodeJS.Signals): Promise<number | null> {
    const p = this.get(name);
    p.child.kill(signal);
    const code = await p.exited;
    this.running.delete(name);
    return code;
  }

  async restart(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<RunningProcess> {
    const spec = this.get(name).spec;
    await this.signal(name, signal);
    return this.start(spec);
  }

  peakRss(): Record<string, number> {
    return Object.fromEntries([...this.running].map(([name, p]) => [name, p.peakRss]));
  }

  private ensureSampler(): void {
    if (this.sampler) return;
    this.sampler = setInterval(() => {
      for (const p of this.running.values()) {
        const rss = rssOf(p.child.pid);
        if (rss > p.peakRss) p.peakRss = rss;
      }
    }, 250);
    this.sampler.unref();
  }

  async stopAll(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await Promise.all(this.names().map((n) => this.signal(n, signal)));
    if (this.sampler) clearInterval(this.sampler);
    this.sampler = null;
    for (const log of this.logs.values()) log.end();
  }
}

function rssOf(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    // /proc/<pid>/statm: size resident ... in pages
    const statm = readFileSync(`/proc/${pid}/statm`, 'utf8');
    return Number(statm.split(' ')[1]) * 4096;
  } catch {
    return 0;
  }
}
