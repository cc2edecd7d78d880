// Browser side of the ring report, bundled with sigma, graphology and ForceAtlas2 into one IIFE
// (assets/report.js) so that the report works offline from file://. All data comes from the
// page's JSON script element and is written with textContent, never as HTML.
import { UndirectedGraph } from 'graphology';
import Sigma from 'sigma';
import forceAtlas2Import from 'graphology-layout-forceatlas2';
import {
  EVIDENCE_COLORS,
  KIND_COLORS,
  LINK_WIDTH,
  RECOMMENDATION_COLORS,
  USES_EDGE,
  type ClusterPageData,
  type ClusterSummary,
  type IndexPageData,
  type ReportNode,
} from '../report-model.js';
import { mulberry32 } from '../../util/hash.js';

// Under `module: NodeNext` these CommonJS packages' default export is typed as the module object.
const forceAtlas2 = forceAtlas2Import as unknown as typeof forceAtlas2Import.default;

type PageData = IndexPageData | ClusterPageData;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, cls?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function setText(id: string, text: string): void {
  const e = document.getElementById(id);
  if (e) e.textContent = text;
}

const REC_RANK: Record<string, number> = { monitor: 0, review: 1, enforce: 2 };

function renderIndex(data: IndexPageData): void {
  setText('run-id', data.run.id);
  setText('run-time', data.run.finishedAt ?? data.run.startedAt ?? '');
  setText('cluster-count', String(data.clusters.length));
  const table = document.getElementById('clusters') as HTMLTableElement;
  const tbody = table.tBodies[0]!;
  let rows = [...data.clusters];
  const draw = () => {
    tbody.replaceChildren(
      ...rows.map((c) => {
        const tr = el('tr');
        const link = el('a', c.id);
        link.href = c.page; // our own generated file name, never data
        const idCell = el('td');
        idCell.append(link);
        tr.append(
          idCell,
          el('td', c.score.toFixed(3), 'num'),
          el('td', c.recommendation, `rec-${REC_RANK[c.recommendation] !== undefined ? c.recommendation : 'monitor'}`),
          el('td', String(c.size), 'num'),
          el('td', c.lineage),
          el('td', c.topReasons.join('; ')),
        );
        return tr;
      }),
    );
  };
  const headers = [...table.tHead!.rows[0]!.cells];
  for (const th of headers) {
    th.addEventListener('click', () => {
      const key = th.dataset.key as keyof ClusterSummary;
      const type = th.dataset.type;
      const dir = th.getAttribute('aria-sort') === 'descending' ? 1 : -1;
      for (const h of headers) h.removeAttribute('aria-sort');
      th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
      const val = (c: ClusterSummary): number | string =>
        type === 'number' ? (c[key] as number) : type === 'recommendation' ? (REC_RANK[c.recommendation] ?? -1) : String(c[key]);
      rows = [...data.clusters].sort((a, b) => {
        const x = val(a);
        const y = val(b);
        // Ties always by cluster id ascending, whatever the direction.
        return (x < y ? -1 : x > y ? 1 : 0) * dir || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
      });
      draw();
    });
  }
  draw();
}

function shortLabel(n: ReportNode): string {
  const max = n.kind === 'account' ? 18 : 14;
  return n.key.length > max ? `${n.key.slice(0, max - 1)}…` : n.key;
}

/** Zoomed in this far (camera ratio below), identifier labels show too. */
const IDENTIFIER_LABELS_BELOW = 0.35;
const ACCOUNT_SIZE = 6;
const IDENTIFIER_SIZE = 3.5;

/** Link width in px: LINK_WIDTH.min at the page's weakest link, LINK_WIDTH.max at its strongest. */
function linkWidth(bits: number, lo: number, hi: number): number {
  if (!(hi > lo)) return (LINK_WIDTH.min + LINK_WIDTH.max) / 2;
  return LINK_WIDTH.min + ((LINK_WIDTH.max - LINK_WIDTH.min) * (bits - lo)) / (hi - lo);
}

