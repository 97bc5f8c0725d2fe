import { ChainStoppedError } from './chain-stopped.error';
import { ChordPartFailedError } from './chord-part-failed.error';
import { ErrorDetails } from './error-details';
import { TaskmillError } from './taskmill.error';

/**
 * The errors the chain and chord scripts record on a task they end without running it: what to
 * tell its caller instead of "enqueue the task again", which would run one step out of its
 * workflow.
 */
const NEVER_RAN: Record<string, string> = {
  [ChainStoppedError.name]: ChainStoppedError.remedy,
  [ChordPartFailedError.name]: ChordPartFailedError.remedy,
};

/** `result()` of a task that ended FAILED; carries the remote error as the handler threw it. */
export class TaskFailedError extends TaskmillError {
  readonly remoteName: string;
  readonly remoteMessage: string;
  readonly remoteStack?: string;

  constructor(
    readonly taskId: string,
    readonly attempts: number,
    remote: ErrorDetails,
  ) {
    super(failureMessage(taskId, attempts, remote));
    this.remoteName = remote.name;
    this.remoteMessage = remote.message;
    this.remoteStack = remote.stack;
  }
}

function failureMessage(taskId: string, attempts: number, remote: ErrorDetails): string {
  const cause = sentence(`${remote.name}: ${remote.message}`);
  const neverRan = Object.hasOwn(NEVER_RAN, remote.name) ? NEVER_RAN[remote.name] : undefined;
  if (neverRan !== undefined) return `Task ${taskId} did not run: ${cause} ${neverRan}`;
  return (
    `Task ${taskId} failed after ${attempts} attempt(s): ${cause} ` +
    `See remoteStack for where it was thrown; fix the cause, then enqueue the task again.`
  );
}

/** Ends `text` with one full stop, whether or not the remote message brought its own. */
function sentence(text: string): string {
  const trimmed = text.trimEnd();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
