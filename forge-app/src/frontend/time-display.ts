/**
 * The frontends' times ("updated 3 min ago", `28 Nov 2026, 09:57 UTC`) are the
 * ones every block surface uses, from the shared presentation formats.
 */
export { describeAge, formatDate, formatDateTime } from '@pagewire/shared';
