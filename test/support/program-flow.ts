import { v7 as uuidv7 } from 'uuid';
import type { AssessmentOutcome, EventPayloads, EventType, ProgramStatus, ReviewDecision, ServiceName } from '#libs/contracts';
import { OutboxRelay } from '#libs/messaging';
import { people, programBody } from './fixtures.js';
import type { Person, TestSystem } from './test-system.js';

export const RATIONALE = 'Checked against every safeguard; the evidence supports this decision.';

/** What the tests read of a program (GET /programs/:id). */
export interface ProgramBody {
  id: string;
  status: ProgramStatus;
  version: number;
  currentReviewId: string | null;
  round: number;
  statusHistory: Array<{ status: ProgramStatus; by: string; reason: string | null }>;
  [field: string]: unknown;
}

/** The states `driveTo` reaches through HTTP and the real review flow. */
export type ReachableStatus = Exclude<ProgramStatus, 'SUBMITTED'>;

let injectedSeq = 1_000_000;

/**
 * Drives programs through HTTP and the real queues, for tests of any service that needs a program
 * in a given state. Needs proposals and reviews running (and nothing else).
 */
export class ProgramFlow {
  constructor(
    private readonly sys: TestSystem,
    private readonly manager: Person = people.manager,
    private readonly reviewer: Person = people.reviewer,
    private readonly secondReviewer: Person = people.reviewer2,
  ) {}

