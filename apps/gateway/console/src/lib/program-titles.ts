import { api } from '../api/endpoints';

/** Program titles for lists that only carry a programId; kept briefly since titles can be revised. */
const TTL_MS = 30_000;
const cache = new Map<string, { at: number; title: Promise<string> }>();

function titleOf(programId: string): Promise<string> {
  const hit = cache.get(programId);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.title;
  const title = api.programs.get(programId).then(
    (program) => program.title,
    () => programId,
  );
  cache.set(programId, { at: Date.now(), title });
  return title;
}

export async function programTitles(programIds: Iterable<string>): Promise<Record<string, string>> {
  const unique = [...new Set(programIds)];
  const titles = await Promise.all(unique.map(titleOf));
  return Object.fromEntries(unique.map((id, i) => [id, titles[i]]));
}
