/**
 * A Lambda handler whose dependencies are built on its first invocation, once per container, by
 * `build` (each functions/<name>/handler.ts passes the composition it needs, from the process's
 * environment). A bad configuration fails that call, naming the value, and the next call tries
 * again.
 */
// biome-ignore lint/suspicious/noExplicitAny: any handler shape
export function perContainer<D, H extends (...args: any[]) => any>(
  build: () => D,
  make: (deps: D) => H,
): (...args: Parameters<H>) => ReturnType<H> {
  let handler: H | undefined;
  return (...args) => {
    handler ??= make(build());
    return handler(...args);
  };
}
