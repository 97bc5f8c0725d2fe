import { InvalidOptionsError } from '../../lib/errors';

/**
 * Runs `action`, expects it to throw InvalidOptionsError and returns the error, so a test can
 * assert on the `field` it names.
 */
export function catchInvalidOptions(action: () => unknown): InvalidOptionsError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionsError);
    return error as InvalidOptionsError;
  }
  throw new Error('expected an InvalidOptionsError, but nothing was thrown');
}
