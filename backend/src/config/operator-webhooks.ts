import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type OperatorWebhook, operatorWebhooksSchema } from '@pagewire/shared';

/**
 * `PAGEWIRE_WEBHOOKS`: the subscriptions an operator declares (in-house
 * deployments; docs/WEBHOOKS.md, "Operator subscriptions"). The value is the
 * JSON list itself, or the path of a file holding it (relative to where the
 * backend was started), so the secrets can live in a mounted secret file
 * rather than in the environment. Validated once, here, with the shared
 * schema; no message ever quotes the value, because it holds secrets.
 */
export function readOperatorWebhooks(
  value: string | undefined,
  startDir: string,
): { ok: true; webhooks: readonly OperatorWebhook[] } | { ok: false; problem: string } {
  if (value === undefined || value.trim() === '') return { ok: true, webhooks: [] };
  const text = value.trim();
  let json: string;
  if (text.startsWith('[')) {
    json = text;
  } else {
    const path = resolve(startDir, text);
    try {
      json = readFileSync(path, 'utf8');
    } catch {
      return {
        ok: false,
        problem: `PAGEWIRE_WEBHOOKS must be a JSON list or the path of a readable file holding one; ${path} cannot be read`,
      };
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    // JSON.parse's own message quotes the text around the error: it could be a secret.
    return { ok: false, problem: 'PAGEWIRE_WEBHOOKS is not valid JSON' };
  }
  const result = operatorWebhooksSchema.safeParse(parsed);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const where = issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`));
      return `PAGEWIRE_WEBHOOKS${where.join('')} ${issue.message}`;
    });
    return { ok: false, problem: problems.join('; ') };
  }
  return { ok: true, webhooks: result.data };
}
