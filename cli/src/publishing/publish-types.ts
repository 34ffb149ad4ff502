import type { AttachmentContentType, PageIngestBodyInput } from '@pagewire/shared';

export type HumanEditPolicy = 'skip' | 'overwrite';
export type OrphanPolicy = 'report' | 'archive';

export interface PublishOptions {
  /** The folder, absolute. */
  readonly root: string;
  readonly tree: string;
  /** `--space`; else the first `Space:` header or front matter `space`. */
  readonly spaceKey: string | undefined;
  /** `--parent`: the Confluence page the tree's top pages sit under (else the space's homepage). */
  readonly parentPageId: string | undefined;
  readonly dryRun: boolean;
  readonly onHumanEdit: HumanEditPolicy;
  readonly onOrphan: OrphanPolicy;
  /** `--labels`, added to every page. */
  readonly labels: readonly string[];
}

/** Something the run noticed in a file: `path:line`, a stable code and what to do about it. */
export interface FileWarning {
  readonly path: string;
  readonly line?: number;
  readonly code: string;
  readonly message: string;
}

/** A local image a page shows, uploaded as the page's attachment. */
export interface PageImage {
  readonly name: string;
  readonly path: string;
  readonly contentType: AttachmentContentType;
  readonly sha256: string;
  readonly bytes: Uint8Array;
}

/** One page ready to send: its body (origin included), its images and what was noticed on the way. */
export interface PreparedPage {
  readonly originPath: string;
  readonly externalId: string;
  readonly title: string;
  readonly body: PageIngestBodyInput;
  readonly images: readonly PageImage[];
  /** The external ids of the tree's pages this page links to. */
  readonly linkTargets: readonly string[];
  readonly sourceHash: string;
  readonly warnings: FileWarning[];
  /** The path this page was published from before, when the file was renamed or moved. */
  readonly renamedFrom?: string;
  /** Front matter `skip: true`. */
  readonly skip: boolean;
  /** Set when the file cannot be published (bad front matter, an id clash, another space). */
  readonly error?: { code: string; detail: string };
}

/**
 * What happened to a file (or, with `--dry-run`, what would): the past tense
 * for a real run, the plan's verb for a dry run.
 */
export const fileActions = [
  'created',
  'updated',
  'moved',
  'unchanged',
  'skipped',
  'skipped-human-edit',
  'failed',
  'create',
  'update',
  'move',
  'skip-human-edit',
] as const;
export type FileAction = (typeof fileActions)[number];

export interface FileOutcome {
  readonly path: string;
  readonly externalId: string;
  readonly title: string;
  readonly action: FileAction;
  readonly renamedFrom?: string;
  readonly pageUrl?: string;
  readonly jobId?: string;
  readonly error?: { code: string; detail: string };
  readonly warnings: FileWarning[];
}

export type OrphanAction = 'orphan' | 'archived' | 'archive' | 'archive-refused' | 'failed';

export interface OrphanOutcome {
  readonly path: string;
  readonly externalId: string;
  readonly title: string;
  readonly action: OrphanAction;
  readonly pageUrl?: string;
  readonly error?: { code: string; detail: string };
}

export interface PublishReport {
  readonly tree: string;
  readonly spaceKey: string;
  readonly dryRun: boolean;
  readonly files: FileOutcome[];
  readonly orphans: OrphanOutcome[];
  /** A failure that stopped the run before any file was sent (the backend unreachable, the listing refused). */
  readonly error?: { code: string; detail: string };
  /** Where the run's time went: reading and planning, sending pages, waiting for jobs, orphans. */
  readonly timings?: { planMs: number; sendMs: number; waitMs: number; orphansMs: number };
  readonly exitCode: ExitCode;
}

/** 0 all done, 1 something failed, 2 a usage error, 3 pages left alone because a person edited them. */
export const EXIT = { ok: 0, failed: 1, usage: 2, humanEdits: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class UsageError extends Error {
  override readonly name = 'UsageError';
}
