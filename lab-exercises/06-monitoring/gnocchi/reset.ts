import { defineReset } from '../../../src/exercises/kit.js';
import { resourceId } from '../gnocchi.js';

export default defineReset(async (lab) => {
  const deleted = await lab.gnocchi('DELETE', `/v1/resource/generic/${resourceId(lab)}`);
  return deleted.status === 204 ? `resource ${resourceId(lab)} deleted` : `no resource ${resourceId(lab)} to delete`;
});
