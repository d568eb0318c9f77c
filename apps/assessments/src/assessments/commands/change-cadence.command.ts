/** PUT plan: the program's future planned points move to the new cadence. */
export class ChangeCadenceCommand {
  constructor(
    readonly programId: string,
    readonly cadenceDays: number,
  ) {}
}
