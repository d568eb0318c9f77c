import type { OpenAPIObject } from '@nestjs/swagger';
import { mergeDocuments } from './merged-docs.js';

const doc = (paths: string[], schemas: Record<string, object> = {}, tags: string[] = []): OpenAPIObject => ({
  openapi: '3.0.0',
  info: { title: 't', version: '1', description: 'd' },
  paths: Object.fromEntries(paths.map((p) => [p, { get: { responses: {} } }])),
  components: { schemas },
  tags: tags.map((name) => ({ name })),
});

describe('mergeDocuments', () => {
  it('adds every service’s paths, schemas and tags, keeping the gateway’s own paths and the first schema of a name', () => {
    const base = doc(['/health/ready'], {}, ['health']);
    base.paths['/health/ready'].get!.summary = 'gateway';
    const merged = mergeDocuments(base, [
      { service: 'proposals', document: doc(['/programs', '/health/ready'], { ErrorBody: { title: 'first' } }, ['programs', 'health']) },
      { service: 'audit', document: doc(['/audit/verify'], { ErrorBody: { title: 'second' }, Entry: {} }, ['audit']) },
    ]);
    expect(Object.keys(merged.paths)).toEqual(['/health/ready', '/programs', '/audit/verify']);
    expect(merged.paths['/health/ready'].get!.summary).toBe('gateway');
    expect(merged.components!.schemas).toEqual({ ErrorBody: { title: 'first' }, Entry: {} });
    expect(merged.tags!.map((t) => t.name)).toEqual(['health', 'programs', 'audit']);
    expect(base.paths).not.toHaveProperty('/programs');
  });

  it('names the services whose documents could not be fetched', () => {
    const merged = mergeDocuments(doc([]), [{ service: 'assessments', document: null }]);
    expect(merged.info.description).toMatch(/missing here: assessments/);
  });
});
