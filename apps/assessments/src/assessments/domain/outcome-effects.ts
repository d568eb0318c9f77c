import type { AssessmentOutcome, HoldReason } from '#libs/contracts';
import type { SchedulePointInput } from './assessment-point.aggregate.js';
import { addDays } from './day-clock.js';

/** An ADJUST outcome is checked again this many days later. */
export const FOLLOW_UP_DAYS = 30;

/**
 * What an outcome does beyond the assessment itself (DOMAIN.md, assessment outcomes), as data,
 * so the assessments handlers, and the disbursements service reading `assessment.completed`,
 * act on one description rather than on their own reading of the table.
 */
export interface OutcomeEffect {
  /**
   * Funding holds lifted when this assessment answers them: the ASSESSMENT_OVERDUE hold its own
   * lateness placed, or the ADJUSTMENT_REQUIRED hold of the ADJUST it follows up (matched by causeId).
   * A completed assessment is no longer overdue, whatever its outcome.
   */
  liftsHolds: readonly HoldReason[];
  placesHold: HoldReason | null;
  followUpInDays: number | null;
  cancelsOpenPoints: boolean;
  discontinuesProgram: boolean;
}

const NO_EFFECT: OutcomeEffect = {
  liftsHolds: ['ASSESSMENT_OVERDUE', 'ADJUSTMENT_REQUIRED'],
  placesHold: null,
  followUpInDays: null,
  cancelsOpenPoints: false,
  discontinuesProgram: false,
};

export const OUTCOME_EFFECTS: Readonly<Record<AssessmentOutcome, OutcomeEffect>> = {
  CONTINUE: NO_EFFECT,
  // Its required actions live on the assessment itself; on funding it acts as CONTINUE does.
  STRENGTHEN: NO_EFFECT,
  ADJUST: {
    ...NO_EFFECT,
    liftsHolds: ['ASSESSMENT_OVERDUE'],
    placesHold: 'ADJUSTMENT_REQUIRED',
    followUpInDays: FOLLOW_UP_DAYS,
  },
  // The funding account closes on program.discontinued, so no hold needs lifting.
  DISCONTINUE: { ...NO_EFFECT, liftsHolds: [], cancelsOpenPoints: true, discontinuesProgram: true },
};

export interface AssessmentEffects {
  liftsHolds: readonly HoldReason[];
  placesHold: HoldReason | null;
  /** The follow-up point to schedule; the caller gives it an id. */
  followUp: Omit<SchedulePointInput, 'id'> | null;
  /** Cancel every open point of the program, with this reason. */
  cancelOpenPoints: { reason: string } | null;
  discontinuesProgram: boolean;
}

/** The effects of one assessment completed at `completedAt` with `outcome`. */
export function effectsOf(
  outcome: AssessmentOutcome,
  assessment: { id: string; programId: string; dueAt: Date },
  completedAt: Date,
  dayMs: number,
): AssessmentEffects {
  const effect = OUTCOME_EFFECTS[outcome];
  return {
    liftsHolds: effect.liftsHolds,
    placesHold: effect.placesHold,
    followUp:
      effect.followUpInDays === null
        ? null
        : {
            programId: assessment.programId,
            kind: 'FOLLOW_UP',
            sequence: null,
            dueAt: addDays(completedAt, effect.followUpInDays, dayMs),
            // Words a scheduler reads in the calendar; the link itself is followUpOf.
            reason: `follow-up of the assessment due ${assessment.dueAt.toISOString().slice(0, 10)} (${outcome})`,
            followUpOf: assessment.id,
          },
    cancelOpenPoints: effect.cancelsOpenPoints
      ? { reason: `program discontinued by assessment ${assessment.id}` }
      : null,
    discontinuesProgram: effect.discontinuesProgram,
  };
}
