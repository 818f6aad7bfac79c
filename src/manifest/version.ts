import { z } from 'zod';
import { compareVersions } from '../apt/version.ts';

/** A release version: one path segment (it names results/<version>/ and .airgap/releases/<version>/). */
export const RELEASE_VERSION = /^[0-9A-Za-z][0-9A-Za-z.+_-]*$/;
export const releaseVersion = z.string().regex(RELEASE_VERSION, 'a version like 2.0.0 or 2024.1-r1 (no slashes or spaces)');

/**
 * Which release is newer: dpkg's order, the one version order the project already has (digit runs
 * as numbers, `~` before anything, so 2.0~rc1 < 2.0 < 2.0.1 and 2024.1-r2 > 2024.1-r1).
 */
export const compareReleases = (a: string, b: string): number => compareVersions(a, b);
