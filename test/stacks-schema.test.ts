import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCourse, loadCourseText } from '../src/course/load.js';
import { loadProviderSchema, OPENSTACK_PROVIDER_FQPN } from '../src/terraform/provider-schema.js';
import { checkTerraformJson, formatSchemaProblems } from '../src/terraform/schema-check.js';
import { synthCourse } from '../src/synth/synthesize.js';
import { courseYaml } from './helpers/course-yaml.js';
import { TYPES_WITH_METADATA, TYPES_WITH_TAGS } from './helpers/metadata-types.js';

const schema = loadProviderSchema();
const scratch = mkdtempSync(join(tmpdir(), 'resops-schema-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.skipIf(schema === undefined)(`synthesized stacks against the provider schema (${schema?.path ?? 'no ../shared schema: skipped'})`, () => {
  const courses = {
    'examples/course.yaml': () => loadCourse('examples/course.yaml', { target: 'openstack' }),
    'object storage, 2 VMs per learner, no volumes': () =>
      loadCourseText(courseYaml({ id: 'variant', storage: 'object', vms: 2, volumeGb: 0 }), 'variant.yaml', scratch),
    'monitoring off, no pipeline, SSH from nowhere': () =>
      loadCourseText(courseYaml({ id: 'bare', monitoring: false, workers: 0, sshAllowedCidrs: [] }), 'bare.yaml', scratch),
  };

  for (const [label, load] of Object.entries(courses)) {
    it(`every cdk.tf.json of ${label} is valid for the provider`, () => {
      const result = synthCourse(load(), join(scratch, label.replaceAll(/\W+/g, '-')));
      expect(result.stacks.length).toBeGreaterThanOrEqual(2);
      for (const stack of result.stacks) {
        const json: unknown = JSON.parse(readFileSync(join(stack.dir, 'cdk.tf.json'), 'utf8'));
        const problems = checkTerraformJson(json, schema!.document);
        expect(formatSchemaProblems(problems, `${stack.name}/cdk.tf.json`)).toBe(formatSchemaProblems([], `${stack.name}/cdk.tf.json`));
      }
    });
  }

  it('the metadata/tag coverage lists of the synth tests match the schema', () => {
    const resources = schema!.document.provider_schemas[OPENSTACK_PROVIDER_FQPN].resource_schemas ?? {};
    const synthesized = new Set<string>();
    const variants = [loadCourse('examples/course.yaml', { target: 'openstack' }), loadCourseText(courseYaml({ id: 'native', storage: 'object' }), 'native.yaml', scratch)];
    const stacks = variants.flatMap((course) => synthCourse(course, join(scratch, `coverage-${course.id}`)).stacks);
    for (const stack of stacks) {
      const json = JSON.parse(readFileSync(join(stack.dir, 'cdk.tf.json'), 'utf8')) as { resource?: Record<string, unknown> };
      for (const type of Object.keys(json.resource ?? {})) synthesized.add(type);
    }
    const withAttribute = (name: string) =>
      [...synthesized].filter((type) => resources[type]?.block.attributes?.[name] !== undefined).sort();
    expect(withAttribute('metadata')).toEqual([...TYPES_WITH_METADATA].sort());
    expect(withAttribute('tags')).toEqual([...TYPES_WITH_TAGS].sort());
  });
});
