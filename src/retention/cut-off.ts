const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The time before which entries kept for `days` are purged, at `now`: exactly `days` times 24
 * hours earlier (an entry recorded at the cut-off itself is kept).
 *
 * @example
 * cutOff(new Date('2026-03-31T12:00:00Z'), 30); // '2026-03-01T12:00:00.000Z'
 */
export function cutOff(now: Date, days: number): string {
  return new Date(now.getTime() - days * DAY_MS).toISOString();
}
