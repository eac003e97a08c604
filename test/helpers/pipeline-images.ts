import type Docker from 'dockerode';
import { ensureImages } from '../../src/local/images.js';
import type { Progress } from '../../src/local/progress.js';
import { ensurePipelineImage } from '../../src/pipeline/images.js';

/**
 * The images every pipeline run needs (base, both worker images, Swift), built in a suite's
 * beforeAll: on a cold machine that takes minutes (the workers' apt layer is 1.4 GB), which a
 * hook has room for and a test's own timeout does not.
 */
export async function pipelineImagesReady(docker: Docker, progress: Progress): Promise<void> {
  await ensureImages(docker, progress, ['base']);
  await ensurePipelineImage(docker, 'pipeline', progress);
  await ensurePipelineImage(docker, 'swift', progress);
}
