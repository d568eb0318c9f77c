import { PROGRAM_STATUSES, type ProgramStatus } from '#libs/contracts';
import { TestSystem, type Person } from './support/test-system.js';
import { people } from './support/fixtures.js';
import { ProgramFlow, type ProgramBody, type ReachableStatus } from './support/program-flow.js';

type Command = 'revise' | 'submit' | 'withdraw' | 'suspend' | 'reinstate' | 'close';

/** DOMAIN.md's diagram, written out independently of the aggregate's table: what each state allows. */
const ALLOWED: Record<ProgramStatus, Command[]> = {
  DRAFT: ['revise', 'submit', 'withdraw'],
  SUBMITTED: ['withdraw'],
  UNDER_REVIEW: ['withdraw'],
  REVISION_REQUESTED: ['revise', 'submit', 'withdraw'],
  APPROVED: ['suspend', 'close'],
  SUSPENDED: ['reinstate'],
  REJECTED: [],
  WITHDRAWN: [],
  DISCONTINUED: [],
  CLOSED: [],
};
const COMMANDS: Command[] = ['revise', 'submit', 'withdraw', 'suspend', 'reinstate', 'close'];
const RESULT: Record<Exclude<Command, 'revise'>, ProgramStatus> = {
  submit: 'SUBMITTED',
  withdraw: 'WITHDRAWN',
  suspend: 'SUSPENDED',
  reinstate: 'APPROVED',
  close: 'CLOSED',
};
const CASES = PROGRAM_STATUSES.flatMap((status) => COMMANDS.map((command) => [status, command] as const));

describe('programs: every pair of state and HTTP command, in states reached through HTTP and the real review flow', () => {
  let sys: TestSystem;
  let flow: ProgramFlow;
  /** Per state: one program that every refused command is tried on, and one fresh program per allowed command. */
  const targets = new Map<ProgramStatus, { refusals: string; allowed: Map<Command, string> }>();

  const send = (command: Command, program: ProgramBody) => {
    const by: Person = command === 'suspend' || command === 'reinstate' ? people.reviewer : people.manager;
    const http = sys.http('proposals');
    if (command === 'revise') {
      return http
        .patch(`/programs/${program.id}`)
        .set(sys.auth(by))
        .send({ expectedVersion: program.version, title: `Revised in ${program.status}` });
    }
    const body = command === 'submit' ? undefined : { reason: `${command} from ${program.status}` };
    return http.post(`/programs/${program.id}/${command}`).set(sys.auth(by)).send(body);
  };

  const prepare = async (status: ProgramStatus, drive: () => Promise<ProgramBody>) => {
    const allowed = new Map<Command, string>();
    const [refusals, ...fresh] = await Promise.all([drive(), ...ALLOWED[status].map(() => drive())]);
    ALLOWED[status].forEach((command, i) => allowed.set(command, fresh[i].id));
    targets.set(status, { refusals: refusals.id, allowed });
  };

  beforeAll(async () => {
    sys = await TestSystem.start({ services: ['proposals', 'reviews'] });
    flow = new ProgramFlow(sys);
    const reachable = PROGRAM_STATUSES.filter((s): s is ReachableStatus => s !== 'SUBMITTED');
    await Promise.all(reachable.map((status) => prepare(status, () => flow.driveTo(status))));
    // SUBMITTED lasts until reviews opens the review: with reviews stopped, a submitted program stays there.
    await sys.stopService('reviews');
    await prepare('SUBMITTED', async () => flow.submit((await flow.create()).id));
  }, 120_000);
  afterAll(() => sys?.stop());

  it('reached every state', async () => {
    for (const [status, { refusals }] of targets) expect((await flow.get(refusals)).status).toBe(status);
    expect(targets.size).toBe(PROGRAM_STATUSES.length);
  });

  it.each(CASES)('%s + %s', async (status, command) => {
    const target = targets.get(status)!;
    const allowedId = target.allowed.get(command);
    const before = await flow.get(allowedId ?? target.refusals);
    expect(before.status).toBe(status);
    const res = await send(command, before);

    if (allowedId) {
      expect(res.status).toBe(200);
      if (command === 'revise') {
        expect(res.body).toMatchObject({ status, version: before.version + 1, title: `Revised in ${status}` });
      } else {
        expect(res.body).toMatchObject({ status: RESULT[command], version: before.version + 1 });
      }
      return;
    }
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'INVALID_TRANSITION', details: { from: status } });
    const after = await flow.get(target.refusals);
    expect(after).toMatchObject({ status, version: before.version, title: before.title });
    expect(after.statusHistory).toEqual(before.statusHistory);
  });
});
