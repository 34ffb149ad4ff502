import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** What a file may say about its page in YAML front matter. Unknown keys are left alone (other tools use them). */
export const frontMatterSchema = z.looseObject({
  title: z.string().trim().min(1).max(255).optional(),
  labels: z.union([z.array(z.string()), z.string()]).optional(),
  parent: z.union([z.string(), z.number()]).optional(),
  externalId: z.string().optional(),
  skip: z.boolean().optional(),
  space: z.string().optional(),
});
export type FrontMatter = z.infer<typeof frontMatterSchema>;

export interface SplitSource {
  frontMatter: FrontMatter;
  /** The Markdown after the front matter. */
  body: string;
  /** Lines the front matter took, so warnings name the line in the file, not in the body. */
  bodyLineOffset: number;
}

export class FrontMatterError extends Error {
  override readonly name = 'FrontMatterError';
}

/**
 * Front matter is a YAML document between two `---` lines at the very top (the
 * convention of Jekyll, Hugo, MkDocs and mark's YAML mode); it is cut off by
 * its fences, and the YAML is parsed by a YAML parser.
 */
export function splitFrontMatter(text: string): SplitSource {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const opening = /^---[ \t]*\r?\n/.exec(source);
  if (opening === null) return { frontMatter: {}, body: source, bodyLineOffset: 0 };
  const closing = /^(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/m;
  const rest = source.slice(opening[0].length);
  const end = closing.exec(rest);
  if (end === null) return { frontMatter: {}, body: source, bodyLineOffset: 0 };
  const yamlText = rest.slice(0, end.index);
  let data: unknown;
  try {
    data = parseYaml(yamlText) ?? {};
  } catch (error) {
    throw new FrontMatterError(`front matter is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const parsed = frontMatterSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new FrontMatterError(`front matter "${issue.path.join('.')}": ${issue.message}`);
  }
  const consumed = opening[0] + yamlText + end[0];
  return {
    frontMatter: parsed.data,
    body: source.slice(consumed.length),
    bodyLineOffset: consumed.split('\n').length - 1,
  };
}
