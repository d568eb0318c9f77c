import { request, type Dispatcher } from 'undici';
import type { ServiceName } from '#libs/contracts';
import { upcomingProgramDates } from './program-dates.js';

export interface DriverResponse {
  status: number;
  body: any;
  etag: string | null;
}

/** How long the driver asks a service to hold a GET for a change (Prefer: wait). */
const HOLD_SECONDS = 10;

/** Where each service answers (one base URL for all when going through the gateway). */
export type BaseUrlOf = (service: ServiceName) => string;

export interface LifecycleTokens {
  manager: string;
  reviewer: string;
  approver: string;
  scheduler: string;
}

export const INDICATOR = 'Youth placed in jobs';

export function lifecycleProgram(i: number) {
  return {
    title: `Youth employment cohort ${i}`,
    summary: 'Vocational training and job placement for young people at risk of migrating.',
    country: (['GT', 'HN', 'SV'] as const)[i % 3],
    pillar: (['I', 'II', 'III', 'IV', 'V'] as const)[i % 5],
    objectives: [{ description: 'Increase youth employment', indicators: [{ name: INDICATOR, unit: 'people', baseline: 0, target: 1200 }] }],
    targetAreas: ['Huehuetenango', 'Cortés', 'San Miguel'],
    implementingPartner: { name: `Fundación Juventud ${i}`, registrationId: `REG-${i}`, country: 'GT' },
    budgetCents: 250_000_000,
    cofunding: [],
    ...upcomingProgramDates(364),
    assessmentCadenceDays: 90,
  };
}

/**
 * Drives one program through its whole life over HTTP: draft, submit, review approval, a
 * disbursement requested, approved and released, an ad-hoc assessment answered CONTINUE.
 * Network failures (a process being restarted) are retried; every retried write is idempotent
 * (Idempotency-Key) or checked against the state it should have produced.
 */
export class LifecycleDriver {
  /** Per step: time from sending the command to its 2xx answer, in ms. */
  readonly latencies: Record<string, number[]> = {};

  constructor(
    private readonly baseUrl: BaseUrlOf,
    private readonly tokens: LifecycleTokens,
    private readonly waitMs = 60_000,
  ) {}

