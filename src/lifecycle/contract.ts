/**
 * The contract between the lifecycle workflows (joiner, mover, leaver, rehire) and their
 * activities: types only, imported by `workflows/` and `activities/` alike. Everything here
 * crosses the workflow history, so it holds ids, names for operators, outcomes and errors:
 * never a secret and never a person's attributes.
 */
import type { ErrorInfo } from '../errors/index';
import type { LifecycleEventType, LifecycleSettings, PersonState } from './index';
import type { LogAction } from '../reconcile/index';

/** An app as a lifecycle run sees it: its id and name, and its lifecycle settings. */
export interface LifecycleApp extends LifecycleSettings {
  appId: string;
  displayName: string;
}

/** What one app did for a person. `NotFound`: the directory has no such user (yet). */
export interface PersonAppResult {
  appId: string;
  status: 'Success' | 'Failure' | 'Skipped' | 'Warning' | 'NotFound';
  action: LogAction | null;
  targetId: string | null;
  reason: string;
  error?: ErrorInfo;
}

export interface PersonInApp {
  appId: string;
  objectId: string;
  /** The lifecycle event the run carries out; names its log entries. */
  eventId: string;
  /** The run's try for this app (1, 2, ...): each try is one provisioning-log entry, a retried activity none more. */
  attempt: number;
}

export interface LifecycleAlert {
  /** e.g. `leaver-overdue`. */
  type: string;
  /** Machine-readable reason; default `LeaverNotDone`. */
  reason?: string;
  objectId: string;
  eventId: string;
  displayName: string | null;
  /** The apps not done, with their last error. */
  apps: { appId: string; displayName: string; error: string | null }[];
  message: string;
}

/** An HR event held until the directory names its person (it came by employee id while the directory was away). */
export interface PendingLifecycleEvent {
  eventId: string;
  type: LifecycleEventType;
  /** ISO 8601, UTC. */
  effectiveAt: string;
}

/** How the intake carried out a pending event: the run it started or signalled, or the accepted event that made it stale. */
export interface DeliveredEvent {
  workflowId: string | null;
  supersededBy: string | null;
}

/** The lifecycle activity functions, as workflows see them (type-only import). */
export interface LifecycleActivities {
  /**
   * Looks a person known by employee id up in the directory; once found, the person is recorded
   * (in `state` when new) and the events received under their employee id move to their object id.
   */
  resolveEmployee(input: {
    employeeId: string;
    /** The state the person is recorded in when new (default prehire: a joiner). */
    state?: PersonState;
  }): Promise<{ objectId: string; displayName: string | null } | { objectId: null; reason: string }>;
  /** Every app, with its lifecycle settings. */
  lifecycleApps(): Promise<LifecycleApp[]>;
  /** The apps that hold an account (enabled or disabled) for the person. */
  appsHoldingAccount(input: { objectId: string }): Promise<LifecycleApp[]>;
  /**
   * Puts the person in a state as of the event's effective time, unless a later change is
   * recorded already. Returns the state the person is in afterwards.
   */
  setPersonState(input: {
    objectId: string;
    state: PersonState;
    eventId: string;
    effectiveAt: string;
  }): Promise<{ changed: boolean; state: PersonState | null }>;
  /**
   * Reconciles the person in the app now, through the path a cycle and on-demand provisioning
   * take (scope, including lifecycle state; anchors; the SCIM client; the provisioning log).
   */
  provisionPerson(input: PersonInApp): Promise<PersonAppResult>;
  /**
   * Creates the person's account disabled, for a start date still to come: scope decided as in
   * a preview (the cycle's scope), then the reconcile path with the account's `active` held
   * false. An account that exists already is left as it is (Skipped); so is an app that does not
   * map `active` (its account is made on the start date).
   */
  provisionPersonDisabled(input: PersonInApp): Promise<PersonAppResult>;
  /**
   * Disables or deletes the person's account in the app, if it holds one, through the same
   * reconcile path. With `onlyIf`, a person no longer in that state is left alone (Skipped): a
   * leaver's late retry never undoes a rehire.
   */
  deprovisionPerson(input: PersonInApp & { action: 'disable' | 'delete'; reason: string; onlyIf?: PersonState }): Promise<PersonAppResult>;
  /** POSTs an alert to the alert webhook (logged only when none is set). */
  sendLifecycleAlert(alert: LifecycleAlert): Promise<void>;
  /**
   * Carries out a pending event once its person is known, as the intake does for an event by
   * object id (the run started or signalled, or the event found stale), and records the outcome
   * on the stored event. Idempotent: a repeated call starts or signals the same run again.
   */
  deliverEvent(input: { objectId: string; employeeId: string; event: PendingLifecycleEvent }): Promise<DeliveredEvent>;
}
