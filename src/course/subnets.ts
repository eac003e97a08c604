import { blockSize, formatCidr, type Cidr } from './cidr.js';

/**
 * How the course CIDR is cut (docs/topology.md): subnets of `subnetPrefix`, subnet 0 for the
 * services (monitoring host, workers), learner i in subnet i + 1.
 */

/** How many subnets of `subnetPrefix` fit in the course CIDR. */
export function subnetCapacity(course: Cidr, subnetPrefix: number): number {
  return subnetPrefix < course.prefix ? 0 : 2 ** (subnetPrefix - course.prefix);
}

/** Subnet number `index` (0-based) of the course CIDR. */
export function carveSubnet(course: Cidr, subnetPrefix: number, index: number): string {
  if (index < 0 || index >= subnetCapacity(course, subnetPrefix)) {
    throw new RangeError(`subnet ${index} of ${formatCidr(course)} in /${subnetPrefix} does not exist`);
  }
  return formatCidr({ base: course.base + index * blockSize(subnetPrefix), prefix: subnetPrefix });
}

export function servicesSubnet(course: Cidr, subnetPrefix: number): string {
  return carveSubnet(course, subnetPrefix, 0);
}

export function learnerSubnet(course: Cidr, subnetPrefix: number, learnerIndex: number): string {
  return carveSubnet(course, subnetPrefix, learnerIndex + 1);
}
