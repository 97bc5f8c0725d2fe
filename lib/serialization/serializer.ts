/**
 * Encodes task arguments, results and metadata for Redis. Plug your own into
 * `QueueModule.forRoot({ serializer })`; `serialize` must throw SerializationError for values
 * it cannot round-trip, and `deserialize` must never evaluate its input.
 */
export interface Serializer {
  serialize(value: unknown, path: string): string;
  deserialize(text: string): unknown;
}
