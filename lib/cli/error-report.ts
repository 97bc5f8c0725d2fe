import { CommanderError } from 'commander';
import { ConnectionError, QueueBusyError, QueueRequiredError, UnknownQueueError } from '../errors';
import { cellText } from '../core/terminal-text';

/**
 * Writes the error that ended a command as one line on stderr (commander has written its own
 * already). The message may quote what came from Redis or the command line: escaped.
 */
export function reportError(error: unknown): void {
  if (error instanceof CommanderError) return;
  process.stderr.write(`taskmill: ${cellText(oneLine(messageOf(error)))}\n`);
}

function messageOf(error: unknown): string {
  if (error instanceof QueueRequiredError) {
    // Its message speaks of queue.handle(): on the command line the queue is a flag.
    return `task "${error.id}" has a custom id, which does not tell where it is: pass its queue with --queue <queue>`;
  }
  if (error instanceof UnknownQueueError) {
    return (
      `unknown queue "${error.queue}": no task was ever enqueued to it under this prefix, or it ` +
      `was obliterated. Check the name and --prefix; "taskmill queues" lists the known ones.`
    );
  }
  if (error instanceof QueueBusyError) {
    return (
      `queue "${error.queue}" has ${error.running} running task(s), so nothing was deleted: ` +
      `pause it and wait until "taskmill stats ${error.queue}" shows none running, or pass --force`
    );
  }
  if (error instanceof ConnectionError) {
    // Its advice speaks of module options; keep what happened, say what to check here.
    const [what] = error.message.split(/\. Check /);
    return `${what.replace(/\.$/, '')}. Check that Redis is running and that --redis (or REDIS_URL) points at it.`;
  }
  return error instanceof Error ? error.message : String(error);
}

function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').trim();
}
