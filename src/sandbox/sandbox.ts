import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTools } from '../host/tools.ts';
import { AirgapError } from '../util/errors.ts';
import { toServer, closeServer } from './bridge.ts';
import type { InsideReport, SandboxConfig } from './protocol.ts';
import type { SandboxRunReport } from './report.ts';

const INIT = join(import.meta.dirname, 'init.ts');
/** What the sandbox itself runs on the host (preflight checks the same list). */
export const SANDBOX_TOOLS = ['unshare', 'ip', 'nft', 'mount'];
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface SandboxOptions {
  argv: string[];
  /** the repository server, as the build addresses it; the only endpoint the sandbox reaches */
  serverUrl: string;
  /** the server's push socket (ADR-0020): the bridge connects there, so the build may push */
  pushSocket?: string;
  cwd?: string;
  env?: Record<string, string>;
  /** the command's output goes here (and to `echo`, for progress) */
  logFile: string;
  echo?: (chunk: Buffer) => void;
  /** a label for the report: which builder, which step */
  label: string;
}

/**
 * Run a command in a network namespace of its own that reaches the repository server and nothing
 * else, and report every attempt to reach anything else (ADR-0013). As root: `unshare --net
 * --mount`; otherwise inside a user namespace too (`--user --map-root-user`), where the kernel
 * allows it.
 */
export async function runInSandbox(o: SandboxOptions): Promise<{ exitCode: number; report: SandboxRunReport }> {
  ensureTools(SANDBOX_TOOLS);
  const url = new URL(o.serverUrl);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const name = url.hostname.replace(/^\[|\]$/g, '');
  const host = isIP(name) ? name : name === 'localhost' ? '127.0.0.1' : (await lookup(name, { family: 4 }).catch(() => {
    throw new AirgapError(`sandbox: cannot resolve the repository server ${name}`, { hint: 'use its IP address in --server' });
  })).address;
  if (isIP(host) !== 4) throw new AirgapError(`sandbox: the repository server must have an IPv4 address, got ${host}`);

  const dir = await mkdtemp(join(tmpdir(), 'airgap-sb-')); // short: a Unix socket path has 108 bytes
  const config: SandboxConfig = {
    argv: o.argv, cwd: o.cwd ?? process.cwd(),
    env: { PATH, HOME: '/root', LANG: 'C.UTF-8', ...o.env },
    server: { host, port }, socketPath: join(dir, 'server.sock'),
    resolvConf: join(dir, 'resolv.conf'), reportPath: join(dir, 'report.json'),
    ...(isIP(name) || name === 'localhost' ? {} : { hostsFile: join(dir, 'hosts') }),
  };
  await writeFile(config.resolvConf, 'nameserver 127.0.0.53\noptions timeout:1 attempts:1\n');
  if (config.hostsFile) await writeFile(config.hostsFile, `127.0.0.1 localhost\n${host} ${name}\n`);
  await writeFile(join(dir, 'config.json'), JSON.stringify(config));
  const bridge = await toServer(config.socketPath, o.pushSocket ? { path: o.pushSocket } : { host, port });
  const isRoot = process.getuid?.() === 0;
  const log = createWriteStream(o.logFile, { flags: 'a' });
  try {
    const ns = isRoot ? ['--net', '--mount'] : ['--user', '--map-root-user', '--net', '--mount'];
    const child = spawn('unshare', [...ns, '--', process.execPath, INIT, join(dir, 'config.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
    for (const s of [child.stdout, child.stderr]) s.on('data', (d: Buffer) => { log.write(d); o.echo?.(d); });
    const stop = () => child.kill('SIGTERM');
    process.once('SIGINT', stop);
    const code = await new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (c) => resolve(c ?? 1));
    });
    process.off('SIGINT', stop);
    const inside = JSON.parse(await readFile(config.reportPath, 'utf8').catch(() => {
      throw new AirgapError(`sandbox: it did not start (exit ${code}); its output is in ${o.logFile}`, { hint: 'run `airgap preflight` to check the sandbox' });
    })) as InsideReport;
    return { exitCode: inside.exitCode, report: summarize(o, inside, o.pushSocket ?? `${host}:${port}`, isRoot) };
  } finally {
    await new Promise<void>((r) => log.end(() => r()));
    await closeServer(bridge);
    await rm(dir, { recursive: true, force: true });
  }
}

function summarize(o: SandboxOptions, inside: InsideReport, endpoint: string, isRoot: boolean): SandboxRunReport {
  const names = new Map<string, { name: string; type: string; count: number }>();
  for (const q of inside.dns) {
    const k = `${q.name} ${q.type}`;
    const e = names.get(k) ?? { name: q.name, type: q.type, count: 0 };
    e.count++;
    names.set(k, e);
  }
  const dns = [...names.values()].sort((a, b) => (a.name + a.type < b.name + b.type ? -1 : 1));
  return {
    label: o.label,
    command: o.argv,
    sandbox: { kind: 'netns', user: isRoot ? 'root' : 'user namespace', setup: inside.setup },
    allowed: [{ url: o.serverUrl, endpoint, via: o.pushSocket ? 'unix socket bridge to the server\'s push socket' : 'unix socket bridge' }],
    dns,
    connections: inside.connections,
    otherPackets: inside.otherPackets,
    filterRead: inside.filterRead,
    attempts: new Set(dns.map((d) => d.name)).size + inside.connections.length + (inside.otherPackets > 0 ? 1 : 0),
    exitCode: inside.exitCode,
    durationMs: inside.durationMs,
  };
}
