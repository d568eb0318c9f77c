import { Inject, Injectable } from '@nestjs/common';
import { SERVICES, type ServiceName } from '#libs/contracts';
import { SERVICE_CONFIG, type ServiceConfig } from '#libs/common';

/**
 * What the public edge tells of a service: up or down, and which of its checks failed. Addresses
 * and driver messages (hosts, ports) stay on the service's own /health/ready, on the private network.
 */
export interface UpstreamStatus {
  status: 'up' | 'down';
  /** Each check the service ran and whether it passed, or why the service could not be asked. */
  detail: Record<string, 'up' | 'down'> | { unreachable: string };
}

export interface GatewayReadiness {
  status: 'ok' | 'error';
  upstreams: Record<ServiceName, UpstreamStatus>;
}

const CHECK_TIMEOUT_MS = 2000;

/** Asks every service for its readiness at once; the gateway is ready only when all of them are. */
@Injectable()
export class UpstreamHealth {
  constructor(@Inject(SERVICE_CONFIG) private readonly config: ServiceConfig) {}

  async check(): Promise<GatewayReadiness> {
    const results = await Promise.all(SERVICES.map(async (s) => [s, await this.checkOne(this.config.upstreams[s])] as const));
    const upstreams = Object.fromEntries(results) as Record<ServiceName, UpstreamStatus>;
    return { status: results.every(([, r]) => r.status === 'up') ? 'ok' : 'error', upstreams };
  }

  private async checkOne(url: string): Promise<UpstreamStatus> {
    try {
      const res = await fetch(new URL('/health/ready', url), { signal: AbortSignal.timeout(CHECK_TIMEOUT_MS) });
      const body = (await res.json().catch(() => null)) as { details?: Record<string, { status?: string }> } | null;
      const checks = Object.entries(body?.details ?? {}).map(([name, check]) => [name, check?.status === 'up' ? 'up' : 'down'] as const);
      return { status: res.ok ? 'up' : 'down', detail: Object.fromEntries(checks) };
    } catch (err) {
      const reason = err instanceof Error && err.name === 'TimeoutError' ? 'timeout' : ((err as { cause?: { code?: string } }).cause?.code ?? 'error');
      return { status: 'down', detail: { unreachable: reason } };
    }
  }
}
