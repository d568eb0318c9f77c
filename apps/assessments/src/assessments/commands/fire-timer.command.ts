import type { TimerMoment } from '../timers/assessment-timers.js';

/** A point's timer fired: bring the point up to the clock. */
export class FireTimerCommand {
  constructor(
    readonly pointId: string,
    readonly moment: TimerMoment,
    /** The instant the timer was set for. */
    readonly at: Date,
  ) {}
}
