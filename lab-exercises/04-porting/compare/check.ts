import { defineCheck } from '../../../src/exercises/kit.js';
import { latestRun } from '../porting.js';

const FILE = 'porting/answers.yaml';

export default defineCheck(async (lab) => {
  const volume = latestRun(lab, 'volume', new Date(0));
  const object = latestRun(lab, 'object', new Date(0));
  if (!volume || !object) return lab.missing('a volume run and an object run (2 workers or more) are needed: do the two previous steps');
  if (volume.reads !== object.reads || volume.workers !== object.workers) return lab.missing(`your latest volume run (${volume.workers} workers, ${volume.reads} reads) and object run (${object.workers} workers, ${object.reads} reads) differ: compare like with like, run one of them again`);
  const answers = lab.answers(FILE);
  const [fast, slow] = volume.wallSeconds <= object.wallSeconds ? [volume, object] : [object, volume];
  const percent = (slow.wallSeconds / fast.wallSeconds - 1) * 100;
  const wrong: string[] = [];
  if (answers.faster !== fast.storage) wrong.push(`faster: "${String(answers.faster ?? '')}" — your runs say otherwise (${volume.wallSeconds.toFixed(1)} s with volume, ${object.wallSeconds.toFixed(1)} s with object)`);
  const answer = lab.numberAnswer(answers, FILE, 'slower_by_percent');
  if (Math.abs(answer - percent) > 5) wrong.push(`slower_by_percent: ${answer} is not (slower / faster − 1) × 100 of your runs`);
  if (wrong.length) return lab.missing(`${lab.shown(lab.path(FILE))}: ${wrong.join('; ')}`);
  return `${fast.storage} was faster: ${fast.wallSeconds.toFixed(1)} s against ${slow.wallSeconds.toFixed(1)} s (${percent.toFixed(0)}% slower)`;
});
