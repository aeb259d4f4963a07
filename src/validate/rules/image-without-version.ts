import { imageVersion } from '../../profiles/version.js';
import { defineRule, WORKLOADS } from '../rule.js';

export const imageWithoutVersion = defineRule({
  id: 'image-without-version',
  severity: 'warn',
  summary: 'The datastore image has no version tag.',
  fix: 'Pin a version.',
  kinds: ['Pod', ...WORKLOADS],
  operations: ['CREATE', 'UPDATE'],
  profiles: 'all',
  onUpdate: 'introduced',
  // An unreadable version change already says to use version tags.
  suppressedBy: ['unknown-version-change', 'repository-change-without-migration'],
  check({ subject, selection }) {
    if (selection === undefined) return undefined;
    const { container } = selection;
    if (imageVersion(container.image ?? '') !== undefined) return undefined;
    return {
      message: `${subject.ref}: container "${container.name}" image ${JSON.stringify(container.image ?? '')} has no version tag; pin one`,
      container: container.name,
    };
  },
});
