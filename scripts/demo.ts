/**
 * `npm run demo`: fills a running system with a realistic portfolio through the public API (the
 * gateway, GATEWAY_URL, default http://127.0.0.1:3000): a dozen programs across El Salvador,
 * Guatemala and Honduras and the five pillars, at every stage, with reviews, disbursements,
 * holds and assessments. It acts as the development people, with tokens signed from JWT_SECRET.
 * Each run adds a new set; nothing is deleted.
 */
import { randomUUID } from 'node:crypto';
import type { Country, Pillar } from '#libs/contracts';
import { loadConfig } from '#libs/common';
import { upcomingProgramDates } from '#libs/testing';
import { DEV_PEOPLE, devToken, type DevPersonKey } from '../apps/gateway/src/console/dev-people.js';

const GATEWAY = (process.env.GATEWAY_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
const SECRET = loadConfig('gateway').jwtSecret;
const WAIT_MS = 30_000;
const tokens = new Map<DevPersonKey, string>();

class DemoError extends Error {}

type Json = Record<string, any>;

/** One API call as a person; any status but the expected one stops the demo with the server's words. */
async function call(as: DevPersonKey, method: string, path: string, body?: unknown, expected = [200, 201], headers: Record<string, string> = {}) {
  if (!tokens.has(as)) tokens.set(as, devToken(DEV_PEOPLE[as], SECRET, '1h'));
  let res: Response;
  try {
    res = await fetch(`${GATEWAY}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${tokens.get(as)}`,
        'X-Correlation-Id': `demo-${randomUUID()}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new DemoError(`The gateway at ${GATEWAY} does not answer: start the system with \`npm start\` (or set GATEWAY_URL).`);
  }
  const text = await res.text();
  const json = text ? (JSON.parse(text) as Json) : {};
  if (!expected.includes(res.status)) {
    throw new DemoError(`${method} ${path} as ${as} answered ${res.status}: ${json.code ?? ''} ${json.message ?? text}`);
  }
  return { status: res.status, body: json };
}

/** Other services follow through events: poll until what we wait for is there. */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new DemoError(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface ProgramSpec {
  title: string;
  summary: string;
  country: Country;
  pillar: Pillar;
  partner: { name: string; registrationId?: string };
  targetAreas: string[];
  budgetCents: number;
  indicator: { name: string; unit: string; baseline: number; target: number };
  objective: string;
  by?: DevPersonKey;
}

function programBody(spec: ProgramSpec) {
  return {
    title: spec.title,
    summary: spec.summary,
    country: spec.country,
    pillar: spec.pillar,
    objectives: [{ description: spec.objective, indicators: [spec.indicator] }],
    targetAreas: spec.targetAreas,
    implementingPartner: { ...spec.partner, country: spec.country },
    budgetCents: spec.budgetCents,
    cofunding: [],
    ...upcomingProgramDates(3 * 365),
    assessmentCadenceDays: 90,
  };
}

// ---------- the steps of the workflow ----------

async function create(spec: ProgramSpec): Promise<Json> {
  return (await call(spec.by ?? 'manager', 'POST', '/programs', programBody(spec))).body;
}

async function status(id: string): Promise<Json> {
  return (await call('auditor', 'GET', `/programs/${id}`)).body;
}

async function waitStatus(id: string, wanted: string): Promise<Json> {
  return waitFor(`program ${id} to be ${wanted}`, async () => {
    const program = await status(id);
    return program.status === wanted ? program : undefined;
  });
}

async function submit(program: Json, by: DevPersonKey = 'manager'): Promise<Json> {
  await call(by, 'POST', `/programs/${program.id}/submit`);
  return waitStatus(program.id, 'UNDER_REVIEW');
}

async function openReview(programId: string): Promise<Json> {
  return waitFor(`the review of ${programId}`, async () => {
    const { body } = await call('reviewer', 'GET', `/reviews?programId=${programId}`);
    return (body.items as Json[]).find((r) => r.status === 'OPEN' || r.status === 'AWAITING_SECOND_REVIEW');
  });
}

async function decide(programId: string, decision: 'APPROVE' | 'REQUEST_REVISION' | 'REJECT', rationale: string, by: DevPersonKey = 'reviewer') {
  const review = await openReview(programId);
  return (await call(by, 'POST', `/reviews/${review.id}/decisions`, { decision, rationale })).body;
}

async function approveProgram(spec: ProgramSpec, highValue = false): Promise<Json> {
  const program = await submit(await create(spec), spec.by);
  await decide(program.id, 'APPROVE', 'Objectives are measurable and the partner passed every safeguard check.');
  if (highValue) {
    await decide(program.id, 'APPROVE', 'Second review: budget lines match the work plan and the targeting is sound.', 'reviewer2');
  }
  await waitStatus(program.id, 'APPROVED');
  // Disbursements and assessments open the account and the plan from program.approved.
  await waitFor(`the funding account of ${program.id}`, async () => {
    const { status: code } = await call('approver', 'GET', `/funding-accounts/${program.id}`, undefined, [200, 404]);
    return code === 200 ? true : undefined;
  });
  return program;
}

async function requestDisbursement(programId: string, amountCents: number, purpose: string, by: DevPersonKey = 'manager'): Promise<Json> {
  return (await call(by, 'POST', '/disbursements', { programId, amountCents, purpose }, [201], { 'Idempotency-Key': randomUUID() })).body;
}

async function approveDisbursement(id: string, by: DevPersonKey = 'approver', comment = 'Invoices checked against the work plan'): Promise<Json> {
  return (await call(by, 'POST', `/disbursements/${id}/approve`, { comment })).body;
}

/** This run's wires: a payment reference is released once, and the demo may run again on the same database. */
const WIRE_BATCH = randomUUID().slice(0, 6).toUpperCase();

async function releaseDisbursement(id: string, wire: string): Promise<Json> {
  return (await call('approver', 'POST', `/disbursements/${id}/release`, { paymentReference: `WIRE-${WIRE_BATCH}-${wire}` })).body;
}

async function assessNow(programId: string, reason: string): Promise<Json> {
  await waitFor(`the assessment plan of ${programId}`, async () => {
    const { status: code } = await call('scheduler', 'GET', `/assessments/plans/${programId}`, undefined, [200, 404]);
    return code === 200 ? true : undefined;
  });
  return (await call('scheduler', 'POST', '/assessments', { programId, reason }, [201])).body;
}

async function recordOutcome(assessmentId: string, outcome: string, narrative: string, indicator: string, value: number, requiredActions?: string[]) {
  const body = { outcome, narrative, indicatorResults: [{ indicator, value }], ...(requiredActions ? { requiredActions } : {}) };
  return (await call('reviewer', 'POST', `/assessments/${assessmentId}/outcome`, body)).body;
}

// ---------- the portfolio ----------

const M = 100_000_000; // one million dollars in cents

const SPECS = {
  procurement: {
    title: 'Transparent municipal procurement in San Salvador',
    summary: 'Open contracting portals and citizen oversight committees for municipal public works.',
    country: 'SV', pillar: 'II', partner: { name: 'Fundación Ciudadana para la Transparencia', registrationId: 'SV-0614-2011' },
    targetAreas: ['San Salvador', 'La Libertad'], budgetCents: 1.8 * M,
    objective: 'Publish every municipal contract with its execution data',
    indicator: { name: 'Contracts published with execution data', unit: 'percent', baseline: 12, target: 90 },
  },
  youthJobs: {
    title: 'Youth employment in the Western Highlands',
    summary: 'Vocational training and job placement for young people at risk of migrating.',
    country: 'GT', pillar: 'I', partner: { name: 'Fundación Desarrollo Juvenil', registrationId: 'GT-778899' },
    targetAreas: ['Huehuetenango', 'San Marcos'], budgetCents: 2.5 * M,
    objective: 'Place trained young people in formal jobs',
    indicator: { name: 'Youth placed in jobs', unit: 'people', baseline: 0, target: 1200 },
  },
  violencePrevention: {
    title: 'Violence prevention in San Pedro Sula neighbourhoods',
    summary: 'Community centres, mentoring and violence interrupters in the most affected colonias.',
    country: 'HN', pillar: 'IV', partner: { name: 'Asociación Barrios Seguros', registrationId: 'HN-0501-2008' },
    targetAreas: ['Cortés'], budgetCents: 6 * M,
    objective: 'Reduce homicides in the intervention neighbourhoods',
    indicator: { name: 'Homicides per 100,000 residents', unit: 'rate', baseline: 38, target: 25 },
    by: 'manager2',
  },
  safeHouses: {
    title: 'Safe houses for survivors of gender-based violence',
    summary: 'Shelters, legal accompaniment and psychosocial care for survivors in the eastern departments.',
    country: 'SV', pillar: 'V', partner: { name: 'Red de Casas Seguras', registrationId: 'SV-1217-2015' },
    targetAreas: ['San Miguel', 'Usulután'], budgetCents: 1.2 * M,
    objective: 'Give survivors safe shelter and legal support',
    indicator: { name: 'Survivors sheltered with a legal case opened', unit: 'people', baseline: 0, target: 600 },
  },
  communityRadio: {
    title: 'Independent community radio in Quiché',
    summary: 'Training and equipment for community radio stations reporting in K’iche’ and Spanish.',
    country: 'GT', pillar: 'III', partner: { name: 'Asociación Voces Mayas', registrationId: 'GT-441122' },
    targetAreas: ['Quiché'], budgetCents: 0.6 * M,
    objective: 'Strengthen independent local journalism',
    indicator: { name: 'Stations broadcasting weekly accountability programmes', unit: 'stations', baseline: 2, target: 15 },
  },
  restricted: {
    title: 'Rural road maintenance in Yoro',
    summary: 'Maintenance of farm-to-market roads by a local contractor.',
    country: 'HN', pillar: 'II', partner: { name: 'Servicios Ficticios del Norte S. de R.L.', registrationId: '0801-1999-00001' },
    targetAreas: ['Yoro'], budgetCents: 0.9 * M,
    objective: 'Keep farm-to-market roads passable all year',
    indicator: { name: 'Kilometres of road maintained', unit: 'km', baseline: 0, target: 300 },
    by: 'manager2',
  },
  hotline: {
    title: 'Anti-extortion hotline for small businesses',
    summary: 'A confidential reporting line and case follow-up with the public prosecutor.',
    country: 'GT', pillar: 'IV', partner: { name: 'Centro de Apoyo Empresarial', registrationId: 'GT-552233' },
    targetAreas: ['Quetzaltenango'], budgetCents: 0.75 * M,
    objective: 'Turn extortion reports into prosecutions',
    indicator: { name: 'Reports referred to the prosecutor', unit: 'cases', baseline: 0, target: 400 },
  },
  coffee: {
    title: 'Coffee cooperative resilience in Ahuachapán',
    summary: 'Rust-resistant varieties, irrigation and market access for smallholder cooperatives.',
    country: 'SV', pillar: 'I', partner: { name: 'Cooperativa Cafetalera del Occidente', registrationId: 'SV-0101-1998' },
    targetAreas: ['La Libertad'], budgetCents: 3 * M,
    objective: 'Raise smallholder coffee incomes',
    indicator: { name: 'Average household income from coffee', unit: 'USD per year', baseline: 1800, target: 2600 },
  },
  credit: {
    title: 'Small business credit in Olancho',
    summary: 'Guarantees and training so rural microenterprises can borrow from local credit unions.',
    country: 'HN', pillar: 'I', partner: { name: 'Cooperativa de Ahorro Olanchana', registrationId: 'HN-1501-2003' },
    targetAreas: ['Olancho'], budgetCents: 1.5 * M,
    objective: 'Open credit to rural microenterprises',
    indicator: { name: 'Microenterprises with a first loan', unit: 'businesses', baseline: 0, target: 900 },
    by: 'manager2',
  },
  courts: {
    title: 'Justice for survivors: specialised courts',
    summary: 'Training and case-management support for the specialised femicide courts.',
    country: 'GT', pillar: 'V', partner: { name: 'Instituto de Justicia y Género', registrationId: 'GT-990011' },
    targetAreas: ['Alta Verapaz', 'Huehuetenango'], budgetCents: 2 * M,
    objective: 'Shorten the time to judgement in gender-based violence cases',
    indicator: { name: 'Median days to judgement', unit: 'days', baseline: 540, target: 300 },
  },
  laborRights: {
    title: 'Labor rights inspection in the maquila sector',
    summary: 'Support for labour inspectors and worker committees in export-processing zones.',
    country: 'HN', pillar: 'III', partner: { name: 'Centro de Derechos Laborales', registrationId: 'HN-0801-2012' },
    targetAreas: ['Cortés', 'Francisco Morazán'], budgetCents: 5.5 * M,
    objective: 'Resolve labour complaints in export-processing zones',
    indicator: { name: 'Complaints resolved within 90 days', unit: 'percent', baseline: 20, target: 70 },
    by: 'manager2',
  },
  sports: {
    title: 'Gang prevention through sports in La Unión',
    summary: 'After-school football leagues with mentoring for adolescents in port towns.',
    country: 'SV', pillar: 'IV', partner: { name: 'Liga Juvenil del Golfo', registrationId: 'SV-1401-2019' },
    targetAreas: ['La Unión'], budgetCents: 0.4 * M,
    objective: 'Keep adolescents in school and out of gangs',
    indicator: { name: 'Participants still enrolled in school after a year', unit: 'percent', baseline: 60, target: 85 },
  },
  water: {
    title: 'Rural water boards in Intibucá',
    summary: 'Pipes, meters and bookkeeping training for community water boards in Lenca villages.',
    country: 'HN', pillar: 'I', partner: { name: 'Constructora Aguas del Occidente S.A.', registrationId: 'HN-1001-2016' },
    targetAreas: ['Intibucá'], budgetCents: 0.8 * M,
    objective: 'Give villages a reliable piped water supply',
    indicator: { name: 'Households with piped water every day', unit: 'households', baseline: 300, target: 2100 },
  },
} satisfies Record<string, ProgramSpec>;

async function main(): Promise<void> {
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log(`Filling ${GATEWAY} with a demo portfolio…`);

  await create(SPECS.procurement);
  log('  draft          Transparent municipal procurement in San Salvador');

  await submit(await create(SPECS.safeHouses));
  log('  under review   Safe houses for survivors of gender-based violence');

  const radio = await submit(await create(SPECS.communityRadio));
  await decide(radio.id, 'REQUEST_REVISION', 'Please add a baseline survey of audiences and a plan for station sustainability.');
  await waitStatus(radio.id, 'REVISION_REQUESTED');
  log('  revision asked Independent community radio in Quiché');

  const sports = await submit(await create(SPECS.sports));
  await decide(sports.id, 'REQUEST_REVISION', 'The school-enrolment indicator needs a verification source named.');
  const revised = await waitStatus(sports.id, 'REVISION_REQUESTED');
  await call('manager', 'PATCH', `/programs/${sports.id}`, {
    expectedVersion: revised.version,
    summary: `${SPECS.sports.summary} Enrolment is verified with the Ministry of Education records each term.`,
  });
  await submit(sports);
  log('  resubmitted    Gang prevention through sports in La Unión (second review round)');

  const restricted = await submit(await create(SPECS.restricted), 'manager2');
  await decide(restricted.id, 'REJECT', 'The implementing partner is on the restricted-party list (debarment); funds cannot flow to it.');
  await waitStatus(restricted.id, 'REJECTED');
  log('  rejected       Rural road maintenance in Yoro (restricted party)');

  const hotline = await submit(await create(SPECS.hotline));
  await call('manager', 'POST', `/programs/${hotline.id}/withdraw`, { reason: 'The prosecutor’s office launched its own hotline; we will co-fund it instead.' });
  await waitStatus(hotline.id, 'WITHDRAWN');
  log('  withdrawn      Anti-extortion hotline for small businesses');

  const labor = await submit(await create(SPECS.laborRights), 'manager2');
  await decide(labor.id, 'APPROVE', 'Safeguards pass; the budget is above the high-value threshold so a second reviewer must confirm.');
  log('  second review  Labor rights inspection in the maquila sector (high value, one approval so far)');

  const youth = await approveProgram(SPECS.youthJobs);
  const first = await requestDisbursement(youth.id, 40_000_000, 'First tranche: training centre equipment in Huehuetenango');
  await approveDisbursement(first.id);
  await releaseDisbursement(first.id, '000101');
  const second = await requestDisbursement(youth.id, 25_000_000, 'Second tranche: instructor salaries for the first cohort');
  await approveDisbursement(second.id);
  await requestDisbursement(youth.id, 15_000_000, 'Job fair and employer outreach in San Marcos');
  const youthCheck = await assessNow(youth.id, 'Mid-term check requested by the mission');
  await recordOutcome(youthCheck.id, 'CONTINUE', 'Placements are on track and retention after six months is above the target.', 'Youth placed in jobs', 430);
  log('  approved       Youth employment in the Western Highlands: released, approved and requested disbursements; assessed CONTINUE');

  const violence = await approveProgram(SPECS.violencePrevention, true);
  const large = await requestDisbursement(violence.id, 1.5 * M, 'Community centres construction, phase one', 'manager2');
  await approveDisbursement(large.id, 'approver');
  await approveDisbursement(large.id, 'approver2', 'Second approval: procurement file complete');
  await releaseDisbursement(large.id, '000102');
  const pending = await requestDisbursement(violence.id, 1.2 * M, 'Violence interrupters: first year of stipends', 'manager2');
  await approveDisbursement(pending.id, 'approver');
  log('  approved       Violence prevention in San Pedro Sula: dual-approved release, one request half approved');

  const courts = await approveProgram(SPECS.courts);
  await requestDisbursement(courts.id, 30_000_000, 'Case-management software and training for court staff');
  const courtsCheck = await assessNow(courts.id, 'Court statistics show the backlog growing');
  await recordOutcome(courtsCheck.id, 'ADJUST', 'Backlog grew in Alta Verapaz; the training plan must shift to case triage before more funds flow.', 'Median days to judgement', 560);
  log('  approved       Justice for survivors: assessed ADJUST, funds on hold');

  const coffee = await approveProgram(SPECS.coffee);
  const seedlings = await requestDisbursement(coffee.id, 50_000_000, 'Rust-resistant seedlings for 40 cooperatives');
  await approveDisbursement(seedlings.id);
  await releaseDisbursement(seedlings.id, '000103');
  await call('reviewer', 'POST', `/programs/${coffee.id}/suspend`, { reason: 'Audit found seedlings invoiced but not delivered to two cooperatives.' });
  await waitStatus(coffee.id, 'SUSPENDED');
  await requestDisbursement(coffee.id, 20_000_000, 'Irrigation kits (waits for the suspension to be lifted)');
  log('  suspended      Coffee cooperative resilience: funds on hold, a request waiting');

  const credit = await approveProgram(SPECS.credit);
  const guarantees = await requestDisbursement(credit.id, 60_000_000, 'Loan guarantee fund capitalisation', 'manager2');
  await approveDisbursement(guarantees.id);
  await releaseDisbursement(guarantees.id, '000104');
  await call('manager2', 'POST', `/programs/${credit.id}/close`, { reason: 'The guarantee fund is fully capitalised and handed to the credit unions.' });
  await waitStatus(credit.id, 'CLOSED');
  log('  closed         Small business credit in Olancho');

  // A second run finds the partner listed by the first: it comes off the list so the story can replay.
  const listed = (await call('admin', 'GET', '/restricted-parties?limit=500')).body.items as Json[];
  for (const party of listed.filter((p) => p.name === SPECS.water.partner.name)) await call('admin', 'DELETE', `/restricted-parties/${party.id}`);
  const water = await approveProgram(SPECS.water);
  await requestDisbursement(water.id, 25_000_000, 'Pipes and meters for the first twelve water boards');
  // Listed after approval: the funds are held at payment time.
  await call('admin', 'POST', '/restricted-parties', {
    ...SPECS.water.partner,
    reason: 'Debarred after the approval for bid rigging in another donor’s program (fictional).',
    source: 'Multilateral development bank debarment list (fictional entry)',
  });
  await waitFor('the water program’s funds to be held', async () => {
    const account = (await call('manager', 'GET', `/funding-accounts/${water.id}`)).body;
    return (account.holds as string[]).includes('PARTNER_RESTRICTED') ? account : undefined;
  });
  log('  approved       Rural water boards in Intibucá: partner put on the restricted list after approval, funds on hold');

  log(`Done. Open ${GATEWAY}/ and sign in as anyone from the list.`);
}

main().catch((err: unknown) => {
  process.stderr.write(`demo: ${err instanceof DemoError ? err.message : ((err as Error).stack ?? String(err))}\n`);
  process.exit(1);
});
