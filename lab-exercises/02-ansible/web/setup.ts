import { defineSetup } from '../../../src/exercises/kit.js';
import { webServer, writeWebInventory } from '../web-server.js';

/** The inventory of the learner's web server, from where it is now (a floating IP can change). */
export default defineSetup(async (lab) => {
  try {
    const file = writeWebInventory(lab, await webServer(lab));
    return `inventory of your web server written to ${lab.shown(file)}`;
  } catch (error) {
    return `no web server to write an inventory for yet: ${(error as Error).message}`;
  }
});
