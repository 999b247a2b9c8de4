// carnet.mjs walks a learner from the slip to "Mon carnet" (issue 16): a
// mediator issues a credential and makes the learner's private link (the
// slip, with its QR code); on a phone (390×844) with no account, the
// learner opens the carnet, makes a 7-day share link, opens it, withdraws
// it (then "ce lien n'est plus valable"), switches to English and asks for
// erasure, which the mediator then sees on their home page. Every carnet
// page is audited with axe-core and must not scroll sideways; the phone's
// browser must hold no cookie but the language's.
//
//   node carnet.mjs BASE_URL LOGIN_LINK ARTIFACTS_DIR
//
// It prints one JSON summary on stdout and exits 0 when every step passed.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { audit, axeControl, finish, newSummary, check, desktop, phone, launch, stepper, watch } from './harness.mjs';

const [base, loginLink, artifacts] = process.argv.slice(2);
if (!base || !loginLink || !artifacts) {
  console.error('usage: node carnet.mjs BASE_URL LOGIN_LINK ARTIFACTS_DIR');
  process.exit(2);
}

const summary = newSummary({ carnet: {} });
const { step } = stepper(summary, 'carnet', { stopOnFailure: true });
const password = 'une phrase de passe assez longue';
const learner = 'Awa Diallo';

async function heading(page, name) {
  await page.getByRole('heading', { level: 1, name }).first().waitFor();
}

