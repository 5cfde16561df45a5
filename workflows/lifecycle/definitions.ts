/**
 * Signals, queries, ids and search attributes of the lifecycle workflows (joiner, mover,
 * leaver, rehire), defined once and imported by the workflows and the API.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { PendingLifecycleEvent } from '../../src/lifecycle/contract';
import type { LifecycleEventType } from '../../src/lifecycle/index';
import type { AppProgress } from './progress';

/** Workflow id of a person's run of one kind: `person/{objectId}/leaver`. */
export const personWorkflowId = (objectId: string, kind: LifecycleEventType): string => `person/${objectId}/${kind}`;

/**
 * Workflow id of a run for a person known by employee id only, named by the employee id's
 * opaque reference (src/lifecycle/employee-ref.ts) so that the id is not spelled out:
 * `person/employee-ref:{ref}/joiner` (a hire the directory does not know yet) or
 * `person/employee-ref:{ref}/pending` (events held while the directory cannot be read).
 */
export const employeeWorkflowId = (employeeRef: string, kind: 'joiner' | 'pending'): string => `person/employee-ref:${employeeRef}/${kind}`;

/**
 * The id such a run had before employee ids were made opaque, `person/employee:{employeeId}/…`:
 * runs started then may still wait, so signals look for them there too.
 */
export const legacyEmployeeWorkflowId = (employeeId: string, kind: 'joiner' | 'pending'): string => `person/employee:${employeeId}/${kind}`;

export const PERSON_ID = defineSearchAttributeKey('ScimflowPersonId', SearchAttributeType.KEYWORD);
/** The employee id's opaque reference (never the id itself). */
export const EMPLOYEE_ID = defineSearchAttributeKey('ScimflowEmployeeId', SearchAttributeType.KEYWORD);
export const EVENT_TYPE = defineSearchAttributeKey('ScimflowEventType', SearchAttributeType.KEYWORD);
export const APP_IDS = defineSearchAttributeKey('ScimflowAppIds', SearchAttributeType.KEYWORD_LIST);

/** What every lifecycle run starts from: ids and times only. */
export interface LifecycleInput {
  objectId: string;
  eventId: string;
  /** ISO 8601, UTC. */
  effectiveAt: string;
}

/** A joiner may start before the directory knows the person: then only by employee id. */
export interface JoinerInput extends Omit<LifecycleInput, 'objectId'> {
  objectId: string | null;
  employeeId?: string | null;
}

export interface LifecycleProgress {
  kind: LifecycleEventType;
  /** Null while a joiner known by employee id only waits for the directory. */
  objectId: string | null;
  /** The event the run carries out now (a later event may have moved its date). */
  eventId: string;
  effectiveAt: string;
  phase: 'waiting' | 'running' | 'retention' | 'done' | 'cancelled';
  /** Why the run was cancelled or superseded, when it was. */
  note: string | null;
  apps: AppProgress[];
}

/** A new date for the run's event (a moved start or leave date), from a later event. */
export const setEffectiveAtSignal = defineSignal<[{ eventId: string; effectiveAt: string }]>('setEffectiveAt');
/**
 * The hire is off: a waiting joiner stops. With `remove`, accounts it created already (lead
 * time) are deleted again; a leaver that cancels the hire disables them instead.
 */
export const cancelHireSignal = defineSignal<[{ eventId: string; remove: boolean }]>('cancelHire');
/** The person was rehired: a leaver's pending deletions are cancelled (the rehire run re-enables the accounts). */
export const rehireSignal = defineSignal<[{ eventId: string }]>('rehire');
/** Another mover event: the mover evaluates every app again once it is through. */
export const reevaluateSignal = defineSignal<[{ eventId: string }]>('reevaluate');

export const lifecycleProgressQuery = defineQuery<LifecycleProgress>('lifecycleProgress');

/** What a pending run starts from: the employee id and the events held so far, in the order received. */
export interface PendingInput {
  employeeId: string;
  events: PendingLifecycleEvent[];
}

/** Another event for the person a pending run looks for; it is carried out after the earlier ones. */
export const pendingEventSignal = defineSignal<[PendingLifecycleEvent]>('pendingEvent');
