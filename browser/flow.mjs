// flow.mjs drives Debian's Chromium (playwright-core, no downloaded
// browser) through a mediator's day on a running Carnet, by clicking the
// real pages with accessible locators, and runs axe-core on every page it
// visits.
//
//   node flow.mjs BASE_URL LOGIN_LINK ARTIFACTS_DIR
//
// It prints one JSON summary on stdout (progress goes to stderr) and exits
// 0 when every step passed and axe found nothing "serious" or "critical",
// 1 otherwise. CARNET_CHROMIUM overrides /usr/bin/chromium.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { audit as auditPage, axeControl, finish, newSummary, check, desktop, launch, phone, stepper, watch as watchPage } from './harness.mjs';

const [base, loginLink, artifacts] = process.argv.slice(2);
if (!base || !loginLink || !artifacts) {
  console.error('usage: node flow.mjs BASE_URL LOGIN_LINK ARTIFACTS_DIR');
  process.exit(2);
}


const summary = newSummary({
  base,
  axe: { serious: 0, critical: 0, moderate: 0, minor: 0 },
  keyboard: [],
  credential: {},
  verify: {},
  english: {},
});

const { log, step } = stepper(summary, 'flow', { stopOnFailure: true });

async function audit(page, name) { await auditPage(summary, page, name); }

// visit audits the current page and, when a file name is given, saves a
// full-page screenshot.
async function visit(page, name, shot) {
  await page.waitForLoadState('load');
  await noAlert(page, name);
  await audit(page, name);
  if (shot) {
    const file = path.join(artifacts, `${shot}.png`);
    await page.screenshot({ path: file, fullPage: true });
    summary.screenshots.push(path.basename(file));
  }
}

// noAlert fails when the page shows an error message (role="alert").
async function noAlert(page, name) {
  const alert = page.getByRole('alert');
  if (await alert.count()) {
    throw new Error(`${name}: the page shows an error: ${(await alert.first().innerText()).trim()}`);
  }
}

async function heading(page, name) {
  await page.getByRole('heading', { level: 1, name }).waitFor();
}

function watch(page, who) { watchPage(summary, page, who); }

async function newPage(browser, who, viewport = desktop) {
  const ctx = await browser.newContext({ viewport, locale: 'fr-FR', baseURL: base });
  ctx.setDefaultTimeout(15000);
  const page = await ctx.newPage();
  watch(page, who);
  return page;
}

// statusIs waits until the credential page's status line starts with text
// and returns the whole line.
async function statusIs(page, text) {
  const line = page.getByRole('main').getByRole('paragraph').filter({ hasText: new RegExp(`^\\s*Statut\\s*:\\s*${text}\\b`) });
  await line.waitFor();
  return (await line.innerText()).replace(/\s+/g, ' ').trim();
}

const adminEmail = 'admin@localhost';
const adminPassword = 'une phrase de passe assez longue';
const mediatorEmail = 'camille.martin@example.org';
const mediatorPassword = 'les mots de Camille 2026';
const learnerName = 'Éloïse Ndiaye';
const levels = [['1.1', '3'], ['2.1', '4'], ['3.1', '2']];

