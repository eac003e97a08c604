/**
 * Starts the suites that take most of a CI run first. With two workers, files are handed out in
 * order as workers free up: vitest's own order (largest file first, on a clean clone without its
 * cache) started the exercise walk, ≈28 min, only after a quarter hour of small files, so the run
 * ended ≈28 min after that whatever the other worker did. Heaviest first, the long suites run side
 * by side from the start and the small files fill in after them.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Longest first, as measured in CI (file name under test/). Files not listed keep vitest's order. */
export const HEAVIEST = [
  'openstack-cloud.test.ts',
  'exercises-lab.test.ts',
  'pipeline-docker.test.ts',
  'cloud-server-image.test.ts',
  'readme-walkthrough.test.ts',
  'local-docker.test.ts',
  'ansible-converge.test.ts',
  'ansible-prometheus-config.test.ts',
];

export default class HeavyFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (file: TestSpecification) => {
      const index = HEAVIEST.findIndex((name) => file.moduleId.endsWith(`/test/${name}`));
      return index < 0 ? HEAVIEST.length : index;
    };
    // Array.prototype.sort is stable: unlisted files keep vitest's order among themselves.
    return [...sorted].sort((a, b) => rank(a) - rank(b));
  }
}