function renderCluster(data: ClusterPageData): void {
  const c = data.cluster;
  setText('cluster-id', c.id);
  setText(
    'cluster-meta',
    `score ${c.score.toFixed(3)} · ${c.recommendation} · ${c.size} accounts · lineage ${c.lineage}${c.previousId ? ` (was ${c.previousId})` : ''} · run ${data.run.id}`,
  );
  setText(
    'bound-note',
    data.shownAccounts < data.totalAccounts
      ? `Showing the ${data.shownAccounts} best-connected of ${data.totalAccounts} accounts, and the identifiers at least two of them share.`
      : `All ${data.totalAccounts} accounts, and the identifiers at least two of them share.`,
  );
  document.getElementById('reasons')!.replaceChildren(...c.topReasons.map((r) => el('li', r)));

  const graph = new UndirectedGraph();
  // Seeded, so the layout (and the screenshot) is the same on every load.
  const random = mulberry32(data.seed);
  const byId = new Map(data.nodes.map((n) => [n.id, n]));
  for (const n of data.nodes) {
    const account = n.kind === 'account';
    graph.addNode(n.id, {
      x: random() * 100,
      y: random() * 100,
      size: account ? ACCOUNT_SIZE : IDENTIFIER_SIZE,
      // A member's own verdict when the run has one, else its cluster's.
      color: n.kind === 'account' ? (RECOMMENDATION_COLORS[n.recommendation ?? c.recommendation] ?? RECOMMENDATION_COLORS.monitor) : KIND_COLORS[n.kind],
      label: shortLabel(n),
      account,
    });
  }
  const bits = data.edges.filter((e) => e.kind === 'linked').map((e) => e.weight ?? 0);
  const lo = Math.min(...bits);
  const hi = Math.max(...bits);
  setText('link-range', bits.length ? (hi > lo ? `${lo.toFixed(1)}–${hi.toFixed(1)} bits` : `${lo.toFixed(1)} bits`) : 'no links drawn');
  // Identifier edges first: links between accounts are drawn over them.
  for (const e of [...data.edges].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'uses' ? -1 : 1))) {
    if (!graph.hasNode(e.source) || !graph.hasNode(e.target) || graph.hasEdge(e.source, e.target)) continue;
    graph.addEdge(
      e.source,
      e.target,
      e.kind === 'linked'
        ? { color: EVIDENCE_COLORS[e.strongest ?? 'payment'] ?? '#888', size: linkWidth(e.weight ?? 0, lo, hi), linked: true }
        : { color: USES_EDGE.color, size: USES_EDGE.width, linked: false },
    );
  }
  if (graph.order > 1) {
    forceAtlas2.assign(graph, { iterations: 300, settings: { ...forceAtlas2.inferSettings(graph), barnesHutOptimize: graph.order > 500 } });
  }
  const container = document.getElementById('graph') as HTMLElement;
  let hovered: string | undefined;
  let zoomedIn = false;
  const renderer = new Sigma(graph, container, {
    // Items never grow when zooming in (ratio < 1): links stay within LINK_WIDTH, and the nodes
    // spread apart so more labels find room. Zooming out shrinks them (down to minEdgeThickness).
    zoomToSizeRatioFunction: (ratio: number) => Math.max(1, Math.sqrt(ratio)),
    minEdgeThickness: LINK_WIDTH.min,
    defaultEdgeColor: USES_EDGE.color,
    labelSize: 11,
    labelColor: { color: '#555' },
    // Account labels where the label grid has room (more as you zoom in); identifier labels on hover or when zoomed in.
    labelRenderedSizeThreshold: (ACCOUNT_SIZE + IDENTIFIER_SIZE) / 2,
    nodeReducer: (node, attrs) => {
      if (hovered !== undefined) {
        if (node === hovered) return { ...attrs, highlighted: true };
        if (!graph.areNeighbors(node, hovered)) return { ...attrs, color: '#eeeeee', label: '' };
        return { ...attrs, forceLabel: true };
      }
      return zoomedIn && attrs.account !== true ? { ...attrs, forceLabel: true } : attrs;
    },
    edgeReducer: (edge, attrs) => (hovered !== undefined && !graph.hasExtremity(edge, hovered) ? { ...attrs, hidden: true } : attrs),
  });
  const refresh = () => renderer.refresh({ skipIndexation: true });
  renderer.on('enterNode', ({ node }) => {
    hovered = node;
    refresh();
  });
  renderer.on('leaveNode', () => {
    hovered = undefined;
    refresh();
  });
  renderer.getCamera().on('updated', (state) => {
    const z = state.ratio < IDENTIFIER_LABELS_BELOW;
    if (z !== zoomedIn) {
      zoomedIn = z;
      refresh();
    }
  });

  const details = document.getElementById('details')!;
  const show = (id: string) => {
    const n = byId.get(id);
    if (!n) return;
    document.getElementById('hint')?.remove();
    const dl = el('dl');
    const add = (k: string, v: string) => dl.append(el('dt', k), el('dd', v));
    add('kind', n.kind);
    add('key', n.key);
    for (const [k, v] of Object.entries(n.details)) add(k, v === null ? '—' : String(v));
    const neighbours = graph
      .neighbors(id)
      .map((m) => byId.get(m)!)
      .filter(Boolean);
    const list = el('ul');
    for (const m of neighbours.slice(0, 50)) list.append(el('li', `${m.kind}: ${m.key}`, 'key'));
    if (neighbours.length > 50) list.append(el('li', `… ${neighbours.length - 50} more`));
    details.replaceChildren(el('h3', `${n.kind} ${n.key}`, 'key'), dl, el('h3', `linked to ${neighbours.length}`), list);
    details.dataset.node = id;
  };
  renderer.on('clickNode', ({ node }) => show(node));
  // For debugging and the headless test: the graph and renderer of this page.
  (window as unknown as { ringscopeReport: unknown }).ringscopeReport = { graph, renderer, linkWidth: LINK_WIDTH };
}

const raw = document.getElementById('ringscope-data')?.textContent;
if (raw) {
  const data = JSON.parse(raw) as PageData;
  if (data.page === 'index') renderIndex(data);
  else renderCluster(data);
}
