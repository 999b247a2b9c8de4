// day.mjs walks a mediator's day on a fresh Carnet (issue 12), in French on
// a desktop and in English on a tablet (768×1024, touch): the first start
// (the structure's real name, the loopback warning), the structure's
// default framework, a pending invitation (new link, cancel), then from
// "a person sits in front of me" to the card PDF, counting the pages and
// clicks on the way. Every page of the main flow is audited with axe-core
// and checked for jargon: no "did:", "urn:uuid" or ".json" outside the
// "Détails techniques" disclosure.
//
//   node day.mjs BASE_URL LOGIN_LINK ARTIFACTS_DIR
//
// It prints one JSON summary on stdout and exits 0 when every step passed.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { audit as auditPage, axeControl, finish, newSummary, check, desktop, launch, stepper, watch } from './harness.mjs';

const [base, loginLink, artifacts] = process.argv.slice(2);
if (!base || !loginLink || !artifacts) {
  console.error('usage: node day.mjs BASE_URL LOGIN_LINK ARTIFACTS_DIR');
  process.exit(2);
}

export const tablet = { width: 768, height: 1024 };
const summary = newSummary({ day: {}, jargon: [], checked: [] });
const { step } = stepper(summary, 'day', { stopOnFailure: true });

const adminEmail = 'admin@localhost';
const adminPassword = 'une phrase de passe assez longue';
const structureName = 'Médiathèque Jean-Macé';

const t = {
  fr: {
    start: "Commencer l'évaluation", name: /Nouvelle personne/, assess: 'Évaluer', review: "Relire avant d'émettre",
    reviewTitle: 'Relecture', issue: "Émettre l'attestation", credential: 'Attestation', printCard: 'Imprimer la carte',
    printA4: "Imprimer l'attestation A4", summary4: 'Compétences évaluées : 4', area: "Maîtrise de l'information et des données", levelsMean: 'Ce que veut dire chaque niveau',
    home: 'Personnes accompagnées', status: /Statut\s*:\s*valide/,
  },
  en: {
    start: 'Start the assessment', name: /New learner/, assess: 'Assess', review: 'Review before issuing',
    reviewTitle: 'Review', issue: 'Issue the credential', credential: 'Credential', printCard: 'Print the card',
    printA4: 'Print the A4 certificate', summary4: 'Competencies assessed: 4', area: 'Information and data literacy', levelsMean: 'What each level means',
    home: 'Learners', status: /Status:\s*active/,
  },
};

async function heading(page, name) {
  await page.getByRole('heading', { level: 1, name }).first().waitFor();
}

// jargon records any "did:", "urn:uuid" or ".json" in a page, outside the
// "Détails techniques" disclosures.
async function jargon(page, name) {
  const found = await page.evaluate(() => {
    const clone = document.documentElement.cloneNode(true);
    clone.querySelectorAll('details.tech').forEach((d) => d.remove());
    const html = clone.outerHTML;
    return ['did:', 'urn:uuid', '.json'].filter((w) => html.includes(w));
  });
  summary.checked.push(name);
  if (found.length) summary.jargon.push(`${name} (${new URL(page.url()).pathname}): ${found.join(', ')}`);
}

async function visit(page, name, shot) {
  await page.waitForLoadState('load');
  await auditPage(summary, page, name);
  await jargon(page, name);
  if (shot) {
    const file = path.join(artifacts, `day-${shot}.png`);
    await page.screenshot({ path: file, fullPage: true });
    summary.screenshots.push(path.basename(file));
  }
}

async function newPage(browser, who, viewport, locale, touch = false) {
  const ctx = await browser.newContext({ viewport, locale, baseURL: base, hasTouch: touch });
  ctx.setDefaultTimeout(15000);
  const page = await ctx.newPage();
  watch(summary, page, who);
  return page;
}

