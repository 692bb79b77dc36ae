// The app's API types are generated from the service's own OpenAPI document: this fails when
// web/src/api/schema.d.ts is stale (run `npm run web:gen-api`), so the app and the API cannot drift.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateApiTypes, SCHEMA_FILE } from '../../web/tools/gen-api.js';

describe('web/src/api/schema.d.ts', () => {
  it('is what the OpenAPI document generates now', async () => {
    const fresh = await generateApiTypes();
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    expect(committed === fresh, 'web/src/api/schema.d.ts is stale: run `npm run web:gen-api`').toBe(true);
  });

  it('describes the routes the app calls', async () => {
    const types = await generateApiTypes();
    for (const route of ['/api/v1/jobs/', '/api/v1/jobs/{id}/detailed-results/', '/api/v1/identities/{id}/', '/api/v1/models/{model}/identities/{identity}/', '/api/v1/storage/{id}/']) {
      expect(types).toContain(`"${route}": {`);
    }
  });
});
