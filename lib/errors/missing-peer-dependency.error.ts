import { TaskmillError } from './taskmill.error';

/**
 * An optional feature was switched on (metrics, telemetry, the health indicator) but the
 * package it works with is not installed in the app.
 */
export class MissingPeerDependencyError extends TaskmillError {
  constructor(
    /** The npm package to install, e.g. `prom-client`. */
    readonly packageName: string,
    /** What needs it, e.g. `metrics: true`. */
    readonly feature: string,
  ) {
    super(
      `${feature} needs the package "${packageName}", which this app cannot load: ` +
        `install it (npm install ${packageName}) or switch the feature off`,
    );
  }
}
