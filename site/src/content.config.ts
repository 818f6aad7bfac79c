import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { z } from 'astro/zod';
import { docsSchema } from '@astrojs/starlight/schema';

/**
 * Content is read where it lives in the repository, never copied: docs/, adr/, battle-log/ and
 * releases/ROADMAP.md become Starlight pages; runbooks/ and results/ have routes of their own.
 */
const docs = defineCollection({
  loader: glob({
    base: '..',
    pattern: ['docs/**/*.{md,mdx}', 'adr/*.md', 'battle-log/*.md', 'releases/ROADMAP.md'],
    generateId: ({ entry }) => entry
      .replace(/^docs\/index\.mdx?$/, 'index')
      .replace(/^docs\//, '')
      .replace(/^releases\/ROADMAP\.md$/, 'roadmap')
      .replace(/\.mdx?$/, '')
      .toLowerCase(),
  }),
  schema: docsSchema({
    extend: z.object({
      id: z.string().optional(),
      status: z.string().optional(),
      date: z.coerce.date().optional(),
      deciders: z.array(z.string()).optional(),
    }),
  }),
});

const runbooks = defineCollection({
  loader: glob({ base: '../runbooks', pattern: '*.mdx' }),
  schema: z.object({
    id: z.string(),
    title: z.string(),
    description: z.string(),
    environment: z.string(),
  }),
});

const notes = defineCollection({
  loader: glob({ base: '../releases', pattern: '*/NOTES.md' }),
  schema: z.object({ title: z.string(), version: z.string(), description: z.string().optional(), date: z.coerce.date().optional() }),
});

export const collections = { docs, runbooks, notes };
