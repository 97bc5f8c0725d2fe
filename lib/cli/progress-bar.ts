import { cellText } from '../core/terminal-text';

/** How far a long operation got: drawn on a terminal, silent otherwise. */
export interface Progress {
  /** True when the bar is drawn (stderr is a terminal): worth the cost of measuring progress. */
  readonly visible: boolean;
  update(done: number): void;
  /** Draws the final state and ends the line; later updates are ignored. */
  finish(done: number): void;
}

const WIDTH = 30;

/**
 * A one-line bar on stderr, redrawn in place, when stderr is a terminal; when it is piped or
 * redirected nothing is written, so that logs and scripts see only the command's output.
 */
export function progressBar(label: string, total: number): Progress {
  if (!process.stderr.isTTY)
    return { visible: false, update: () => undefined, finish: () => undefined };
  let finished = false;
  const draw = (done: number) => {
    const ratio = total <= 0 ? 1 : Math.min(1, done / total);
    const filled = Math.floor(ratio * WIDTH);
    const bar = '#'.repeat(filled) + '-'.repeat(WIDTH - filled);
    // \r and "erase to end of line": the bar overwrites itself.
    process.stderr.write(
      `\r${cellText(label)} [${bar}] ${Math.floor(ratio * 100)}% ${done}/${total}\x1b[K`,
    );
  };
  draw(0);
  return {
    visible: true,
    update: (done) => {
      if (!finished) draw(done);
    },
    finish: (done) => {
      if (finished) return;
      finished = true;
      draw(done);
      process.stderr.write('\n');
    },
  };
}

/** How often an operation that reports no progress of its own is measured, on a terminal. */
const POLL_MS = 200;

/**
 * Runs `work` (one API call that works in batches on its own) and, when the bar is drawn,
 * redraws it every POLL_MS with what `measure` (a read of the queue's counts) says is done.
 */
export async function whilePolling<T>(
  bar: Progress,
  measure: () => Promise<number>,
  work: () => Promise<T>,
): Promise<T> {
  const poll = bar.visible
    ? setInterval(() => {
        // A failed read only skips a redraw: the work's own outcome is what counts.
        measure().then(
          (done) => bar.update(done),
          () => undefined,
        );
      }, POLL_MS)
    : undefined;
  try {
    return await work();
  } finally {
    clearInterval(poll);
  }
}