async function visit(page, name) {
  await page.waitForLoadState('load');
  await audit(summary, page, name);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, `${name} scrolls sideways (${overflow}px)`);
  const file = path.join(artifacts, `carnet-${name.replace(/[^a-z0-9]+/gi, '-')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  summary.screenshots.push(path.basename(file));
}

let browser;
try {
  await mkdir(artifacts, { recursive: true });
  browser = await launch(summary);
  await step('axe finds the faults of a broken page', async () => {
    summary.axeControl = await axeControl(browser);
  });

  const mctx = await browser.newContext({ viewport: desktop, locale: 'fr-FR', baseURL: base });
  mctx.setDefaultTimeout(15000);
  const med = await mctx.newPage();
  watch(summary, med, 'mediator');
  let carnetURL;
  await step('the mediator issues a credential and makes the private link (slip with QR)', async () => {
    await med.goto(loginLink);
    await med.getByLabel('Nouveau mot de passe').fill(password);
    await med.getByLabel('Confirmer le mot de passe').fill(password);
    await med.getByRole('button', { name: 'Enregistrer et se connecter' }).click();
    await heading(med, 'Votre structure');
    await med.getByLabel('Nom de la structure').fill('Médiathèque Jean-Macé');
    await med.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await heading(med, 'Personnes accompagnées');
    await med.getByRole('textbox', { name: /Nouvelle personne/ }).fill(learner);
    await med.getByRole('button', { name: "Commencer l'évaluation" }).click();
    await heading(med, new RegExp(`— ${learner}`));
    const level = await med.locator('fieldset[data-code] input[type=radio]:not([id$="-none"])').nth(1).getAttribute('id');
    await med.locator(`label[for="${level}"]`).click();
    await med.getByRole('button', { name: "Relire avant d'émettre" }).click();
    await med.getByRole('button', { name: "Émettre l'attestation" }).click();
    await heading(med, 'Attestation');
    await med.getByRole('main').getByRole('link', { name: learner }).first().click();
    await heading(med, learner);
    check(await med.getByRole('button', { name: /Portefeuille numérique/ }).count() === 1, 'no wallet offer on the learner page');
    await visit(med, 'learner page (CLR, wallet)');
    await med.getByRole('button', { name: 'Créer le lien personnel' }).click();
    await heading(med, /Mon carnet/);
    check(await med.locator('.slip svg.qr').count() === 1, 'no QR code on the slip');
    carnetURL = await med.locator('#carnet-url').getAttribute('href');
    check(carnetURL && carnetURL.includes('/carnet/'), `no carnet link: ${carnetURL}`);
    await visit(med, 'slip');
    // Printed, only the slip shows.
    await med.emulateMedia({ media: 'print' });
    check(!(await med.locator('header.top').isVisible()), 'the header is printed with the slip');
    await med.emulateMedia({ media: 'screen' });
  });

  const lctx = await browser.newContext({ viewport: phone, locale: 'fr-FR', hasTouch: true, isMobile: true });
  lctx.setDefaultTimeout(15000);
  const me = await lctx.newPage();
  watch(summary, me, 'learner');
  let shareURL;
  await step('on a phone, with no account, the learner opens "Mon carnet"', async () => {
    await me.goto(carnetURL);
    await heading(me, `Carnet de ${learner}`);
    const text = await me.getByRole('main').innerText();
    for (const w of ['Aujourd', 'Prochaine étape', 'Énoncé officiel', 'Télécharger (.jwt)', 'Réimprimer la carte']) check(text.includes(w), `the carnet lacks "${w}"`);
    await visit(me, 'carnet (fr)');
  });
  await step('a 7-day share link, opened, then withdrawn', async () => {
    await me.getByLabel('7 jours').check();
    await me.getByRole('button', { name: 'Créer le lien de partage' }).tap();
    shareURL = await me.locator('#new-share').getAttribute('href');
    check(shareURL && shareURL.includes('/partage/'), `no share link: ${shareURL}`);
    // LinkedIn and the CV line come with the new share link, never the private one.
    const li = await me.getByRole('link', { name: 'Ajouter à mon profil LinkedIn' }).getAttribute('href');
    check(li.startsWith('https://www.linkedin.com/profile/add?') && new URL(li).searchParams.get('certUrl') === shareURL, `LinkedIn link: ${li}`);
    check(!li.includes('/carnet/'), 'the LinkedIn link carries the private link');
    check((await me.getByLabel('Ligne à copier dans votre CV').inputValue()).endsWith(`vérifiable : ${shareURL}`), 'no CV line');
    await visit(me, 'share made (LinkedIn, CV)');
    const viewer = await browser.newContext({ viewport: phone, locale: 'fr-FR' });
    const v = await viewer.newPage();
    await v.goto(shareURL);
    await heading(v, 'Attestation partagée');
    check((await v.getByRole('main').innerText()).includes('Attestation valide'), 'the shared credential does not verify');
    await visit(v, 'share (fr)');
    await me.goto(carnetURL);
    await me.getByRole('button', { name: /Retirer ce lien/ }).tap();
    await me.getByRole('status').filter({ hasText: 'Lien de partage retiré' }).waitFor();
    const res = await v.goto(shareURL);
    check(res.status() === 410, `withdrawn share: ${res.status()}`);
    check((await v.getByRole('main').innerText()).includes("n'est plus valable"), 'the withdrawn link does not say so');
    check(!(await v.content()).includes(learner), 'the withdrawn link still names the learner');
    await visit(v, 'share withdrawn');
    await viewer.close();
  });
  await step('the record (CLR) and a wallet offer from the carnet', async () => {
    await me.goto(carnetURL);
    check(await me.locator('#clr-jwt').count() === 1, 'no CLR download');
    await me.getByRole('button', { name: /Portefeuille numérique/ }).first().tap();
    await heading(me, /portefeuille numérique/);
    check(await me.locator('.wallet-offer svg.qr').count() === 1, 'no QR code for the wallet');
    const offer = await me.locator('#wallet-offer').getAttribute('href');
    check(offer && offer.startsWith('openid-credential-offer://?credential_offer='), `wallet offer: ${offer}`);
    await visit(me, 'wallet offer');
  });
  await step('English by the switch', async () => {
    await me.goto(carnetURL);
    await me.getByRole('link', { name: 'English' }).tap();
    await heading(me, `${learner}'s carnet`);
    check(await me.evaluate(() => document.documentElement.lang) === 'en', 'not in English');
    await visit(me, 'carnet (en)');
    await me.getByRole('link', { name: 'Français' }).tap();
    await heading(me, `Carnet de ${learner}`);
  });
  await step('the learner asks for erasure; the mediator sees the request', async () => {
    await me.getByLabel("Je demande l'effacement de mes données").check();
    await me.getByRole('button', { name: 'Envoyer la demande' }).tap();
    await me.getByRole('status').filter({ hasText: "Demande d'effacement envoyée" }).waitFor();
    const cookies = (await lctx.cookies()).map((c) => c.name).filter((n) => n !== 'carnet_lang');
    check(cookies.length === 0, `the carnet left cookies: ${cookies.join(', ')}`);
    await med.goto('/');
    await med.getByRole('heading', { name: "Demandes d'effacement" }).waitFor();
    await med.getByRole('main').getByRole('link', { name: learner }).first().waitFor();
    await visit(med, 'home with an erasure request');
  });
} catch (e) {
  summary.failures.push(String(e.stack || e));
} finally {
  await finish(summary, browser);
}
