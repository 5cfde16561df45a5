/**
 * The nearest source object for a target account that matches none: pure, no I/O. The
 * directory is read once into a {@link DirectoryIndex} of what identifies each object (the
 * values the app's mappings give its matching attributes, its e-mail addresses, its names);
 * each unmatched account then asks it for its best candidate and why.
 *
 * The rules, strongest first: the account's matching attribute equals the value the mappings
 * give the object; its `externalId` is the object's id; one of its e-mail addresses is one of
 * the object's; its `userName` is the object's userPrincipalName or mail, then only their local
 * parts agree; its display name is the object's, then is close to it (edit distance).
 */
import { distance } from 'fastest-levenshtein';

/** What identifies one directory object. */
export interface DirectoryEntry {
  id: string;
  displayName: string | null;
  userPrincipalName: string | null;
  mail: string | null;
  /** The values the app's mappings give the matching attributes: SCIM path → value. */
  matching: Record<string, string>;
  /** Every e-mail address of the object (mail, userPrincipalName, other mails, the mapped emails). */
  emails: string[];
}

/** What identifies one target account. */
export interface AccountView {
  userName: string | null;
  displayName: string | null;
  externalId: string | null;
  emails: string[];
  /** The account's values of the matching attributes: SCIM path → value. */
  matching: Record<string, string>;
  active: boolean | null;
}

export type CandidateBasis = 'matchingAttribute' | 'externalId' | 'email' | 'userName' | 'userNameLocalPart' | 'displayName';

/** The nearest source object for an account, and why. */
export interface Candidate {
  objectId: string;
  displayName: string | null;
  userPrincipalName: string | null;
  mail: string | null;
  basis: CandidateBasis;
  /** 0..1, higher is nearer: 1 for the matching attribute, down to 0.56 for a display name four fifths alike. */
  score: number;
  /** The rule in words, with the values that met. */
  reason: string;
  /** Other directory objects that meet the same rule equally well (the candidate is the first by id). */
  others: number;
  /** The account the candidate already has in the app, if any: the unmatched one may be its duplicate. */
  linkedTargetId?: string;
}

/** Display names at least this alike (1 - distance / longer length) make a candidate. */
export const NAME_SIMILARITY = 0.8;

const SCORES: Record<CandidateBasis, number> = {
  matchingAttribute: 1,
  externalId: 0.95,
  email: 0.9,
  userName: 0.85,
  displayName: 0.7,
  userNameLocalPart: 0.6,
};

/** Lower case, accents and punctuation gone, spaces collapsed: `Zoë  O'Neil` → `zoe o neil`. */
export function normalizeName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** 1 for equal strings, 0 for nothing in common: 1 - edit distance / the longer length. */
export function similarity(a: string, b: string): number {
  const longer = Math.max(a.length, b.length);
  return longer === 0 ? 1 : 1 - distance(a, b) / longer;
}

const lower = (value: string) => value.trim().toLowerCase();
const localPart = (address: string) => {
  const at = address.indexOf('@');
  return at > 0 ? lower(address.slice(0, at)) : undefined;
};

/** The directory objects of one kind, indexed by what identifies them. */
export class DirectoryIndex {
  private readonly entries = new Map<string, DirectoryEntry>();
  private readonly byMatching = new Map<string, string[]>();
  private readonly byEmail = new Map<string, string[]>();
  private readonly byLocalPart = new Map<string, string[]>();
  private readonly byName = new Map<string, string[]>();
  private readonly byNameToken = new Map<string, string[]>();

