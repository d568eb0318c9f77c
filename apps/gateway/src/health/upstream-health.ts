import { Inject, Injectable } from '@nestjs/common';
import { SERVICES, type ServiceName } from '#libs/contracts';
import { SERVICE_CONFIG, type ServiceConfig } from '#libs/common';

export interface UpstreamStatus {
  status: 'up' | 'down';
  url: string;
  /** The service's own readiness body when it answered, else why it could not be reached. */
  detail: unknown;
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
      const text = await res.text();
      let detail: unknown = text;
      try {
        detail = JSON.parse(text);
      } catch {
        // a non-JSON answer is shown as text
      }
      return { status: res.ok ? 'up' : 'down', url, detail };
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      return { status: 'down', url, detail: cause ?? (err as Error).message };
    }
  }
}
