/**
 * `build` run on the first call, its value kept for every later call. For what a module would
 * otherwise build when it is imported (zod schemas, Intl segmenters): a cold start then does only
 * the work its first request needs, and a function never builds the schemas it never uses
 * (issue 14, goal 3; BENCHMARKS.md, cold start). A build that throws is tried again on the next call.
 */
export function lazy<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}
