/** Lifecycle events (joiner, mover, leaver, rehire) and the pure rules of a person's lifecycle. */
export {
  checkEvent,
  EVENT_TYPES,
  lifecycleEventSchema,
  type CheckedEvent,
  type EventError,
  type LifecycleEvent,
  type LifecycleEventType,
} from './events';
export {
  deleteAt,
  dueAt,
  initialState,
  mayChangeState,
  stepRetryDelayMs,
  stateAfter,
  supersededBy,
  type AcceptedEvent,
  type PersonState,
} from './state';
export { lifecycleSettings, lifecycleSettingsSchema, type LifecycleSettings, type LifecycleSettingsInput } from './settings';
