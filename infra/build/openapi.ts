import { writeFileSync } from 'node:fs';
import { buildOpenApi } from '#shared/http/openapi';

/** `npm run openapi`: writes the OpenAPI document generated from the zod schemas. */
const file = new URL('../../shared/http/openapi.json', import.meta.url);
writeFileSync(file, `${JSON.stringify(buildOpenApi(), null, 2)}\n`);
console.log(`wrote ${file.pathname}`);
