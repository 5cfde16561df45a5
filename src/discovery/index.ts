/**
 * Account discovery: the target's accounts that match no source object (made in the app, or
 * orphaned when their source object went), each with its nearest source object and why.
 */
export type * from './contract';
export {
  DirectoryIndex,
  NAME_SIMILARITY,
  normalizeName,
  similarity,
  type AccountView,
  type Candidate,
  type CandidateBasis,
  type DirectoryEntry,
} from './candidates';
export { accountView, directoryEntry } from './views';
export { failScan, scanUnmatched } from './scan';
export { accountFor, linkAccount, type LinkInput, type LinkOutcome, type LinkRefusal } from './link';
