/**
 * What one round trip costs on this machine, without any framework: the CPU of a bare prepared
 * statement (pg client and its Postgres backend) and of a bare HTTP request through a proxy
 * (client, proxy and server, each its own process). Multiplied by the round trips a transition
 * makes, they give the CPU a transition needs before NestJS, TypeORM, BullMQ or our own code add anything.
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { cpuSecondsOf } from './lifecycle-system.js';

export interface RoundTripCosts {
  /** CPU µs of one prepared single-row SELECT, sent one after another. */
  statementUs: { client: number; backend: number; total: number };
  /** CPU µs of one GET through a proxy, 16 at a time over keep-alive connections. */
  httpRequestThroughProxyUs: { client: number; proxy: number; server: number; total: number };
}

const STATEMENTS = 20_000;
const REQUESTS = 20_000;
const WARM_UP = 2_000;
const CLIENTS = 16;
const us = (seconds: number, n: number) => Math.round((seconds * 1e6) / n);

/** Sends `n` requests, `inFlight` at a time, each as soon as one answers. */
export async function sendInFlight(n: number, inFlight: number, send: () => Promise<unknown>): Promise<void> {
  let sent = 0;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (sent++ < n) await send();
  }));
}

async function statementCost(databaseUrl: string): Promise<RoundTripCosts['statementUs']> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const backend = Number((await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
    const select = (n: number) => client.query({ name: 'round-trip', text: 'SELECT $1::int AS n', values: [n] });
    for (let n = 0; n < WARM_UP; n++) await select(n);
    const [own, theirs] = [cpuSecondsOf(process.pid), cpuSecondsOf(backend)];
    for (let n = 0; n < STATEMENTS; n++) await select(n);
    const cost = { client: us(cpuSecondsOf(process.pid) - own, STATEMENTS), backend: us(cpuSecondsOf(backend) - theirs, STATEMENTS) };
    return { ...cost, total: cost.client + cost.backend };
  } finally {
    await client.end();
  }
}

async function httpCost(): Promise<RoundTripCosts['httpRequestThroughProxyUs']> {
  const started: Array<ReturnType<typeof fork>> = [];
  const start = (args: string[]) =>
    new Promise<{ pid: number; port: number }>((resolve, reject) => {
      const child = fork(fileURLToPath(new URL('./http-hop-worker.js', import.meta.url)), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, NODE_OPTIONS: '' } });
      started.push(child);
      child.once('message', (port) => resolve({ pid: child.pid!, port: Number(port) }));
      child.once('error', reject);
    });
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  try {
    const server = await start(['server']);
    const proxy = await start(['proxy', String(server.port)]);
    const get = () =>
      new Promise<void>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port: proxy.port, path: '/programs/0192f0c4', agent, headers: { authorization: `Bearer ${'x'.repeat(200)}` } }, (res) => {
            res.resume();
            res.on('end', resolve);
          })
          .on('error', reject);
      });
    const run = (n: number) => sendInFlight(n, CLIENTS, get);
    await run(WARM_UP);
    const pids = [process.pid, proxy.pid, server.pid];
    const before = pids.map(cpuSecondsOf);
    await run(REQUESTS);
    const [client, proxyCpu, serverCpu] = pids.map((pid, i) => us(cpuSecondsOf(pid) - before[i], REQUESTS));
    return { client, proxy: proxyCpu, server: serverCpu, total: client + proxyCpu + serverCpu };
  } finally {
    agent.destroy();
    for (const child of started) child.kill('SIGKILL');
  }
}

export async function measureRoundTripCosts(databaseUrl: string): Promise<RoundTripCosts> {
  return { statementUs: await statementCost(databaseUrl), httpRequestThroughProxyUs: await httpCost() };
}
