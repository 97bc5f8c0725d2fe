import { TaskmillError } from './taskmill.error';

/**
 * Redis refused a command because the ACL user taskmill connects as lacks a permission: a
 * `NOPERM` reply (checked before the command runs, so nothing was written), or a command or key
 * refused inside one of taskmill's scripts (the script stopped there; Redis does not undo what
 * it wrote before, which is why the user needs the whole ACL line from docs/operations.md).
 */
export class RedisPermissionError extends TaskmillError {
  constructor(
    /** Redis's own words, e.g. `NOPERM this user has no permissions to run the 'xadd' command`. */
    readonly detail: string,
    /** The command Redis named as refused (lower case), when it named one (not in scripts). */
    readonly command?: string,
    /** The taskmill script a refused command ran in (`enqueue`, `settle`, …), if any. */
    readonly script?: string,
  ) {
    super(
      `Redis refused a command for lack of ACL permission (${detail.replace(/[.\s]+$/, '')}); ` +
        (script === undefined
          ? 'nothing was written. '
          : `taskmill's ${script} script stopped at that command. `) +
        (command ? `Add +${command} to the user's ACL SETUSER line. ` : '') +
        `The user needs every command and the key and channel patterns listed under "Sentinel, ` +
        `TLS and ACL users" in taskmill's docs/operations.md (~{prefix}:* ~{prefix:* &{prefix}:* ` +
        `for your prefix); ` +
        `ACL LOG on the server names what was refused.`,
    );
  }
}
