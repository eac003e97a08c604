import { describe, expect, it } from 'vitest';
import { courseHours, estimateConsumption, estimateCost } from '../src/course/estimate.js';
import type { Course, Learner, UnitPrices } from '../src/course/model.js';

/** A resolved course built by hand: only what the estimate reads has to be realistic. */
function course(learners: Array<Partial<Learner> & { id: string }>, over: Partial<Course> = {}): Course {
  return {
    file: 'course.yaml',
    dir: '/tmp',
    id: 'est',
    title: 'Estimate test',
    target: 'openstack',
    cloud: {
      name: 'test',
      region: 'RegionOne',
      externalNetwork: 'public',
      image: 'debian-12',
      imageUser: 'debian',
      dnsServers: [],
      sshAllowedCidrs: [],
      dashboardAllowedCidrs: [],
      // Distinct sizes per role so a miscounted role shows in vCPUs and RAM.
      flavors: {
        learner: { name: 's', vcpus: 2, ramMb: 4096 },
        monitoring: { name: 'm', vcpus: 4, ramMb: 8192 },
        worker: { name: 'l', vcpus: 8, ramMb: 16384 },
      },
    },
    network: { cidr: '10.42.0.0/16', subnetPrefix: 24, servicesSubnet: '10.42.0.0/24' },
    learners: learners.map((l, index) => ({
      name: l.id,
      sshPublicKey: 'ssh-ed25519 AAAA',
      index,
      subnetCidr: `10.42.${index + 1}.0/24`,
      vms: 1,
      volumeGb: 10,
      ...l,
    })),
    monitoring: { enabled: true, retention: '15d', volumeGb: 20 },
    pipeline: { workers: 2, storage: 'volume', volumeGb: 50 },
    local: { sshPortBase: 2200, ports: { prometheus: 9090, pushgateway: 9091, alertmanager: 9093, gnocchi: 8041, swift: 8081 } },
    expiry: { graceHours: 24, action: 'stop' },
    accounts: { mode: 'shared-project' },
    stateDir: '.resops/est',
    ...over,
  };
}

const prices: UnitPrices = { currency: 'EUR', vcpuHour: 0.01, ramGbHour: 0.005, volumeGbHour: 0.0002, floatingIpHour: 0.004 };

describe('estimateConsumption (docs/topology.md formulas)', () => {
  it('1 learner with monitoring and a volume-backed pipeline', () => {
    const e = estimateConsumption(course([{ id: 'alice' }]));
    expect(e.parts.map((p) => p.stack)).toEqual(['est-network', 'est-learner-alice', 'est-monitoring', 'est-pipeline']);
    expect(e.total).toEqual({
      instances: 1 + 1 + 2,
      vcpus: 1 * 2 + 4 + 2 * 8,
      ramMb: 1 * 4096 + 8192 + 2 * 16384,
      volumes: 1 + 1 + 1,
      volumeGb: 10 + 20 + 50,
      floatingIps: 1 + 1,
      securityGroups: 4 + 1 + 1 + 1,
      networks: 1,
      subnets: 1 + 1,
      routers: 1,
      ports: 1 + 1 + 2,
      routerInterfaces: 1 + 1,
      objectContainers: 0,
    });
  });

  it('3 learners with per-learner VM overrides, monitoring off, object pipeline', () => {
    const c = course(
      [{ id: 'alice' }, { id: 'bob', vms: 3, volumeGb: 0 }, { id: 'carol', vms: 2, volumeGb: 5 }],
      { monitoring: { enabled: false, retention: '15d', volumeGb: 20 }, pipeline: { workers: 3, storage: 'object', volumeGb: 50 } },
    );
    const e = estimateConsumption(c);
    expect(e.parts.map((p) => p.kind)).toEqual(['network', 'learner', 'learner', 'learner', 'pipeline']);
    const bob = e.parts.find((p) => p.learnerId === 'bob')!.consumption;
    expect(bob).toMatchObject({ instances: 3, vcpus: 6, ramMb: 3 * 4096, volumes: 0, volumeGb: 0, floatingIps: 3, securityGroups: 1, subnets: 1, ports: 3, routerInterfaces: 1 });
    const carol = e.parts.find((p) => p.learnerId === 'carol')!.consumption;
    expect(carol).toMatchObject({ volumes: 2, volumeGb: 10 });
    expect(e.learners).toMatchObject({ instances: 6, floatingIps: 6, securityGroups: 3, volumes: 3, volumeGb: 20 });
    expect(e.total).toEqual({
      instances: 6 + 3,
      vcpus: 6 * 2 + 3 * 8,
      ramMb: 6 * 4096 + 3 * 16384,
      volumes: 3,
      volumeGb: 20,
      floatingIps: 6,
      securityGroups: 4 + 3 + 1,
      networks: 1,
      subnets: 3 + 1,
      routers: 1,
      ports: 9,
      routerInterfaces: 3 + 1,
      objectContainers: 1,
    });
  });

  it('no pipeline stack when workers is 0, whatever its storage', () => {
    const e = estimateConsumption(course([{ id: 'a' }], { pipeline: { workers: 0, storage: 'volume', volumeGb: 50 } }));
    expect(e.parts.some((p) => p.kind === 'pipeline')).toBe(false);
    expect(e.total.volumeGb).toBe(10 + 20);
    expect(e.total.securityGroups).toBe(4 + 1 + 1);
  });
});

describe('estimateCost', () => {
  it('is hours × unit prices, start to end date inclusive', () => {
    const c = course([{ id: 'alice' }, { id: 'bob', vms: 2 }], { start: '2025-03-10', end: '2025-03-12', cloud: { ...course([]).cloud, prices } });
    const { total } = estimateConsumption(c);
    const cost = estimateCost(c, total)!;
    const perHour = total.vcpus * 0.01 + (total.ramMb / 1024) * 0.005 + total.volumeGb * 0.0002 + total.floatingIps * 0.004;
    expect(cost.perHour).toBeCloseTo(perHour, 10);
    expect(cost.hours).toBe(3 * 24);
    expect(cost.total).toBeCloseTo(perHour * 72, 10);
    expect(cost.currency).toBe('EUR');
  });

  it('counts whole days across a daylight-saving change', () => {
    expect(courseHours({ start: '2025-03-29', end: '2025-03-31' })).toBe(72);
    expect(courseHours({ start: '2025-03-10', end: '2025-03-10' })).toBe(24);
  });

  it('gives only the hourly cost without dates, and nothing without prices', () => {
    const dated = course([{ id: 'a' }], { cloud: { ...course([]).cloud, prices } });
    const cost = estimateCost(dated, estimateConsumption(dated).total)!;
    expect(cost.perHour).toBeGreaterThan(0);
    expect(cost.total).toBeUndefined();
    expect(cost.note).toMatch(/start and end/);
    const unpriced = course([{ id: 'a' }]);
    expect(estimateCost(unpriced, estimateConsumption(unpriced).total)).toBeUndefined();
  });
});
