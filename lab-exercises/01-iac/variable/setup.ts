import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { defineSetup } from '../../../src/exercises/kit.js';
import { PROJECT_DIR, templateValues } from '../iac.js';

/** Puts the starting stack in the workspace (never over the learner's own edits). */
export default defineSetup(async (lab) => {
  const dir = lab.path('iac');
  mkdirSync(dir, { recursive: true });
  const main = join(dir, 'main.ts');
  if (!existsSync(main)) {
    let text = readFileSync(join(lab.stepDir, 'template', 'main.ts'), 'utf8');
    for (const [key, value] of Object.entries(templateValues(lab, relative(dir, join(PROJECT_DIR, 'stacks', 'constructs', 'openstack.js'))))) text = text.replaceAll(`@@${key}@@`, value);
    writeFileSync(main, text);
  }
  // The toolkit's cdktf, constructs and tsx serve the learner's app: nothing to install.
  if (!existsSync(join(dir, 'node_modules'))) symlinkSync(join(PROJECT_DIR, 'node_modules'), join(dir, 'node_modules'));
  if (!existsSync(join(dir, 'package.json'))) writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: `iac-${lab.learner.id}`, private: true, type: 'module', scripts: { synth: 'tsx main.ts' } }, null, 2)}\n`);
  return `your stack is in ${lab.shown(main)}`;
});
