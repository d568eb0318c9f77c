import { createHash } from 'node:crypto';
import pg from 'pg';

/** Statements one connection keeps prepared; past it, new texts run unnamed (as pg does by default). */
const MAX_PREPARED_PER_CONNECTION = 500;
const names = new Map<string, string>();

function statementName(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `c${createHash('sha1').update(text).digest('base64url')}`;
    // The texts an application sends are few (one per query shape); the cap only guards against a leak.
    if (names.size < 10 * MAX_PREPARED_PER_CONNECTION) names.set(text, name);
  }
  return name;
}

const plannedEachRun = new Set<string>();

/**
 * Marks a statement text to be planned at every run: PreparingClient sends it unnamed. For
 * statements on a table whose size swings, such as a queue that VACUUM empties and the next
 * minutes refill (the outbox's unpublished rows, audit's intake): a generic plan is made once,
 * and one made while the table was small goes on reading all of it once it has grown (seen as
 * hundreds of buffers a call). Planned per run, the plan fits the table as it is then.
 */
export function planEachRun(text: string): string {
  plannedEachRun.add(text);
  return text;
}

/**
 * The client of a service's pool. pg emits 'error' on a client whose connection breaks while no
 * query runs on it, and an 'error' nobody listens to ends the process. The pool and TypeORM
 * listen while a client is idle or checked out, but not at every moment in between: when
 * Postgres was killed under load, one such error ended the process (seen once in the Postgres
 * crash test). This listener keeps the service up; the client is no longer queryable, so its
 * next query fails and the pool discards it.
 */
export class ErrorTolerantClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    this.on('error', () => undefined);
  }
}

/**
 * A pg client that names every parameterised statement after its text. pg then parses a named
 * statement once per connection and afterwards only binds and executes it, so Postgres skips
 * parsing and (once it settles on a generic plan) planning the statements an application repeats.
 * Texts marked with `planEachRun` are left unnamed.
 */
export class PreparingClient extends ErrorTolerantClient {
  private readonly prepared = new Set<string>();

  override query(config: any, values?: any, callback?: any): any {
    if (typeof config === 'string' && Array.isArray(values) && values.length > 0 && !plannedEachRun.has(config)) {
      const name = statementName(config);
      if (this.prepared.has(name) || this.prepared.size < MAX_PREPARED_PER_CONNECTION) {
        this.prepared.add(name);
        return super.query({ name, text: config, values }, callback);
      }
    }
    return super.query(config, values, callback);
  }
}
