/**
 * Load shapes for the lifecycle benchmark: open-loop arrivals at a fixed rate, a closed loop at a
 * fixed concurrency, and the sequential submit → UNDER_REVIEW probe.
 */
import type { ServiceName } from '#libs/contracts';
import { LifecycleDriver, lifecycleProgram, type BaseUrlOf, type DriverResponse, type LifecycleTokens } from '#libs/testing';
import { summarize, type Summary } from './lifecycle-stats.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A LifecycleDriver that also notes when each state-changing request succeeded, to count them per window. */
export class TalliedDriver extends LifecycleDriver {
  /** performance.now() at each 2xx answer to a non-GET request. */
  readonly transitions: number[] = [];
  reads = 0;

  constructor(baseUrl: BaseUrlOf, tokens: LifecycleTokens) {
    super(baseUrl, tokens);
  }

  override async call(service: ServiceName, method: string, path: string, token: string, body?: unknown, headers?: Record<string, string>): Promise<DriverResponse> {
    const res = await super.call(service, method, path, token, body, headers);
    if (method === 'GET') this.reads += 1;
    else if (res.status >= 200 && res.status < 300) this.transitions.push(performance.now());
    return res;
  }

  transitionsBetween(from: number, to: number): number {
    return this.transitions.filter((t) => t >= from && t < to).length;
  }

  /** Every command's latency together (the per-step arrays of LifecycleDriver.latencies). */
  commandLatencies(): number[] {
    return Object.values(this.latencies).flat();
  }

  stepLatencies(): Record<string, Summary> {
    return Object.fromEntries(Object.entries(this.latencies).map(([step, values]) => [step, summarize(values)]));
  }
}

export interface LoadResult {
  mode: 'open' | 'closed';
  /** open loop: offered transitions/s; closed loop: programs in flight. */
  offered: number;
  seconds: number;
  programsStarted: number;
  programsFailed: number;
  /** open loop: arrivals dropped because too many programs were still in flight. */
  programsSkipped: number;
  /** Every transition of the phase, the drain after the window included. */
  transitions: number;
  /** Transitions (2xx answers to state-changing commands) per second in the steady part of the window. */
  transitionsPerSecond: number;
  readsPerSecond: number;
  commandLatencyMs: Summary;
  stepLatencyMs: Record<string, Summary>;
  /** Time for one program's whole life (eight commands and the waits between them). */
  programLifeMs: Summary;
  firstError?: string;
  /** Wall-clock bounds of the window, to select this phase's events in SQL. */
  from: Date;
  to: Date;
}

/** The first seconds fill the pipeline (programs started early have not reached their later commands). */
export const rampSeconds = (seconds: number) => Math.min(5, seconds / 4);

async function runPrograms(
  driver: TalliedDriver,
  mode: LoadResult['mode'],
  offered: number,
  seconds: number,
  schedule: (launch: (i: number) => Promise<void>, deadline: number, inFlight: () => number) => Promise<{ started: number; skipped: number }>,
): Promise<LoadResult> {
  const from = new Date();
  const start = performance.now();
  const end = start + seconds * 1000;
  const lives: number[] = [];
  const failures: string[] = [];
  const inFlight = new Set<Promise<void>>();
  const readsBefore = driver.reads;
  const launch = (i: number) => {
    const began = performance.now();
    const life = driver
      .run(i)
      .then(() => void lives.push(performance.now() - began))
      .catch((err: Error) => void failures.push(err.message))
      .finally(() => inFlight.delete(life));
    inFlight.add(life);
    return life;
  };
  const { started, skipped } = await schedule(launch, end, () => inFlight.size);
  const readsInWindow = driver.reads - readsBefore;
  const to = new Date();
  await Promise.all(inFlight);
  const ramp = rampSeconds(seconds);
  return {
    mode,
    offered,
    seconds,
    programsStarted: started,
    programsFailed: failures.length,
    programsSkipped: skipped,
    transitions: driver.transitions.length,
    transitionsPerSecond: driver.transitionsBetween(start + ramp * 1000, end) / (seconds - ramp),
    readsPerSecond: readsInWindow / seconds,
    commandLatencyMs: summarize(driver.commandLatencies()),
    stepLatencyMs: driver.stepLatencies(),
    programLifeMs: summarize(lives),
    ...(failures.length ? { firstError: failures[0] } : {}),
    from,
    to,
  };
}

/**
 * Open loop: programs start on a fixed clock whatever the system's answers, so a slow system
 * builds a backlog instead of slowing the arrivals. `maxInFlight` keeps an overloaded run finite.
 */
export function openLoop(
  driver: TalliedDriver,
  options: { transitionsPerSecond: number; commandsPerProgram: number; seconds: number; firstProgram: number; maxInFlight: number },
): Promise<LoadResult> {
  const interval = (1000 * options.commandsPerProgram) / options.transitionsPerSecond;
  return runPrograms(driver, 'open', options.transitionsPerSecond, options.seconds, async (launch, deadline, inFlight) => {
    const start = performance.now();
    let started = 0;
    let skipped = 0;
    for (let n = 0; ; n++) {
      const due = start + n * interval;
      if (due >= deadline) break;
      if (due > performance.now()) await sleep(due - performance.now());
      if (inFlight() >= options.maxInFlight) {
        skipped += 1;
        continue;
      }
      void launch(options.firstProgram + n);
      started += 1;
    }
    return { started, skipped };
  });
}

/** Closed loop: `concurrency` programs in flight at all times, each starting when one ends. */
export function closedLoop(driver: TalliedDriver, options: { concurrency: number; seconds: number; firstProgram: number }): Promise<LoadResult> {
  let n = options.firstProgram;
  return runPrograms(driver, 'closed', options.concurrency, options.seconds, async (launch, deadline) => {
    let started = 0;
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (performance.now() < deadline) {
          started += 1;
          await launch(n++);
        }
      }),
    );
    return { started, skipped: 0 };
  });
}

/**
 * One program at a time: the time from POST /programs/:id/submit answering to GET /programs/:id
 * reading UNDER_REVIEW (program.submitted → reviews opens the review → review.opened → proposals),
 * polling every `pollMs`.
 */
export async function submitToUnderReview(driver: LifecycleDriver, manager: string, programs: number, firstProgram: number, pollMs: number): Promise<Summary & { polls: number }> {
  const waits: number[] = [];
  let polls = 0;
  for (let i = firstProgram; i < firstProgram + programs; i++) {
    const created = await driver.call('proposals', 'POST', '/programs', manager, lifecycleProgram(i));
    if (created.status !== 201) throw new Error(`create answered ${created.status}: ${JSON.stringify(created.body)}`);
    const id = created.body.id as string;
    const submitted = await driver.call('proposals', 'POST', `/programs/${id}/submit`, manager);
    if (submitted.status !== 200) throw new Error(`submit answered ${submitted.status}: ${JSON.stringify(submitted.body)}`);
    const answered = performance.now();
    for (;;) {
      polls += 1;
      const read = await driver.call('proposals', 'GET', `/programs/${id}`, manager);
      if (read.body?.status === 'UNDER_REVIEW') break;
      if (performance.now() - answered > 30_000) throw new Error(`program ${id} still ${read.body?.status} after 30 s`);
      await sleep(pollMs);
    }
    waits.push(performance.now() - answered);
  }
  return { ...summarize(waits), polls };
}
