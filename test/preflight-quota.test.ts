import { describe, expect, it } from 'vitest';
import { emptyConsumption, type Consumption } from '../src/course/estimate.js';
import type { ProjectQuota } from '../src/openstack/quota.js';
import { compareQuota, QUOTA_KEYS } from '../src/preflight/quota-check.js';
import { preflightExitCode, runPreflight } from '../src/preflight/preflight.js';
import { renderPreflight } from '../src/preflight/render.js';
import { loadCourse } from '../src/course/load.js';
import { AuthenticationError, NoCloudConfiguredError } from '../src/openstack/errors.js';

/** A hand-made quota (what fetchProjectQuota would return), generous everywhere unless overridden. */
function quota(over: Partial<Omit<ProjectQuota, 'cloud'>> = {}): ProjectQuota {
  const q = { cloud: 'test' } as ProjectQuota;
  for (const key of QUOTA_KEYS) q[key] = { limit: 1_000_000, inUse: 0 };
  return { ...q, ...over };
}

const need: Consumption = {
  ...emptyConsumption(),
  instances: 5,
  vcpus: 12,
  ramMb: 20480,
  volumes: 4,
  volumeGb: 90,
  floatingIps: 4,
  securityGroups: 7,
  networks: 1,
  subnets: 4,
  routers: 1,
  ports: 5,
  routerInterfaces: 4,
};

describe('compareQuota', () => {
  it('names exactly the exceeded limits', () => {
    const result = compareQuota(
      quota({
        cores: { limit: 10, inUse: 2 },
        floatingIps: { limit: 5, inUse: 1 }, // 1 + 4 = 5: at the limit, not over
        ports: { limit: 12, inUse: 4 }, // 4 + 5 instance ports + 4 router interfaces = 13
      }),
      need,
    );
    expect(result.exceeded).toEqual([
      'cores: need 14 (in use 2 + course 12) > limit 10',
      'ports: need 13 (in use 4 + course 9) > limit 12',
    ]);
    expect(result.rows.filter((r) => r.exceeded).map((r) => r.key)).toEqual(['cores', 'ports']);
    expect(result.rows.find((r) => r.key === 'floatingIps')).toMatchObject({ need: 5, exceeded: false });
  });

  it('never exceeds an unlimited (-1) quota', () => {
    const unlimited = quota();
    for (const key of QUOTA_KEYS) unlimited[key] = { limit: -1, inUse: 1_000_000 };
    const result = compareQuota(unlimited, need);
    expect(result.exceeded).toEqual([]);
    expect(result.rows.every((r) => r.limit === -1 && r.need > 1_000_000)).toBe(true);
  });

  it('a zero limit is a real limit', () => {
    const result = compareQuota(quota({ routers: { limit: 0, inUse: 0 } }), need);
    expect(result.exceeded).toEqual(['routers: need 1 (in use 0 + course 1) > limit 0']);
  });
});

describe('runPreflight with hand-made quota answers', () => {
  const course = loadCourse('test/fixtures/cli/good-course.yaml');

  it('exit 3 and names the limit when the quota is too small', async () => {
    const report = await runPreflight(course, async () => quota({ instances: { limit: 3, inUse: 1 } }));
    expect(preflightExitCode(report)).toBe(3);
    const text = renderPreflight(report).join('\n');
    const instances = report.estimate.total.instances;
    expect(text).toContain(`instances: need ${1 + instances} (in use 1 + course ${instances}) > limit 3`);
  });

  it('project-per-learner: the instructor\'s project is asked for the shared part only; the learners\' VMs are in their own projects', async () => {
    const perLearner = { ...course, accounts: { mode: 'project-per-learner' as const } };
    const shared = (await runPreflight(course, async () => quota())).estimate;
    const own = await runPreflight(perLearner, async () => quota({ instances: { limit: shared.total.instances - shared.learners.instances, inUse: 0 } }));
    // Room for the shared part's instances only: enough here, too little for the whole course.
    expect(preflightExitCode(own)).toBe(0);
    expect(preflightExitCode(await runPreflight(course, async () => quota({ instances: { limit: shared.total.instances - shared.learners.instances, inUse: 0 } })))).toBe(3);
    // The learners' subnets and router interfaces stay in it: only the network's owner can make them.
    expect(own.estimate.instructorProject.subnets).toBe(shared.total.subnets);
    expect(own.estimate.instructorProject.instances).toBe(shared.total.instances - shared.learners.instances);
    expect(renderPreflight(own).join('\n')).toContain('project-per-learner: each learner\'s part is in their own project');
  });

  it('exit 0 with "quota not checked" when no cloud is configured, 1 when the cloud refuses', async () => {
    const none = await runPreflight(course, async () => {
      throw new NoCloudConfiguredError('no credentials for cloud "x"');
    });
    expect(preflightExitCode(none)).toBe(0);
    expect(renderPreflight(none)).toContain('quota not checked: no credentials for cloud "x"');

    const refused = await runPreflight(course, async () => {
      throw new AuthenticationError('x', 'clouds.yaml', '401 Unauthorized');
    });
    expect(preflightExitCode(refused)).toBe(1);
    expect(renderPreflight(refused).join('\n')).toMatch(/quota not checked: Keystone of cloud "x" refused/);
  });
});
