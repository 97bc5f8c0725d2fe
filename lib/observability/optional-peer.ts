import { MissingPeerDependencyError } from '../errors';

/**
 * Loads an optional peer dependency when the feature that needs it is switched on, never at
 * module load: apps that leave the feature off need not install the package.
 */
export function loadPeer<T>(packageName: string, feature: string): T {
  try {
    // A plain require, on purpose: the package is optional, so no import may name it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(packageName) as T;
  } catch (error) {
    if (isMissing(error, packageName)) throw new MissingPeerDependencyError(packageName, feature);
    throw error;
  }
}

/** Node's "cannot find module" for the package itself (not for a file the package requires). */
function isMissing(error: unknown, packageName: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === 'MODULE_NOT_FOUND' && String(message).includes(`'${packageName}'`);
}
