import type { EventEnvelope } from './envelope.js';
import type { EventType } from './events.js';
import { EVENT_TYPES } from './payload-schema.js';

export const SERVICES = ['proposals', 'reviews', 'disbursements', 'assessments', 'audit'] as const;
export type ServiceName = (typeof SERVICES)[number];

/** Default HTTP ports (API.md); `PORT` overrides. */
export const DEFAULT_PORTS: Record<ServiceName | 'gateway', number> = {
  gateway: 3000,
  proposals: 3001,
  reviews: 3002,
  disbursements: 3003,
  assessments: 3004,
  audit: 3005,
};

/** Each service consumes its own queue; the relay fans an event out to every subscriber's queue. */
export const eventQueueName = (service: ServiceName) => `${service}-events` as const;

/**
 * Who consumes what (DOMAIN.md "Event and flow"). Audit consumes everything;
 * every service answers audit's request to republish part of its outbox.
 */
const SUBSCRIPTIONS_SPEC = {
  proposals: ['review.opened', 'review.completed', 'assessment.completed', 'audit.republish-requested'],
  reviews: ['program.submitted', 'program.withdrawn', 'audit.republish-requested'],
  disbursements: [
    'program.approved',
    'program.suspended',
    'program.reinstated',
    'program.discontinued',
    'program.closed',
    'assessment.overdue',
    'assessment.completed',
    'reference.restricted-party-added',
    'reference.restricted-party-removed',
    'reference.threshold-changed',
    'audit.republish-requested',
  ],
  assessments: ['program.approved', 'program.discontinued', 'program.closed', 'audit.republish-requested'],
} as const satisfies Record<Exclude<ServiceName, 'audit'>, readonly EventType[]>;

export type SubscribedEvent<S extends ServiceName> = S extends keyof typeof SUBSCRIPTIONS_SPEC
  ? (typeof SUBSCRIPTIONS_SPEC)[S][number]
  : EventType;

export const SUBSCRIPTIONS: Record<ServiceName, readonly EventType[]> = {
  ...SUBSCRIPTIONS_SPEC,
  audit: EVENT_TYPES,
};

/** The services whose queues receive an event of this type. */
export function subscribersOf(type: EventType): ServiceName[] {
  return SERVICES.filter((s) => SUBSCRIPTIONS[s].includes(type));
}

/**
 * The name of a job that carries several events, `{ events: EventEnvelope[] }`, in outbox order:
 * the events of one relay batch for one subscriber. A BullMQ job costs a few round trips to Redis
 * whatever it carries, so under load a batch of events costs about as much as one.
 */
export const EVENT_BATCH_JOB = 'event-batch';
export interface EventBatch {
  events: EventEnvelope[];
}

/** What a job carries, unchecked: a batch's events (none if it is malformed), or the job's one event. */
export function carriedEvents(name: string, data: unknown): unknown[] {
  if (name !== EVENT_BATCH_JOB) return [data];
  const events = (data as Partial<EventBatch> | null)?.events;
  return Array.isArray(events) ? events : [];
}

/**
 * The name of a job each source's relay sends to audit's queue every `relayHeadEveryMs`: the highest
 * `sourceSeq` it has given an event. A lost event shows as a gap only once a later event of its
 * source is recorded; the head also reveals the newest events of a source that has gone quiet.
 * Not an event: it is not recorded, and a lost report is followed by the next.
 */
export const SOURCE_HEAD_JOB = 'source-head';
export interface SourceHead {
  source: ServiceName;
  headSeq: number;
}

/** What is wrong with a delivered source head (nothing: it is a `SourceHead`). */
export function sourceHeadProblems(data: unknown): string[] {
  const head = (data ?? {}) as Partial<Record<keyof SourceHead, unknown>>;
  const problems: string[] = [];
  if (!SERVICES.includes(head.source as ServiceName)) problems.push(`source must be one of ${SERVICES.join(', ')}`);
  if (!Number.isSafeInteger(head.headSeq) || (head.headSeq as number) < 1) problems.push('headSeq must be a positive integer');
  return problems;
}
