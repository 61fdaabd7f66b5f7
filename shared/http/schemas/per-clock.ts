import type { Clock } from '#shared/runtime/clock';

/**
 * A schema that checks times against a clock, built once per clock (the handler's deps.clock; tests
 * pin their own): `build` runs on a clock's first use, and its schema is reused after.
 */
export function perClock<T extends object>(build: (clock: Clock) => T): (clock: Clock) => T {
  const built = new WeakMap<Clock, T>();
  return (clock) => {
    let schema = built.get(clock);
    if (!schema) {
      schema = build(clock);
      built.set(clock, schema);
    }
    return schema;
  };
}
