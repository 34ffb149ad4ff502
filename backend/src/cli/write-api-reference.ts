import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderApiReference } from '../http/openapi/api-reference-markdown';
import { createIngestApiDocument } from '../http/openapi/ingest-api-document';

/** `npm run docs:api`: rewrites docs/INGEST-API.md from the OpenAPI document. */
const target = fileURLToPath(new URL('../../../docs/INGEST-API.md', import.meta.url));
writeFileSync(target, renderApiReference(createIngestApiDocument()));
console.log(`wrote ${target}`);
