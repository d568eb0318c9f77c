import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { SERVICES, type ServiceName } from '#libs/contracts';
import { loadConfig, type ServiceConfig } from '#libs/common';
import { createGatewayApp } from '../../apps/gateway/src/gateway.app.js';
import { TestSystem } from '../support/test-system.js';

export const CONSOLE_CONFIG = 'apps/gateway/console/vite.config.ts';

const address = (app: INestApplication) => `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;

/**
 * Every service on a real port of its own, and a gateway in front of them as a person's browser
 * would reach it, serving a console built for this run only (never racing a build of dist/console).
 */
export class GatewaySystem {
  private constructor(
    readonly sys: TestSystem,
    readonly gatewayConfig: ServiceConfig,
    readonly consoleDir: string,
    readonly gateway: INestApplication,
  ) {}

  static async start(): Promise<GatewaySystem> {
    const consoleDir = mkdtempSync(join(tmpdir(), 'cuentas-console-'));
    if (existsSync(CONSOLE_CONFIG)) {
      execFileSync('npx', ['vite', 'build', '--config', CONSOLE_CONFIG, '--outDir', consoleDir, '--emptyOutDir', '--logLevel', 'error'], {
        stdio: 'inherit',
      });
    }
    // Checkpoints every second: the auditor's journey downloads some with the export.
    const sys = await TestSystem.start({ services: [...SERVICES], config: { auditCheckpointEveryMs: 1000 } });
    const upstreams = {} as Record<ServiceName, string>;
    for (const [service, app] of sys.apps) {
      await app.listen(0, '127.0.0.1');
      upstreams[service] = address(app);
    }
    const gatewayConfig = loadConfig('gateway', process.env, { port: 0, host: '127.0.0.1', logLevel: 'silent', upstreams });
    const gateway = await createGatewayApp(gatewayConfig, { consoleDir });
    await gateway.listen(0, '127.0.0.1');
    return new GatewaySystem(sys, gatewayConfig, consoleDir, gateway);
  }

  get url(): string {
    return address(this.gateway);
  }

  /** Another gateway over the same services, e.g. with other settings; the caller closes it. */
  async extraGateway(overrides: Partial<ServiceConfig>, consoleDir = this.consoleDir): Promise<INestApplication> {
    const app = await createGatewayApp({ ...this.gatewayConfig, ...overrides }, { consoleDir });
    await app.init();
    return app;
  }

  async stop(): Promise<void> {
    await this.gateway.close();
    await this.sys.stop();
    rmSync(this.consoleDir, { recursive: true, force: true });
  }
}
