/**
 * How Pagewire writes numbers and times for readers, on every surface (the
 * live macro, the snapshot in the page, the export). Fixed to English and UTC,
 * not the viewer's or the server's locale, so the same block reads, and
 * hashes, the same wherever it is rendered.
 */

const plain = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const plainSigned = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2, signDisplay: 'exceptZero' });
const small = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 2 });
const smallSigned = new Intl.NumberFormat('en-US', {
  maximumSignificantDigits: 2,
  signDisplay: 'exceptZero',
});

/**
 * `12,345.68`: at most two decimals, which is what a reader compares at a
 * glance. A non-zero number under 0.01 keeps two significant digits
 * (`0.0042`) instead of reading as a misleading `0`. `signed` writes `+` on
 * positive numbers (changes, deltas).
 */
export function formatNumber(value: number, options: { signed?: boolean } = {}): string {
  const tiny = value !== 0 && Math.abs(value) < 0.01;
  if (options.signed) return (tiny ? smallSigned : plainSigned).format(value);
  return (tiny ? small : plain).format(value);
}

/** A value and its unit: `%` and other one-character units hug the number, words get a space. */
export function withUnit(value: string, unit: string | undefined): string {
  if (!unit) return value;
  return unit.length === 1 ? `${value}${unit}` : `${value} ${unit}`;
}

/** "updated 3 min ago": deterministic for a given `now`, so callers pass the clock. */
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

/** "an hour", "2 days", "45 min": a staleness threshold as a sentence says it. */
export function describeMinutes(minutes: number): string {
  if (minutes % 1440 === 0) return minutes === 1440 ? 'a day' : `${minutes / 1440} days`;
  if (minutes % 60 === 0) return minutes === 60 ? 'an hour' : `${minutes / 60} hours`;
  return `${minutes} min`;
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `28 Nov 2026`; a string that is not a date is shown as it is. */
export function formatDate(isoTime: string): string {
  const date = new Date(isoTime);
  if (Number.isNaN(date.getTime())) return isoTime;
  return `${date.getUTCDate()} ${months[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

/** `28 Nov 2026, 09:57 UTC`: exact times are shown in UTC, labelled as such. */
export function formatDateTime(isoTime: string): string {
  const date = new Date(isoTime);
  if (Number.isNaN(date.getTime())) return isoTime;
  return `${formatDate(isoTime)}, ${date.toISOString().slice(11, 16)} UTC`;
}
