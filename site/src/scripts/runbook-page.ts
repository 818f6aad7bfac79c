import type { ParamInfo } from '../../../runbooks/lib/runbook.ts';
import { api, detect, el, followLog } from './runner-client.ts';
import { buildForm, readForm } from './runbook-form.ts';
import { shellLine } from '../lib/shell.ts';

interface RunSummary { id: string; status: string; exitCode?: number | null; signal?: string | null; version?: string; argv: string[]; evidence?: string[]; log?: string; dryRun: boolean }

/**
 * The runbook page when served by the runner: the form, a dry run first (the plan, then the
 * script's own --dry-run), a confirm step naming the exact command, the live log with Cancel,
 * and the evidence the run wrote. Without the runner the page stays as it is: the command and
 * its copy button.
 */
export async function runbookPage(): Promise<void> {
  const panel = document.querySelector<HTMLElement>('[data-runner-panel]');
  if (!panel) return;
  const state = await detect();
  if (state === 'static') return;
  panel.hidden = false;
  const $ = <T extends HTMLElement>(name: string) => panel.querySelector<T>(`[data-runner="${name}"]`)!;
  if (state === 'stale') {
    $('notice').textContent = 'The runner refused this tab\'s token (it was restarted?): open the URL that airgap site serve printed.';
    $('form').hidden = true;
    return;
  }
  const id = panel.dataset.runbook!;
  const params = JSON.parse(document.getElementById('runner-params')!.textContent!) as ParamInfo[];
  const fields = $('fields');
  buildForm(fields, params);
  const [dryButton, runButton, confirmButton, backButton, cancelButton] = ['dry-run', 'run', 'confirm', 'back', 'cancel'].map((a) => panel.querySelector<HTMLButtonElement>(`[data-action="${a}"]`)!);
  let planned: string | undefined; // the parameters of the last good dry run
  let current: RunSummary | undefined;

  const busy = (on: boolean) => {
    for (const b of [dryButton, runButton, confirmButton, backButton]) b.disabled = on;
    if (!on) runButton.disabled = planned !== JSON.stringify(readForm(fields, params));
    cancelButton.hidden = !on || !current || current.dryRun;
  };
  const say = (text: string, cls = '') => { const s = $('status'); s.textContent = text; s.className = `runner-status ${cls}`; };
  fields.addEventListener('input', () => { planned = undefined; runButton.disabled = true; $('confirm').hidden = true; });

  async function start(dryRun: boolean) {
    const values = readForm(fields, params);
    busy(true);
    $('log').textContent = '';
    $('evidence').replaceChildren();
    $('confirm').hidden = true;
    say(dryRun ? 'Dry run…' : 'Running…');
    const res = await api(`/api/runbooks/${encodeURIComponent(id)}/runs`, { method: 'POST', body: JSON.stringify({ params: values, dryRun }) });
    const body = await res.json().catch(() => ({}));
    if (res.status !== 202) {
      say(`Refused (HTTP ${res.status}): ${body.error ?? ''}${body.issues ? `: ${body.issues.join('; ')}` : ''}`, 'status-bad');
      current = undefined;
      return busy(false);
    }
    current = body.run as RunSummary;
    if (dryRun) $('plan').replaceChildren(el('ol', {}, ...(body.plan as string[]).map((s) => el('li', {}, s))));
    $('plan-box').hidden = !dryRun;
    $('log').hidden = false;
    busy(true);
    await followLog(current.id, (text) => {
      const log = $('log');
      log.append(text);
      log.scrollTop = log.scrollHeight;
    }).catch((err) => say(`Lost the log: ${(err as Error).message}`, 'status-bad'));
    const done = (await (await api(`/api/runs/${encodeURIComponent(current.id)}`)).json()).run as RunSummary;
    current = done;
    const how = done.exitCode !== null && done.exitCode !== undefined ? `exit ${done.exitCode}` : done.signal ?? '';
    const label = { ok: dryRun ? 'Dry run done' : 'Done', failed: 'Failed', cancelled: 'Cancelled', running: 'Running' }[done.status] ?? done.status;
    say(`${label} (${how}).${dryRun && done.status === 'ok' ? ' Check the plan, then Run… to do it.' : ''}`, done.status === 'ok' ? 'status-ok' : 'status-bad');
    if (dryRun && done.status === 'ok') planned = JSON.stringify(values);
    const links = [...(done.evidence ?? []).map((f) => el('li', {}, el('a', { href: `/results/${f}`, 'data-runner-evidence': f }, `results/${f}`))),
      ...(done.log ? [el('li', {}, el('a', { href: `/results/${done.log}` }, 'the run\'s log'), ' · ', el('a', { href: `/runs/#v-${done.version}` }, `runs of ${done.version}`))] : [])];
    $('evidence').replaceChildren(...(done.evidence?.length || dryRun ? [] : [el('li', {}, 'No evidence written.')]), ...links);
    busy(false);
  }

  $('form').addEventListener('submit', (e) => { e.preventDefault(); void start(true); });
  runButton.addEventListener('click', () => {
    const shown = (current?.argv ?? []).slice(1).filter((a) => a !== '--dry-run');
    const secrets = params.filter((p) => p.secret && readForm(fields, params)[p.name] !== undefined).map((p) => `${p.env}=***`);
    $('command').textContent = `${secrets.map((s) => `${s} `).join('')}${shellLine(['node', `runbooks/${id}.ts`, ...shown])}`;
    $('confirm').hidden = false;
    confirmButton.focus();
  });
  backButton.addEventListener('click', () => { $('confirm').hidden = true; });
  confirmButton.addEventListener('click', () => void start(false));
  cancelButton.addEventListener('click', async () => {
    if (!current) return;
    cancelButton.disabled = true;
    say('Cancelling…');
    await api(`/api/runs/${encodeURIComponent(current.id)}/cancel`, { method: 'POST' });
    cancelButton.disabled = false;
  });
}
