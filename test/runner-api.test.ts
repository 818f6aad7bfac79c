import { describe, it, expect, beforeAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { workspace, airgap } from './helpers/workspace.ts';
import { generateKeyPair } from '../src/trust/keys.ts';
import { api, call, startRunner, type StartedRunner } from './helpers/runner.ts';

const ROOT = join(import.meta.dirname, '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'runbooks');

/** The runner's API over real HTTP: `airgap site serve` as a child, the project's runbooks and a test runbook that says what reached it. */
describe('the runbook runner (airgap site serve): its API and what it refuses', () => {
  let dir: string;
  let site: string;
  let results: string;
  let real: StartedRunner;
  let probe: StartedRunner;

  beforeAll(async () => {
    dir = await workspace('airgap-runner-');
    site = join(dir, 'site');
    results = join(dir, 'results');
    await mkdir(site);
    await writeFile(join(site, 'index.html'), '<!doctype html><title>site</title>');
    [real, probe] = await Promise.all([
      startRunner(['--site', site, '--results', results]),
      startRunner(['--site', site, '--results', results, '--runbooks', FIXTURES]),
    ]);
  });

  it('prints the URL to open with a fresh 32-byte token in the fragment; AIRGAP_RUNNER_TOKEN sets it', async () => {
    expect(real.open).toBe(`${real.origin}/#token=${real.token}`);
    expect(real.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(real.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(real.token, 'base64url')).toHaveLength(32);
    expect(probe.token).not.toBe(real.token);
    const fixed = 'a-token-for-automation-0123456789abcdef';
    const r = await startRunner(['--site', site, '--results', results], { AIRGAP_RUNNER_TOKEN: fixed });
    expect(r.token).toBe(fixed);
    expect((await call(`${r.origin}/api/health`, { headers: { Authorization: `Bearer ${fixed}` } })).status).toBe(200);
    expect(await r.stop()).toBe(0);
    const weak = await airgap(['site', 'serve', '--site', site, '--listen', '127.0.0.1:0'], { env: { AIRGAP_RUNNER_TOKEN: 'short' } });
    expect(weak.code).toBe(2);
    expect(weak.stderr).toMatch(/AIRGAP_RUNNER_TOKEN: at least 32 characters/);
  });

  it('refuses without the token (401): none, a wrong one, one in the query string; the static site needs none', async () => {
    expect((await call(`${real.origin}/api/health`)).status).toBe(401);
    const wrong = await call(`${real.origin}/api/health`, { headers: { Authorization: `Bearer ${real.token.slice(0, -1)}x` } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toBe('Bearer');
    expect((await call(`${real.origin}/api/health?token=${real.token}`)).status).toBe(401);
    expect((await call(`${real.origin}/api/runbooks/verify/runs`, { body: { params: {} } })).status).toBe(401);
    expect((await api(real).get('/api/health')).json).toMatchObject({ ok: true, runbooks: expect.arrayContaining(['verify', 'serve']) });
    const page = await call(`${real.origin}/`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>site</title>');
    expect(page.headers['x-frame-options']).toBe('DENY');
  });

  it('refuses a Host that is not its own loopback address (403, DNS rebinding), before anything else', async () => {
    const port = new URL(real.origin).port;
    for (const host of [`evil.example:${port}`, `127.0.0.2:${port}`, `127.0.0.1:${Number(port) + 1}`, 'evil.example']) {
      const r = await call(`${real.origin}/api/health`, { headers: { Host: host, Authorization: `Bearer ${real.token}` } });
      expect(r.status, host).toBe(403);
      expect(r.json.error).toMatch(/is not this runner/);
    }
    expect((await call(`${real.origin}/`, { headers: { Host: `evil.example:${port}` } })).status).toBe(403);
    expect((await call(`${real.origin}/api/health`, { headers: { Host: `evil.example:${port}` } })).status, 'Host before token').toBe(403);
    expect((await call(`${real.origin}/api/health`, { headers: { Host: `localhost:${port}`, Authorization: `Bearer ${real.token}` } })).status).toBe(200);
  });

  it('refuses an Origin that is not exactly its own (403), before the token', async () => {
    const auth = { Authorization: `Bearer ${real.token}` };
    const body = { params: { bundle: 'b', trust: ['k'] } };
    for (const origin of ['http://evil.example', 'null', `${real.origin}.evil.example`, real.origin.replace('http:', 'https:')]) {
      const r = await call(`${real.origin}/api/runbooks/verify/runs`, { headers: { ...auth, Origin: origin }, body });
      expect(r.status, origin).toBe(403);
      expect(r.json.error).toMatch(/Origin/);
    }
    expect((await call(`${real.origin}/api/health`, { headers: { Origin: 'http://evil.example' } })).status, 'Origin before token').toBe(403);
    expect((await call(`${real.origin}/api/health`, { headers: { ...auth, Origin: real.origin } })).status).toBe(200);
  });

  it('refuses an unknown runbook (404) and parameters its schema refuses (400), in that order', async () => {
    const a = api(real);
    const unknown = await a.post('/api/runbooks/rm-rf/runs', { params: { x: 'y' } });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toMatch(/no runbook "rm-rf" \(runbooks: .*verify/);
    expect((await a.post('/api/runbooks/..%2F..%2Fbin%2Fsh/runs', {})).status).toBe(404);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ bundle: 'b' }, /--trust is required/],
      [{ bundle: 'b', trust: 'k.pub' }, /--trust: .*expected array/],
      [{ bundle: 'b', trust: [] }, /--trust: .*>=1/],
      [{ bundle: 'b', trust: ['k'], exec: '/bin/sh' }, /Unrecognized key: "exec"/],
      [{ bundle: '', trust: ['k'] }, /--bundle needs a value/],
      [{ bundle: 'b', trust: ['k'], results: '/etc' }, /results: set by the runner/],
    ];
    for (const [params, issue] of cases) {
      const r = await a.post('/api/runbooks/verify/runs', { params });
      expect(r.status, JSON.stringify(params)).toBe(400);
      expect(r.json.issues.join('\n')).toMatch(issue);
    }
    expect((await a.post('/api/runbooks/verify/runs', { params: { bundle: 'b', trust: ['k'] }, shell: true })).status).toBe(400);
    expect((await call(`${real.origin}/api/runbooks/verify/runs`, { headers: { Authorization: `Bearer ${real.token}`, 'Content-Type': 'text/plain' }, body: '{}' })).status).toBe(415);
    expect((await readFile(join(results, 'x'), 'utf8').catch(() => 'none'))).toBe('none');
  });

  it('a dry run is the default: it answers with plan() and runs the script with --dry-run, which changes nothing', async () => {
    const bundle = join(dir, 'no-bundle');
    const started = await api(real).post('/api/runbooks/verify/runs', { params: { bundle, trust: ['k.pub'] } });
    expect(started.status).toBe(202);
    expect(started.json.run.dryRun).toBe(true);
    expect(started.json.plan[0]).toBe(`Check the signature of ${bundle}/toc.json against k.pub`);
    const log = await api(real).get(`/api/runs/${started.json.run.id}/log`);
    expect(log.body).toContain('runbook verify: dry run, nothing is done. The plan:');
    expect(log.body).toContain(`  1. Check the signature of ${bundle}/toc.json against k.pub`);
    const run = (await api(real).get(`/api/runs/${started.json.run.id}`)).json.run;
    expect(run).toMatchObject({ status: 'ok', exitCode: 0, dryRun: true, evidence: [] });
    expect(run.argv.slice(1)).toEqual([`--bundle=${bundle}`, '--trust=k.pub', '--dry-run']);
  });

  it('a parameter holding "; rm -rf /", "$(…)" or a leading "--" reaches the script as literal text (no shell, one argument each)', async () => {
    const pwned = join(dir, 'pwned');
    const note = `; rm -rf / $(touch ${pwned}) \`touch ${pwned}\` | touch ${pwned} && echo 'x' "y" \\ *`;
    const { log } = await api(probe).run('echo', { note });
    expect(log).toContain(`params ${JSON.stringify({ note, version: '0.0.0-test', seconds: '0' })}`);
    expect(log).toContain(`argv ${JSON.stringify([`--note=${note}`, '--version=0.0.0-test', '--seconds=0'])}`);
    expect(existsSync(pwned)).toBe(false);
    const flag = await api(probe).run('echo', { note: '--help' });
    expect(flag.log).toContain('params {"note":"--help"');
    expect(flag.run.status).toBe('ok');

    // a real runbook: verify names the literal directory it was given
    const bundle = join(dir, `b; rm -rf / $(touch ${pwned})`);
    const keys = await generateKeyPair(join(dir, 'keys'));
    const v = await api(real).run('verify', { bundle, trust: [keys.publicPath] });
    expect(v.log).toContain(`FAILED: ${bundle}`);
    expect(v.log).toContain(`toc.json is missing from ${bundle}`);
    expect(v.run).toMatchObject({ status: 'failed', exitCode: 1, version: 'unverified', evidence: ['unverified/verify.json'] });
    expect(existsSync(pwned)).toBe(false);
  });

  it('a secret parameter reaches the script through its environment, never argv, and never appears in the log, the audit line or the evidence', async () => {
    const secret = 'S3cr3t-"value"/with+chars&more';
    const { log, run } = await api(probe).run('echo', { note: 'n', version: '0.0.0-secret', token: secret });
    expect(log).toContain('secret on stderr: ***'); // it arrived (unset would print "(none)")
    expect(log).toContain('"token":"***"');
    expect(log).toMatch(/argv \["--note=n","--version=0.0.0-secret","--seconds=0"\]/);
    expect(run.params.token).toBe('***');
    expect(run.evidence).toEqual(['0.0.0-secret/echo.json']);
    expect(run.redacted).toEqual(['0.0.0-secret/echo.json']);
    const audit = await readFile(join(results, '0.0.0-secret/runs/runs.jsonl'), 'utf8');
    const runLog = await readFile(join(results, run.log), 'utf8');
    const evidence = await readFile(join(results, '0.0.0-secret/echo.json'), 'utf8');
    const served = await call(`${probe.origin}/results/0.0.0-secret/echo.json`);
    for (const [where, text] of [['streamed log', log], ['audit line', audit], ['run log', runLog], ['evidence', evidence], ['served evidence', served.body]]) {
      for (const form of [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)]) expect(text, where).not.toContain(form);
    }
    expect(JSON.parse(evidence)).toEqual({ params: { note: 'n', version: '0.0.0-secret', seconds: '0', token: '***' }, fromEnv: '***' });
    expect(JSON.parse(audit.trim().split('\n').at(-1)!)).toMatchObject({ id: run.id, runbook: 'echo', dryRun: false, status: 'ok', exitCode: 0, params: { token: '***' } });
  });

  it('runs one instance of a runbook at a time (409), and cancel stops the run and what it started', async () => {
    const a = api(probe);
    const started = await a.post('/api/runbooks/echo/runs', { params: { note: 'long', seconds: '60' }, dryRun: false });
    expect(started.status).toBe(202);
    const id = started.json.run.id;
    const again = await a.post('/api/runbooks/echo/runs', { params: { note: 'again' }, dryRun: false });
    expect(again.status).toBe(409);
    expect(again.json.error).toMatch(/already running/);
    // wait until the script has started its own child
    let pid: number | undefined;
    for (let i = 0; i < 100 && !pid; i++) {
      const m = /sleeping: pid (\d+)/.exec((await call(`${probe.origin}/api/runs/${id}`, { headers: { Authorization: `Bearer ${probe.token}` } })).body + (await logSoFar(probe, id)));
      pid = m ? Number(m[1]) : undefined;
      if (!pid) await new Promise((r) => setTimeout(r, 100));
    }
    expect(pid, 'the script never said it was sleeping').toBeGreaterThan(0);
    const t0 = Date.now();
    const cancel = await a.post(`/api/runs/${id}/cancel`);
    expect(cancel.status).toBe(202);
    const log = await a.get(`/api/runs/${id}/log`);
    expect(Date.now() - t0).toBeLessThan(4000);
    expect(log.body).toContain('[runner] cancel: SIGTERM to the process group');
    expect(log.body).toMatch(/\[runner\] cancelled/);
    expect((await a.get(`/api/runs/${id}`)).json.run).toMatchObject({ status: 'cancelled' });
    expect(alive(pid!), 'the script\'s own child outlived the cancel').toBe(false);
    expect((await a.post(`/api/runs/${id}/cancel`)).status).toBe(409);
    const listed = (await a.get('/api/runs')).json.versions.find((v: { version: string }) => v.version === '0.0.0-test');
    expect(listed.runs.find((r: { id: string }) => r.id === id)).toMatchObject({ status: 'cancelled', dryRun: false });
    const after = await a.post('/api/runbooks/echo/runs', { params: { note: 'after' } });
    expect(after.status, 'free again').toBe(202);
    expect((await a.get(`/api/runs/${after.json.run.id}/log`)).body).toContain('[runner] ok');
  });

  it('two requests at the same moment start one run, not two', async () => {
    const both = await Promise.all([1, 2].map(() => api(probe).post('/api/runbooks/echo/runs', { params: { note: 'race', seconds: '1' }, dryRun: false })));
    expect(both.map((r) => r.status).sort()).toEqual([202, 409]);
    const started = both.find((r) => r.status === 202)!;
    expect((await api(probe).get(`/api/runs/${started.json.run.id}/log`)).body).toContain('[runner] ok');
  });

  it('serves evidence under /results/ but nothing outside it', async () => {
    expect((await call(`${probe.origin}/results/0.0.0-test/echo.json`)).status).toBe(200);
    for (const p of ['/results/../../etc/passwd', '/results/%2e%2e/%2e%2e/etc/passwd', '/results/0.0.0-test/', '/%2e%2e/package.json']) {
      expect((await call(`${probe.origin}${p}`)).status, p).toBe(404);
    }
  });

  it('listens on loopback only, unless --listen names another address with --tls-cert and --tls-key; no built site is an error', async () => {
    const args = ['site', 'serve', '--site', site];
    const outside = await airgap([...args, '--listen', '192.0.2.10:4455']);
    expect(outside.code).toBe(2);
    expect(outside.stderr).toMatch(/--listen 192\.0\.2\.10:4455 is not a loopback address/);
    expect(outside.stderr).toMatch(/give --tls-cert and --tls-key/);
    const every = await airgap([...args, '--listen', '0.0.0.0:4455', '--tls-cert', 'c', '--tls-key', 'k']);
    expect(every.code).toBe(2);
    expect(every.stderr).toMatch(/every address at once is refused/);
    const half = await airgap([...args, '--listen', '127.0.0.1:0', '--tls-cert', 'c.pem']);
    expect(half.code).toBe(2);
    expect(half.stderr).toMatch(/--tls-cert and --tls-key go together/);
    const noSite = await airgap(['site', 'serve', '--site', join(dir, 'nothing'), '--listen', '127.0.0.1:0']);
    expect(noSite.code).toBe(2);
    expect(noSite.stderr).toMatch(/no built site.*\n.*npm run site:build/);
  });

  it('serves HTTPS with --tls-cert and --tls-key (a throwaway self-signed certificate)', async () => {
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    const r = await startRunner(['--site', site, '--results', results, '--tls-cert', cert, '--tls-key', key]);
    expect(r.origin).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const ca = await readFile(cert);
    expect((await call(`${r.origin}/api/health`, { ca, headers: { Authorization: `Bearer ${r.token}` } })).status).toBe(200);
    expect((await call(`${r.origin}/api/health`, { ca, headers: { Authorization: `Bearer ${r.token}`, Origin: r.origin.replace('https:', 'http:') } })).status).toBe(403);
    await expect(call(`${r.origin}/api/health`), 'an unknown certificate is refused by the client').rejects.toThrow(/self-signed|certificate/i);
    await expect(call(`${r.origin.replace('https:', 'http:')}/api/health`)).rejects.toThrow();
    expect(await r.stop()).toBe(0);
  });

  it('stops cleanly on SIGTERM, stopping a runbook still running (recorded as cancelled)', async () => {
    const r = await startRunner(['--site', site, '--results', results, '--runbooks', FIXTURES]);
    const started = await api(r).post('/api/runbooks/echo/runs', { params: { note: 'killed', version: '0.0.0-stop', seconds: '60' }, dryRun: false });
    expect(started.status).toBe(202);
    await new Promise((res) => setTimeout(res, 500));
    expect(await r.stop()).toBe(0);
    const audit = (await readFile(join(results, '0.0.0-stop/runs/runs.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(audit).toEqual([expect.objectContaining({ id: started.json.run.id, status: 'cancelled' })]);
  });
});

/** Running, not a zombie waiting for a reaper (a container's init may never reap it). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** The log of a running run so far: the stream is read until a short pause. */
async function logSoFar(r: StartedRunner, id: string): Promise<string> {
  const res = await fetch(`${r.origin}/api/runs/${id}/log`, { headers: { Authorization: `Bearer ${r.token}` }, signal: AbortSignal.timeout(300) }).catch(() => undefined);
  if (!res?.body) return '';
  let text = '';
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
      if (/sleeping: pid/.test(text)) break;
    }
  } catch { /* the timeout: what came is enough */ }
  await reader.cancel().catch(() => {});
  return text;
}
