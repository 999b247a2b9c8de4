// bilan.mjs opens the bilan (/bilan) in Debian's Chromium (playwright-core)
// as the network administrator of a demo instance: the key figures, the
// SVG charts with their titles and tables, the same page without
// JavaScript, and the PDF export downloaded; axe-core audits the page.
//
//   node bilan.mjs BASE LOGIN_LINK ARTIFACTS_DIR
//
// It prints one JSON summary on stdout (progress on stderr) and exits 0
// when every step passed, 1 otherwise. CARNET_CHROMIUM overrides
// /usr/bin/chromium.
import fs from 'node:fs';
import path from 'node:path';
import { audit, axeControl, check, desktop, finish, launch, newSummary, screenshotter, stepper, watch } from './harness.mjs';

const [base, link, artifacts] = process.argv.slice(2);
if (!base || !link || !artifacts) {
  console.error('usage: node bilan.mjs BASE LOGIN_LINK ARTIFACTS_DIR');
  process.exit(2);
}
const summary = newSummary({ bilan: {}, noScript: {}, pdf: {} });
const { step } = stepper(summary, 'bilan');
const shot = screenshotter(summary, artifacts, 'bilan');
const query = '/bilan?from=2024-01-01&to=2026-12-31';

// figures reads what the page shows.
async function figures(page) {
  return page.evaluate(() => {
    const fig = {};
    for (const td of document.querySelectorAll('td[data-figure]')) fig[td.dataset.figure] = td.innerText.trim();
    const svgs = [...document.querySelectorAll('figure.chart svg')];
    return {
      title: document.querySelector('h1')?.innerText.trim() || '',
      figures: fig,
      charts: svgs.length,
      chartTitles: svgs.map((s) => s.querySelector('title')?.textContent || ''),
      tables: document.querySelectorAll('table').length,
      method: document.querySelectorAll('#methode + ul li').length,
      scripts: document.querySelectorAll('script').length,
      pdfHref: document.querySelector('#bilan-pdf')?.getAttribute('href') || '',
    };
  });
}

let browser;
try {
  browser = await launch(summary);
  await step('axe control', async () => {
    summary.axeControl = await axeControl(browser);
  });
  const ctx = await browser.newContext({ viewport: desktop, locale: 'fr-FR', baseURL: base, acceptDownloads: true });
  ctx.setDefaultTimeout(20000);
  const page = await ctx.newPage();
  watch(summary, page, 'admin');
  await step('the network administrator signs in with the one-time link', async () => {
    await page.goto(link);
    await page.getByLabel('Nouveau mot de passe').fill('bilan bilan bilan 2026');
    await page.getByLabel('Confirmer le mot de passe').fill('bilan bilan bilan 2026');
    await page.getByRole('button', { name: 'Enregistrer et se connecter' }).click();
    await page.getByRole('link', { name: 'Bilan' }).first().waitFor();
  });
  await step('the bilan page: figures, charts, tables, method', async () => {
    await page.getByRole('link', { name: 'Bilan' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Bilan' }).waitFor();
    await page.goto(query);
    summary.bilan = await figures(page);
    check(Number(summary.bilan.figures.people) > 0, `people: ${summary.bilan.figures.people}`);
    check(summary.bilan.charts >= 3, `${summary.bilan.charts} charts`);
    check(summary.bilan.chartTitles.every((t) => t.length > 0), 'a chart without a title');
    await audit(summary, page, 'bilan');
    await shot(page, 'page');
  });
  await step('the same page without JavaScript', async () => {
    const noJS = await browser.newContext({ viewport: desktop, locale: 'fr-FR', baseURL: base, javaScriptEnabled: false,
      storageState: await ctx.storageState() });
    const p = await noJS.newPage();
    await p.goto(query);
    summary.noScript = await figures(p);
    check(summary.noScript.charts === summary.bilan.charts, `without JavaScript: ${summary.noScript.charts} charts`);
    await noJS.close();
  });
  await step('the PDF export downloads', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#bilan-pdf').click()]);
    const file = path.join(artifacts, 'bilan.pdf');
    await download.saveAs(file);
    const head = fs.readFileSync(file).subarray(0, 5).toString();
    summary.pdf = { name: download.suggestedFilename(), size: fs.statSync(file).size, head };
    check(head === '%PDF-', `download starts with ${head}`);
  });
} catch (e) {
  summary.failures.push(String(e.stack || e));
}
await finish(summary, browser);
