import { defineCheck } from '../../../src/exercises/kit.js';

const FILE = 'containers/answers.yaml';

export default defineCheck(async (lab) => {
  const all = lab.pipelineRuns(new Date(0)).filter((r) => r.workers === 1 && r.shards === 1);
  // The run this step asks for is made in it; the baked-in run may come from the previous step.
  const object = all.filter((r) => r.storage === 'object' && r.startedAt >= new Date(Math.floor(lab.stepStartedAt.getTime() / 1000) * 1000)).pop();
  const volume = all.filter((r) => r.storage === 'volume').pop();
  if (!object) return lab.missing(`no one-shard run with --storage object since you started this step: run \`${lab.command('pipeline run {course} --learner {learner} --workers 1 --shards 1 --reads 2000 --storage object')}\``);
  if (!volume) return lab.missing('no one-shard run with the reference in the image (--storage volume) any more: do the previous step\'s run again');
  const answers = lab.answers(FILE);
  const wrong: string[] = [];
  for (const [field, run] of [['ready_reference_in_image_s', volume], ['ready_fetch_at_runtime_s', object]] as const) {
    const answer = lab.numberAnswer(answers, FILE, field);
    const actual = run.startup.readySeconds;
    if (Math.abs(answer - actual) > 0.5 + actual * 0.25) wrong.push(`${field}: ${answer} s, but report ${lab.shown(run.reportFile.replace(/json$/, 'md'))} says otherwise`);
  }
  if (wrong.length) return lab.missing(`${lab.shown(lab.path(FILE))}: ${wrong.join('; ')}`);
  return `reference ready after ${volume.startup.readySeconds.toFixed(2)} s when baked in, ${object.startup.readySeconds.toFixed(2)} s when fetched and indexed at run time`;
});
