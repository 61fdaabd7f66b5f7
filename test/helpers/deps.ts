import { buildDeps, type Deps, type DepsOverrides } from '#shared/app/deps';
import { loadConfig } from '#shared/config/config';
import { ticketCompletedSchemaAt } from '#shared/http/schemas/ticket-completed';
import { pinnableClock } from '#shared/runtime/clock';

/**
 * The tests' composition root: dependencies built as a handler builds them, from the test
 * process's environment (test/setup/table.ts points it at this file's table) plus a file's own
 * settings, on one pinnable clock that the tests set.
 */
export const testClock = pinnableClock();

/** The domain clock's time now (pinned or real). */
export const now = (): Date => testClock.now();

/** Pins the domain clock at `at`, or back to real time with undefined. */
export const pinClock = (at: Date | undefined): void => testClock.pin(at);

export interface TestSettings extends DepsOverrides {
  /** RULES overrides (merged over the defaults as RULES is). */
  rules?: unknown;
  /** Other configuration values (PUBLIC_BASE_URL, REPLY_SECRETS, ...). */
  env?: Record<string, string | undefined>;
}

export function testDeps(settings: TestSettings = {}): Deps {
  const { rules, env, ...overrides } = settings;
  const config = loadConfig({
    ...process.env,
    ...(rules !== undefined ? { RULES: JSON.stringify(rules) } : {}),
    ...env,
  });
  return buildDeps(config, { clock: testClock, ...overrides });
}

/** The completion webhook's schema on the tests' clock (a pinned clock decides what is "future"). */
export const ticketCompletedSchema = ticketCompletedSchemaAt(testClock);
