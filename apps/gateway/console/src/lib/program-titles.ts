import { api } from '../api/endpoints';
import type { Country } from './reference';

/** What lists that only carry a programId show of the program. */
export interface ProgramSummary {
  title: string;
  /** The implementing partner, for the conflict-of-interest rule; null when the program could not be read. */
  partnerName: string | null;
  /** Null when the program could not be read. */
  country: Country | null;
}

/** Kept briefly, since titles can be revised. */
const TTL_MS = 30_000;
const cache = new Map<string, { at: number; summary: Promise<ProgramSummary> }>();

function summaryOf(programId: string): Promise<ProgramSummary> {
  const hit = cache.get(programId);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.summary;
  const summary = api.programs.get(programId).then(
    (program) => ({ title: program.title, partnerName: program.implementingPartner?.name ?? null, country: program.country }),
    () => ({ title: programId, partnerName: null, country: null }),
  );
  cache.set(programId, { at: Date.now(), summary });
  return summary;
}

export async function programSummaries(programIds: Iterable<string>): Promise<Record<string, ProgramSummary>> {
  const unique = [...new Set(programIds)];
  const summaries = await Promise.all(unique.map(summaryOf));
  return Object.fromEntries(unique.map((id, i) => [id, summaries[i]]));
}

export async function programTitles(programIds: Iterable<string>): Promise<Record<string, string>> {
  const summaries = await programSummaries(programIds);
  return Object.fromEntries(Object.entries(summaries).map(([id, s]) => [id, s.title]));
}
