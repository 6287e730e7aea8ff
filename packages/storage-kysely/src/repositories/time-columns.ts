/**
 * Times are stored as integer milliseconds since the epoch (see database.ts); these convert at
 * the edge of the repositories so the rest of the code only sees Date.
 */

export function toMillis(date: Date): number {
  const millis = date.getTime();
  // An Invalid Date would be stored as NULL or NaN and silently break every comparison.
  if (!Number.isFinite(millis)) throw new RangeError('Cannot store an invalid Date');
  return millis;
}

export function toNullableMillis(date: Date | null): number | null {
  return date === null ? null : toMillis(date);
}

export function toDate(millis: number): Date {
  return new Date(millis);
}

export function toNullableDate(millis: number | null): Date | null {
  return millis === null ? null : new Date(millis);
}
