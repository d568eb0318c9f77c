/** From `reference.restricted-party-removed`: the party no longer holds the funds of programs paying it. */
export class ClearPartnerCommand {
  constructor(readonly partyId: string) {}
}
