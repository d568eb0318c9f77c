import type { OpenAPIObject } from '@nestjs/swagger';
import { SERVICES, type ServiceName } from '#libs/contracts';
import type { ServiceConfig } from '#libs/common';

const FETCH_TIMEOUT_MS = 3000;

/**
 * One document for the whole API: the gateway's own paths plus every service's. Services share
 * DTO names only for identical shapes (errors, pages), so the first schema of a name is kept.
 */
export function mergeDocuments(
  base: OpenAPIObject,
  upstreams: Array<{ service: ServiceName; document: OpenAPIObject | null }>,
): OpenAPIObject {
  const merged: OpenAPIObject = {
    ...base,
    paths: { ...base.paths },
    components: { ...base.components, schemas: { ...base.components?.schemas } },
    tags: [...(base.tags ?? [])],
  };
  const missing: string[] = [];
  for (const { service, document } of upstreams) {
    if (!document) {
      missing.push(service);
      continue;
    }
    // Every service has /health and /metrics: the gateway's own ones are the ones reached through it.
    for (const [path, item] of Object.entries(document.paths)) merged.paths[path] ??= item;
    for (const [name, schema] of Object.entries(document.components?.schemas ?? {})) {
      merged.components!.schemas![name] ??= schema;
    }
    for (const tag of document.tags ?? []) {
      if (!merged.tags!.some((t) => t.name === tag.name)) merged.tags!.push(tag);
    }
  }
  if (missing.length) {
    merged.info = {
      ...merged.info,
      description: `${merged.info.description ?? ''}\n\nNot reachable just now, so missing here: ${missing.join(', ')}.`,
    };
  }
  return merged;
}

/** Fetches every service's document now, so the combined one is never stale; a down service is left out. */
export async function fetchUpstreamDocuments(config: ServiceConfig) {
  return Promise.all(
    SERVICES.map(async (service) => {
      try {
        const res = await fetch(new URL('/docs-json', config.upstreams[service]), { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
        return { service, document: res.ok ? ((await res.json()) as OpenAPIObject) : null };
      } catch {
        return { service, document: null };
      }
    }),
  );
}
