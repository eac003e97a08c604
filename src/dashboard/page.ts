import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { ClassView } from './class-view.js';
import type { PipelineCharts } from './pipeline-charts.js';
import { runLabel } from './pipeline-charts.js';

/**
 * The page: the class grid rendered on the server (hono's html template escapes every name), and
 * a few lines of script that take the grid again from the event stream, so it updates without a
 * reload. Each cell says its state in text as well as colour.
 */

const SYMBOL: Record<string, string> = { todo: '·', started: '…', passed: '✔', solved: '✔*' };

const money = (amount: number, currency: string) => `${amount.toFixed(2)} ${currency}`;

function machineDots(machines: ReadonlyArray<{ name: string; state: string; detail: string }>) {
  return machines.map((m) => html`<span class="vm ${m.state}" data-vm="${m.name}" data-state="${m.state}" title="${m.name}: ${m.detail}">${m.state === 'ok' ? '●' : m.state === 'sick' ? '▲' : '■'}</span>`);
}

/** Time, money, shared services and firing alerts, above the grid. */
function renderHealth(view: ClassView) {
  const h = view.health;
  if (!h) return html`<p id="health">machines: not asked yet</p>`;
  const t = h.time;
  const cost = t.cost;
  const shared = h.machines.filter((m) => m.learner === undefined);
  return html`<div id="health" data-checked="${h.checkedAt}">
<p class="${t.expiryWarning ? 'warn' : ''}">${t.start || t.end ? `${t.start ?? '…'} – ${t.end ?? '…'}: ` : ''}${t.expiry}</p>
${cost ? html`<p class="${cost.overWarning ? 'warn' : ''}" id="cost">cost so far ${money(cost.spent, cost.currency)}, now ${money(cost.perHour, cost.currency)}/h${cost.projected !== undefined ? `, ${money(cost.projected, cost.currency)} by the end` : ''}${cost.budget !== undefined ? ` (budget ${money(cost.budget, cost.currency)}${cost.overWarning ? `: ${Math.round((cost.usedFraction ?? 0) * 100)} % used` : ''})` : ''}</p>` : ''}
${h.error ? html`<p class="warn">machines could not be asked: ${h.error}</p>` : ''}
${shared.length ? html`<p>shared: ${machineDots(shared)} <small>${shared.map((m) => m.role).join(', ')}</small></p>` : ''}
${h.alerts.length ? html`<ul id="alerts">${h.alerts.map((a) => html`<li class="warn" data-alert="${a.name}" data-learner="${a.learner ?? ''}">${a.name}${a.learner ? ` (${a.learner})` : ''}${a.instance ? ` on ${a.instance}` : ''}</li>`)}</ul>` : html`<p>no alert firing</p>`}
</div>`;
}

/** Recent runs as a table and as bars split by stage; each learner's latest scaling plot. */
function renderPipeline(view: ClassView, charts: PipelineCharts) {
  const { runs } = view.pipeline;
  if (!runs.length && !charts.scaling.length) return html`<section id="pipeline"><h2>Pipeline runs</h2><p>no pipeline run yet</p></section>`;
  return html`<section id="pipeline"><h2>Pipeline runs</h2>
${runs.length ? html`<table id="runs"><thead><tr><th>learner · run</th><th>storage</th><th>workers</th><th>read pairs</th><th>wall (s)</th><th>F1</th><th>workers lost</th></tr></thead>
<tbody>${runs.map((r) => html`<tr data-run="${r.run}" data-learner="${r.learner ?? ''}"><td>${runLabel(r)}</td><td>${r.storage}</td><td>${r.workers}</td><td>${r.reads}</td><td>${r.wallSeconds.toFixed(1)}</td><td>${r.f1.toFixed(3)}</td><td>${r.lostWorkers || ''}</td></tr>`)}</tbody></table>
<figure id="stages-chart">${raw(charts.stages ?? '')}</figure>` : ''}
${charts.error ? html`<p class="warn">${charts.error}</p>` : ''}
${charts.scaling.length ? html`<h3>Scaling</h3><div id="scaling">${charts.scaling.map((c) => html`<figure data-learner="${c.learner ?? ''}">${raw(c.svg)}<figcaption>${c.fit ? `serial fraction ${c.fit.serialFraction.toFixed(3)}: more than ${Number.isFinite(c.fit.maxSpeedup) ? `${c.fit.maxSpeedup.toFixed(1)}×` : 'any'} speedup is out of reach` : 'one worker count: nothing to fit'}</figcaption></figure>`)}</div>` : ''}
</section>`;
}

