import fs from 'node:fs/promises';
import path from 'node:path';
import type { Neo4jClient } from '../db/index.js';
import { loadRunExport, writeFileAtomic } from '../export/index.js';
import { bundleReportClient } from './build-assets.js';
import { REPORT_CSS, renderClusterPage, renderIndexPage } from './html.js';
import type { ClusterPageData, ClusterSummary, IndexPageData } from './report-model.js';
import { loadClusterGraph, type ClusterGraphOptions } from './report-repository.js';

export interface ReportOptions extends ClusterGraphOptions {
  /** `latest` or a run id. @defaultValue 'latest' */
  readonly run?: string;
  /** Most cluster pages written (strongest clusters first; the index lists them all). @defaultValue 200 */
  readonly maxClusterPages?: number;
  /** Reasons shown per cluster. @defaultValue 5 */
  readonly topReasons?: number;
  /** ForceAtlas2 starting-position seed. @defaultValue 42 */
  readonly seed?: number;
}

export const DEFAULTS: Required<Omit<ReportOptions, keyof ClusterGraphOptions>> = { run: 'latest', maxClusterPages: 200, topReasons: 5, seed: 42 };

export interface WrittenReport {
  readonly runId: string;
  readonly dir: string;
  readonly index: string;
  /** Cluster id → page path. */
  readonly pages: ReadonlyMap<string, string>;
}

/**
 * `ringscope report`: a static, self-contained HTML report of one run: index.html (sortable
 * cluster list), one page per cluster (sigma.js graph with an evidence panel), assets/ (the
 * bundled client and CSS). No network access is needed to view it.
 */
export async function writeReport(client: Neo4jClient, outDir: string, options: ReportOptions = {}): Promise<WrittenReport> {
  const o = { ...DEFAULTS, ...options };
  const e = await loadRunExport(client, { run: o.run, minRecommendation: 'monitor', topReasons: o.topReasons, maxIdentifiersPerKind: 0 });
  const withPages = e.clusters.slice(0, o.maxClusterPages);
  const summaries: ClusterSummary[] = e.clusters.map((c, i) => ({
    id: c.cluster_id,
    // File names from the position, never from the (untrusted) cluster id.
    page: i < withPages.length ? `cluster-${String(i + 1).padStart(4, '0')}.html` : '',
    score: c.score,
    recommendation: c.recommendation,
    size: c.size,
    lineage: c.lineage,
    previousId: c.previous_id,
    topReasons: c.top_reasons,
  }));
  await fs.mkdir(path.join(outDir, 'assets'), { recursive: true });
  await writeFileAtomic(path.join(outDir, 'assets', 'report.js'), await bundleReportClient());
  await writeFileAtomic(path.join(outDir, 'assets', 'report.css'), REPORT_CSS);

  const pages = new Map<string, string>();
  for (const s of summaries) {
    if (!s.page) continue;
    const g = await loadClusterGraph(client, e.run.id, s.id, o);
    const data: ClusterPageData = { page: 'cluster', run: e.run, cluster: s, ...g, seed: o.seed };
    const file = path.join(outDir, s.page);
    await writeFileAtomic(file, renderClusterPage(data));
    pages.set(s.id, file);
  }
  const index: IndexPageData = { page: 'index', run: e.run, clusters: summaries };
  const indexFile = path.join(outDir, 'index.html');
  await writeFileAtomic(indexFile, renderIndexPage(index));
  return { runId: e.run.id, dir: outDir, index: indexFile, pages };
}
