#!/usr/bin/env node
/* global window, document */
// Screenshot of a report's first cluster page in headless Chromium, for the README:
//   node scripts/report-screenshot.mjs [out/demo/report] [--out docs/img/ring-report.png] [--page cluster-0001.html]
// Run it after `npm run demo`. It clicks the account with the most shared identifiers (so the
// evidence panel shows one member) and moves the pointer away (no hover highlight) before the shot.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : def;
};
const out = path.resolve(flag('--out', path.join(ROOT, 'docs', 'img', 'ring-report.png')));
const pageName = flag('--page', 'cluster-0001.html');
const dir = path.resolve(args[0] ?? path.join(ROOT, 'out', 'demo', 'report'));
const file = path.join(dir, pageName);
if (!fs.existsSync(file)) {
  console.error(`report-screenshot: ${path.relative(ROOT, file)} not found (run \`npm run demo\` first)`);
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 680 } });
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  await page.waitForSelector('#graph canvas');
  const target = await page.evaluate(() => {
    const { graph, renderer } = window.ringscopeReport;
    let best;
    graph.forEachNode((n, a) => {
      if (a.account && (!best || graph.degree(n) > graph.degree(best))) best = n;
    });
    return best ? { id: best, ...renderer.graphToViewport(graph.getNodeAttributes(best)) } : undefined;
  });
  const box = await page.locator('#graph').boundingBox();
  if (target) {
    await page.mouse.click(box.x + target.x, box.y + target.y);
    await page.waitForFunction((id) => document.getElementById('details')?.dataset.node === id, target.id);
  }
  await page.mouse.move(box.x + 2, box.y + 2);
  await page.waitForTimeout(300);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  await page.screenshot({ path: out });
  if (errors.length) throw new Error(`console errors: ${errors.join('; ')}`);
  console.error(`report-screenshot: ${path.relative(ROOT, out)} from ${path.relative(ROOT, file)}`);
} finally {
  await browser.close();
}
