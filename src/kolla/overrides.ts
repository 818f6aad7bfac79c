import { KOLLA_2024_1, type KollaOptions } from './options.ts';
import { AirgapError } from '../util/errors.ts';

export interface OverrideInput {
  /** the served PyPI index and the release's upper-constraints, inside the gap */
  pipIndexUrl: string;
  constraintsUrl: string;
}

/** Blocks leaf images also have (each image's own Dockerfile.j2), beside the base template's. */
const LEAF_BLOCKS = ['footer'];

/**
 * The --template-override file: pip pointed at the internal index and constraints in the base
 * image (base_pip_conf), and a footer that removes those settings from every final image, so an
 * image built inside the gap does not carry the build's plumbing.
 */
export function renderTemplateOverride(i: OverrideInput, o: KollaOptions = KOLLA_2024_1): string {
  const blocks: Record<string, string[]> = {
    base_pip_conf: [
      `ENV PIP_INDEX_URL=${i.pipIndexUrl} PIP_TRUSTED_HOST=${new URL(i.pipIndexUrl).hostname} PIP_CONSTRAINT=${i.constraintsUrl}`,
    ],
    footer: ['ENV PIP_INDEX_URL= PIP_TRUSTED_HOST= PIP_CONSTRAINT='],
  };
  const unknown = Object.keys(blocks).filter((b) => !o.baseTemplateBlocks.includes(b) && !LEAF_BLOCKS.includes(b));
  if (unknown.length) throw new AirgapError(`template override: ${unknown.join(', ')} not a block of Kolla ${o.source.ref}'s templates`);
  return ['{% extends parent_template %}', '', ...Object.entries(blocks).flatMap(([name, body]) => [`{% block ${name} %}`, ...body, '{% endblock %}', ''])].join('\n');
}
