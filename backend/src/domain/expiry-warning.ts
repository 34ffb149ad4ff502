import type { ExpiryWarning } from '@pagewire/shared';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Most severe last, so "is this level newer than the one announced" is an index comparison. */
export const expiryWarningOrder: readonly ExpiryWarning['level'][] = [
  '30_days',
  '7_days',
  '1_day',
  'expired',
];

function startOfUtcDay(date: Date): number {
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
}

/** Whole days from today (UTC) to an admin-entered `YYYY-MM-DD` expiry date. */
export function daysUntil(expiresOn: string, now: Date): number {
  return Math.round((Date.parse(`${expiresOn}T00:00:00Z`) - startOfUtcDay(now)) / DAY_MS);
}

/**
 * The warning to show for a token expiring on `expiresOn`: 30, 7 and 1 day(s)
 * before, then `expired` once the date has passed (the expiry day itself
 * still counts as "1 day": the token may stop working at any hour of it).
 */
export function expiryWarningFor(expiresOn: string, now: Date): ExpiryWarning | null {
  const daysLeft = daysUntil(expiresOn, now);
  if (daysLeft < 0) return { level: 'expired', daysLeft };
  if (daysLeft <= 1) return { level: '1_day', daysLeft };
  if (daysLeft <= 7) return { level: '7_days', daysLeft };
  if (daysLeft <= 30) return { level: '30_days', daysLeft };
  return null;
}

/** Whether `level` is more severe than the one already announced (so each level is announced once). */
export function isNewerWarning(
  level: ExpiryWarning['level'],
  announced: ExpiryWarning['level'] | null,
): boolean {
  if (announced === null) return true;
  return expiryWarningOrder.indexOf(level) > expiryWarningOrder.indexOf(announced);
}

/**
 * Checks an admin-entered expiry date: after today and at most a year away,
 * because Atlassian API tokens live between 1 day and 1 year
 * (https://support.atlassian.com/atlassian-account/docs/manage-api-tokens-for-your-atlassian-account/).
 * Returns a sentence for the admin, or null when the date is acceptable.
 */
export function checkExpiryDate(expiresOn: string, now: Date): string | null {
  const parsed = Date.parse(`${expiresOn}T00:00:00Z`);
  if (Number.isNaN(parsed)) return 'must be a date (YYYY-MM-DD)';
  const today = startOfUtcDay(now);
  if (parsed <= today) return 'must be a date in the future';
  const todayDate = new Date(today);
  // One calendar year plus a day of slack for admins east of UTC.
  const limit =
    Date.UTC(todayDate.getUTCFullYear() + 1, todayDate.getUTCMonth(), todayDate.getUTCDate()) + DAY_MS;
  if (parsed > limit) return 'must be at most one year away: Atlassian API tokens expire within a year';
  return null;
}
