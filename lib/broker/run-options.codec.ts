import { DEFAULT_TASK_OPTIONS } from '../options/defaults';
import { ResolvedBackoff } from '../options/task.options';

/** What a worker needs to run a task besides its arguments: stored as one short field. */
export interface RunOptions {
  retries: number;
  backoff: ResolvedBackoff;
  timeout: number | undefined;
}

const TYPES = { constant: 'c', linear: 'l', exponential: 'e' } as const;
const TYPE_OF_CODE: Record<string, ResolvedBackoff['type']> = {
  c: 'constant',
  l: 'linear',
  e: 'exponential',
};

type Encoded = [number, string, number, number | null, number | null, 0 | 1, number | null];

const DEFAULTS: RunOptions = {
  retries: DEFAULT_TASK_OPTIONS.retries,
  backoff: { ...DEFAULT_TASK_OPTIONS.backoff },
  timeout: DEFAULT_TASK_OPTIONS.timeout,
};

/**
 * `[retries, type, delay, floor, ceiling, jitter, timeout]`: ~30 bytes instead of ~90 as JSON,
 * and '' (nothing stored) for the built-in defaults, which most tasks use.
 */
export function encodeRunOptions(options: RunOptions): string {
  const encoded = encode(options);
  return encoded === DEFAULT_ENCODING ? '' : encoded;
}

function encode({ retries, backoff, timeout }: RunOptions): string {
  const encoded: Encoded = [
    retries,
    TYPES[backoff.type],
    backoff.delay,
    backoff.floor ?? null,
    backoff.ceiling ?? null,
    backoff.jitter ? 1 : 0,
    timeout ?? null,
  ];
  return JSON.stringify(encoded);
}

const DEFAULT_ENCODING = encode(DEFAULTS);

/**
 * Decoded options by their stored text. Tasks of one kind share one text, so a worker decodes
 * each once instead of once per run; the bound keeps foreign or ever-changing texts from
 * growing it. Entries are frozen: every run of the kind shares them.
 */
const decoded = new Map<string, Readonly<RunOptions>>();
const DECODED_MAX = 256;

export function decodeRunOptions(text: string): Readonly<RunOptions> {
  let options = decoded.get(text);
  if (!options) {
    options = Object.freeze(text === '' ? DEFAULTS : decode(text));
    Object.freeze(options.backoff);
    if (decoded.size >= DECODED_MAX) decoded.clear();
    decoded.set(text, options);
  }
  return options;
}

function decode(text: string): RunOptions {
  const [retries, type, delay, floor, ceiling, jitter, timeout] = JSON.parse(text) as Encoded;
  const backoff: ResolvedBackoff = { type: TYPE_OF_CODE[type], delay };
  if (floor !== null) backoff.floor = floor;
  if (ceiling !== null) backoff.ceiling = ceiling;
  if (jitter) backoff.jitter = true;
  return { retries, backoff, timeout: timeout ?? undefined };
}