export function renderGrid(view: ClassView, charts: PipelineCharts = { scaling: [] }): HtmlEscapedString | Promise<HtmlEscapedString> {
  const steps = view.exercises.flatMap((e) => e.steps.map((s) => ({ key: `${e.id}/${s.id}`, exercise: e.id, step: s })));
  const machinesOf = (learner: string) => view.health?.machines.filter((m) => m.learner === learner) ?? [];
  return html`<div id="grid">${renderHealth(view)}<table data-generated="${view.generatedAt}">
<thead><tr><th rowspan="2">learner</th><th rowspan="2">machines</th>${view.exercises.map((e) => html`<th colspan="${e.steps.length}" title="${e.title}">${e.id}</th>`)}</tr>
<tr>${steps.map((s) => html`<th class="step" title="${s.step.title}">${s.step.id}</th>`)}</tr></thead>
<tbody>${view.learners.map(
    (l) => html`<tr data-learner="${l.id}" class="${l.stuck ? 'stuck' : ''}"><th title="${l.stuck ?? ''}">${l.name} <small>(${l.id})</small>${l.stuck ? html` <span class="flag" data-stuck="true">stuck</span>` : ''}</th><td class="machines">${machineDots(machinesOf(l.id))}</td>${steps.map((s) => {
      const cell = l.cells[s.key];
      const status = cell?.status ?? 'todo';
      const current = l.current && `${l.current.exercise}/${l.current.step}` === s.key;
      const title = `${s.key}: ${status}${cell ? `, ${cell.checks} checks, ${cell.hints} hints${cell.lastMessage ? ` — ${cell.lastMessage}` : ''}` : ''}`;
      return html`<td data-step="${s.key}" data-status="${status}" class="${status}${current ? ' current' : ''}" title="${title}">${SYMBOL[status] ?? '?'}${cell && cell.hints > 0 ? html`<sup>${cell.hints}</sup>` : ''}</td>`;
    })}</tr>`,
  )}</tbody></table>${renderPipeline(view, charts)}</div>`;
}

export function renderPage(view: ClassView, charts: PipelineCharts = { scaling: [] }): HtmlEscapedString | Promise<HtmlEscapedString> {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${view.title}: class</title>
<style>
body{font-family:system-ui,sans-serif;margin:1rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:center}
td.passed{background:#c8f0c8}td.solved{background:#e4f0b0}td.started{background:#fff2b3}td.current{outline:2px solid #333}
tr.stuck th{background:#f8c0c0}#scaling{display:flex;flex-wrap:wrap;gap:1rem}figure{margin:.5rem 0}.vm.ok{color:#1a7f1a}.vm.sick{color:#d08000}.vm.down{color:#c00000}.warn{color:#a00;font-weight:bold}th.step{font-weight:normal;font-size:75%}.flag{color:#a00;font-weight:bold}
</style></head>
<body><h1>${view.title} <small>(${view.course})</small></h1>
<p>✔ done · ✔* done by solve · … in progress · · not started; a number is hints used. Machines: ● ok, ▲ sick, ■ down. <span id="live">live</span></p>
<div id="grid-box">${renderGrid(view, charts)}</div>
<script type="module">
const box = document.getElementById('grid-box');
const source = new EventSource('/api/stream');
source.addEventListener('class', async () => {
  const response = await fetch('/', { headers: { accept: 'text/html' } });
  const page = new DOMParser().parseFromString(await response.text(), 'text/html');
  const grid = page.getElementById('grid');
  if (grid) box.replaceChildren(grid);
});
source.onerror = () => { document.getElementById('live').textContent = 'reconnecting…'; };
source.onopen = () => { document.getElementById('live').textContent = 'live'; };
</script></body></html>`;
}
