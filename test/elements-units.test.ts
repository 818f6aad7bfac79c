import { describe, it, expect, beforeAll } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { workspace } from './helpers/workspace.ts';
import { BUILTIN_ELEMENTS, planElements, whenHolds } from '../src/build/elements.ts';

describe('elements: diskimage-builder layout and order', () => {
  let dir: string;
  const el = async (name: string, files: Record<string, string>) => {
    for (const [f, text] of Object.entries(files)) {
      await mkdir(join(dir, name, f, '..'), { recursive: true });
      await writeFile(join(dir, name, f), text);
    }
  };

  beforeAll(async () => {
    dir = await workspace('airgap-elements-');
    await el('a', { 'element-deps': 'b\n# a comment\n', 'install.d/50-a': '', 'install.d/10-first': '', 'package-installs.yaml': 'pkg-a:\npkg-pre: { phase: pre-install.d }\npkg-gone: { uninstall: true }\npkg-arm: { arch: arm64 }\npkg-when: { when: FLAVOR = x }\n' });
    await el('b', { 'install.d/20-b': '', 'environment.d/10-b': 'export B=1\n' });
    await el('loop1', { 'element-deps': 'loop2\n' });
    await el('loop2', { 'element-deps': 'loop1\n' });
    await el('bad-when', { 'package-installs.yaml': 'x: { when: "not a condition" }\n' });
  });

  it('puts dependencies first and sorts each phase by script name across elements, as DIB does', async () => {
    const p = await planElements(['a'], [dir]);
    expect(p.elements.map((e) => e.name)).toEqual(['b', 'a']);
    expect(p.phases['install.d'].map((s) => `${s.element}/${s.name}`)).toEqual(['a/10-first', 'b/20-b', 'a/50-a']);
    expect(p.environment.map((s) => s.name)).toEqual(['10-b']);
    expect(p.packages['install.d']).toEqual([{ name: 'pkg-a', when: [] }, { name: 'pkg-when', when: ['FLAVOR = x'] }]);
    expect(p.packages['pre-install.d']).toEqual([{ name: 'pkg-pre', when: [] }]);
  });

  it('refuses a dependency cycle, an unknown element and a when it cannot read, naming them', async () => {
    await expect(planElements(['loop1'], [dir])).rejects.toThrow(/element-deps cycle: loop1 → loop2 → loop1/);
    await expect(planElements(['nope'], [dir])).rejects.toThrow(/element "nope" not found/);
    await expect(planElements(['bad-when'], [dir])).rejects.toThrow(/when "not a condition" is not VAR = value/);
    await expect(planElements(['../etc'], [dir])).rejects.toThrow(/not an element name/);
  });

  it('evaluates package-installs when: = and !=, all must hold', () => {
    expect(whenHolds(['FLAVOR = x'], { FLAVOR: 'x' })).toBe(true);
    expect(whenHolds(['FLAVOR = x', 'OTHER != y'], { FLAVOR: 'x', OTHER: 'y' })).toBe(false);
    expect(whenHolds(['UNSET != y'], {})).toBe(true);
  });

  it('the built-in elements resolve', async () => {
    const p = await planElements(['vm', 'cloud-init', 'docker-ce', 'kubernetes', 'cleanup'], [BUILTIN_ELEMENTS]);
    expect(p.phases['finalise.d'].map((s) => s.name)).toEqual(['50-bootloader']);
  });
});
