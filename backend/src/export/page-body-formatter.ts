import type { AdfDocument } from '@pagewire/shared';

/**
 * Turns a page's ADF into the export's text formats: GitHub-flavoured
 * Markdown and plain text (backend/src/adf/adf-to-markdown.ts and
 * adf-to-text.ts, wired in index.ts). Declared here so the export depends on
 * the shape, not on the converter's module.
 */
export interface PageBodyFormatter {
  markdown(document: AdfDocument): string;
  text(document: AdfDocument): string;
}
