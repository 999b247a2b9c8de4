// workshop.mjs runs a group workshop (issue 13) on a fresh Carnet, as a
// mediator would in Chromium: the first start, a workshop of 12 people
// typed in the list, the grid filled from the keyboard only (Tab to the
// next cell, the level's digit), the review, "issue all", the progress
// updated in place (never a reload) until the batch is done, and the cards PDF saved from
// the server's response (the Go test scans and verifies its QR codes).
// Then the CSV import page: a Windows-1252 file with refused rows, the
// per-row errors in plain French, the valid rows issued, and the report of
// the refused rows, where a formula must come back escaped. axe-core
// audits every page; the grid is also opened on a tablet (768×1024).
//
//   node workshop.mjs BASE_URL LOGIN_LINK ARTIFACTS_DIR
//
// It prints one JSON summary on stdout and exits 0 when every step passed.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { audit as auditPage, axeControl, check, desktop, finish, launch, newSummary, screenshotter, stepper, watch } from './harness.mjs';

const [base, loginLink, artifacts] = process.argv.slice(2);
if (!base || !loginLink || !artifacts) {
  console.error('usage: node workshop.mjs BASE_URL LOGIN_LINK ARTIFACTS_DIR');
  process.exit(2);
}

const tablet = { width: 768, height: 1024 };
const summary = newSummary({ workshop: {}, csv: {} });
const { step } = stepper(summary, 'workshop', { stopOnFailure: true });
const shoot = screenshotter(summary, artifacts, 'workshop');

const adminPassword = 'une phrase de passe assez longue';
const title = 'Atelier numérique du mardi';
// The 12 participants, typed one per line in the list.
export const participants = ['Aïcha Benali', 'Bruno Lefèvre', 'Chloé Martin', 'David Nguyen', 'Émilie Roux',
  'Farid Haddad', 'Gaëlle Morel', 'Hugo Petit', 'Inès Garcia', 'Jean-Luc Girard', 'Kenza Amrani', 'Léon Faure'];
const codes = ['1.1', '1.2', '2.1', '3.1', '4.2'];
// level returns the digit typed in a cell ('' leaves it "non évalué");
// every row has at least one level.
const level = (r, c) => ((r * 5 + c) % 4 === 3 ? '' : String(((r + 2 * c) % 8) + 1));

async function heading(page, name) {
  await page.getByRole('heading', { level: 1, name }).first().waitFor();
}

// visit audits the page as it is (axe) and saves a screenshot.
async function visit(page, name, shot) {
  await page.waitForLoadState('load');
  await auditPage(summary, page, name);
  if (shot) await shoot(page, shot);
}

// submit clicks a form's button and waits for the page it leads to.
async function submit(page, button, url) {
  await Promise.all([page.waitForURL(url), button.click()]);
  await page.waitForLoadState('load');
}

// noScrollSideways fails when the page is wider than its viewport.
async function noScrollSideways(page, name) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, `${name} scrolls sideways (${overflow}px)`);
}

// pdfFrom clicks a link to a PDF, checks the server's answer, and returns
// its bytes. Chromium's PDF viewer takes the body of a PDF it shows (the
// response then holds the viewer's page), so the same URL is then fetched
// again with the page's cookies.
async function pdfFrom(page, link) {
  const href = new URL(await link.getAttribute('href'), base).pathname;
  const [res] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === href),
    link.click(),
  ]);
  // The navigation to the PDF has committed: a later goto cannot be
  // interrupted by it.
  await page.waitForURL((u) => u.pathname === href, { waitUntil: 'commit' });
  check(res.status() === 200 && (res.headers()['content-type'] || '').startsWith('application/pdf'),
    `${href}: ${res.status()} ${res.headers()['content-type']}`);
  let body = await res.body().catch(() => null);
  if (!body || body.subarray(0, 5).toString() !== '%PDF-') {
    const again = await page.context().request.get(href);
    check(again.status() === 200, `${href} again: ${again.status()}`);
    body = await again.body();
  }
  return body;
}

