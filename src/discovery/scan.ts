/**
 * One scan of an app's target for accounts that match no source object. For each kind the app
 * provisions (users; groups when enabled and the target takes them) it reads the directory
 * once into a {@link DirectoryIndex}, then lists the target a page at a time (within the app's
 * rate budget) and compares each account with the anchors: an account no anchor holds is
 * `local`, one whose anchor names a source object the directory no longer has is an `orphan`.
 * Each gets its nearest source object, and the page is recorded before the next is read. A
 * retried scan starts over; what it records is the same.
 */
import { ProvisioningError, type ErrorInfo } from '../errors/index';
import type { ScimResource } from '../scim/index';
import type { FoundAccount, ScanCounts } from '../store/index';
import { GROUPS, USERS, type AppContext, type ObjectKind, type Progress, type SyncEnv } from '../sync/index';
import { listTargetPages } from '../sync/target-indexes';
import { DirectoryIndex, type Candidate } from './candidates';
import type { ScanInput } from './contract';
import { accountView, directoryEntry } from './views';

/** The kinds a scan compares: those the app provisions into a target that takes them. */
function scannedKinds(ctx: AppContext): ObjectKind[] {
  return [USERS, GROUPS].filter((kind) => kind.enabled(ctx) && !kind.unsupported(ctx));
}

/** Reads every object of the kind in the directory (a delta round from the start, its link not kept). */
async function readDirectory(ctx: AppContext, kind: ObjectKind, progress: Progress): Promise<DirectoryIndex> {
  const directory = new DirectoryIndex();
  const { mapping } = kind.reconcile(ctx);
  let link: string | undefined;
  do {
    const page = await kind.readPage(ctx, link, 'initial');
    for (const object of page.objects) if (!object.removed) directory.add(directoryEntry(object, mapping));
    progress.beat({ [`${kind.noun}sRead`]: directory.size });
    link = page.nextLink;
  } while (link);
  return directory;
}

/** The accounts of one page of the target that match no source object. */
async function unmatchedOf(
  env: SyncEnv,
  ctx: AppContext,
  kind: ObjectKind,
  directory: DirectoryIndex,
  resources: readonly ScimResource[],
): Promise<FoundAccount[]> {
  const { mapping } = kind.reconcile(ctx);
  const listed = resources.filter((resource): resource is ScimResource & { id: string } => typeof resource.id === 'string');
  const anchors = await env.store.anchors.byTargetIds(
    ctx.app.id,
    kind.type,
    listed.map((resource) => resource.id),
  );
  const found = listed.flatMap((resource): FoundAccount[] => {
    const anchor = anchors.get(resource.id);
    if (anchor && directory.has(anchor.sourceId)) return [];
    const account = accountView(resource, mapping);
    const candidate: Candidate | null = directory.candidateFor(account) ?? null;
    return [
      {
        objectType: kind.type,
        targetId: resource.id,
        kind: anchor ? 'orphan' : 'local',
        account,
        managed: mapping.read(resource, mapping.paths) as FoundAccount['managed'],
        orphanedSourceId: anchor?.sourceId ?? null,
        candidate,
      },
    ];
  });
  // A candidate that already has an account in the app says so: the unmatched one may be its duplicate.
  const candidates = found.flatMap((f) => (f.candidate ? [f.candidate.objectId] : []));
  const held = await env.store.anchors.getMany(ctx.app.id, kind.type, candidates);
  for (const f of found) {
    const anchor = f.candidate && held.get(f.candidate.objectId);
    if (f.candidate && anchor) {
      f.candidate = {
        ...f.candidate,
        reason: `${f.candidate.reason}; it already has account ${anchor.targetId} in the app`,
        linkedTargetId: anchor.targetId,
      };
    }
  }
  return found;
}

/** Scans the app's target; the store has its state, its accounts and its counts. */
export async function scanUnmatched(env: SyncEnv, input: ScanInput, progress: Progress): Promise<ScanCounts> {
  const { appId, scanId } = input;
  const ctx = await env.appContext(appId);
  await env.store.unmatchedAccounts.beginScan(appId, scanId, env.now());
  const counts = { listed: 0, unmatched: 0, local: 0, orphaned: 0 };
  for (const kind of scannedKinds(ctx)) {
    const directory = await readDirectory(ctx, kind, progress);
    await listTargetPages(ctx, kind, async (resources) => {
      const found = await unmatchedOf(env, ctx, kind, directory, resources);
      await env.store.unmatchedAccounts.record(appId, scanId, found, env.now());
      counts.listed += resources.length;
      counts.unmatched += found.length;
      counts.local += found.filter((f) => f.kind === 'local').length;
      counts.orphaned += found.filter((f) => f.kind === 'orphan').length;
      progress.beat({ ...counts });
      if (progress.stopped?.()) throw new ProvisioningError({ kind: 'transient', code: 'Stopped', message: 'the scan was asked to stop' });
    });
  }
  const finished = await env.store.unmatchedAccounts.finishScan(appId, scanId, counts, env.now());
  if (!finished) {
    throw new ProvisioningError({ kind: 'permanent', code: 'Stopped', message: `a later scan of app ${appId} replaced scan ${scanId}` });
  }
  env.logger.info({ appId, scanId, ...finished }, 'scanned the target for unmatched accounts');
  return finished;
}

/** Records that the scan failed for good, with its error. */
export async function failScan(env: SyncEnv, input: ScanInput & { error: ErrorInfo }): Promise<void> {
  await env.store.unmatchedAccounts.failScan(input.appId, input.scanId, input.error, env.now());
}
