import { z } from 'zod';

/** One sandboxed command: how the sandbox was made, what it allowed, every attempt to leave. */
export const sandboxRunReport = z.strictObject({
  label: z.string(),
  command: z.array(z.string()),
  sandbox: z.strictObject({ kind: z.literal('netns'), user: z.enum(['root', 'user namespace']), setup: z.array(z.string()) }),
  allowed: z.array(z.strictObject({ url: z.string(), endpoint: z.string(), via: z.string() })),
  /** names looked up (the stub answered REFUSED to each) */
  dns: z.array(z.strictObject({ name: z.string(), type: z.string(), count: z.number().int().positive() })),
  /** destinations other than the server, refused by the filter */
  connections: z.array(z.strictObject({ proto: z.enum(['tcp', 'udp']), address: z.string(), port: z.number().int() })),
  otherPackets: z.number().int().nonnegative(),
  /** false: the filter could not be read back, so attempts are unknown */
  filterRead: z.boolean(),
  /** distinct names looked up + distinct destinations (+1 if other packets were refused) */
  attempts: z.number().int().nonnegative(),
  exitCode: z.number().int(),
  durationMs: z.number().nonnegative(),
});
export type SandboxRunReport = z.infer<typeof sandboxRunReport>;
