/**
 * Runs inside the build sandbox (argv[2]: a JSON config): a Docker engine of the build's own,
 * then its command (kolla-build) against it, then the engine stopped. The engine lives in the
 * sandbox's network namespace, so the build containers (network_mode host, Kolla's default) and every pull and
 * push reach the repository server and nothing else, and each attempt elsewhere is recorded.
 */
import { spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';

interface Config { dataRoot: string; execRoot: string; dockerdLog: string; command: string[]; env: Record<string, string> }
const c = JSON.parse(readFileSync(process.argv[2], 'utf8')) as Config;
const socket = join(c.execRoot, 'docker.sock');
await mkdir(c.dataRoot, { recursive: true });
await mkdir(c.execRoot, { recursive: true });

// a bridge would need iptables and an address outside loopback: the build uses the host network, which is the sandbox's
const dockerd = spawn('dockerd', [
  '--data-root', c.dataRoot, '--exec-root', c.execRoot, '--pidfile', join(c.execRoot, 'docker.pid'), '-H', `unix://${socket}`,
  '--bridge=none', '--iptables=false', '--ip6tables=false', '--ip-masq=false',
], { stdio: ['ignore', openSync(c.dockerdLog, 'a'), openSync(c.dockerdLog, 'a')] });
const ping = () => new Promise<boolean>((resolve) => {
  const req = request({ socketPath: socket, path: '/_ping', timeout: 1000 }, (res) => { res.resume(); resolve(res.statusCode === 200); });
  req.on('error', () => resolve(false));
  req.end();
});
let code = 1;
try {
  let up = false;
  for (let i = 0; i < 120 && !up && dockerd.exitCode === null; i++) up = (await ping()) || (await new Promise((r) => setTimeout(r, 500)), false);
  if (!up) {
    console.error(`kolla: the build's Docker engine did not start; its log is ${c.dockerdLog}`);
  } else {
    console.log(`kolla: Docker engine up (${socket}); running ${c.command.join(' ')}`);
    const child = spawn(c.command[0], c.command.slice(1), { stdio: 'inherit', env: { ...process.env, ...c.env, DOCKER_HOST: `unix://${socket}` } });
    const stop = () => child.kill('SIGTERM');
    process.once('SIGTERM', stop);
    code = await new Promise<number>((resolve) => { child.on('error', (err) => { console.error(`kolla: ${c.command[0]}: ${err.message}`); resolve(127); }); child.on('close', (n) => resolve(n ?? 1)); });
  }
} finally {
  if (dockerd.exitCode === null && dockerd.signalCode === null) {
    dockerd.kill('SIGTERM');
    const gone = await Promise.race([new Promise((r) => dockerd.once('close', () => r(true))), new Promise((r) => setTimeout(() => r(false), 30_000))]);
    if (!gone) dockerd.kill('SIGKILL');
  }
}
process.exit(code);
