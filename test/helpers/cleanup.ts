import { afterAll } from 'vitest';

/**
 * Vitest runs an `afterAll` only when it is registered while the file is collected: one called
 * from inside `beforeAll` or a test body is silently dropped (battle log 2026-11-22, "afterAll
 * inside a test"). Helpers therefore register their stop functions here; this module's own
 * top-level hook, registered when a test file imports it, runs them, newest first.
 */
const stops: (() => unknown)[] = [];

export function onCleanup(stop: () => unknown): void {
  stops.push(stop);
}

afterAll(async () => {
  while (stops.length) await stops.pop()!();
});
