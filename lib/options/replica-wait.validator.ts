import { InvalidOptionsError } from '../errors';
import { checkDuration, checkInteger, checkKnownKeys, isPlainObject } from '../validation/checks';
import { ReplicaWait } from './module.options';

const DEFAULT_REPLICA_WAIT_MS = 1_000;

/**
 * Validates `waitForReplicas` (a count, or `{ replicas, timeoutMs? }`). The wait runs inside a
 * call's `commandTimeoutMs`, so it must end before it: a longer one would turn every replica
 * that lags into a ConnectionError that says Redis did not answer.
 */
export function resolveReplicaWait(
  value: unknown,
  commandTimeoutMs: number,
): Required<ReplicaWait> | undefined {
  if (value === undefined) return undefined;
  const options = typeof value === 'number' ? { replicas: value } : value;
  if (!isPlainObject(options)) {
    throw new InvalidOptionsError(
      'waitForReplicas',
      'must be a number of replicas or { replicas, timeoutMs? }',
    );
  }
  checkKnownKeys(options, ['replicas', 'timeoutMs'], 'waitForReplicas');
  const field = typeof value === 'number' ? 'waitForReplicas' : 'waitForReplicas.replicas';
  const replicas = checkInteger(options.replicas, field, { min: 1, max: 100 });
  if (options.timeoutMs === undefined) {
    return {
      replicas,
      timeoutMs: Math.min(DEFAULT_REPLICA_WAIT_MS, Math.ceil(commandTimeoutMs / 2)),
    };
  }
  const timeoutMs = checkDuration(options.timeoutMs, 'waitForReplicas.timeoutMs', { min: 1 });
  if (timeoutMs >= commandTimeoutMs) {
    throw new InvalidOptionsError(
      'waitForReplicas.timeoutMs',
      `must be below commandTimeoutMs (${commandTimeoutMs} ms), got ${timeoutMs}: the wait ` +
        'counts inside the call, which would time out first',
    );
  }
  return { replicas, timeoutMs };
}
