import { z } from 'zod';
import type { ConfluenceClient } from '../client';
import { idSegment } from './ids';

/**
 * Archiving goes through v1: v2 has no archive operation. `POST
 * /wiki/rest/api/content/archive` takes `{pages: [{id}]}` and answers with a
 * long task, which `GET /wiki/rest/api/longtask/{id}` reports
 * (docs/platform-notes.md#archiving-pages).
 */

const longTaskStartedSchema = z.looseObject({
  id: z.union([z.string().min(1), z.number()]).transform(String),
});

const longTaskStatusSchema = z.looseObject({
  id: z.union([z.string(), z.number()]).transform(String),
  finished: z.boolean().optional(),
  successful: z.boolean().optional(),
  percentageComplete: z.number().optional(),
  messages: z.array(z.looseObject({ translation: z.string().optional() })).optional(),
});
export type LongTaskStatus = z.infer<typeof longTaskStatusSchema>;

/** Starts archiving the pages; resolves to the long task's id. */
export async function archivePages(
  client: ConfluenceClient,
  params: { pageIds: readonly string[]; signal?: AbortSignal },
): Promise<string> {
  const response = await client.send({
    endpoint: 'page.archive',
    method: 'POST',
    path: '/wiki/rest/api/content/archive',
    body: { pages: params.pageIds.map((id) => ({ id: Number(idSegment(id, 'page')) })) },
    schema: longTaskStartedSchema,
    resource: `archiving page ${params.pageIds.join(', ')}`,
    signal: params.signal,
  });
  return response.data.id;
}

export async function getLongTask(
  client: ConfluenceClient,
  params: { taskId: string; signal?: AbortSignal },
): Promise<LongTaskStatus> {
  const response = await client.send({
    endpoint: 'longtask.read',
    method: 'GET',
    path: `/wiki/rest/api/longtask/${encodeURIComponent(params.taskId)}`,
    schema: longTaskStatusSchema,
    resource: `long task ${params.taskId}`,
    signal: params.signal,
  });
  return response.data;
}
