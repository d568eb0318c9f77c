import { Processor } from '@nestjs/bullmq';
import { UnrecoverableError, type Job } from 'bullmq';
import { EVENT_TYPES, SOURCE_HEAD_JOB, eventQueueName, sourceHeadProblems, type EventEnvelope, type SourceHead } from '#libs/contracts';
import { ConsumerKit, EventProcessor, workerOptions, type EventHandlers } from '#libs/messaging';
import { AUDIT_WORKER_CONCURRENCY, AUDIT_WORKERS, RecordEventCommand } from '../commands/record-event.command.js';
import { RecordSourceHeadCommand } from '../commands/record-source-head.command.js';
import { LedgerChainer } from '../jobs/ledger-chainer.js';

/** Audit subscribes to every event type, and every one is recorded the same way. */
const recordAll = Object.fromEntries(
  EVENT_TYPES.map((type) => [type, (event: EventEnvelope) => new RecordEventCommand(event)]),
) as unknown as EventHandlers<'audit'>;

@Processor(eventQueueName('audit'), workerOptions(AUDIT_WORKER_CONCURRENCY))
export class AuditEventsProcessor extends EventProcessor<'audit'> {
  protected readonly handlers = recordAll;

  constructor(
    kit: ConsumerKit,
    private readonly chainer: LedgerChainer,
  ) {
    super('audit', kit, AUDIT_WORKERS);
  }

  /** Besides events, audit's queue carries the sources' heads (SOURCE_HEAD_JOB). */
  override async process(job: Job): Promise<boolean | boolean[]> {
    if (job.name !== SOURCE_HEAD_JOB) return super.process(job);
    const problems = sourceHeadProblems(job.data);
    if (problems.length) throw new UnrecoverableError(`invalid source head: ${problems.join('; ')}`);
    return this.kit.commandBus.execute<RecordSourceHeadCommand, boolean>(new RecordSourceHeadCommand(job.data as SourceHead));
  }

  /**
   * The command records the event with its inbox row, grouped with the events being consumed at
   * the same time (see RecordEventHandler). No "applying event" log line: the ledger is the record.
   */
  protected override async consume(event: EventEnvelope): Promise<boolean> {
    const applied = await this.kit.commandBus.execute<RecordEventCommand, boolean>(new RecordEventCommand(event));
    // Its intake row has committed by now, so it can be chained.
    if (applied) this.chainer.kick();
    return applied;
  }
}
