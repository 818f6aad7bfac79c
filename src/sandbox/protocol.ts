import type { DnsQuery } from './dns-stub.ts';
import type { Attempt } from './nft.ts';

/** What sandbox.ts hands init.ts (a JSON file), and what init.ts hands back. */
export interface SandboxConfig {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  server: { host: string; port: number };
  socketPath: string;
  resolvConf: string;
  hostsFile?: string;
  reportPath: string;
}

export interface InsideReport {
  setup: string[];
  exitCode: number;
  durationMs: number;
  dns: DnsQuery[];
  connections: Attempt[];
  otherPackets: number;
  /** false if the filter's sets could not be read back (then attempts are unknown, not zero) */
  filterRead: boolean;
}