// theDay goes from the home page to the card PDF for a new learner and 4
// competencies, and returns the pages loaded and the clicks (or taps) made.
async function theDay(page, lang, learner, shots) {
  const w = t[lang];
  const pressOn = async (loc) => { if (shots.touch) await loc.tap(); else await loc.click(); };
  let clicks = 0;
  let pages = 0;
  const press = async (loc) => { clicks++; await pressOn(loc); };
  const loaded = () => { pages++; };
  await page.goto('/');
  await heading(page, w.home);
  loaded();
  await visit(page, `home (${lang})`, `${shots.prefix}-home`);
  await page.getByRole('textbox', { name: w.name }).fill(learner);
  await press(page.getByRole('button', { name: w.start }));
  await heading(page, `${w.assess} — ${learner}`);
  loaded();
  const main = await page.getByRole('main').innerText();
  check(main.includes(w.area), `the assessment page in ${lang} lacks "${w.area}"`);
  // Keyboard: arrows move within a competency's levels.
  await page.locator('[id="level-1.1-none"]').focus();
  await page.keyboard.press('ArrowRight');
  check(await page.locator('[id="level-1.1-1"]').isChecked(), 'ArrowRight did not choose level 1 of 1.1');
  // A level's statement, on demand (not counted: the path does not need it).
  const details = page.locator('fieldset[data-code="1.1"] details.stmts');
  await details.locator('summary').focus();
  await page.keyboard.press('Enter');
  check(await details.evaluate((d) => d.open), 'the statements of 1.1 do not open with the keyboard');
  await visit(page, `assessment (${lang})`, `${shots.prefix}-assess`);
  for (const [code, level] of [['1.1', '3'], ['2.1', '4'], ['3.1', '2'], ['4.1', '3']]) {
    await press(page.locator(`label[for="level-${code}-${level}"]`));
  }
  await page.getByText(w.summary4).waitFor();
  await press(page.getByRole('button', { name: w.review }));
  await heading(page, `${w.reviewTitle} — ${learner}`);
  loaded();
  await visit(page, `review (${lang})`, `${shots.prefix}-review`);
  await press(page.getByRole('button', { name: w.issue }));
  await heading(page, w.credential);
  loaded();
  await page.getByText(w.status).first().waitFor();
  const buttons = page.getByRole('main').locator('a.button, button');
  check((await buttons.nth(0).innerText()).trim() === w.printCard, `first button: ${await buttons.nth(0).innerText()}`);
  check((await buttons.nth(1).innerText()).trim() === w.printA4, `second button: ${await buttons.nth(1).innerText()}`);
  await visit(page, `credential (${lang})`, `${shots.prefix}-credential`);
  const credentialURL = page.url();
  const [res] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname.endsWith('/card.pdf')),
    press(page.getByRole('link', { name: w.printCard })).catch(() => {}),
  ]);
  check(res.status() === 200 && (res.headers()['content-type'] || '').startsWith('application/pdf'), `card.pdf: ${res.status()} ${res.headers()['content-type']}`);
  // Back from the PDF (a tap's navigation to it may still be starting).
  // A goto "interrupted by another navigation" to the same page has
  // still arrived there: wait for that navigation, then check where we are.
  for (let i = 0; ; i++) {
    try {
      await page.goto(credentialURL);
      break;
    } catch (e) {
      if (i >= 10 || !String(e.message).includes('interrupted')) throw e;
      await page.waitForLoadState('load').catch(() => {});
      if (page.url() === credentialURL) break;
      await page.waitForTimeout(200);
    }
  }
  // The learner's page: the credential with a print button, and a new
  // assessment on the last framework used.
  await page.getByRole('main').getByRole('link', { name: learner }).first().click();
  await heading(page, learner);
  await page.getByRole('main').getByRole('link', { name: w.printCard }).first().waitFor();
  await page.getByRole('link', { name: /DigComp/ }).first().waitFor();
  await visit(page, `learner (${lang})`, `${shots.prefix}-learner`);
  return { clicks, pages, viewport: page.viewportSize() };
}

