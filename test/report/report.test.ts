import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Neo4jClient } from '../../src/db/index.js';
import { jsonForScript, writeReport, type WrittenReport } from '../../src/report/index.js';
import { freshNeo4j } from '../helpers/services.js';
import { HOSTILE_ACCOUNT, RUN2, seedTwoRuns } from '../helpers/seed-run.js';
import { decodePng } from './png.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

let client: Neo4jClient;
let browser: Browser;
let out: string;
let report: WrittenReport;

beforeAll(async () => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'ringscope-report-'));
  client = await freshNeo4j();
  await seedTwoRuns(client);
  report = await writeReport(client, out);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
});
afterAll(async () => {
  await browser?.close();
  await client?.close();
  if (out) fs.rmSync(out, { recursive: true, force: true });
});

/** Open a report page offline, collecting console errors, page errors and any network request. */
async function open(file: string): Promise<{ page: Page; errors: string[]; remote: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 680 } });
  const errors: string[] = [];
  const remote: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => {
    if (!r.url().startsWith('file://')) remote.push(r.url());
  });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return { page, errors, remote };
}

describe('static ring report in headless Chromium', () => {
  it('escapes data embedded as JSON in a script element', () => {
    const s = jsonForScript({ id: '</script><!--x-->&' });
    expect(s).not.toMatch(/[<>&]/);
    expect(JSON.parse(s)).toEqual({ id: '</script><!--x-->&' });
    const html = fs.readFileSync(report.pages.get('ring-b')!, 'utf8');
    expect(html).not.toContain('<img');
    expect(html.match(/<\/script>/g)).toHaveLength(2); // the data element and the asset, nothing injected
  });

  it('index: loads offline without console errors, lists every cluster, sorts by a column', async () => {
    expect(report.runId).toBe(RUN2);
    const { page, errors, remote } = await open(report.index);
    try {
      const ids = () => page.$$eval('#clusters tbody tr td:first-child', (tds) => tds.map((t) => t.textContent));
      expect(await ids()).toEqual(['ring-a', 'ring-b', 'fam-c']);
      await page.click('th[data-key="size"]');
      expect(await ids()).toEqual(['ring-a', 'ring-b', 'fam-c']); // descending by size, ties by id
      await page.click('th[data-key="size"]');
      expect(await ids()).toEqual(['fam-c', 'ring-a', 'ring-b']); // ascending, ties still by id
      await page.click('th[data-key="score"]');
      expect(await ids()).toEqual(['ring-a', 'ring-b', 'fam-c']);
      const href = await page.getAttribute('#clusters tbody tr:first-child a', 'href');
      expect(path.join(out, href!)).toBe(report.pages.get('ring-a'));
      expect(errors).toEqual([]);
      expect(remote).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('cluster page: the graph renders, a click on a node shows its details, hostile ids stay text', async () => {
    const { page, errors, remote } = await open(report.pages.get('ring-b')!);
    try {
      await page.waitForSelector('#graph canvas');
      await page.waitForTimeout(300);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(await page.textContent('#cluster-id')).toBe('ring-b');
      const shot = decodePng(await page.locator('#graph').screenshot());
      let drawn = 0;
      for (let i = 0; i < shot.rgba.length; i += 4) if (shot.rgba[i]! < 235 || shot.rgba[i + 1]! < 235 || shot.rgba[i + 2]! < 235) drawn++;
      expect(drawn).toBeGreaterThan(500); // non-blank: nodes, edges and labels were drawn on the canvas

      const target = `account:${HOSTILE_ACCOUNT}`;
      const pos = await page.evaluate((id) => {
        const r = (
          window as unknown as {
            ringscopeReport: {
              graph: { getNodeAttributes(n: string): { x: number; y: number } };
              renderer: { graphToViewport(p: { x: number; y: number }): { x: number; y: number } };
            };
          }
        ).ringscopeReport;
        return r.renderer.graphToViewport(r.graph.getNodeAttributes(id));
      }, target);
      const box = (await page.locator('#graph').boundingBox())!;
      await page.mouse.click(box.x + pos.x, box.y + pos.y);
      await page.waitForFunction((id) => document.getElementById('details')?.dataset.node === id, target);
      expect(await page.textContent('#details')).toContain(HOSTILE_ACCOUNT);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(errors).toEqual([]);
      expect(remote).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('a click on a member shows its own verdict: kinds, attachment by kind, strongest and weakest link, reasons (as explain prints them)', async () => {
    const attachment = JSON.stringify({ bits: { payment: 0, ip: 3.25, subnet: 0.5 }, links: 2, strongestLink: 2.5, weakestLink: 1.25 });
    await client.query(
      `MATCH (:Account {id: 'b02'})-[m:MEMBER_OF {runId: $run}]->() SET m.recommendation = 'monitor', m.kinds = ['network'], m.attachment = $attachment,
         m.reasons = ['monitor, not review: held in its cluster by one kind of evidence (network)']`,
      { run: RUN2, attachment },
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ringscope-report-verdict-'));
    const again = await writeReport(client, dir);
    await client.query(`MATCH (:Account {id: 'b02'})-[m:MEMBER_OF {runId: $run}]->() REMOVE m.recommendation, m.kinds, m.attachment, m.reasons`, { run: RUN2 });
    const { page, errors } = await open(again.pages.get('ring-b')!);
    try {
      await page.waitForSelector('#graph canvas');
      type Probe = {
        ringscopeReport: {
          graph: { getNodeAttributes(n: string): { x: number; y: number } };
          renderer: { graphToViewport(p: { x: number; y: number }): { x: number; y: number }; getContainer(): HTMLElement };
        };
      };
      // Click where sigma draws the node, as a user would.
      const at = await page.evaluate(() => {
        const r = (window as unknown as Probe).ringscopeReport;
        const p = r.renderer.graphToViewport(r.graph.getNodeAttributes('account:b02'));
        const box = r.renderer.getContainer().getBoundingClientRect();
        return { x: box.left + p.x, y: box.top + p.y };
      });
      await page.mouse.click(at.x, at.y);
      await page.waitForSelector('#details[data-node="account:b02"]');
      const text = await page.textContent('#details');
      expect(text).toContain('monitor');
      expect(text).toContain('network');
      expect(text).toContain('ip 3.3, subnet 0.5, 2 links, strongest 2.5, weakest 1.3 bits');
      expect(text).toContain('held in its cluster by one kind of evidence');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a readable picture: links 1–4 px at every zoom, coloured by strongest evidence, members by their own verdict, a legend', async () => {
    // One member of ring-b with a verdict of its own (per-member verdicts): it is coloured by it.
    await client.query(`MATCH (:Account {id: 'b01'})-[m:MEMBER_OF {runId: $run}]->() SET m.recommendation = 'enforce'`, { run: RUN2 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ringscope-report-members-'));
    const again = await writeReport(client, dir);
    await client.query(`MATCH (:Account {id: 'b01'})-[m:MEMBER_OF {runId: $run}]->() REMOVE m.recommendation`, { run: RUN2 });
    const { page, errors, remote } = await open(again.pages.get('ring-b')!);
    try {
      await page.waitForSelector('#graph canvas');
      type Probe = {
        ringscopeReport: {
          graph: { edges(): string[]; getEdgeAttributes(e: string): { linked: boolean; color: string }; getNodeAttribute(n: string, a: string): string };
          renderer: { getEdgeDisplayData(e: string): { size: number }; getSetting(k: string): unknown };
          linkWidth: { min: number; max: number };
        };
      };
      const widths = await page.evaluate(() => {
        const r = (window as unknown as Probe).ringscopeReport;
        const ratioToSize = r.renderer.getSetting('zoomToSizeRatioFunction') as (ratio: number) => number;
        const minThickness = r.renderer.getSetting('minEdgeThickness') as number;
        // The edge programs draw max(size, minEdgeThickness · sizeRatio) / sizeRatio pixels (sigma 3 edge.vert.glsl).
        const rendered = (size: number, ratio: number): number => Math.max(size, minThickness * ratioToSize(ratio)) / ratioToSize(ratio);
        return r.graph.edges().map((e) => {
          const size = r.renderer.getEdgeDisplayData(e).size;
          const a = r.graph.getEdgeAttributes(e);
          return { linked: a.linked, color: a.color, px: [0.05, 0.25, 1, 4, 20].map((ratio) => rendered(size, ratio)) };
        });
      });
      const linked = widths.filter((w) => w.linked);
      expect(linked.length).toBe(4); // the chain b01–b02–b03–b04–hostile
      for (const px of widths.flatMap((w) => w.px)) {
        expect(px).toBeGreaterThanOrEqual(1);
        expect(px).toBeLessThanOrEqual(4);
      }
      const atDefault = linked.map((w) => w.px[2]!);
      expect(Math.min(...atDefault)).toBeCloseTo(1, 6);
      expect(Math.max(...atDefault)).toBeCloseTo(4, 6);
      // The seeded links carry most bits on payment.
      expect(new Set(linked.map((w) => w.color))).toEqual(new Set(['#1565c0']));
      const colour = (id: string) => page.evaluate((n) => (window as unknown as Probe).ringscopeReport.graph.getNodeAttribute(n, 'color'), id);
      expect(await colour('account:b01')).toBe('#c62828'); // its own verdict: enforce
      expect(await colour('account:b02')).toBe('#ef6c00'); // the ring's: review
      const legend = await page.textContent('#legend');
      for (const word of ['enforce', 'review', 'monitor', 'payment', 'prompt', 'sync', '1–4 px', 'bits']) expect(legend).toContain(word);
      expect(errors).toEqual([]);
      expect(remote).toEqual([]);
    } finally {
      await page.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('screenshot of a ring with its evidence panel, saved as a test artifact', async () => {
    const { page, errors } = await open(report.pages.get('ring-a')!);
    try {
      await page.waitForSelector('#graph canvas');
      const pos = await page.evaluate(() => {
        const r = (
          window as unknown as {
            ringscopeReport: {
              graph: { getNodeAttributes(n: string): { x: number; y: number } };
              renderer: { graphToViewport(p: { x: number; y: number }): { x: number; y: number } };
            };
          }
        ).ringscopeReport;
        return r.renderer.graphToViewport(r.graph.getNodeAttributes('account:a05'));
      });
      const box = (await page.locator('#graph').boundingBox())!;
      await page.mouse.click(box.x + pos.x, box.y + pos.y);
      await page.waitForFunction(() => document.getElementById('details')?.dataset.node === 'account:a05');
      expect(await page.textContent('#details')).toMatch(/respawn\s*true/);
      const dir = path.resolve('test-artifacts');
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, 'ring-report.png');
      await page.screenshot({ path: file });
      expect(decodePng(fs.readFileSync(file)).width).toBe(1100);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
