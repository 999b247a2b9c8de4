// harness.mjs: what the browser scripts share — launching Debian's
// Chromium on a closed network, auditing a page with axe-core, recording a
// page's errors in the run's summary, timed steps and screenshots.
import path from 'node:path';
import axe from 'axe-core';
import { chromium } from 'playwright-core';

export { axe };

// Flags for Chromium on a closed network, as root, without a GPU.
// Playwright adds --headless and a fresh, empty --user-data-dir itself.
export const chromiumFlags = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const desktop = { width: 1280, height: 900 };
export const phone = { width: 390, height: 844 };

// Impacts that fail a run.
const blocking = new Set(['serious', 'critical']);

// launch starts Chromium (CARNET_CHROMIUM overrides /usr/bin/chromium)
// and records the versions in the summary; extraArgs are more flags (a
// fake camera, for instance).
export async function launch(summary, extraArgs = []) {
  summary.versions.playwright = (await import('playwright-core/package.json', { with: { type: 'json' } })).default.version;
  const browser = await chromium.launch({
    executablePath: process.env.CARNET_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [...chromiumFlags, ...extraArgs],
  });
  summary.browser = browser.version();
  return browser;
}

// axeControl runs axe on a deliberately broken page and returns the rule
// ids it found, so that an axe that checks nothing cannot pass a run.
export async function axeControl(browser) {
  const page = await browser.newPage();
  await page.setContent('<html><body><img src="data:,"><input type="text"><p style="color:#bbb;background:#fff">faint</p></body></html>');
  await page.evaluate(axe.source);
  const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  await page.close();
  return res.violations.map((v) => v.id);
}

// audit runs axe-core on the page as it is now and records the result in
// summary.pages (and summary.axe counts when present); serious or critical
// violations go to summary.failures. axe is evaluated through the DevTools
// protocol, so the page's strict CSP (script-src 'self') stays on.
export async function audit(summary, page, name) {
  await page.evaluate(axe.source);
  const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations', 'incomplete'] }));
  const lang = await page.evaluate(() => document.documentElement.lang);
  const violations = res.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.length,
    targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
  }));
  if (summary.axe) {
    for (const v of violations) {
      summary.axe[v.impact] = (summary.axe[v.impact] || 0) + 1;
    }
  }
  // "incomplete" are checks axe could not decide (a person should look).
  const review = res.incomplete.map((v) => `${v.id} (${v.impact}, ${v.nodes.length}: ${v.nodes.slice(0, 3)
    .map((n) => `${n.target.join(' ')}: ${n.any.map((c) => c.message).join('; ')}`).join(', ')})`);
  summary.pages.push({ name, path: new URL(page.url()).pathname, lang, violations, review });
  const bad = violations.filter((v) => blocking.has(v.impact));
  if (bad.length) {
    summary.failures.push(`axe on ${name}: ${bad.map((v) => `${v.id} (${v.impact}, ${v.nodes} nodes: ${v.targets.join(', ')})`).join('; ')}`);
  }
}

// watch records a page's script errors, HTTP errors and console errors.
export function watch(summary, page, who) {
  page.on('pageerror', (e) => summary.failures.push(`${who}: script error on ${page.url()}: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400) summary.httpErrors.push(`${who}: ${r.status()} ${new URL(r.url()).pathname}`);
  });
  page.on('console', (m) => {
    if (m.type() === 'error') summary.consoleErrors.push(`${who}: ${m.text()} (${m.location().url || page.url()})`);
  });
}

// check throws msg unless cond holds: a failed expectation of a step.
export function check(cond, msg) {
  if (!cond) throw new Error(msg);
}

// stepper returns a script's step runner and logger. Each step is timed and
// recorded in summary.steps. A failing step is recorded in summary.failures
// and the script goes on, unless stopOnFailure: then the error ends it.
export function stepper(summary, tag, { stopOnFailure = false } = {}) {
  const log = (...a) => console.error(`[${tag}]`, ...a);
  async function step(name, fn) {
    const t0 = Date.now();
    log(name);
    try {
      const r = await fn();
      summary.steps.push({ name, ok: true, ms: Date.now() - t0 });
      return r;
    } catch (e) {
      summary.steps.push({ name, ok: false, ms: Date.now() - t0, error: String(e.message || e) });
      if (stopOnFailure) throw e;
      summary.failures.push(`${name}: ${e.message || e}`);
      return undefined;
    }
  }
  return { log, step };
}

// screenshotter saves full-page screenshots as DIR/PREFIX-NAME.png and
// lists them in summary.screenshots.
export function screenshotter(summary, dir, prefix) {
  return async (page, name) => {
    const file = path.join(dir, `${prefix}-${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    summary.screenshots.push(path.basename(file));
  };
}

// newSummary returns the JSON summary every script prints, with the
// script's own fields added.
export function newSummary(fields = {}) {
  return {
    started: Date.now(),
    ok: false,
    browser: '',
    versions: { playwright: '', axe: axe.version },
    steps: [],
    pages: [],
    axeControl: [],
    screenshots: [],
    consoleErrors: [],
    httpErrors: [],
    failures: [],
    ms: 0,
    ...fields,
  };
}

// finish closes the browser, completes the summary and prints it on
// stdout; the exit code says whether every step passed.
export async function finish(summary, browser) {
  if (browser) await browser.close().catch(() => {});
  summary.ms = Date.now() - summary.started;
  summary.ok = summary.failures.length === 0 && summary.steps.every((s) => s.ok);
  process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  process.exitCode = summary.ok ? 0 : 1;
}
