import { EVIDENCE_COLORS, KIND_COLORS, LINK_WIDTH, RECOMMENDATION_COLORS, USES_EDGE, type ClusterPageData, type IndexPageData } from './report-model.js';

/** Text for an HTML text node or a double-quoted attribute. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * JSON inside `<script type="application/json">`: `<`, `>` and `&` escaped as \u sequences so no
 * identifier can close the script element or open a comment; U+2028/2029 for old JS parsers.
 */
export function jsonForScript(data: unknown): string {
  return JSON.stringify(data)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function page(title: string, body: string, data: unknown): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="assets/report.css">
</head>
<body>
${body}
<script type="application/json" id="ringscope-data">${jsonForScript(data)}</script>
<script src="assets/report.js"></script>
</body>
</html>
`;
}

export function renderIndexPage(data: IndexPageData): string {
  const body = `<header><h1>ringscope rings</h1><p class="meta">Run <span id="run-id"></span> · <span id="run-time"></span> · <span id="cluster-count"></span> clusters. Click a column to sort.</p></header>
<main>
<table id="clusters">
<thead><tr>
<th data-key="id" data-type="string">cluster</th>
<th data-key="score" data-type="number" aria-sort="descending">score</th>
<th data-key="recommendation" data-type="recommendation">recommendation</th>
<th data-key="size" data-type="number">size</th>
<th data-key="lineage" data-type="string">lineage</th>
<th data-key="topReasons" data-type="string">top reasons</th>
</tr></thead>
<tbody></tbody>
</table>
</main>`;
  return page(`ringscope rings — run ${data.run.id}`, body, data);
}

const dot = (color: string, text: string, cls = 'swatch'): string => `<li><span class="${cls}" style="background:${color}"></span>${escapeHtml(text)}</li>`;

/** What the picture's colours and widths mean (constants only, no data). */
function legendHtml(): string {
  const accounts = Object.entries(RECOMMENDATION_COLORS)
    .map(([r, c]) => dot(c, r))
    .join('');
  const identifiers = Object.entries(KIND_COLORS)
    .map(([k, c]) => dot(c, k, 'swatch small'))
    .join('');
  const links = Object.entries(EVIDENCE_COLORS)
    .map(([k, c]) => dot(c, k, 'line'))
    .join('');
  return `<div id="legend">
<h3>Accounts</h3><ul class="legend">${accounts}</ul>
<p class="note">coloured by the member's own recommendation, else the ring's</p>
<h3>Shared identifiers</h3><ul class="legend">${identifiers}</ul>
<h3>Links between accounts</h3><ul class="legend">${links}</ul>
<p class="note">colour: the evidence that gave the link most of its bits; width ${LINK_WIDTH.min}–${LINK_WIDTH.max} px by bits (<span id="link-range"></span>);
<span class="line" style="background:${USES_EDGE.color}"></span> an account uses an identifier</p>
</div>`;
}

export function renderClusterPage(data: ClusterPageData): string {
  const body = `<header><a href="index.html">← all rings</a><h1>Ring <span id="cluster-id"></span></h1>
<p class="meta" id="cluster-meta"></p><p class="meta" id="bound-note"></p></header>
<main class="cluster">
<section id="graph" aria-label="graph of the ring's accounts and shared identifiers"></section>
<aside id="evidence"><h2>Evidence</h2>${legendHtml()}<p id="hint">Hover a node to see its label and links, scroll to zoom (more labels), click for its details.</p><div id="details"></div><h3>Top reasons</h3><ol id="reasons"></ol></aside>
</main>`;
  return page(`ringscope ring ${data.cluster.id}`, body, data);
}

export const REPORT_CSS = `
*{box-sizing:border-box}body{margin:0;font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#222;background:#fafafa}
header{padding:12px 20px;background:#fff;border-bottom:1px solid #ddd}h1{margin:4px 0;font-size:20px}.meta{margin:2px 0;color:#555}
main{padding:16px 20px}table{border-collapse:collapse;width:100%;background:#fff}th,td{padding:6px 8px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
th{cursor:pointer;user-select:none;background:#f0f0f0}th[aria-sort=ascending]::after{content:" ▲"}th[aria-sort=descending]::after{content:" ▼"}
td.num{text-align:right;font-variant-numeric:tabular-nums}.rec-enforce{color:#b00020;font-weight:600}.rec-review{color:#b36b00}.rec-monitor{color:#555}
main.cluster{display:flex;gap:16px;height:calc(100vh - 110px);min-height:420px}#graph{flex:1;min-width:300px;background:#fff;border:1px solid #ddd;position:relative}
#evidence{width:320px;overflow:auto;background:#fff;border:1px solid #ddd;padding:8px 12px}#evidence h2{margin:4px 0 8px;font-size:16px}
.legend{list-style:none;padding:0;margin:0 0 4px;display:flex;flex-wrap:wrap;gap:4px 10px;font-size:12px}.swatch{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:4px}
.swatch.small{width:7px;height:7px}.line{display:inline-block;width:16px;height:3px;margin:0 4px 3px 0;vertical-align:middle}
#legend h3{margin:6px 0 2px;font-size:12px;color:#444}.note{margin:0 0 4px;font-size:11px;color:#777}#evidence h3{font-size:13px}
#details dl{display:grid;grid-template-columns:auto 1fr;gap:2px 8px;margin:0}#details dt{color:#666}#details dd{margin:0;word-break:break-all}
#details ul{padding-left:18px;margin:4px 0}.key{font-family:ui-monospace,monospace;word-break:break-all}
`;
