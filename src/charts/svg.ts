/**
 * Every chart the toolkit draws is a Vega-Lite spec rendered to SVG here, on the server, without
 * a browser or a canvas: the same file goes into a report, a PNG (rsvg-convert) and the dashboard's
 * page, which then needs no script to show it.
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export type ChartSpec = TopLevelSpec;

export async function chartSvg(spec: ChartSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