  get size(): number {
    return this.entries.size;
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  add(entry: DirectoryEntry): void {
    if (this.entries.has(entry.id)) return;
    this.entries.set(entry.id, entry);
    for (const [path, value] of Object.entries(entry.matching))
      push(this.byMatching, `${path.toLowerCase()}\u0000${lower(value)}`, entry.id);
    const addresses = new Set([...entry.emails, entry.mail, entry.userPrincipalName].filter(isText).map(lower));
    for (const address of addresses) {
      push(this.byEmail, address, entry.id);
      const local = localPart(address);
      if (local) push(this.byLocalPart, local, entry.id);
    }
    if (entry.displayName) {
      const name = normalizeName(entry.displayName);
      push(this.byName, name, entry.id);
      for (const token of new Set(name.split(' '))) if (token.length >= 2) push(this.byNameToken, token, entry.id);
    }
  }

  /** The nearest object for the account by the strongest rule any object meets; undefined when none does. */
  candidateFor(account: AccountView): Candidate | undefined {
    for (const [path, value] of Object.entries(account.matching)) {
      const ids = this.byMatching.get(`${path.toLowerCase()}\u0000${lower(value)}`);
      if (ids) return this.candidate(ids, 'matchingAttribute', `${path} "${value}" is the value the app's mappings give this object`);
    }
    if (account.externalId && this.entries.has(account.externalId)) {
      return this.candidate([account.externalId], 'externalId', `externalId "${account.externalId}" is the object's id`);
    }
    for (const address of new Set(account.emails.filter(isText).map(lower))) {
      const ids = this.byEmail.get(address);
      if (ids) return this.candidate(ids, 'email', `e-mail address "${address}" is one of the object's`);
    }
    if (account.userName) {
      const ids = this.byEmail.get(lower(account.userName));
      if (ids) return this.candidate(ids, 'userName', `userName "${account.userName}" is the object's userPrincipalName or mail`);
    }
    const named = account.displayName ? this.byDisplayName(account.displayName) : undefined;
    if (named) return named;
    const local = account.userName ? (localPart(account.userName) ?? lower(account.userName)) : undefined;
    const ids = local ? this.byLocalPart.get(local) : undefined;
    if (ids) return this.candidate(ids, 'userNameLocalPart', `userName "${account.userName}" has the local part of the object's address`);
    return undefined;
  }

  private byDisplayName(displayName: string): Candidate | undefined {
    const name = normalizeName(displayName);
    if (name === '') return undefined;
    const same = this.byName.get(name);
    if (same) return this.candidate(same, 'displayName', `display name "${displayName}" is the object's`);
    // Only objects sharing a word of the name are compared: no scan of the whole directory per account.
    const compared = new Set(
      name
        .split(' ')
        .filter((token) => token.length >= 2)
        .flatMap((token) => this.byNameToken.get(token) ?? []),
    );
    let best: { ids: string[]; alike: number } | undefined;
    for (const id of compared) {
      const alike = similarity(name, normalizeName(this.entries.get(id)!.displayName!));
      if (alike < NAME_SIMILARITY || (best && alike < best.alike)) continue;
      if (best && alike === best.alike) best.ids.push(id);
      else best = { ids: [id], alike };
    }
    if (!best) return undefined;
    const percent = Math.round(best.alike * 100);
    const first = this.entries.get([...best.ids].sort()[0]!)!;
    return this.candidate(
      best.ids,
      'displayName',
      `display name "${displayName}" is ${percent}% alike the object's "${first.displayName}"`,
      SCORES.displayName * best.alike,
    );
  }

  private candidate(ids: readonly string[], basis: CandidateBasis, reason: string, score = SCORES[basis]): Candidate {
    const sorted = [...ids].sort();
    const entry = this.entries.get(sorted[0]!)!;
    return {
      objectId: entry.id,
      displayName: entry.displayName,
      userPrincipalName: entry.userPrincipalName,
      mail: entry.mail,
      basis,
      score: Math.round(score * 100) / 100,
      reason: sorted.length > 1 ? `${reason}; ${sorted.length - 1} more object${sorted.length > 2 ? 's meet' : ' meets'} it too` : reason,
      others: sorted.length - 1,
    };
  }
}

function push(map: Map<string, string[]>, key: string, id: string): void {
  const ids = map.get(key);
  if (!ids) map.set(key, [id]);
  else if (!ids.includes(id)) ids.push(id);
}

function isText(value: string | null | undefined): value is string {
  return typeof value === 'string' && value.trim() !== '';
}
