/** From `reference.restricted-party-added`: programs paying this party stop paying. */
export class RestrictPartnerCommand {
  constructor(
    readonly partyId: string,
    readonly name: string,
    readonly registrationId: string | null,
  ) {}
}
