import type { Role } from '#libs/contracts';
import { signToken } from '#libs/auth';

export interface DevPerson {
  sub: string;
  name: string;
  roles: Role[];
  org: string;
}

/**
 * The people of a development system: at least one per role, two where separation of duties
 * needs a second person (dual review, dual approval, approving someone else's request).
 */
export const DEV_PEOPLE = {
  manager: { sub: 'gm-ana', name: 'Ana Morales', roles: ['grant_manager'], org: 'USAID Mission Guatemala' },
  manager2: { sub: 'gm-bruno', name: 'Bruno Castillo', roles: ['grant_manager'], org: 'USAID Mission Honduras' },
  reviewer: { sub: 'rv-carla', name: 'Carla Méndez', roles: ['reviewer'], org: 'Office of Accountability Review' },
  reviewer2: { sub: 'rv-diego', name: 'Diego Herrera', roles: ['reviewer'], org: 'Office of Accountability Review' },
  approver: { sub: 'ap-elena', name: 'Elena Ruiz', roles: ['approver'], org: 'Office of Financial Management' },
  approver2: { sub: 'ap-felipe', name: 'Felipe Soto', roles: ['approver'], org: 'Office of Financial Management' },
  scheduler: { sub: 'sc-gloria', name: 'Gloria Pineda', roles: ['scheduler'], org: 'Monitoring and Evaluation Unit' },
  auditor: { sub: 'au-hugo', name: 'Hugo Arias', roles: ['auditor'], org: 'Office of Inspector General' },
  admin: { sub: 'ad-irene', name: 'Irene Vargas', roles: ['admin'], org: 'Program Office' },
} as const satisfies Record<string, DevPerson>;

export type DevPersonKey = keyof typeof DEV_PEOPLE;

/** A bearer token for a development person, signed with the system's secret. */
export function devToken(person: DevPerson, secret: string, expiresIn: `${number}${'m' | 'h'}` = '8h'): string {
  return signToken({ sub: person.sub, name: person.name, roles: [...person.roles], org: person.org }, secret, expiresIn);
}
