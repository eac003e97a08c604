import { defineSolve } from '../../../src/exercises/kit.js';
import { editMain, synth } from '../iac-edit.js';

export default defineSolve(async (lab) => {
  editMain(lab, (text) =>
    text.includes("'server'")
      ? text
      : text.replace(
          /(\n\s*\/\/ Step 3:[^\n]*\n[^\n]*\n)/,
          `$1    new ComputeInstanceV2(this, 'server', {\n      name: \`${lab.course.id}-\${learner.stringValue}-web\`,\n      imageId: image.id,\n      flavorId: flavor.id,\n      network: [{ name: network.name }],\n      securityGroups: [web.name],\n    });\n`,
        ),
  );
  await synth(lab);
});
