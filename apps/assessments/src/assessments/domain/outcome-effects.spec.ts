import { AssessmentPointAggregate } from './assessment-point.aggregate.js';
import { DEFAULT_DAY_MS } from './day-clock.js';
import { FOLLOW_UP_DAYS, effectsOf } from './outcome-effects.js';

const assessment = { id: 'a-1', programId: 'p-1', dueAt: new Date('2027-03-20T09:00:00.000Z') };
const completedAt = new Date('2027-04-02T15:30:00.000Z');

describe('effectsOf', () => {
  it('ADJUST places an adjustment hold and asks for a follow-up point 30 days later', () => {
    const effects = effectsOf('ADJUST', assessment, completedAt, DEFAULT_DAY_MS);

    expect(FOLLOW_UP_DAYS).toBe(30);
    expect(effects).toEqual({
      liftsHolds: ['ASSESSMENT_OVERDUE'],
      placesHold: 'ADJUSTMENT_REQUIRED',
      followUp: {
        programId: 'p-1',
        kind: 'FOLLOW_UP',
        sequence: null,
        dueAt: new Date('2027-05-02T15:30:00.000Z'),
        reason: 'follow-up of the assessment due 2027-03-20 (ADJUST)',
        followUpOf: 'a-1',
      },
      cancelOpenPoints: null,
      discontinuesProgram: false,
    });
  });

  it('counts the follow-up in days of the configured length', () => {
    const { followUp } = effectsOf('ADJUST', assessment, completedAt, 1000);
    expect(followUp?.dueAt).toEqual(new Date(completedAt.getTime() + 30_000));
  });

  it('describes a follow-up that schedules as a SCHEDULED FOLLOW_UP point', () => {
    const { followUp } = effectsOf('ADJUST', assessment, completedAt, 1000);
    const point = AssessmentPointAggregate.schedule({ id: 'a-2', ...followUp! }, 14, 1000, completedAt);
    expect(point.toState()).toMatchObject({ status: 'SCHEDULED', kind: 'FOLLOW_UP', reason: 'follow-up of the assessment due 2027-03-20 (ADJUST)', followUpOf: 'a-1' });
  });

  it('DISCONTINUE cancels every open point and discontinues the program', () => {
    expect(effectsOf('DISCONTINUE', assessment, completedAt, DEFAULT_DAY_MS)).toEqual({
      liftsHolds: [],
      placesHold: null,
      followUp: null,
      cancelOpenPoints: { reason: 'program discontinued by assessment a-1' },
      discontinuesProgram: true,
    });
  });

  it.each(['CONTINUE', 'STRENGTHEN'] as const)('%s only lifts the holds the assessment answers', (outcome) => {
    expect(effectsOf(outcome, assessment, completedAt, DEFAULT_DAY_MS)).toEqual({
      liftsHolds: ['ASSESSMENT_OVERDUE', 'ADJUSTMENT_REQUIRED'],
      placesHold: null,
      followUp: null,
      cancelOpenPoints: null,
      discontinuesProgram: false,
    });
  });
});