  async call(service: ServiceName, method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}): Promise<DriverResponse> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        // undici's request rather than fetch: about a fifth of fetch's client CPU per call here,
        // which matters when the driver shares the machine with the system it loads.
        const res = await request(`${this.baseUrl(service)}${path}`, {
          method: method as Dispatcher.HttpMethod,
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...headers },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await res.body.text();
        if (res.statusCode === 503 || res.statusCode === 502) throw new Error(`unavailable: ${res.statusCode}`);
        const etag = res.headers.etag;
        return { status: res.statusCode, body: text ? JSON.parse(text) : null, etag: typeof etag === 'string' ? etag : null };
      } catch (err) {
        if (attempt >= 150) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  private async command(step: string, service: ServiceName, method: string, path: string, token: string, body?: unknown, headers?: Record<string, string>): Promise<DriverResponse> {
    const started = performance.now();
    const res = await this.call(service, method, path, token, body, headers);
    (this.latencies[step] ??= []).push(performance.now() - started);
    return res;
  }

  private expect(res: DriverResponse, ok: number[], what: string): DriverResponse {
    if (!ok.includes(res.status)) throw new Error(`${what} answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res;
  }

  /**
   * Reads a resource until `accept` takes the answer (returns a value). Rather than polling, each
   * read asks the service to hold the answer until it changes: a 404 until the resource exists,
   * or the version the driver saw last (If-None-Match) until a newer one commits.
   */
  private async awaitResource<T>(service: ServiceName, path: string, token: string, accept: (body: any) => T | undefined): Promise<T> {
    const deadline = performance.now() + this.waitMs;
    let seen: DriverResponse | null = null;
    for (;;) {
      const headers: Record<string, string> = { Prefer: `wait=${HOLD_SECONDS}`, ...(seen?.etag ? { 'If-None-Match': seen.etag } : {}) };
      const res = await this.call(service, 'GET', path, token, undefined, headers);
      if (res.status === 200) {
        const accepted = accept(res.body);
        if (accepted !== undefined) return accepted;
        seen = res;
        // A service that tags no answer cannot hold one: poll it instead.
        if (!res.etag) await new Promise((r) => setTimeout(r, 50));
      } else if (res.status !== 304 && res.status !== 404) {
        throw new Error(`GET ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
      }
      if (performance.now() > deadline) throw new Error(`GET ${path} did not reach the awaited state: ${JSON.stringify(seen?.body ?? res.body)}`);
    }
  }

  async createAndSubmit(i: number): Promise<string> {
    const { manager } = this.tokens;
    const created = this.expect(await this.command('create', 'proposals', 'POST', '/programs', manager, lifecycleProgram(i)), [201], 'create');
    const id = created.body.id as string;
    const submitted = await this.command('submit', 'proposals', 'POST', `/programs/${id}/submit`, manager);
    // A retry after a lost answer finds the program already submitted: that is the state we wanted.
    if (submitted.status !== 200) await this.waitForProgram(id, ['SUBMITTED', 'UNDER_REVIEW']);
    return id;
  }

  async waitForProgram(id: string, statuses: string[]): Promise<void> {
    await this.awaitResource('proposals', `/programs/${id}`, this.tokens.reviewer, (p) => (statuses.includes(p.status) ? true : undefined));
  }

  async approveReview(id: string): Promise<void> {
    const { reviewer } = this.tokens;
    const review = await this.awaitResource('reviews', `/reviews?programId=${id}`, reviewer, (page) => page.items?.[0]);
    await this.waitForProgram(id, ['UNDER_REVIEW', 'APPROVED']);
    const decided = await this.command('decide', 'reviews', 'POST', `/reviews/${review.id}/decisions`, reviewer, {
      decision: 'APPROVE',
      rationale: 'All safeguards pass and the objectives are measurable.',
    });
    if (decided.status !== 200) await this.waitForProgram(id, ['APPROVED']);
    await this.waitForProgram(id, ['APPROVED']);
  }

  async disburse(id: string, amountCents = 1_000_000): Promise<string> {
    const { manager, approver } = this.tokens;
    await this.awaitResource('disbursements', `/funding-accounts/${id}`, manager, () => true);
    const requested = this.expect(
      await this.command('request', 'disbursements', 'POST', '/disbursements', manager, { programId: id, amountCents, purpose: 'First tranche for training' }, { 'Idempotency-Key': `first-${id}` }),
      [201],
      'request',
    );
    const did = requested.body.id as string;
    const approved = await this.command('approve', 'disbursements', 'POST', `/disbursements/${did}/approve`, approver, {});
    if (approved.status !== 200) await this.waitForDisbursement(did, ['APPROVED', 'RELEASED']);
    const released = await this.command('release', 'disbursements', 'POST', `/disbursements/${did}/release`, approver, { paymentReference: `PAY-${did}` });
    if (released.status !== 200) await this.waitForDisbursement(did, ['RELEASED']);
    return did;
  }

  private async waitForDisbursement(id: string, statuses: string[]): Promise<void> {
    await this.awaitResource('disbursements', `/disbursements/${id}`, this.tokens.approver, (d) => (statuses.includes(d.status) ? true : undefined));
  }

  async assess(id: string): Promise<void> {
    const { scheduler, reviewer } = this.tokens;
    await this.awaitResource('assessments', `/assessments/plans/${id}`, scheduler, () => true);
    const triggered = this.expect(
      await this.command('trigger', 'assessments', 'POST', '/assessments', scheduler, { programId: id, reason: 'Mid-term field visit requested by the mission' }),
      [201],
      'trigger',
    );
    const outcome = await this.command('outcome', 'assessments', 'POST', `/assessments/${triggered.body.id}/outcome`, reviewer, {
      outcome: 'CONTINUE',
      narrative: 'Placements are on track and the cohort is engaged.',
      indicatorResults: [{ indicator: INDICATOR, value: 140 }],
    });
    if (outcome.status !== 200) {
      await this.awaitResource('assessments', `/assessments/${triggered.body.id}`, reviewer, (a) => (a.status === 'COMPLETED' ? true : undefined));
    }
  }

  /** The whole life of program i; returns its id. */
  async run(i: number): Promise<string> {
    const id = await this.createAndSubmit(i);
    await this.approveReview(id);
    await this.disburse(id);
    await this.assess(id);
    return id;
  }
}
