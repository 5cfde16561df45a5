/**
 * What `/users/delta` returns for a round: every active user on the first round; on later
 * rounds only users changed since the token, as documented: an updated user carries its id and
 * the changed properties only, a soft-deleted one `@removed: {reason: "changed"}`, a permanently
 * deleted one `@removed: {reason: "deleted"}`, a created or restored one all selected properties.
 * Without `Prefer: return=minimal` an updated user carries every selected property that has a
 * value (unset ones absent) plus the changed ones, as Graph does by default.
 */
import { projectUser, type Directory, type Json } from './directory';

export function usersDelta(directory: Directory, sinceSeq: number | undefined, select: string[] | undefined, minimal: boolean): Json[] {
  if (sinceSeq === undefined) return [...directory.users.values()].map((user) => projectUser(user, select));

  const byUser = new Map<string, { whole: boolean; properties: Set<string>; last: number }>();
  for (const change of directory.changes) {
    if (change.seq <= sinceSeq) continue;
    const entry = byUser.get(change.id) ?? { whole: false, properties: new Set<string>(), last: 0 };
    if (change.kind === 'created' || change.kind === 'restored') entry.whole = true;
    for (const property of change.properties ?? []) entry.properties.add(property);
    entry.last = change.seq;
    byUser.set(change.id, entry);
  }

  const ordered = [...byUser.entries()].sort(([, a], [, b]) => a.last - b.last);
  const result: Json[] = [];
  for (const [id, entry] of ordered) {
    const user = directory.users.get(id);
    if (!user) {
      const reason = directory.softDeleted.has(id) ? 'changed' : 'deleted';
      result.push({ id, '@removed': { reason } });
      continue;
    }
    if (entry.whole) {
      result.push(projectUser(user, select));
      continue;
    }
    const changed = [...entry.properties].filter((property) => !select || select.includes(property));
    if (changed.length === 0) continue;
    const shown: Record<string, Json> = { id };
    if (!minimal) {
      for (const property of select ?? Object.keys(user)) if (user[property] !== undefined) shown[property] = user[property]!;
    }
    for (const property of changed) shown[property] = user[property] ?? null;
    result.push(shown);
  }
  return result;
}
