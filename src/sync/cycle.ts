/**
 * The parts of a cycle around its rounds: the beginning (initial or incremental, capabilities
 * read again when stale, held-back deletions released), the phases after the rounds
 * (assignments and roles, references), and the end (watermarks, role snapshot, counts from the
 * provisioning log, the quarantine verdict and the alert rules).
 */
import { alertSettings, cycleRuleVerdicts } from '../alerts/index';
import { deprovisionThreshold } from '../config/app';
import { ProvisioningError, toErrorInfo } from '../errors/index';
import { discoverCapabilities } from '../scim/index';
import type { AppContext } from './app-context';
import { reconcileAssignmentChanges, reconcileRoleChanges, snapshotRoles } from './assignments';
import type { AppConfig } from '../config/app';
import { cycleState, cycleVerdict, givesUp, quarantineSettings, type CycleOutcome } from '../quarantine/index';
import type { BeginCycleInput, BeginCycleResult, CycleSummary, FinishCycleInput, PhaseResult, QuarantineSeries, Round } from './contract';
import type { SyncEnv } from './env';
import { GROUPS, USERS } from './kinds';
import type { Progress } from './progress';
import { resolveReferences } from './references';
import { roundKindOf } from './rounds';
import { isPeerAway } from './app-errors';
import { assignedIds } from './scope';

/** Capabilities are read again at the start of a cycle once they are this old. */
const REDISCOVER_AFTER_MS = 24 * 3600_000;

/**
 * Reads the target's capabilities again when they were never read or are a day old, and keeps
 * them with the app (the next activities pick them up). A target that cannot tell keeps its
 * profile: discovery notes what it could not read and never fails a cycle.
 */
async function rediscoverWhenStale(env: SyncEnv, ctx: AppContext): Promise<void> {
  const discoveredAt = ctx.app.capabilities?.discovered?.discoveredAt;
  if (discoveredAt && env.now().getTime() - Date.parse(discoveredAt) < REDISCOVER_AFTER_MS) return;
  try {
    const { profile, notes } = await discoverCapabilities(ctx.target, { now: env.now });
    await env.store.apps.update(ctx.app.id, { capabilities: { overrides: ctx.app.capabilities?.overrides ?? {}, discovered: profile } });
    if (notes.length) env.logger.info({ appId: ctx.app.id, notes }, 'target capabilities read, with notes');
  } catch (error) {
    env.logger.warn({ appId: ctx.app.id, err: toErrorInfo(error) }, 'reading the target capabilities failed; the current profile stays');
  }
}

/** The groups round a cycle runs: none when the app does not provision groups; initial when the memberships are due a comparison. */
async function groupsRoundOf(env: SyncEnv, ctx: AppContext): Promise<Round | null> {
  if (!GROUPS.enabled(ctx)) return null;
  const sync = await env.store.syncState.get(ctx.app.id, 'group');
  const compareEveryMs = (ctx.app.groups?.compareMembersHours ?? 24) * 3600_000;
  const due = !sync?.comparedAt || env.now().getTime() - Date.parse(sync.comparedAt) >= compareEveryMs;
  if (!sync?.deltaLink || sync.configVersion !== ctx.app.configVersion || due) return { kind: 'initial', startLink: null };
  return { kind: 'incremental', startLink: sync.deltaLink };
}

/** Starts cycle `n` (again, idempotently): initial after a mapping or scope change or without a delta link, else incremental. */
export async function beginCycle(env: SyncEnv, { appId, n, forceDeletes }: BeginCycleInput): Promise<BeginCycleResult> {
  const ctx = await env.appContext(appId);
  const sync = await env.store.syncState.get(appId, 'user');
  const incremental = Boolean(sync?.deltaLink) && sync?.configVersion === ctx.app.configVersion;
  const cycle = await env.store.cycles.start({
    appId,
    n,
    kind: incremental ? 'incremental' : 'initial',
    ...(forceDeletes !== undefined && { forceDeletes }),
  });
  await rediscoverWhenStale(env, ctx);
  // The deprovisionings held back by the guard are retried by this cycle's escrow phase.
  if (forceDeletes) await env.store.escrow.releaseStaged(appId, env.now());
  env.logger.info({ appId, cycleId: cycle.id, kind: cycle.kind }, 'cycle started');
  return {
    cycleId: cycle.id,
    kind: cycle.kind,
    startedAt: cycle.startedAt,
    startLink: cycle.kind === 'incremental' ? (sync?.deltaLink ?? null) : null,
    groups: await groupsRoundOf(env, ctx),
    references: ctx.users.references !== undefined,
  };
}

