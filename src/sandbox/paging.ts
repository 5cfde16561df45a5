/**
 * Graph collection pages: `@odata.context`, `value`, and an absolute `@odata.nextLink` with a
 * `$skiptoken` while more remain; a delta round's last page carries `@odata.deltaLink` with a
 * `$deltatoken`. Skip tokens name immutable snapshots, so a nextLink can be fetched again.
 */
import { randomBytes } from 'node:crypto';
import type { Json } from './directory';
import type { SandboxResponse } from './shapes';

export interface Listing {
  items: Json[];
  context: string;
  /** Path and query (without `$skiptoken`) the nextLink repeats, relative to the Graph base. */
  next: { path: string; query: string };
  pageSize: number;
  /** Offsets at which pages end, ascending, for listings cut unevenly (group delta rounds); else every `pageSize` items. */
  pageEnds?: number[];
  /** For delta rounds: the deltaLink to put on the last page. */
  deltaLink?: string;
  /** Delta-token generation the listing belongs to (skip tokens of a round expire with it). */
  generation?: number;
}

interface Cursor {
  listing: Listing;
  offset: number;
}

export class Pager {
  private readonly cursors = new Map<string, Cursor>();

  /** The cursor a `$skiptoken` names, or undefined when unknown. */
  cursor(skiptoken: string): Cursor | undefined {
    return this.cursors.get(skiptoken);
  }

  /** One page of a listing, starting at `offset`. */
  page(base: string, listing: Listing, offset = 0): SandboxResponse {
    const end = listing.pageEnds?.find((pageEnd) => pageEnd > offset) ?? offset + listing.pageSize;
    const body: Record<string, Json> = { '@odata.context': listing.context };
    if (end < listing.items.length) {
      const token = randomBytes(18).toString('base64url');
      this.cursors.set(token, { listing, offset: end });
      const query = listing.next.query ? `${listing.next.query}&` : '';
      body['@odata.nextLink'] = `${base}${listing.next.path}?${query}$skiptoken=${token}`;
    } else if (listing.deltaLink) {
      body['@odata.deltaLink'] = listing.deltaLink;
    }
    body.value = listing.items.slice(offset, end);
    return { status: 200, body };
  }
}