// waitDone waits until a batch's page, whose polite live region a script
// updates while the batch runs (static/progress.js), shows the link to its
// cards, and returns how many times the page was loaded meanwhile: 1, as
// the page must not reload itself under a screen reader when JavaScript
// runs (the meta refresh is only inside <noscript>).
async function waitDone(page) {
  let loads = 1;
  const count = () => { loads++; };
  page.on('load', count);
  try {
    await page.getByRole('link', { name: /Imprimer toutes les cartes/ }).waitFor({ timeout: 90000 });
  } finally {
    page.off('load', count);
  }
  await page.waitForLoadState('load');
  check(await page.locator('meta[http-equiv="refresh"]').count() === 0, 'the page still refreshes itself once the batch is done');
  check(loads === 1, `the page reloaded itself: loaded ${loads} times while the batch ran`);
  const region = page.getByRole('status').filter({ hasText: /lignes traitées sur/ });
  check(await region.count() === 1 && await region.getAttribute('aria-live') === 'polite', 'no polite live region with the progress');
  return loads;
}

// A CSV as Excel saves it: Windows-1252, ";" separated, CRLF. Rows 2-14.
const csvRows = [
  ['nom;contact;notes;1.1;1.2;4.2;9.9'],
  ['Awa Diallo;;;3;;;', 'ok'], // 2
  ['Éloïse Ndiaye;;;2;4;;', 'ok'], // 3
  [';;;3;;;', 'le nom est vide'], // 4
  ['Karim Benali;;;9;;;', "hors de l'échelle"], // 5
  ['Lina Haddad;;;;;2;', 'ok'], // 6
  ['Zoë Martin;;;;;;3', 'compétence « 9.9 » inconnue'], // 7
  ['Awa Diallo;;;1;;;', 'ligne en double'], // 8
  ['Paul Durand;;;1;1;1;', 'ok'], // 9
  ['Inès Roche;;;5;;;', 'ok'], // 10
  ['"=HYPERLINK(""http://evil.example"";""clic"")";;;9;;;', "hors de l'échelle"], // 11
  ['Noël Lemaître;;;;6;;', 'ok'], // 12
];
const csvText = csvRows.map((r) => r[0]).join('\r\n') + '\r\n';
const csvValid = csvRows.filter((r) => r[1] === 'ok').length;
const csvTotal = csvRows.length - 1;