/** How many users an initial round reads, for the progress display; null when the source cannot tell. */
export async function countSourceObjects(env: SyncEnv, appId: string, cycleId: string): Promise<number | null> {
  const ctx = await env.appContext(appId);
  const { scope, servicePrincipalId } = ctx.app.source;
  // The total only feeds the progress display: a source that cannot count does not hold a cycle
  // up (the round's own reads fail, are bounded and recorded).
  try {
    if (scope === 'assigned' && servicePrincipalId) return (await assignedIds(env, ctx, USERS, servicePrincipalId, cycleId)).size;
    return (await ctx.source.countUsers?.()) ?? null;
  } catch (error) {
    env.logger.warn({ appId, err: toErrorInfo(error) }, 'counting the source users failed; progress shows no total');
    return null;
  }
}

/** The users' incremental phase: app-role changes, then users assigned or unassigned since the last round. */
export async function reconcileAssignments(env: SyncEnv, appId: string, cycleId: string, progress: Progress): Promise<PhaseResult> {
  const ctx = await env.appContext(appId);
  const roles = await reconcileRoleChanges(env, ctx, cycleId, progress);
  return { processed: roles + (await reconcileAssignmentChanges(env, ctx, USERS, cycleId, progress)) };
}

/** The end of a cycle's work: groups assigned or unassigned since the last round, then the references that can be written now. */
export async function resolveCycleReferences(
  env: SyncEnv,
  appId: string,
  cycleId: string,
  progress: Progress,
): Promise<PhaseResult & { resolved: number }> {
  const ctx = await env.appContext(appId);
  const groups = await reconcileAssignmentChanges(env, ctx, GROUPS, cycleId, progress);
  const resolved = await resolveReferences(env, ctx, { cycleId, phase: 'references' }, progress);
  return { processed: groups + resolved.managers, resolved: resolved.managers + resolved.members };
}

/** Change ids of reference writes (a group's members, a manager): their failures do not quarantine a job. */
export const REFERENCE_CHANGES = ['%:members:%', '%:references-%'];

/**
 * Ends a cycle: a completed round's delta link becomes the next cycle's watermark, an initial
 * cycle's roles the snapshot later cycles compare with, and the counts come from the cycle's
 * provisioning-log entries (exact, retries included). The cycle's state and quarantine verdict
 * follow from them (src/quarantine): a quarantine that starts or changes its reason raises an
 * alert, and one that has lasted past the app's limit disables the job and drops its escrows.
 */
export async function finishCycle(env: SyncEnv, input: FinishCycleInput): Promise<CycleSummary> {
  const { appId, cycleId, error } = input;
  const { store } = env;
  const app = await store.apps.get(appId);
  if (!error && app) {
    if (input.deltaLink)
      await store.syncState.set({ appId, objectType: 'user', deltaLink: input.deltaLink, configVersion: app.configVersion });
    const groups = input.groups;
    if (groups?.deltaLink) {
      const compared = roundKindOf(groups.kind) === 'initial';
      await store.syncState.set({
        appId,
        objectType: 'group',
        deltaLink: groups.deltaLink,
        configVersion: app.configVersion,
        ...(compared && { comparedAt: env.now() }),
      });
    }
    if (input.kind === 'initial') await snapshotRoles(env, await env.appContext(appId));
  }
  env.perCycle.forget(cycleId);
  const { staged, ...counts } = await store.provisioningLog.countsByCycle(cycleId);
  const lastError = await store.appErrors.get(appId);
  const outcome = {
    error,
    counts,
    staged,
    referenceFailures: await store.provisioningLog.failuresMatching(cycleId, REFERENCE_CHANGES),
    peerAway: lastError?.cycleId === cycleId && isPeerAway(lastError.error) ? lastError.error.message : undefined,
  };
  const state = cycleState(outcome);
  const cycle = await store.cycles.finish(cycleId, { state, error, counts });
  if (!cycle) throw new ProvisioningError({ kind: 'permanent', code: 'NotFound', message: `cycle ${cycleId} does not exist` });
  if (state === 'succeeded') await store.appErrors.clear(appId);
  observeCycle(env, appId, cycle, state);
  const verdict = app && !input.stopped ? await quarantineVerdict(env, app, cycleId, outcome, input.quarantined ?? null) : null;
  if (app && !input.stopped) await cycleAlerts(env, app, cycleId, outcome, verdict !== null);
  return {
    id: cycle.id,
    kind: cycle.kind,
    state,
    startedAt: cycle.startedAt,
    finishedAt: cycle.finishedAt ?? env.now().toISOString(),
    counts: cycle.counts,
    staged,
    ...(cycle.error && { error: cycle.error.detail ? `${cycle.error.message}: ${cycle.error.detail}` : cycle.error.message }),
    quarantine: verdict,
  };
}

