/**
 * Several apps in one Node process: `CUENTAS_APPS=gateway,proposals,reviews node dist/scripts/host.js`.
 *
 * For a small machine. Every app stays what it is in its own process: its port (<APP>_PORT, else its
 * default), its schema, its connection pool, its queues, its relay; the services still meet only
 * through events on Redis. What the apps share is the process, and with it one copy of the code V8
 * compiles, one heap and one event loop: on 2 cores, two such processes need half the memory of six
 * (bench/results/lifecycle-grouped.md). Their CPU per transition is about the same under load, and
 * was up to 30 % lower at light load in some runs.
 * Production runs one app per container (docker/), and replicas of either layout share the work as before.
 *
 * SIGTERM or SIGINT closes the gateway first (no new requests), then every service at once: each
 * finishes the jobs in hand and publishes what they wrote, as it does alone.
 */
import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { appList, loadConfig, type AppName } from '#libs/common';
import { createService, listenBehindGateway } from '#libs/platform';
import { createGatewayApp } from '../apps/gateway/src/gateway.app.js';
import { loadServiceDefinition } from './service-registry.js';

const problems: string[] = [];
const apps = appList(process.env.CUENTAS_APPS, problems);
if (!apps || problems.length > 0) {
  process.stderr.write(`Invalid configuration for the host:\n  - ${problems.join('\n  - ') || 'CUENTAS_APPS must name the apps to run, e.g. gateway,proposals,reviews'}\n`);
  process.exit(1);
}

const services: INestApplication[] = [];
let gateway: INestApplication | null = null;
let closing: Promise<void> | null = null;

async function close(): Promise<void> {
  await gateway?.close();
  await Promise.all(services.map((app) => app.close()));
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    closing ??= close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`host: closing failed: ${(err as Error).stack ?? String(err)}\n`);
        process.exit(1);
      },
    );
  });
}

// Services first: each migrates its schema at boot; the gateway, in front of them, last.
for (const app of [...apps.filter((a) => a !== 'gateway'), ...apps.filter((a) => a === 'gateway')] as AppName[]) {
  const config = loadConfig(app);
  if (app === 'gateway') {
    gateway = await createGatewayApp(config, { shutdownHooks: false });
    await gateway.listen(config.port, config.host);
  } else {
    const service = await createService(await loadServiceDefinition(app), config, { shutdownHooks: false });
    services.push(service);
    await listenBehindGateway(service, config);
  }
}
