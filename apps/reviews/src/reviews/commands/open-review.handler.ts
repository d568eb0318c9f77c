import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { v7 as uuidv7 } from 'uuid';
import { SERVICE_CONFIG, type ServiceConfig } from '#libs/common';
import { ReferenceDataRepository } from '../../reference-data/persistence/reference-data.repository.js';
import { ReviewAggregate } from '../domain/review.aggregate.js';
import { runSafeguardChecks } from '../domain/safeguard-checks.js';
import { ReviewRepository } from '../persistence/review.repository.js';
import { OpenReviewCommand } from './open-review.command.js';

@CommandHandler(OpenReviewCommand)
export class OpenReviewHandler implements ICommandHandler<OpenReviewCommand, void> {
  constructor(
    private readonly reviews: ReviewRepository,
    private readonly referenceData: ReferenceDataRepository,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async execute({ program, round }: OpenReviewCommand): Promise<void> {
    await this.reviews.lockProgramForOpening(program.id);
    if (!(await this.reviews.needsReview(program.id, round))) return;
    const reference = await this.referenceData.safeguardReference(program);
    const checks = runSafeguardChecks(program, {
      ...reference,
      highValueThresholdCents: reference.highValueThresholdCents ?? this.config.highValueThresholdCents,
    });
    await this.reviews.add(ReviewAggregate.open(uuidv7(), program, round, checks, new Date()));
  }
}
