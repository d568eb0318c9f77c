import type { Role } from './reference.js';
import type { ServiceName } from './services.js';

/** A person acting through the API, or the system reacting to an event. */
export interface Actor {
  id: string;
  name?: string;
  roles: Array<Role | 'system'>;
  org?: string;
}

export const systemActor = (service: ServiceName): Actor => ({ id: `system:${service}`, roles: ['system'] });

/** The event envelope of DOMAIN.md. `sourceSeq` is gapless per source so audit can prove completeness. */
export interface EventEnvelope<T extends string = string, P = unknown> {
  eventId: string;
  type: T;
  version: number;
  source: ServiceName;
  sourceSeq: number;
  aggregateType: string;
  aggregateId: string;
  aggregateVersion: number;
  occurredAt: string;
  actor: Actor;
  correlationId: string;
  causationId: string | null;
  payload: P;
}
