import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { NotFoundError, ValidationError } from '#libs/core';
import { Outbox } from '#libs/messaging';
import { decodeCursor, findRow, findWithParent, insertStatement, lockParentOf, rowAndParentGuard, rowGuard, toPage, updateStatement, type Page } from '#libs/persistence';
import { AssessmentPlan } from '../domain/assessment-plan.js';
import { AssessmentPointAggregate, type AssessmentPointState } from '../domain/assessment-point.aggregate.js';
import { AssessmentTimers, timersOf, type Timer } from '../timers/assessment-timers.js';
import { AssessmentPlanEntity } from './assessment-plan.entity.js';
import { AssessmentPointEntity } from './assessment-point.entity.js';

/** A plan's next due date: served by ix_points_scheduled_program_due, whatever the portfolio's size. */
export const NEXT_DUE_SQL = `SELECT min(due_at) AS next FROM assessments.points WHERE program_id = $1 AND status = 'SCHEDULED'`;

export interface LoadedPlan {
  plan: AssessmentPlan;
  /** The program's indicator names, as approved. */
  indicators: string[];
  /** Who drafted the program and whom it funds, as approved (null for plans made before they were kept). */
  createdBy: string | null;
  partnerName: string | null;
}

/** What a plan keeps of the approved program besides the plan itself. */
export type ApprovedProgramFacts = Pick<LoadedPlan, 'indicators' | 'createdBy' | 'partnerName'>;

/** A point loaded for a change, with the timers it had, so saving it can drop the ones it no longer needs. */
export interface LoadedPoint {
  point: AssessmentPointAggregate;
  timers: Timer[];
}

export interface PointFilter {
  programId?: string;
  status?: string;
  dueBefore?: string;
  limit: number;
  cursor?: string;
}

export interface PlanView {
  programId: string;
  status: string;
  cadenceDays: number;
  graceDays: number;
  approvedAt: Date;
  /** Points fall after `startAt` (the later of approval and the program's start), up to `endAt`. */
  startAt: Date;
  endAt: Date;
  /** The earliest SCHEDULED point, null when none is left. */
  nextDueAt: Date | null;
  version: number;
}

/** The plan and point a command read without locks, as its guarded write expects them still to be. */
export interface ReadVersions {
  plan: AssessmentPlan;
  point?: { id: string; version: number };
}

/**
 * Plans and points of the assessments service. Every method takes the caller's transaction:
 * a command locks the program's plan first and then its points, so commands on one program
 * take turns and never deadlock. Saving a point writes its events to the outbox and, after the
 * commit, sets its timers to what its new state needs. A command that changes one point (or adds
 * points) may instead read without locks and write only if nothing it read has changed since.
 */
