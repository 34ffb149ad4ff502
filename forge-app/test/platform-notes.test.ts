import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * docs/platform-notes.md is where the Forge and Confluence facts the code
 * relies on live. Code and docs cite its sections by GitHub anchor; this keeps
 * every citation pointing at a real heading and keeps citations of notes that
 * are not in the repository (the team's private reference files) out.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const NOTES = 'docs/platform-notes.md';
const SCANNED = /\.(ts|tsx|js|mjs|cjs|md|yml|yaml|json)$/;
// What .gitignore keeps out of the repository, plus Git's own directory.
const SKIPPED_DIRECTORIES = new Set([
  'node_modules',
  'dist',
  'data',
  '.forge-data',
  'coverage',
  'test-artifacts',
  '.git',
]);
// Spelled in pieces so this file does not cite them itself.
const PRIVATE_NOTES = ['forge-platform', 'confluence-rest', 'anchors'].map((name) => `${name}.md`);
const CITATION = /platform-notes\.md#([\p{L}\p{N}_-]+)/gu;

/** GitHub's heading anchor: lower case, punctuation dropped, spaces as hyphens. */
function githubAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

async function listRepositoryFiles(directory = ROOT): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRECTORIES.has(entry.name)) files.push(...(await listRepositoryFiles(full)));
    } else if (entry.isFile() && SCANNED.test(entry.name)) {
      files.push(path.relative(ROOT, full).split(path.sep).join('/'));
    }
  }
  return files;
}

interface Section {
  heading: string;
  anchor: string;
  body: string;
}

function readSections(notes: string): Section[] {
  const sections: Section[] = [];
  let current: Section | undefined;
  let inFence = false;
  for (const line of notes.split('\n')) {
    if (line.startsWith('```')) inFence = !inFence;
    const heading = inFence ? null : /^## (.+)$/.exec(line);
    if (heading) {
      current = { heading: heading[1]!, anchor: githubAnchor(heading[1]!), body: '' };
      sections.push(current);
    } else if (current) {
      current.body += `${line}\n`;
    }
  }
  return sections;
}

describe('platform notes', () => {
  let files: Map<string, string>;
  let sections: Section[];

  beforeAll(async () => {
    files = new Map();
    for (const file of await listRepositoryFiles())
      files.set(file, await readFile(path.join(ROOT, file), 'utf8'));
    sections = readSections(files.get(NOTES) ?? '');
  });

  it('computes anchors the way GitHub does', () => {
    expect(githubAnchor('FIT verification')).toBe('fit-verification');
    expect(githubAnchor('confluence.js against the gateway')).toBe('confluencejs-against-the-gateway');
    expect(githubAnchor('Macro config and adfExport')).toBe('macro-config-and-adfexport');
  });

  it('has sections, each with a distinct anchor and at least one source link', () => {
    expect(sections.length).toBeGreaterThan(0);
    const anchors = sections.map((section) => section.anchor);
    expect(anchors.filter((anchor, index) => anchors.indexOf(anchor) !== index)).toEqual([]);
    const unsourced = sections.filter((section) => !/https:\/\/\S+/.test(section.body));
    expect(unsourced.map((section) => section.heading)).toEqual([]);
  });

  it('is cited only at headings it has', () => {
    const anchors = new Set(sections.map((section) => section.anchor));
    const dangling: string[] = [];
    for (const [file, text] of files) {
      for (const match of text.matchAll(CITATION)) {
        if (!anchors.has(match[1]!)) dangling.push(`${file}: #${match[1]}`);
      }
    }
    expect(dangling).toEqual([]);
  });

  it('is what the code cites, never the private reference notes outside the repository', () => {
    const citing = [...files]
      .filter(([, text]) => PRIVATE_NOTES.some((name) => text.includes(name)))
      .map(([file]) => file);
    expect(citing).toEqual([]);
  });

  it('is cited from the code, so the scan is looking at the right files', () => {
    const citing = [...files].filter(([file, text]) => file !== NOTES && text.includes('platform-notes.md#'));
    expect(citing.length).toBeGreaterThan(20);
  });
});
