import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TEST_DIR } from './fixtures.js';

/**
 * Golden files: reviewed expected outputs kept in test/golden/. A run with UPDATE_GOLDEN=1
 * rewrites them from the current output; review the diff before committing it.
 */
export function expectGolden(name: string, actual: unknown): void {
  const file = join(TEST_DIR, 'golden', name);
  const text = `${JSON.stringify(actual, null, 2)}\n`;
  if (process.env['UPDATE_GOLDEN'] === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    return;
  }
  if (!existsSync(file)) throw new Error(`golden file ${name} is missing; run with UPDATE_GOLDEN=1 and review it`);
  expect(actual).toEqual(JSON.parse(readFileSync(file, 'utf8')));
}

/** A golden text file (a generated script): compared byte for byte; UPDATE_GOLDEN=1 rewrites it. */
export function expectGoldenText(name: string, actual: string): void {
  const file = join(TEST_DIR, 'golden', name);
  if (process.env['UPDATE_GOLDEN'] === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) throw new Error(`golden file ${name} is missing; run with UPDATE_GOLDEN=1 and review it`);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}