@Injectable()
export class AssessmentRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly timers: AssessmentTimers,
  ) {}

  /** Inserts the plan unless the program has one already; false when it had (a redelivery or a second instance). */
  async addPlan(em: EntityManager, plan: AssessmentPlan, facts: ApprovedProgramFacts): Promise<boolean> {
    const inserted = await em
      .createQueryBuilder()
      .insert()
      .into(AssessmentPlanEntity)
      .values({ ...this.planRow(plan), ...facts, createdAt: new Date() })
      .orIgnore()
      .returning('program_id')
      .execute();
    return inserted.raw.length > 0;
  }

  async lockPlan(em: EntityManager, programId: string): Promise<LoadedPlan | null> {
    const row = await findRow(em, AssessmentPlanEntity, { programId }, 'pessimistic_write');
    return row && loadedPlan(row);
  }

  async mustLockPlan(em: EntityManager, programId: string): Promise<LoadedPlan> {
    const locked = await this.lockPlan(em, programId);
    if (!locked) throw new NotFoundError('Assessment plan of program', programId);
    return locked;
  }

  /** A plan read without a lock (see `saveIfUnchanged`). */
  async readPlan(em: EntityManager, programId: string): Promise<LoadedPlan> {
    const row = await findRow(em, AssessmentPlanEntity, { programId });
    if (!row) throw new NotFoundError('Assessment plan of program', programId);
    return loadedPlan(row);
  }

  /** A point and its program's plan, in one statement and without locks (see `saveIfUnchanged`). */
  async readPointAndPlan(em: EntityManager, id: string): Promise<LoadedPlan & LoadedPoint> {
    const found = await findWithParent(em, AssessmentPointEntity, AssessmentPlanEntity, 'programId', id);
    if (!found) throw new NotFoundError('Assessment', id);
    if (!found.parent) throw new NotFoundError('Assessment plan of program', found.row.programId);
    return { ...loadedPlan(found.parent), ...this.loaded(found.row) };
  }

  /**
   * Saves changed and new points with their events in one statement, only if the plan (and the
   * point read, if any) still have the versions read: the statement's guard locks the plan, shared,
   * then the point, the lock order of every command. Then sets their timers. False if it wrote nothing.
   */
  async saveIfUnchanged(em: EntityManager, read: ReadVersions, changed: LoadedPoint[], added: AssessmentPointAggregate[]): Promise<boolean> {
    const { plan, point } = read;
    const planAsRead = { programId: plan.programId, version: plan.version };
    const guard = point
      ? rowAndParentGuard(em, AssessmentPointEntity, point, AssessmentPlanEntity, planAsRead, 'pessimistic_read')
      : rowGuard(em, AssessmentPlanEntity, planAsRead, 'pessimistic_read');
    const createdAt = new Date();
    const [first, ...rest] = [
      ...changed.map(({ point }) => updateStatement(em, AssessmentPointEntity, this.pointRow(point), { id: point.id })),
      ...added.map((point) => insertStatement(em, AssessmentPointEntity, { ...this.pointRow(point), createdAt })),
    ];
    if (!first) return true;
    const [written] = await this.outbox.writeGuardedAndAppend(em, guard, [first, ...rest], ...changed.map((c) => c.point), ...added);
    if (written === 0) return false;
    for (const { point, timers } of changed) await this.timers.follow(timers, timersOf(point));
    await this.timers.follow([], added.flatMap(timersOf));
    return true;
  }

  async savePlan(em: EntityManager, plan: AssessmentPlan): Promise<void> {
    await em.update(AssessmentPlanEntity, { programId: plan.programId }, this.planRow(plan));
  }

  /** The plan's new cadence as an event; the plan is not an aggregate of its own. */
  async recordCadenceChange(em: EntityManager, plan: AssessmentPlan, previousCadenceDays: number): Promise<void> {
    await this.outbox.append(em, [
      {
        type: 'assessment.cadence-changed',
        payload: { programId: plan.programId, cadenceDays: plan.cadenceDays, previousCadenceDays },
        aggregateType: 'assessment-plan',
        aggregateId: plan.programId,
        aggregateVersion: plan.version,
      },
    ]);
  }

  /** Locks a point and, before it, its program's plan (the lock order of every command). */
  async lockPointAndPlan(em: EntityManager, id: string): Promise<LoadedPlan & LoadedPoint> {
    // A point's program never changes, so finding the plan through it before the locks is safe.
    const planRow = await lockParentOf(em, AssessmentPlanEntity, AssessmentPointEntity, 'programId', id, 'pessimistic_write');
    if (!planRow) {
      const found = await em.findOne(AssessmentPointEntity, { where: { id }, select: { id: true, programId: true } });
      throw found ? new NotFoundError('Assessment plan of program', found.programId) : new NotFoundError('Assessment', id);
    }
    return { ...loadedPlan(planRow), ...(await this.mustLockPoint(em, id)) };
  }

  /** Locks a point alone: for timers, which change one point and need nothing of the plan. */
  async lockPoint(em: EntityManager, id: string): Promise<LoadedPoint | null> {
    const row = await findRow(em, AssessmentPointEntity, { id }, 'pessimistic_write');
    return row && this.loaded(row);
  }

  /** Every point of a program, whatever its status, locked; the plan must be locked first. */
  async lockPointsOf(em: EntityManager, programId: string): Promise<LoadedPoint[]> {
    const rows = await em.find(AssessmentPointEntity, {
      where: { programId },
      order: { id: 'ASC' },
      lock: { mode: 'pessimistic_write' },
    });
    return rows.map((r) => this.loaded(r));
  }

  /** New points and their events in one statement, and their timers armed after the commit. */
  async addPoints(em: EntityManager, points: AssessmentPointAggregate[]): Promise<void> {
    if (points.length === 0) return;
    const createdAt = new Date();
    const rows = points.map((point) => ({ ...this.pointRow(point), createdAt }));
    await this.outbox.writeAndAppend(em, [insertStatement(em, AssessmentPointEntity, rows)], ...points);
    await this.timers.follow([], points.flatMap(timersOf));
  }

  async savePoint(em: EntityManager, { point, timers }: LoadedPoint): Promise<void> {
    await this.outbox.updateAndAppend(em, AssessmentPointEntity, { id: point.id }, this.pointRow(point), point);
    await this.timers.follow(timers, timersOf(point));
  }

  async getPoint(id: string): Promise<AssessmentPointState> {
    const row = await findRow(this.dataSource.manager, AssessmentPointEntity, { id });
    if (!row) throw new NotFoundError('Assessment', id);
    return row.state;
  }

  async planView(programId: string, em: EntityManager = this.dataSource.manager): Promise<PlanView> {
    const row = await findRow(em, AssessmentPlanEntity, { programId });
    if (!row) throw new NotFoundError('Assessment plan of program', programId);
    const [next] = (await em.query(NEXT_DUE_SQL, [programId])) as Array<{ next: Date | null }>;
    const plan = AssessmentPlan.restore(row.state);
    return {
      programId,
      status: plan.status,
      cadenceDays: plan.cadenceDays,
      graceDays: plan.graceDays,
      approvedAt: plan.approvedAt,
      startAt: plan.startAt,
      endAt: plan.endAt,
      nextDueAt: next?.next ?? null,
      version: plan.version,
    };
  }

  /** Points in due order (the order a monitoring unit works through them). */
  async list(f: PointFilter): Promise<Page<AssessmentPointState>> {
    const qb = this.dataSource
      .getRepository(AssessmentPointEntity)
      .createQueryBuilder('p')
      .orderBy('p.due_at', 'ASC')
      .addOrderBy('p.id', 'ASC');
    if (f.programId) qb.andWhere('p.program_id = :programId', { programId: f.programId });
    if (f.status) qb.andWhere('p.status = :status', { status: f.status });
    if (f.dueBefore) qb.andWhere('p.due_at < :dueBefore', { dueBefore: new Date(f.dueBefore) });
    if (f.cursor) {
      const after = decodeCursor(f.cursor);
      if (!after || typeof after.k !== 'string' || Number.isNaN(Date.parse(after.k))) {
        // A well-formed cursor of another list (its key is not a due date).
        throw new ValidationError('cursor is not valid', [{ field: 'cursor', problems: ['is not a cursor of this list'] }]);
      }
      qb.andWhere('(p.due_at, p.id) > (:k, :id)', { k: new Date(after.k), id: after.id });
    }
    const rows = await qb.limit(f.limit + 1).getMany();
    const page = toPage(rows, f.limit, (r) => ({ k: r.dueAt.toISOString(), id: r.id }));
    return { items: page.items.map((r) => r.state), nextCursor: page.nextCursor };
  }

  /** The points whose timers are still to fire, a batch at a time in id order: for the sweep. */
  async openPointsAfter(afterId: string | null, limit: number): Promise<AssessmentPointState[]> {
    const qb = this.dataSource
      .getRepository(AssessmentPointEntity)
      .createQueryBuilder('p')
      .where(`p.status IN ('SCHEDULED', 'DUE')`)
      .orderBy('p.id', 'ASC')
      .limit(limit);
    if (afterId) qb.andWhere('p.id > :afterId', { afterId });
    return (await qb.getMany()).map((r) => r.state);
  }

  private loaded(row: AssessmentPointEntity): LoadedPoint {
    const point = AssessmentPointAggregate.restore(row.state);
    return { point, timers: timersOf(point) };
  }

  private async mustLockPoint(em: EntityManager, id: string): Promise<LoadedPoint> {
    const locked = await this.lockPoint(em, id);
    if (!locked) throw new NotFoundError('Assessment', id);
    return locked;
  }

  private planRow(plan: AssessmentPlan): Omit<AssessmentPlanEntity, 'indicators' | 'createdBy' | 'partnerName' | 'createdAt'> {
    const state = plan.toState();
    return { programId: state.programId, status: state.status, version: state.version, state, updatedAt: new Date() };
  }

  private pointRow(point: AssessmentPointAggregate): Omit<AssessmentPointEntity, 'createdAt'> {
    const state = point.toState();
    return {
      id: state.id,
      programId: state.programId,
      sequence: state.sequence,
      kind: state.kind,
      status: state.status,
      dueAt: state.dueAt,
      overdueAt: state.overdueAt,
      version: state.version,
      state,
      updatedAt: new Date(),
    };
  }
}

function loadedPlan(row: AssessmentPlanEntity): LoadedPlan {
  return { plan: AssessmentPlan.restore(row.state), indicators: row.indicators, createdBy: row.createdBy, partnerName: row.partnerName };
}
