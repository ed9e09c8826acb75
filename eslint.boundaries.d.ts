import type { Linter } from 'eslint';

/** The folder rules of DESIGN.md as ESLint config objects (see eslint.boundaries.js). */
export declare const boundaries: Linter.Config[];
