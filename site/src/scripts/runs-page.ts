import { api, detect, el } from './runner-client.ts';
import { RUN_COLUMNS, runView, type LiveRun } from '../lib/run-view.ts';

/**
 * The runs page when served by the runner: the audit read now (not when the site was built),
 * the runs still going, and links to each run's log and evidence (the runner serves results/).
 */
export async function runsPage(): Promise<void> {
  const box = document.querySelector<HTMLElement>('[data-runs]');
  if (!box || (await detect()) !== 'runner') return;
  const res = await api('/api/runs');
  if (!res.ok) return;
  const { running, versions } = (await res.json()) as { running: LiveRun[]; versions: { version: string; runs: LiveRun[] }[] };
  const link = (path: string, text: string) => el('a', { href: `/results/${path}` }, text);
  const table = (runs: LiveRun[]) => el('table', { class: 'evidence-table' },
    el('thead', {}, el('tr', {}, ...RUN_COLUMNS.map((c) => el('th', {}, c)))),
    el('tbody', {}, ...runs.map(runView).map((v) => el('tr', { 'data-run-id': v.id },
      el('td', {}, v.started), el('td', {}, el('a', { href: `/runbooks/${v.runbook}/` }, v.runbook)), el('td', {}, v.mode),
      el('td', { class: v.statusClass, 'data-run-status': '' }, v.status), el('td', {}, v.took), el('td', {}, el('code', {}, v.params)),
      el('td', {}, ...v.evidence.flatMap((f) => [link(f, f), el('br')]), ...(v.log ? [link(v.log, 'log')] : [])),
    ))));
  box.replaceChildren(
    el('p', { 'data-runs-live': '' }, 'Live from the runner (airgap site serve): the audit as it is now, with links to each run\'s log and evidence.'),
    ...(running.length ? [el('h2', { id: 'running' }, 'Running now'), table(running)] : []),
    ...(versions.length ? versions.flatMap((v) => [el('h2', { id: `v-${v.version}` }, v.version), table(v.runs)]) : [el('p', {}, 'No runs yet.')]),
  );
  if (location.hash) document.getElementById(decodeURIComponent(location.hash.slice(1)))?.scrollIntoView();
}