  /** POST /programs; the body is the clean fixture with these overrides. */
  async create(overrides: Record<string, unknown> = {}, by: Person = this.manager): Promise<ProgramBody> {
    const res = await this.sys.http('proposals').post('/programs').set(this.sys.auth(by)).send(programBody(overrides));
    if (res.status !== 201) throw new Error(`create answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body as ProgramBody;
  }

  async submit(id: string, by: Person = this.manager): Promise<ProgramBody> {
    const res = await this.sys.http('proposals').post(`/programs/${id}/submit`).set(this.sys.auth(by));
    if (res.status !== 200) throw new Error(`submit answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body as ProgramBody;
  }

  async get(id: string): Promise<ProgramBody> {
    const res = await this.sys.http('proposals').get(`/programs/${id}`).set(this.sys.auth(people.auditor));
    if (res.status !== 200) throw new Error(`get answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body as ProgramBody;
  }

  /** Waits until the program reaches the status (events from other services take a moment). */
  waitForStatus(id: string, status: ProgramStatus): Promise<ProgramBody> {
    return this.sys.eventually(async () => {
      const program = await this.get(id);
      if (program.status !== status) throw new Error(`program ${id} is ${program.status}, waiting for ${status}`);
      return program;
    });
  }

  /** Submits and waits for the review of that round: the program is UNDER_REVIEW. */
  async submitAndAwaitReview(id: string): Promise<{ program: ProgramBody; reviewId: string }> {
    const { round } = await this.submit(id);
    const program = await this.sys.eventually(async () => {
      const p = await this.waitForStatus(id, 'UNDER_REVIEW');
      if (p.round !== round) throw new Error(`program ${id} is under review for round ${p.round}, not ${round}`);
      return p;
    });
    return { program, reviewId: program.currentReviewId as string };
  }

  /** A new program, submitted and under review. */
  async underReview(overrides: Record<string, unknown> = {}): Promise<{ id: string; reviewId: string }> {
    const { id } = await this.create(overrides);
    const { reviewId } = await this.submitAndAwaitReview(id);
    return { id, reviewId };
  }

  decide(reviewId: string, by: Person, decision: ReviewDecision, rationale = RATIONALE) {
    return this.sys.http('reviews').post(`/reviews/${reviewId}/decisions`).set(this.sys.auth(by)).send({ decision, rationale });
  }

  /** Decides and checks the answer; a high-value APPROVE is given by two different reviewers. */
  async conclude(reviewId: string, decision: ReviewDecision): Promise<void> {
    const first = await this.decide(reviewId, this.reviewer, decision);
    if (first.status !== 200) throw new Error(`decision answered ${first.status}: ${JSON.stringify(first.body)}`);
    if (first.body.status === 'AWAITING_SECOND_REVIEW') {
      const second = await this.decide(reviewId, this.secondReviewer, decision);
      if (second.status !== 200) throw new Error(`second decision answered ${second.status}: ${JSON.stringify(second.body)}`);
    }
  }

  /** Submits the program and approves it through the real review; resolves once it reads APPROVED. */
  async approve(id: string): Promise<ProgramBody> {
    const { reviewId } = await this.submitAndAwaitReview(id);
    await this.conclude(reviewId, 'APPROVE');
    return this.waitForStatus(id, 'APPROVED');
  }

  async command(id: string, action: 'withdraw' | 'suspend' | 'reinstate' | 'close', reason = `${action} for the test`) {
    const by = action === 'suspend' || action === 'reinstate' ? this.reviewer : this.manager;
    const res = await this.sys.http('proposals').post(`/programs/${id}/${action}`).set(this.sys.auth(by)).send({ reason });
    if (res.status !== 200) throw new Error(`${action} answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body as ProgramBody;
  }

  /** A new program in the status, reached the way a real one gets there. */
  async driveTo(status: ReachableStatus, overrides: Record<string, unknown> = {}): Promise<ProgramBody> {
    if (status === 'DRAFT') return this.create(overrides);
    if (status === 'WITHDRAWN') {
      const { id } = await this.create(overrides);
      return this.command(id, 'withdraw');
    }
    const { id, reviewId } = await this.underReview(overrides);
    if (status === 'UNDER_REVIEW') return this.get(id);
    if (status === 'REVISION_REQUESTED' || status === 'REJECTED') {
      await this.conclude(reviewId, status === 'REJECTED' ? 'REJECT' : 'REQUEST_REVISION');
      return this.waitForStatus(id, status);
    }
    await this.conclude(reviewId, 'APPROVE');
    const approved = await this.waitForStatus(id, 'APPROVED');
    if (status === 'SUSPENDED') return this.command(id, 'suspend');
    if (status === 'CLOSED') return this.command(id, 'close');
    if (status === 'DISCONTINUED') {
      await this.discontinue(id);
      return this.waitForStatus(id, 'DISCONTINUED');
    }
    return approved;
  }

  /** What assessments sends when a reviewer records DISCONTINUE (assessments need not be running). */
  discontinue(programId: string, outcome: AssessmentOutcome = 'DISCONTINUE'): Promise<string> {
    const assessmentId = uuidv7();
    return this.deliver('proposals', {
      type: 'assessment.completed',
      source: 'assessments',
      aggregateType: 'assessment',
      aggregateId: assessmentId,
      payload: {
        assessmentId,
        programId,
        outcome,
        narrative: 'Indicators show no progress after two assessment points.',
        followUpAssessmentId: null,
        indicatorResults: [],
        requiredActions: [],
      },
    });
  }

  /**
   * Puts an event on a service's real queue, as another service's relay would: for events of a
   * service that is not part of the test system (e.g. assessments' `assessment.completed`).
   */
  async deliver<T extends EventType>(
    to: ServiceName,
    event: { type: T; source: ServiceName; aggregateType: string; aggregateId: string; payload: EventPayloads[T] },
  ): Promise<string> {
    const eventId = uuidv7();
    const envelope = {
      ...event,
      eventId,
      version: 1,
      sourceSeq: (injectedSeq += 1),
      aggregateVersion: 1,
      occurredAt: new Date().toISOString(),
      actor: { id: this.reviewer.sub, roles: this.reviewer.roles },
      correlationId: uuidv7(),
      causationId: null,
    };
    const relay = this.sys.app(to).get(OutboxRelay, { strict: false });
    await relay.queue(to).add(event.type, envelope, { jobId: eventId, attempts: 5, backoff: { type: 'exponential', delay: 100 } });
    return eventId;
  }
}
