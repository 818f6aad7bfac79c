import type { ParamInfo } from '../../../runbooks/lib/runbook.ts';
import { el } from './runner-client.ts';

/**
 * The form built from a runbook's parameters (its zod schema, described at build time): a text
 * field per value, a list one item per line, a checkbox per switch, a password field per secret.
 * Values go as typed: nothing is trimmed or quoted, the runner passes them as literal arguments.
 */
export function buildForm(fields: HTMLElement, params: ParamInfo[]): void {
  for (const p of params) {
    const id = `runner-param-${p.name}`;
    const hint = [p.help, p.required ? 'required' : '', p.kind === 'list' ? 'one per line' : '', p.secret ? `secret: passed as $${p.env}, never on the command line, masked in the log` : ''].filter(Boolean).join('; ');
    let input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
    if (p.kind === 'switch') {
      input = el('input', { type: 'checkbox' });
      if (p.default === true) input.checked = true;
    } else if (p.choices) {
      input = el('select', {}, ...p.choices.map((c) => el('option', { value: c }, c)));
      if (typeof p.default === 'string') input.value = p.default;
    } else if (p.kind === 'list') {
      input = el('textarea', { rows: '2' });
    } else {
      input = el('input', { type: p.secret ? 'password' : 'text', autocomplete: 'off', spellcheck: 'false' });
      if (typeof p.default === 'string') input.value = p.default;
    }
    input.id = id;
    input.name = p.name;
    input.dataset.param = p.name;
    if (p.required) input.setAttribute('required', '');
    fields.append(el('div', { class: 'runner-field' }, el('label', { for: id }, el('code', {}, p.secret ? `$${p.env}` : p.flag)), input, el('small', {}, hint)));
  }
}

/** The parameters as the runner takes them: empty fields left out. */
export function readForm(fields: HTMLElement, params: ParamInfo[]): Record<string, string | string[] | boolean> {
  const out: Record<string, string | string[] | boolean> = {};
  for (const p of params) {
    const input = fields.querySelector<HTMLInputElement>(`[data-param="${p.name}"]`)!;
    if (p.kind === 'switch') {
      if (input.checked) out[p.name] = true;
    } else if (p.kind === 'list') {
      const items = input.value.split('\n').filter((s) => s !== '');
      if (items.length) out[p.name] = items;
    } else if (input.value !== '') {
      out[p.name] = input.value;
    }
  }
  return out;
}