let browser;
try {
  await mkdir(artifacts, { recursive: true });
  browser = await launch(summary);
  await step('axe finds the faults of a broken page', async () => {
    summary.axeControl = await axeControl(browser);
  });

  const admin = await newPage(browser, 'admin', desktop, 'fr-FR');
  await step('first start: password, then the structure\'s real name; the loopback warning', async () => {
    await admin.goto(loginLink);
    await admin.getByLabel('Nouveau mot de passe').fill(adminPassword);
    await admin.getByLabel('Confirmer le mot de passe').fill(adminPassword);
    await admin.getByRole('button', { name: 'Enregistrer et se connecter' }).click();
    await heading(admin, 'Votre structure');
    await admin.getByRole('alert').filter({ hasText: 'aucun téléphone ne peut joindre' }).waitFor();
    await visit(admin, 'setup', 'setup');
    await admin.getByRole('button', { name: 'Enregistrer', exact: true }).click(); // no name: refused by the browser
    await heading(admin, 'Votre structure');
    await admin.getByLabel('Nom de la structure').fill(structureName);
    await admin.getByLabel('Adresse postale').fill('2 rue des Lilas, 59000 Lille');
    await admin.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await heading(admin, 'Personnes accompagnées');
    await admin.getByRole('status').filter({ hasText: "C'est prêt" }).waitFor();
  });

  await step('the structure puts DigComp first; an invitation is renewed, then cancelled', async () => {
    await admin.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Structures', exact: true }).click();
    await admin.getByRole('link', { name: structureName }).click();
    await heading(admin, structureName);
    const form = admin.getByRole('form', { name: 'Référentiels' });
    await form.getByLabel('Référentiel par défaut').selectOption({ value: 'digcomp-2.2' });
    await form.getByRole('button', { name: 'Enregistrer' }).click();
    await admin.getByRole('status').first().waitFor();
    await admin.getByLabel('Adresse électronique').fill('camille@example.org');
    await admin.getByRole('button', { name: "Créer le lien d'invitation" }).click();
    const first = await admin.getByRole('textbox', { name: "Lien d'invitation" }).inputValue();
    await admin.getByRole('button', { name: 'Copier le lien' }).waitFor();
    await admin.getByRole('cell', { name: 'camille@example.org', exact: true }).waitFor();
    await visit(admin, 'structure (pending invitation)', 'structure');
    await admin.getByRole('button', { name: /Nouveau lien/ }).click();
    const second = await admin.getByRole('textbox', { name: "Lien d'invitation" }).inputValue();
    check(second !== first && second.includes('/invite/'), 'no new invitation link');
    await admin.getByRole('button', { name: /Annuler l'invitation/ }).click();
    await admin.getByText('Aucune invitation en attente.').waitFor();
  });

  await step('desktop, French: new learner → card PDF', async () => {
    summary.day.fr = await theDay(admin, 'fr', 'Awa Diallo', { prefix: 'fr', touch: false });
  });

  await step('the audit log, in plain French', async () => {
    await admin.getByRole('link', { name: 'Journal', exact: true }).click();
    await heading(admin, "Journal d'audit");
    const text = await admin.getByRole('main').innerText();
    check(!/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/.test(text), 'the audit log shows a raw UUID');
    for (const word of [' link', 'mediator', 'credential_']) check(!text.includes(word), `the audit log says "${word}"`);
    check(text.includes("A émis l'attestation") && text.includes('Awa Diallo'), 'the audit log does not tell the issuance');
    await visit(admin, 'audit log', 'audit');
  });

  const tab = await newPage(browser, 'tablet', tablet, 'en-GB', true);
  await step('tablet, English (the browser asks for English): sign in', async () => {
    await tab.goto('/login');
    await tab.getByLabel('E-mail address').fill(adminEmail);
    await tab.getByLabel('Password').fill(adminPassword);
    await tab.getByRole('button', { name: 'Sign in' }).tap();
    await heading(tab, 'Learners');
    check(await tab.evaluate(() => document.documentElement.lang) === 'en', 'the page is not in English');
  });

  await step('tablet, English: new learner → card PDF, by touch', async () => {
    summary.day.en = await theDay(tab, 'en', 'Olena Shevchenko', { prefix: 'en-tablet', touch: true });
    const text = await tab.getByRole('main').innerText();
    for (const fr of ['Statut', 'Attestations', ' : ']) check(!text.includes(fr), `the English learner page says "${fr}"`);
    const overflow = await tab.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(overflow <= 0, `the learner page scrolls sideways on a tablet (${overflow}px)`);
  });
} catch (e) {
  summary.failures.push(String(e.stack || e));
} finally {
  await finish(summary, browser);
}