let browser;
try {
  await mkdir(artifacts, { recursive: true });
  browser = await launch(summary);

  // Negative control: axe must find the faults of a deliberately broken
  // page, so an axe that checks nothing cannot pass the flow.
  await step('axe finds the faults of a broken page', async () => {
    const ids = await axeControl(browser);
    for (const want of ['html-has-lang', 'image-alt', 'label', 'color-contrast']) {
      check(ids.includes(want), `axe missed ${want} on a broken page (found ${ids.join(', ')})`);
    }
    summary.axeControl = ids;
  });

  // The network administrator's first sign-in: the one-time link.
  const admin = await newPage(browser, 'admin');
  await step('admin opens the one-time login link and chooses a password', async () => {
    await admin.goto(loginLink);
    await heading(admin, 'Choisir votre mot de passe');
    await visit(admin, 'first sign-in (choose password)', 'choose-password');
    await admin.getByLabel('Nouveau mot de passe').fill(adminPassword);
    await admin.getByLabel('Confirmer le mot de passe').fill(adminPassword);
    await admin.getByRole('button', { name: 'Enregistrer et se connecter' }).click();
    // First start: the structure's real name before anything else.
    await heading(admin, 'Votre structure');
    await admin.getByRole('alert').filter({ hasText: 'désigne cet ordinateur' }).waitFor();
    await audit(admin, 'first start (setup)');
    await admin.getByLabel('Nom de la structure').fill('Réseau des médiathèques');
    await admin.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await heading(admin, 'Personnes accompagnées');
    await visit(admin, 'home (admin)', 'home');
  });

  // The sign-in page, by keyboard only.
  await step('login page: Tab reaches e-mail, password and button in order; sign in by keyboard', async () => {
    const page = await newPage(browser, 'keyboard');
    await page.goto('/login');
    await heading(page, 'Connexion');
    await visit(page, 'login', 'login');
    const focused = () => page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return 'body';
      return `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.type ? '[' + el.type + ']' : ''}: ${(el.getAttribute('aria-label') || el.labels?.[0]?.textContent || el.textContent || '').trim()}`;
    });
    const order = [];
    for (let i = 0; i < 15; i++) {
      await page.keyboard.press('Tab');
      const f = await focused();
      order.push(f);
      if (f.startsWith('input#email')) break;
    }
    check(order[0].startsWith('a') && order[0].includes('Aller au contenu'), `first Tab should reach the skip link, got ${order[0]}`);
    check(order.at(-1).startsWith('input#email'), `Tab never reached the e-mail field: ${order.join(' → ')}`);
    await page.keyboard.type(adminEmail);
    await page.keyboard.press('Tab');
    order.push(await focused());
    check(order.at(-1).startsWith('input#password[password]'), `after e-mail, Tab reached ${order.at(-1)}`);
    await page.keyboard.type(adminPassword);
    await page.keyboard.press('Tab');
    order.push(await focused());
    check(order.at(-1).startsWith('button') && order.at(-1).includes('Se connecter'), `after password, Tab reached ${order.at(-1)}`);
    summary.keyboard = order;
    // The focus ring must be visible on the focused button.
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    check(outline !== 'none', 'the focused button shows no outline');
    await page.keyboard.press('Enter');
    await heading(page, 'Personnes accompagnées');
    await visit(page, 'home (after keyboard sign-in)');
    await page.context().close();
  });

  // A new structure and an invitation for its mediator.
  const slug = 'mediatheque-nord';
  let invitation;
  await step('admin creates a structure', async () => {
    await admin.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Structures', exact: true }).click();
    await heading(admin, 'Structures');
    await visit(admin, 'structures', 'structures');
    await admin.getByLabel('Identifiant court').fill(slug);
    await admin.getByLabel('Nom', { exact: true }).fill('Médiathèque du Nord');
    await admin.getByLabel('Site web').fill('https://mediatheque-nord.example.org');
    await admin.getByLabel('Adresse de contact').fill('contact@mediatheque-nord.example.org');
    await admin.getByRole('button', { name: 'Créer' }).click();
    await heading(admin, 'Médiathèque du Nord');
    check(new URL(admin.url()).pathname === `/structures/${slug}`, `after creating, at ${admin.url()}`);
    await visit(admin, 'structure (created)');
  });
  await step('admin invites a mediator and reads the invitation link', async () => {
    await admin.getByLabel('Adresse électronique').fill(mediatorEmail);
    await admin.getByLabel('Rôle').selectOption('mediator');
    await admin.getByRole('button', { name: "Créer le lien d'invitation" }).click();
    const box = admin.getByRole('textbox', { name: "Lien d'invitation" });
    invitation = await box.inputValue();
    check(invitation.startsWith(`${base}/invite/`), `invitation link ${invitation}`);
    await visit(admin, 'structure (with invitation)', 'structure');
  });

  // The mediator, in a browser of their own.
  const med = await newPage(browser, 'mediator');
  await step('mediator opens the invitation, sets name and password', async () => {
    await med.goto(invitation);
    await heading(med, 'Rejoindre Carnet');
    await visit(med, 'invitation', 'invitation');
    await med.getByLabel('Votre nom').fill('Camille Martin');
    await med.getByLabel('Nouveau mot de passe').fill(mediatorPassword);
    await med.getByLabel('Confirmer le mot de passe').fill(mediatorPassword);
    await med.getByRole('button', { name: 'Enregistrer et se connecter' }).click();
    await heading(med, 'Personnes accompagnées');
    await visit(med, 'home (mediator)');
  });

  let learnerURL;
  await step(`mediator creates the learner "${learnerName}" with consent`, async () => {
    await med.getByRole('link', { name: 'Ajouter un contact ou des notes' }).click();
    await heading(med, 'Nouvelle personne');
    await med.getByLabel("Nom affiché sur l'attestation").fill(learnerName);
    await med.getByLabel('Contact (facultatif)').fill('06 12 34 56 78');
    await med.getByLabel('La personne accepte que sa fiche soit conservée par la structure').check();
    await visit(med, 'new learner', 'learner-new');
    await med.getByRole('button', { name: 'Enregistrer' }).click();
    await heading(med, learnerName);
    learnerURL = med.url();
    await med.getByRole('status').filter({ hasText: 'Créé' }).waitFor();
    await visit(med, 'learner', 'learner');
  });

  await step('mediator assesses DigComp levels, reviews and issues', async () => {
    await med.getByText('Évaluer avec un autre référentiel').click();
    await med.getByLabel('Référentiel').selectOption({ value: 'digcomp-2.2' });
    await med.getByRole('button', { name: "Commencer l'évaluation" }).click();
    await heading(med, `Évaluer — ${learnerName}`);
    for (const [code, level] of levels) {
      await med.locator(`label[for="level-${code}-${level}"]`).click();
    }
    await med.getByText('Preuves et méthode').click();
    await med.getByLabel("Méthode d'évaluation").fill('Observation en atelier');
    await med.getByLabel('Preuve (ce qui a été observé)').fill('A cherché une offre d\'emploi, créé un compte et envoyé son CV « Éloïse » par courriel.');
    await visit(med, 'assessment form', 'assess');
    await med.getByRole('button', { name: "Relire avant d'émettre" }).click();
    await heading(med, `Relecture — ${learnerName}`);
    const rows = med.getByRole('table', { name: 'Niveaux qui seront attestés' }).getByRole('row');
    check(await rows.count() === levels.length + 1, `review shows ${await rows.count() - 1} levels, want ${levels.length}`);
    await visit(med, 'review', 'review');
    await med.getByRole('button', { name: "Émettre l'attestation" }).click();
    await heading(med, 'Attestation');
    await med.getByRole('status').filter({ hasText: "L'attestation est émise et signée." }).waitFor();
    await statusIs(med, 'valide');
    await med.getByText(/Vérification de la signature\s*:\s*valide/).waitFor();
    const certified = med.getByRole('table', { name: 'Niveaux attestés' }).getByRole('row');
    check(await certified.count() === levels.length + 1, `credential shows ${await certified.count() - 1} levels`);
    const text = await med.getByRole('main').innerText();
    const code = text.match(/Code court\s*:?\s*([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2})/);
    check(code, 'no short code on the credential page');
    summary.credential = { url: new URL(med.url()).pathname, shortCode: code[1], statuses: ['valide'] };
    await visit(med, 'credential', 'credential');
  });

  await step('mediator verifies the credential on the portal and attaches it to a new record; the path shows it', async () => {
    await med.getByRole('link', { name: 'Vérifier une attestation' }).click();
    await med.getByLabel('QR code, code court ou attestation').fill(summary.credential.shortCode);
    await med.getByRole('button', { name: 'Vérifier', exact: true }).click();
    await med.getByRole('heading', { level: 2, name: 'Valide' }).waitFor();
    await visit(med, 'verify (valid, attach offered)', 'verify-valid-attach');
    await med.getByRole('button', { name: "Rattacher au parcours d'une personne" }).click();
    await heading(med, 'Rattacher une attestation');
    await visit(med, 'attach (choose a learner)', 'attach');
    const name = med.getByLabel("Nom affiché sur l'attestation");
    check(await name.inputValue() === learnerName, `the new record's name is not pre-filled: ${await name.inputValue()}`);
    await med.getByRole('button', { name: 'Créer la fiche et rattacher' }).click();
    await heading(med, learnerName);
    const main = await med.getByRole('main').innerText();
    for (const want of ['Niveaux actuels et prochaines étapes', 'Prochain niveau', 'rattachée', 'Nouvelle évaluation à partir de ces niveaux']) {
      check(main.includes(want), `the learner's path lacks "${want}"`);
    }
    await visit(med, 'learner (path with an attached credential)', 'learner-path');
    await med.getByRole('link', { name: 'Nouvelle évaluation à partir de ces niveaux' }).first().click();
    const [code, level] = levels[0];
    const selected = await med.locator(`input[name="level_${code}"]:checked`).getAttribute('value');
    check(selected === level, `the assessment starts at ${selected} for ${code}, want ${level}`);
    await visit(med, 'assessment pre-filled from the path', 'assess-from-path');
    await med.goto(summary.credential.url);
  });

  await step('mediator suspends, lifts the suspension, then revokes', async () => {
    const suspend = med.getByRole('form', { name: 'Suspendre' });
    await suspend.getByLabel('Motif').fill('Vérification en cours');
    await suspend.getByRole('button', { name: "Suspendre l'attestation" }).click();
    await med.getByRole('status').filter({ hasText: "L'attestation est suspendue." }).waitFor();
    await statusIs(med, 'suspendue');
    summary.credential.statuses.push('suspendue');
    await visit(med, 'credential (suspended)');
    await med.getByRole('button', { name: 'Lever la suspension' }).click();
    await med.getByRole('status').filter({ hasText: 'La suspension est levée.' }).waitFor();
    await statusIs(med, 'valide');
    summary.credential.statuses.push('valide');
    const revoke = med.getByRole('form', { name: 'Révoquer' });
    await revoke.getByLabel('Motif').fill('Erreur de saisie du niveau');
    await revoke.getByLabel('Je confirme : la révocation est définitive').check();
    await revoke.getByRole('button', { name: "Révoquer l'attestation" }).click();
    await med.getByRole('status').filter({ hasText: "L'attestation est révoquée." }).waitFor();
    const line = await statusIs(med, 'révoquée');
    check(line.includes('Erreur de saisie du niveau'), `the status line does not give the reason: ${line}`);
    summary.credential.statusLine = line;
    summary.credential.statuses.push('révoquée');
    await visit(med, 'credential (revoked)', 'credential-revoked');
  });

  await step('the verify page says "Révoquée" for the revoked short code', async () => {
    await med.getByRole('link', { name: 'Vérifier une attestation' }).click();
    await heading(med, 'Vérifier une attestation');
    await visit(med, 'verify (empty)');
    await med.getByLabel('QR code, code court ou attestation').fill(summary.credential.shortCode);
    await med.getByRole('button', { name: 'Vérifier', exact: true }).click();
    const result = med.getByRole('heading', { level: 2, name: 'Révoquée' });
    await result.waitFor();
    const reason = "L'émetteur a révoqué cette attestation.";
    await med.getByText(reason).waitFor();
    summary.verify = { heading: await result.innerText(), reason };
    await visit(med, 'verify (revoked result)', 'verify');
  });

  await step('the header link switches to English', async () => {
    await med.getByRole('link', { name: 'English' }).click();
    await heading(med, 'Verify a credential');
    const lang = await med.evaluate(() => document.documentElement.lang);
    check(lang === 'en', `html lang="${lang}" after switching to English`);
    await med.getByRole('link', { name: 'Français' }).waitFor();
    summary.english = { lang, title: await med.title(), path: new URL(med.url()).pathname };
    await visit(med, 'verify (English)', 'verify-en');
    await med.goto(learnerURL);
    await med.getByRole('heading', { level: 2, name: 'Credentials' }).waitFor();
    await visit(med, 'learner (English)');
    await med.getByRole('link', { name: 'Français' }).click();
    await med.getByRole('heading', { level: 2, name: 'Attestations' }).waitFor();
    await visit(med, 'learner (back in French)');
  });

  await step('admin sees the mediator among the structure\'s members', async () => {
    await admin.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Structures', exact: true }).click();
    await visit(admin, 'structures (two)');
    await admin.getByRole('link', { name: 'Médiathèque du Nord' }).click();
    await heading(admin, 'Médiathèque du Nord');
    const row = admin.getByRole('row').filter({ hasText: mediatorEmail });
    check(await row.getByRole('cell', { name: 'Camille Martin' }).count() === 1, 'the members table lacks the mediator');
    await visit(admin, 'structure (members)', 'structure-members');
  });

  await step('admin reads and opens the resource catalogue', async () => {
    await admin.getByRole('link', { name: 'Ressources' }).click();
    await heading(admin, "Ressources d'autoformation");
    await admin.getByText('pix.fr').first().waitFor();
    await visit(admin, 'resources', 'resources');
    await admin.goto('/resources/new');
    await visit(admin, 'resource form', 'resource-new');
  });

  await step('admin reads the audit log', async () => {
    await admin.getByRole('link', { name: 'Journal', exact: true }).click();
    await heading(admin, "Journal d'audit");
    const log = await admin.getByRole('main').innerText();
    for (const action of ["A émis l'attestation", "A suspendu l'attestation", "A levé la suspension de l'attestation", "A révoqué l'attestation", "a accepté l'invitation", 'A créé la structure « Médiathèque du Nord »']) {
      check(log.includes(action), `audit log has no "${action}" row`);
    }
    await visit(admin, 'audit log', 'audit');
  });

  await step('phone-sized viewport (390×844)', async () => {
    await med.setViewportSize(phone);
    await med.goto(summary.credential.url);
    await heading(med, 'Attestation');
    await visit(med, 'credential (phone)');
    await med.screenshot({ path: path.join(artifacts, 'credential-phone.png') });
    summary.screenshots.push('credential-phone.png');
    await med.goto(`${new URL(learnerURL).pathname}/assess?framework=digcomp-2.2`);
    await heading(med, `Évaluer — ${learnerName}`);
    await visit(med, 'assessment form (phone)');
    await med.screenshot({ path: path.join(artifacts, 'assess-phone.png') });
    summary.screenshots.push('assess-phone.png');
    const overflow = await med.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(overflow <= 0, `the assessment form scrolls sideways on a phone (${overflow}px too wide)`);
  });
} catch (e) {
  summary.failures.push(String(e.stack || e));
} finally {
  await finish(summary, browser);
}
