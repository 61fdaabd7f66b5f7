/**
 * `load` run once and its promise kept, except a rejected one: a load that failed (a secret not
 * readable yet, a module that did not load) is tried again on the next call. For what a container
 * builds on first use (SDK clients, secrets, lazily imported modules).
 */
export function onceUntilFailure<T>(load: () => Promise<T>): () => Promise<T> {
  let kept: Promise<T> | undefined;
  return () => {
    if (!kept) {
      const attempt = load();
      kept = attempt;
      attempt.catch(() => {
        if (kept === attempt) kept = undefined;
      });
    }
    return kept;
  };
}
