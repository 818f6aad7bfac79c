import { describe, it, expect } from 'vitest';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { run } from '../src/host/exec.ts';
import { ensureTools } from '../src/host/tools.ts';
import { workspace } from './helpers/workspace.ts';

const ROOT = join(import.meta.dirname, '..');
/** Zuul's job attributes (Zuul's documentation, "Job"): a misspelled one is ignored by nothing but this test */
const JOB_KEYS = ['name', 'parent', 'description', 'abstract', 'final', 'protected', 'voting', 'timeout', 'post-timeout', 'nodeset', 'run', 'pre-run', 'post-run', 'cleanup-run', 'vars', 'extra-vars', 'host-vars', 'group-vars', 'required-projects', 'roles', 'secrets', 'semaphores', 'branches', 'files', 'irrelevant-files', 'attempts', 'dependencies', 'tags', 'provides', 'requires', 'override-checkout', 'workspace-scheme'];
const syntaxCheck = (path: string) => run('ansible-playbook', ['--syntax-check', '-i', 'localhost,', path]);

describe('Zuul: the job that runs airgap build kolla on a nodepool node', () => {
  it('every playbook passes ansible-playbook --syntax-check, and a broken one does not', async () => {
    ensureTools(['ansible-playbook']);
    const books = (await readdir(join(ROOT, 'playbooks'))).filter((f) => f.endsWith('.yaml'));
    expect(books.sort()).toEqual(['build-kolla.yaml', 'collect-evidence.yaml']);
    for (const b of books) await syntaxCheck(join(ROOT, 'playbooks', b));
    const broken = join(await workspace('airgap-zuul-'), 'broken.yaml');
    // a misspelled module: what --syntax-check is there to catch
    await writeFile(broken, '- hosts: all\n  tasks:\n    - name: misspelled\n      ansible.builtin.comand:\n        argv: [true]\n');
    await expect(syntaxCheck(broken)).rejects.toThrow(/--syntax-check .*broken\.yaml failed \(exit 4\)/);
  });

  it('the job uses only Zuul\'s job attributes, its playbooks exist, and it runs the same command as the runbook', async () => {
    const doc = parse(await readFile(join(ROOT, 'zuul.d/jobs.yaml'), 'utf8')) as Record<string, any>[];
    const job = doc.find((x) => x.job)!.job;
    expect(Object.keys(job).filter((k) => !JOB_KEYS.includes(k))).toEqual([]);
    for (const p of [job.run, job['post-run']]) await readFile(join(ROOT, p), 'utf8');
    expect(doc.find((x) => x.project)!.project['periodic-weekly'].jobs).toContain(job.name);
    const book = await readFile(join(ROOT, job.run), 'utf8');
    expect(book).toContain("['npx', 'airgap', 'build', 'kolla', airgap_release, '--server', airgap_server");
    expect(book).not.toMatch(/ansible\.builtin\.shell|\bshell:/);
  });
});
