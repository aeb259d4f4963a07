import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_DIR } from './helpers/fixtures.js';

test('LICENSE holds the full Apache-2.0 text that package.json declares', () => {
  const pkg = JSON.parse(readFileSync(join(PROJECT_DIR, 'package.json'), 'utf8')) as { license: string };
  expect(pkg.license).toBe('Apache-2.0');
  const file = join(PROJECT_DIR, 'LICENSE');
  expect(existsSync(file) ? 'LICENSE exists' : 'LICENSE is missing').toBe('LICENSE exists');
  const text = readFileSync(file, 'utf8').replace(/\s+/g, ' ');
  expect(text).toContain('Apache License Version 2.0, January 2004');
  expect(text).toContain('TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION');
  expect(text).toContain('9. Accepting Warranty or Additional Liability.');
  expect(text).toContain('END OF TERMS AND CONDITIONS');
  expect(text).toContain('APPENDIX: How to apply the Apache License to your work.');
});
