/** Who did something, as the domain records it: the id decides (separation of duties), the name is shown. */
export interface PersonRef {
  id: string;
  /** The token's `name` claim when it had one; kept as it was when they acted, like the ledger's actor. */
  name?: string;
}

/**
 * `{ [field]: person.name }` when the person has a name, else nothing: stored beside the id so that
 * people read "Ana Morales" where they would otherwise read an identity provider's subject.
 */
/** `by` and, when known, `byName`: how a record says who did it. */
export function actedBy(person: PersonRef): { by: string; byName?: string } {
  return { by: person.id, ...nameField('byName', person) };
}

export function nameField<K extends string>(field: K, person: Pick<PersonRef, 'name'> | null): Partial<Record<K, string>> {
  return person?.name ? ({ [field]: person.name } as Record<K, string>) : {};
}
