/**
 * The console shows every time in UTC, the audit trail's own zone, so that what staff read matches
 * what they find in logs and tickets whatever their machine's zone: `2026-01-02 03:04:05 UTC`.
 */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A `<input type="datetime-local">` value read as UTC (`2026-01-02T03:04` → RFC 3339), or undefined. */
export function utcInputToIso(value: string): string | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?$/.exec(value);
  if (!match) return undefined;
  const iso = `${match[1]}T${match[2]}${match[3] ?? ':00'}.000Z`;
  return Number.isNaN(new Date(iso).getTime()) ? undefined : iso;
}

/** The reverse: an RFC 3339 timestamp as a UTC `datetime-local` value (minutes), or ''. */
export function isoToUtcInput(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) || iso === '' ? '' : date.toISOString().slice(0, 16);
}