/** The cycle's duration, and when it succeeded, its finish as the app's last successful cycle. */
function observeCycle(
  env: SyncEnv,
  appId: string,
  cycle: { kind: string; startedAt: string; finishedAt: string | null },
  state: string,
): void {
  if (!env.metrics) return;
  const finishedAt = cycle.finishedAt ? Date.parse(cycle.finishedAt) : env.now().getTime();
  const seconds = Math.max(0, (finishedAt - Date.parse(cycle.startedAt)) / 1000);
  env.metrics.cycleDuration.observe({ app: appId, kind: cycle.kind, state }, seconds);
  if (state === 'succeeded') env.metrics.lastSuccessfulCycle.set({ app: appId }, finishedAt / 1000);
}

/**
 * The cycle's quarantine verdict, with its alert when a quarantine starts or its reason changes,
 * and the job disabled (escrows dropped) when a series has lasted past the app's limit.
 */
async function quarantineVerdict(
  env: SyncEnv,
  app: AppConfig,
  cycleId: string,
  outcome: CycleOutcome,
  quarantined: QuarantineSeries | null,
) {
  const settings = quarantineSettings(app);
  const verdict = cycleVerdict(outcome, settings);
  if (!verdict) return null;
  const at = env.now();
  // Held-back deletions wait for an admin; every other reason is tried again, until the limit.
  const disable =
    verdict.reason !== 'TooManyDeletes' && quarantined !== null && givesUp(Date.parse(quarantined.seriesBegan), at.getTime(), settings);
  // The job's state says whether the quarantine starts or changes its reason; the condition is
  // per cycle, so a retried finish alerts once.
  const alert = async (reason: string, message: string) => {
    if (!alertSettings(app).quarantine.enabled) return;
    const event = { type: 'quarantine', appId: app.id, reason, cycleId, at: at.toISOString(), message };
    await env.alerter.raise({ rule: 'quarantine', condition: `${cycleId}:${reason}`, event });
  };
  if (disable) {
    const dropped = await env.store.escrow.clear(app.id);
    await alert(
      'Disabled',
      `${app.displayName}: quarantined since ${quarantined.seriesBegan} (${settings.disableAfterDays} days); the job is disabled and ${dropped} escrowed objects were dropped; restart it once the cause is fixed`,
    );
  } else if (verdict.reason === 'TooManyDeletes' && quarantined?.reason !== 'TooManyDeletes') {
    await alert(
      verdict.reason,
      `${app.displayName}: cycle ${cycleId} held back ${outcome.staged} deprovisionings past the threshold of ${deprovisionThreshold(app)}; ` +
        'the job is quarantined until an admin allows the deletes',
    );
  } else if (quarantined?.reason !== verdict.reason) {
    await alert(
      verdict.reason,
      `${app.displayName}: the job is quarantined (${verdict.reason}): ${verdict.detail}; the next attempt follows Entra's schedule`,
    );
  }
  return { ...verdict, ...(disable && { disable: true }) };
}

/** Payload types of the rules a cycle's end decides. */
const CYCLE_ALERT_TYPES = { cycleFailures: 'cycle-failures', deprovisions: 'deprovisions', unresolvedReferences: 'unresolved-references' };

/**
 * The alert rules a cycle's end decides (src/alerts/rules.ts): a condition that holds alerts
 * when it is new, one that no longer holds is over.
 */
async function cycleAlerts(env: SyncEnv, app: AppConfig, cycleId: string, outcome: CycleOutcome, quarantined: boolean): Promise<void> {
  const waiting = await env.store.references.waiting(app.id);
  const facts = {
    cycleId,
    counts: outcome.counts,
    referenceFailures: outcome.referenceFailures,
    pendingReferences: waiting.count,
    unresolvedCycles: waiting.oldestSince === null ? 0 : await env.store.cycles.finishedSince(app.id, waiting.oldestSince),
    quarantined,
  };
  const at = env.now().toISOString();
  for (const { rule, alert } of cycleRuleVerdicts(facts, alertSettings(app), app.displayName)) {
    if (!alert) await env.alerter.clear(app.id, rule);
    else {
      const event = { type: CYCLE_ALERT_TYPES[rule], appId: app.id, reason: alert.reason, cycleId, at, message: alert.message };
      await env.alerter.raise({ rule, condition: alert.condition, event });
    }
  }
}