let browser;
try {
  await mkdir(artifacts, { recursive: true });
  browser = await launch(summary);
  await step('axe finds the faults of a broken page', async () => {
    summary.axeControl = await axeControl(browser);
  });

  const ctx = await browser.newContext({ viewport: desktop, locale: 'fr-FR', baseURL: base, acceptDownloads: true });
  ctx.setDefaultTimeout(20000);
  const page = await ctx.newPage();
  watch(summary, page, 'mediator');

  await step('first start: password, then the structure\'s name', async () => {
    await page.goto(loginLink);
    await page.getByLabel('Nouveau mot de passe').fill(adminPassword);
    await page.getByLabel('Confirmer le mot de passe').fill(adminPassword);
    await page.getByRole('button', { name: 'Enregistrer et se connecter' }).click();
    await heading(page, 'Votre structure');
    await page.getByLabel('Nom de la structure').fill('Médiathèque Louise-Michel');
    await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await heading(page, 'Personnes accompagnées');
  });

  let workshopURL;
  await step('a new workshop: title, dates, partner, 5 competencies', async () => {
    await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Ateliers', exact: true }).click();
    await heading(page, 'Ateliers');
    await visit(page, 'workshops', 'list');
    await page.getByLabel('Titre', { exact: true }).fill(title);
    await page.getByLabel('Date(s)').fill('mardis 3, 10 et 17 mars 2026');
    await page.getByLabel('Partenaire (facultatif)').fill('avec France Travail');
    for (const code of codes) await page.locator(`input[name="competency"][value="${code}"]`).check();
    await submit(page, page.getByRole('button', { name: "Créer l'atelier" }), /\/workshops\/[^/?#]+$/);
    await heading(page, title);
    workshopURL = page.url();
    await visit(page, 'workshop (empty)', 'empty');
  });

  await step('12 participants typed in the list, one per line', async () => {
    await page.getByLabel('Nouvelles personnes, une par ligne').fill(participants.join('\n'));
    await submit(page, page.getByRole('button', { name: 'Enregistrer la grille' }), /ok=saved/);
    const rows = page.locator('table.grid tbody tr');
    check(await rows.count() === 12, `${await rows.count()} rows in the grid, want 12`);
    const names = await page.locator('table.grid tbody th[scope="row"]').allInnerTexts();
    check(participants.every((n, i) => names[i].trim() === n), `rows: ${names.join(', ')}`);
  });

  await step('the grid filled from the keyboard: Tab and digits', async () => {
    // A level's statement on demand: the explanation opens with the keyboard.
    const help = page.locator('details.levels');
    await help.locator('summary').focus();
    await page.keyboard.press('Enter');
    check(await help.evaluate((d) => d.open), 'the levels explanation does not open with the keyboard');
    await page.keyboard.press('Enter');
    await page.locator('select[name="p0_l_1.1"]').focus();
    let keys = 0;
    for (let r = 0; r < participants.length; r++) {
      for (let c = 0; c < codes.length; c++) {
        const d = level(r, c);
        if (d) { await page.keyboard.press(d); keys++; }
        await page.keyboard.press('Tab'); keys++;
      }
      // "Laisser de côté", "Retirer", then the next row's first cell.
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      keys += 2;
    }
    const got = await page.evaluate(([n, cs]) => Array.from({ length: n }, (_, r) => cs.map((c) => document.querySelector(`select[name="p${r}_l_${c}"]`).value)),
      [participants.length, codes]);
    const bad = [];
    got.forEach((row, r) => row.forEach((v, c) => { if (v !== level(r, c)) bad.push(`${participants[r]} ${codes[c]}: ${v || '—'}, want ${level(r, c) || '—'}`); }));
    check(bad.length === 0, `cells typed wrong: ${bad.slice(0, 5).join('; ')} (${bad.length} in all)`);
    summary.workshop.keys = keys;
    summary.workshop.cells = got.flat().filter((v) => v).length;
    await visit(page, 'workshop grid (filled)', 'grid');
  });

  await step('the grid on a tablet (768×1024)', async () => {
    const tctx = await browser.newContext({ viewport: tablet, locale: 'fr-FR', baseURL: base, hasTouch: true, storageState: await ctx.storageState() });
    tctx.setDefaultTimeout(20000);
    const tab = await tctx.newPage();
    watch(summary, tab, 'tablet');
    await tab.goto(workshopURL);
    await heading(tab, title);
    await visit(tab, 'workshop grid (tablet)', 'grid-tablet');
    await noScrollSideways(tab, 'the grid page on a tablet');
    // Every cell can be reached in the grid's own scrolling box.
    const last = tab.locator(`select[name="p11_l_${codes[codes.length - 1]}"]`);
    await last.scrollIntoViewIfNeeded();
    check(await last.isVisible(), 'the last cell of the grid cannot be shown on a tablet');
    summary.workshop.tablet = tab.viewportSize();
    await tctx.close();
  });

  await step('review, then issue all; the progress is updated in place until the batch is done', async () => {
    await submit(page, page.getByRole('button', { name: 'Relire avant de délivrer' }), /\/review$/);
    await heading(page, `Relecture de l'atelier — ${title}`);
    const rows = await page.locator('table.grid tbody tr').count();
    check(rows === 12, `${rows} people on the review, want 12`);
    await visit(page, 'workshop review', 'review');
    const issueAt = Date.now();
    await submit(page, page.getByRole('button', { name: 'Délivrer toutes les attestations' }), (u) => u.pathname === new URL(workshopURL).pathname && !u.search && !u.hash);
    summary.workshop.loads = await waitDone(page);
    summary.workshop.issuedMS = Date.now() - issueAt;
    const progress = (await page.locator('#issued').innerText()).replace(/\s+/g, ' ');
    check(progress.includes('12 lignes traitées sur 12'), `progress: ${progress}`);
    const ok = await page.locator('table.grid tbody').getByRole('link', { name: 'délivrée' }).count();
    check(ok === 12, `${ok} credentials issued on the grid, want 12`);
    await visit(page, 'workshop (issued)', 'issued');
  });

  await step('the cards PDF, saved from the response', async () => {
    const pdf = await pdfFrom(page, page.getByRole('link', { name: /Imprimer toutes les cartes/ }));
    check(pdf.subarray(0, 5).toString() === '%PDF-', `the cards start with ${pdf.subarray(0, 5)}`);
    await writeFile(path.join(artifacts, 'cards.pdf'), pdf);
    summary.workshop.cardsPDF = 'cards.pdf';
    summary.workshop.cardsBytes = pdf.length;
    summary.workshop.participants = participants;
  });

  await step('the CSV import: a Windows-1252 file with refused rows, checked before anything is issued', async () => {
    await page.goto('/workshops');
    await heading(page, 'Ateliers');
    // Windows-1252: every character of this file is Latin-1, one byte each.
    check([...csvText].every((ch) => ch.charCodeAt(0) < 256), 'the CSV has a character outside Windows-1252');
    const bytes = Buffer.from(csvText, 'latin1');
    check(bytes.includes(0xc9) && !bytes.includes(0xc3), 'the CSV is not in Windows-1252');
    await page.getByLabel(/Fichier CSV/).setInputFiles({ name: 'atelier.csv', mimeType: 'text/csv', buffer: bytes });
    await submit(page, page.getByRole('button', { name: 'Vérifier le fichier' }), /\/batches\/[^/?#]+$/);
    await heading(page, 'Import CSV');
    const main = (await page.getByRole('main').innerText()).replace(/\s+/g, ' ');
    check(main.includes(`${csvValid} ligne(s) valable(s) sur ${csvTotal}. Rien n'est encore délivré.`), `preview: ${main.slice(0, 300)}`);
    const cells = await page.locator('main table tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((td) => td.innerText.trim())));
    summary.csv.preview = cells;
    for (let i = 1; i < csvRows.length; i++) {
      const [, want] = csvRows[i];
      const row = cells.find((c) => c[0] === String(i + 1));
      check(row, `row ${i + 1} is not on the preview`);
      if (want === 'ok') check(row[1] === 'valable', `row ${i + 1}: « ${row[1]} », want « valable »`);
      else check(row[1].includes(want), `row ${i + 1}: « ${row[1]} », want « ${want} »`);
    }
    // Windows-1252 read as such: the accents of the refused rows' names.
    check(cells.find((c) => c[0] === '7')[1].startsWith('Zoë Martin — '), `row 7: ${cells.find((c) => c[0] === '7')[1]}`);
    // The formula is shown as text, never as a link.
    check(await page.locator('main a[href*="evil.example"]').count() === 0, 'the formula became a link');
    check(!/[A-Z_]+:|\berror\b|invalid/.test(cells.map((c) => c[1]).join(' ')), 'an error in the preview is not in plain French');
    await visit(page, 'CSV import (preview)', 'csv-preview');
  });

  await step('the valid rows issued; the report of the refused rows escapes the formula', async () => {
    // The form posts to …/start and comes back to the same page.
    await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith('/start')),
      page.getByRole('button', { name: 'Délivrer les lignes valables' }).click(),
    ]);
    await page.waitForLoadState('load');
    summary.csv.loads = await waitDone(page);
    const progress = (await page.getByRole('main').innerText()).replace(/\s+/g, ' ');
    check(progress.includes(`${csvTotal} lignes traitées sur ${csvTotal}`), `progress: ${progress.slice(0, 200)}`);
    const issued = await page.locator('main table tbody').getByRole('link', { name: 'délivrée' }).count();
    check(issued === csvValid, `${issued} rows issued, want ${csvValid}`);
    summary.csv.issued = issued;
    await visit(page, 'CSV import (done)', 'csv-done');
    const [d] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Télécharger les lignes refusées (CSV)' }).click()]);
    const file = path.join(artifacts, 'lignes-refusees.csv');
    await d.saveAs(file);
    const report = (await (await import('node:fs/promises')).readFile(file, 'utf8')).replace(/^\uFEFF/, '');
    summary.csv.report = report;
    const lines = report.trim().split(/\r?\n/);
    check(lines.length === 1 + csvRows.filter((r) => r[1] && r[1] !== 'ok').length, `${lines.length} lines in the report`);
    check(report.includes("'=HYPERLINK"), 'the formula is not escaped in the report');
    // No cell starts with a character a spreadsheet would run.
    const cellsOut = lines.flatMap((l) => l.split(/[;,](?=(?:[^"]*"[^"]*")*[^"]*$)/).map((c) => c.replace(/^"/, '')));
    check(!cellsOut.some((c) => /^[=+\-@\t\r]/.test(c)), `a cell of the report starts like a formula: ${cellsOut.filter((c) => /^[=+\-@]/.test(c)).join(' | ')}`);
    check(report.includes('Zoë Martin') && report.includes('le nom est vide'), 'the report lacks a refused row in French');
  });
} catch (e) {
  summary.failures.push(String(e.stack || e));
} finally {
  await finish(summary, browser);
}
