/**
 * "updated 3 min ago": the freshness line under every block. Deterministic for
 * a given `now`, so the screens take the clock as a parameter.
 */
export function describeAge(isoTime: string, now: Date): string {
  const then = Date.parse(isoTime);
  if (Number.isNaN(then)) return 'at an unknown time';
  const seconds = Math.round((now.getTime() - then) / 1000);
  // Clocks on the source, the backend and this browser drift a little; a few
  // seconds "in the future" is still "just now".
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return hours === 1 ? '1 hour ago' : `${hours} hours ago`;
  const days = Math.round(hours / 24);
  if (days < 30) return days === 1 ? 'yesterday' : `${days} days ago`;
  return `on ${formatDate(isoTime)}`;
}

/** `28 Nov 2026`, independent of the viewer's locale so exports and tests agree. */
export function formatDate(isoTime: string): string {
  const date = new Date(isoTime);
  if (Number.isNaN(date.getTime())) return isoTime;
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  return `${date.getUTCDate()} ${months[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

/** `28 Nov 2026, 09:57 UTC`: exact times are shown in UTC, labelled as such. */
export function formatDateTime(isoTime: string): string {
  const date = new Date(isoTime);
  if (Number.isNaN(date.getTime())) return isoTime;
  return `${formatDate(isoTime)}, ${date.toISOString().slice(11, 16)} UTC`;
}
