// The sandbox's first process, run by `unshare --net --mount` (see sandbox.ts): sets up the
// namespace, starts the DNS stub and the bridge to the repository server, runs the build command
// (an argument array, no shell), then writes what it saw and exits with the command's status.
import { spawn, spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import { startDnsStub, type DnsQuery } from './dns-stub.ts';
import { toSocket, closeServer } from './bridge.ts';
import { RULESET, attemptsFromNft } from './nft.ts';
import type { SandboxConfig, InsideReport } from './protocol.ts';

const DNS = '127.0.0.53';
const config = JSON.parse(await readFile(process.argv[2], 'utf8')) as SandboxConfig;
const setup: string[] = [];

/** A setup step that must work: the sandbox never runs a command half set up. */
function must(cmd: string, args: string[], input?: string): void {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(`airgap sandbox: ${cmd} ${args.join(' ')} failed: ${(r.stderr || r.error?.message || '').trim()}\n`);
    process.exit(125);
  }
  setup.push([cmd, ...args].join(' '));
}

must('ip', ['link', 'set', 'lo', 'up']);
if (!config.server.host.startsWith('127.')) must('ip', ['addr', 'add', `${config.server.host}/32`, 'dev', 'lo']);
// A route for everything else into a veth whose peer is also in here: packets reach the filter, never a wire.
must('ip', ['link', 'add', 'airgap0', 'type', 'veth', 'peer', 'name', 'airgap1']);
must('ip', ['link', 'set', 'airgap0', 'up']);
must('ip', ['link', 'set', 'airgap1', 'up']);
must('ip', ['addr', 'add', '198.18.0.1/32', 'dev', 'airgap0']);
must('ip', ['route', 'add', 'default', 'dev', 'airgap0']);
must('ip', ['-6', 'route', 'add', 'default', 'dev', 'airgap0']);
must('nft', ['-f', '-'], RULESET);
setup.push('nft: table inet airgap (loopback allowed; every other destination recorded and refused)');
// resolv.conf (and hosts, for a server named by host name) seen only in this mount namespace
for (const [file, path] of [[config.resolvConf, '/etc/resolv.conf'], ...(config.hostsFile ? [[config.hostsFile, '/etc/hosts']] : [])]) {
  must('mount', ['--bind', file, realpathSync(path)]);
}

const queries: DnsQuery[] = [];
const stopDns = await startDnsStub(DNS, (q) => queries.push(q));
setup.push(`dns stub on ${DNS}:53 (udp, tcp): answers REFUSED, logs names`);
const bridge = await toSocket(config.server.host, config.server.port, config.socketPath);
setup.push(`bridge ${config.server.host}:${config.server.port} → ${config.socketPath} → the repository server`);

const started = Date.now();
const child = spawn(config.argv[0], config.argv.slice(1), { cwd: config.cwd, env: config.env, stdio: 'inherit' });
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => child.kill(sig));
const code = await new Promise<number>((resolve) => {
  child.on('error', (e) => { process.stderr.write(`airgap sandbox: ${config.argv[0]}: ${e.message}\n`); resolve(127); });
  child.on('close', (c, sig) => resolve(c ?? (sig ? 128 : 1)));
});

const nft = spawnSync('nft', ['-j', 'list', 'table', 'inet', 'airgap'], { encoding: 'utf8' });
const seen = nft.status === 0 ? attemptsFromNft(nft.stdout) : { attempts: [], otherPackets: 0 };
await stopDns();
await closeServer(bridge);
const report: InsideReport = { setup, exitCode: code, durationMs: Date.now() - started, dns: queries, connections: seen.attempts, otherPackets: seen.otherPackets, filterRead: nft.status === 0 };
await writeFile(config.reportPath, JSON.stringify(report));
process.exit(code);
