export { joiner, rehire } from './joiner';
export { leaver } from './leaver';
export { mover } from './mover';
export { pendingEvents } from './pending';
