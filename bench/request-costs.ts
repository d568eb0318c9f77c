/**
 * What one HTTP request costs each process of the running system, one kind of request at a time
 * (16 in flight, after a warm-up): a liveness probe (the HTTP pipeline alone: Express, Nest and our
 * middleware, no token, no database), an authenticated read of a program, the same read through
 * the gateway, and a command (draft a program: validation, a transaction with its outbox row, the
 * relay's publish and the audit's chaining, counted until the system is quiet again). Beside the
 * bare server and proxy of round-trips.ts, they show where a request's CPU goes.
 */
import { request } from 'undici';
import { lifecycleProgram } from '#libs/testing';
import { quiesce } from './lifecycle-metrics.js';
import type { BenchSystem } from './lifecycle-system.js';
import { sendInFlight } from './round-trips.js';

export interface RequestCost {
  request: string;
  count: number;
  perSecond: number;
  /** CPU µs per request, per process that did any of the work (Redis is shared with other sessions). */
  cpuUs: Record<string, number>;
}

const IN_FLIGHT = 16;
const WARM_UP = 300;
const IDLE_MS = 3000;

export async function measureRequestCosts(sys: BenchSystem, token: string, reads = 3000, commands = 1000): Promise<RequestCost[]> {
  const send = async (base: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<string> => {
    const res = await request(`${base}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`${method} ${path} answered ${res.statusCode}: ${text}`);
    return text;
  };
  const proposals = sys.url('proposals');
  const gateway = sys.url('gateway');
  const { id } = JSON.parse(await send(proposals, 'POST', '/programs', lifecycleProgram(999_999))) as { id: string };
  let drafted = 0;
  const kinds: Array<{ request: string; count: number; send: () => Promise<unknown>; settle: boolean }> = [
    { request: 'GET /health/live, straight to proposals', count: reads, send: () => send(proposals, 'GET', '/health/live'), settle: false },
    { request: 'GET /programs/:id, straight to proposals', count: reads, send: () => send(proposals, 'GET', `/programs/${id}`), settle: false },
    { request: 'GET /programs/:id, through the gateway', count: reads, send: () => send(gateway, 'GET', `/programs/${id}`), settle: false },
    { request: 'POST /programs, straight to proposals', count: commands, send: () => send(proposals, 'POST', '/programs', lifecycleProgram(1_000_000 + drafted++)), settle: true },
  ];
  // Idle, each process still spends a little (timers, polls, health checks): measured first, then
  // taken off each window in proportion to its length.
  await quiesce(sys);
  const idleWindow = await sys.cpuWindow();
  const idleFrom = performance.now();
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const idleSeconds = (performance.now() - idleFrom) / 1000;
  const idlePerSecond = Object.fromEntries(Object.entries(idleWindow().cpuSeconds).map(([name, s]) => [name, s / idleSeconds]));
  const costs: RequestCost[] = [];
  for (const kind of kinds) {
    const run = (n: number) => sendInFlight(n, IN_FLIGHT, kind.send);
    await run(WARM_UP);
    await quiesce(sys);
    const window = await sys.cpuWindow();
    const started = performance.now();
    await run(kind.count);
    const seconds = (performance.now() - started) / 1000;
    // A command's work goes on after its answer (relay, audit): it is counted until the system is quiet.
    if (kind.settle) await quiesce(sys);
    const windowSeconds = (performance.now() - started) / 1000;
    const cpuUs = Object.fromEntries(
      Object.entries(window().cpuSeconds)
        .map(([name, s]) => [name, Math.round(((s - (idlePerSecond[name] ?? 0) * windowSeconds) * 1e6) / kind.count)] as const)
        .filter(([, us]) => us >= 10),
    );
    costs.push({ request: kind.request, count: kind.count, perSecond: Math.round(kind.count / seconds), cpuUs });
  }
  return costs;
}
