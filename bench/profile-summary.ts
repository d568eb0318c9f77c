/**
 * Where a process's CPU profile spends its time, by owner: an npm package, one of our apps or libs,
 * a Node core module, V8 (garbage collection, compiling) or a native function. Reads the
 * `.cpuprofile` files that `BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR"` leaves, one per process:
 *
 *   node dist/bench/profile-summary.js DIR [top]
 *
 * V8 samples by the wall clock, so it overstates loopback socket writes (README, Benchmarks):
 * compare owners with it, and weigh system calls with `perf record -a -g`.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const V8_ENTRIES: Record<string, string> = {
  '(garbage collector)': 'V8: garbage collection',
  '(program)': 'V8: compiling and runtime',
};

/** Who owns a frame: the package after the last node_modules, our app or lib, a core module, V8, or the native function. */
function ownerOf({ functionName, url }: ProfileNode['callFrame']): string {
  if (V8_ENTRIES[functionName]) return V8_ENTRIES[functionName];
  if (url.includes('node_modules/')) {
    const [scope, name] = url.split('node_modules/').pop()!.split('/');
    return scope.startsWith('@') ? `${scope}/${name}` : scope;
  }
  const ours = /\/dist\/((?:apps|libs|scripts|bench)\/[^/]+)/.exec(url);
  if (ours) return ours[1];
  if (url.startsWith('node:')) return url;
  return url || `(native ${functionName})`;
}

/** Microseconds of self time per owner and per function, idle left out. */
function summarise(profile: CpuProfile): { busyUs: number; byOwner: Map<string, number>; byFunction: Map<string, number> } {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const byOwner = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let busyUs = 0;
  profile.samples.forEach((id, i) => {
    const { callFrame } = nodes.get(id)!;
    if (callFrame.functionName === '(idle)') return;
    const us = profile.timeDeltas[i] ?? 0;
    const owner = ownerOf(callFrame);
    // A native or V8 entry is its own owner; a JS function is named with its file's owner and line.
    const fn = callFrame.url ? `${callFrame.functionName || '(anonymous)'} (${owner}, ${basename(callFrame.url)}:${callFrame.lineNumber + 1})` : owner;
    busyUs += us;
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + us);
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  });
  return { busyUs, byOwner, byFunction };
}

function table(title: string, rows: Map<string, number>, busyUs: number, top: number): string {
  const lines = [...rows].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [`| ${title} | share of busy time |`, '|---|---|', ...lines.map(([k, us]) => `| ${k} | ${((100 * us) / busyUs).toFixed(1)} % |`)].join('\n');
}

function main(): void {
  const [dir, topArg] = process.argv.slice(2);
  if (!dir) {
    console.error('usage: node dist/bench/profile-summary.js DIR [top]');
    process.exit(2);
  }
  const top = Number(topArg ?? 25);
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort();
  if (files.length === 0) {
    console.error(`no .cpuprofile files in ${dir}`);
    process.exit(1);
  }
  for (const file of files) {
    const { busyUs, byOwner, byFunction } = summarise(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile);
    console.log(`## ${file}: ${(busyUs / 1e6).toFixed(1)} s busy\n`);
    console.log(`${table('owner', byOwner, busyUs, top)}\n`);
    console.log(`${table('function', byFunction, busyUs, top)}\n`);
  }
}

main();
