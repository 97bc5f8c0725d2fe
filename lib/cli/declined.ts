import { EXIT } from './exit-codes';

/** The person at the terminal said no: nothing was changed, and the command failed. */
export function declined(): void {
  process.stderr.write('Nothing was changed.\n');
  process.exitCode = EXIT.failure;
}
