/**
 * The libraries the bench compares, by the `name` their subjects report. Kept apart from the
 * subjects themselves so that the report can lay out its columns without loading any library.
 */
export const OURS = 'taskmill';

/** The peers taskmill is compared with, in the order of the table's columns. */
export const PEERS = ['BullMQ', 'bee-queue'] as const;

export const SUBJECT_NAMES: readonly string[] = [OURS, ...PEERS];
