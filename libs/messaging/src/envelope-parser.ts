import {
  SERVICES,
  SUBSCRIPTIONS,
  payloadProblems,
  type DomainEvent,
  type EventType,
  type ServiceName,
} from '#libs/contracts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Validates a delivered job at the worker edge: the envelope, and the payload of its type. */
export function envelopeProblems(data: unknown, consumer: ServiceName): string[] {
  if (typeof data !== 'object' || data === null) return ['envelope is not an object'];
  const e = data as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof e.eventId !== 'string' || !UUID.test(e.eventId)) problems.push('eventId must be a uuid');
  if (typeof e.type !== 'string' || !SUBSCRIPTIONS[consumer].includes(e.type as EventType)) {
    problems.push(`type ${String(e.type)} is not an event ${consumer} subscribes to`);
  }
  if (!SERVICES.includes(e.source as ServiceName)) problems.push('source must be a service');
  if (!Number.isSafeInteger(e.sourceSeq) || (e.sourceSeq as number) < 1) problems.push('sourceSeq must be a positive integer');
  if (!Number.isSafeInteger(e.version)) problems.push('version must be an integer');
  if (typeof e.aggregateType !== 'string' || typeof e.aggregateId !== 'string') problems.push('aggregate is required');
  if (!Number.isSafeInteger(e.aggregateVersion)) problems.push('aggregateVersion must be an integer');
  if (typeof e.occurredAt !== 'string' || Number.isNaN(Date.parse(e.occurredAt))) problems.push('occurredAt must be a date');
  const actor = e.actor as Record<string, unknown> | null;
  if (typeof actor !== 'object' || actor === null || typeof actor.id !== 'string' || !Array.isArray(actor.roles)) {
    problems.push('actor must have id and roles');
  }
  if (typeof e.correlationId !== 'string') problems.push('correlationId must be a string');
  if (e.causationId !== null && typeof e.causationId !== 'string') problems.push('causationId must be a string or null');
  if (problems.length === 0) problems.push(...payloadProblems(e.type as string, e.payload).map((p) => `payload.${p}`));
  return problems;
}

export function isDomainEvent(data: unknown, consumer: ServiceName): data is DomainEvent {
  return envelopeProblems(data, consumer).length === 0;
}
