// lieux.mjs opens the network's places (/lieux) in Debian's Chromium
// (playwright-core) without JavaScript, and filters them by service, by
// an offer for a competency's next level and by commune or postcode; with
// JavaScript, the map (Leaflet, tiles from the configured tile server):
// markers for the network's places and the place outside it, a popup
// linking to the list, and the list alone with a message once offline;
// then,
// as the network administrator, a learner's page: where to continue for
// each next level, from the structure's place then from a typed postcode,
// and a referral recorded from it, shown on the path. axe-core audits
// each page. Last, the administrator points the map at a tile server that
// is down (DOWN_TILES) on /lieux/admin: /lieux then hides the map and
// says the list gives every place.
//
//   node lieux.mjs BASE LOGIN_LINK LEARNER_ID ARTIFACTS_DIR DOWN_TILES
//
// It prints one JSON summary on stdout (progress on stderr) and exits 0
// when every step passed, 1 otherwise. CARNET_CHROMIUM overrides
// /usr/bin/chromium.
import { audit, axeControl, check, desktop, finish, launch, newSummary, phone, screenshotter, stepper, watch } from './harness.mjs';

const [base, link, learner, artifacts, downTiles] = process.argv.slice(2);
if (!base || !link || !learner || !artifacts || !downTiles) {
  console.error('usage: node lieux.mjs BASE LOGIN_LINK LEARNER_ID ARTIFACTS_DIR DOWN_TILES');
  process.exit(2);
}
const summary = newSummary({ lists: {}, notice: '', referrals: [], orient: {}, map: {} });
const { step } = stepper(summary, 'lieux');
const shot = screenshotter(summary, artifacts, 'lieux');

// listed returns the names of the places the page lists.
const listed = (page) => page.locator('li.place h3').allInnerTexts().then((l) => l.map((s) => s.trim()).sort());

let browser;
try {
  browser = await launch(summary);
  await step('axe control', async () => {
    summary.axeControl = await axeControl(browser);
  });
  // The public page, on a phone, without JavaScript: a form and a list.
  const noJS = await browser.newContext({ viewport: phone, locale: 'fr-FR', baseURL: base, javaScriptEnabled: false });
  noJS.setDefaultTimeout(20000);
  const p = await noJS.newPage();
  watch(summary, p, 'public');
  // axe runs in a page with JavaScript: the same address, audited there.
  const withJS = await browser.newContext({ viewport: phone, locale: 'fr-FR', baseURL: base });
  const pj = await withJS.newPage();
  const auditURL = async (name) => {
    await pj.goto(new URL(p.url()).pathname + new URL(p.url()).search);
    await audit(summary, pj, name);
  };
  await step('/lieux lists the network\'s places without JavaScript', async () => {
    await p.goto('/lieux');
    await p.getByRole('heading', { level: 1, name: 'Lieux du réseau' }).waitFor();
    summary.lists.all = await listed(p);
    check(summary.lists.all.length === 2, `${summary.lists.all.length} places`);
    await auditURL('lieux');
    await shot(p, 'list');
  });
  const search = async (name, fill) => {
    await p.goto('/lieux');
    await fill();
    await Promise.all([p.waitForURL(/\/lieux\?/), p.getByRole('button', { name: 'Chercher' }).click()]);
    summary.lists[name] = await listed(p);
  };
  await step('filter by service', () => search('service', () => p.getByLabel('Service').selectOption('Aide aux démarches administratives')));
  await step('filter by an offer for a next level', async () => {
    await search('competency', async () => {
      await p.getByLabel('Référentiel').selectOption('digcomp-2.2');
      await p.getByLabel('Compétence').fill('1.1');
      await p.getByLabel('Niveau visé').fill('5');
    });
    await auditURL('lieux filtered');
    await search('competency-low', async () => {
      await p.getByLabel('Référentiel').selectOption('digcomp-2.2');
      await p.getByLabel('Compétence').fill('1.1');
      await p.getByLabel('Niveau visé').fill('2');
    });
  });
  await step('filter by postcode, then commune', async () => {
    await search('postcode', () => p.getByLabel('Commune ou code postal').fill('51100'));
    await search('commune', () => p.getByLabel('Commune ou code postal').fill('paris'));
  });
  await step('an unknown competency is said, not a silent empty list', async () => {
    await search('invalid-framework', async () => {
      await p.getByLabel('Référentiel').selectOption('digcomp-2.2');
      await p.getByLabel('Compétence').fill('9.9');
      await p.getByLabel('Niveau visé').fill('3');
    });
    check(await p.locator('.error, [role=alert]').count() > 0, 'no error shown');
    // The 400 of this page is expected.
    await auditURL('lieux error');
    summary.httpErrors = summary.httpErrors.filter((e) => !e.endsWith(' /lieux'));
  });
  await step('with JavaScript, the map shows the places over the configured tiles', async () => {
    await pj.goto('/lieux');
    await pj.locator('#carte[data-state="ready"]').waitFor();
    await pj.locator('img.leaflet-tile-loaded').first().waitFor();
    summary.map.Tiles = await pj.locator('img.leaflet-tile-loaded').count();
    summary.map.Markers = await pj.locator('img.leaflet-marker-icon').count();
    summary.map.Outside = await pj.locator('.leaflet-marker-icon.marker-outside').count();
    check(await pj.locator('li.place').count() === 2, 'the list is still there under the map');
    await pj.locator('img.leaflet-marker-icon').first().click();
    const pop = pj.locator('.leaflet-popup-content');
    await pop.waitFor();
    summary.map.Popup = (await pop.innerText()).trim();
    summary.map.PopupLink = await pop.locator('a').getAttribute('href');
    check(await pj.locator(summary.map.PopupLink).count() === 1, `the popup's link ${summary.map.PopupLink} names no item of the list`);
    await audit(summary, pj, 'lieux map');
    await shot(pj, 'map');
  });
  await step('offline, the map gives way to the list', async () => {
    await withJS.setOffline(true);
    const msg = pj.locator('#map-status');
    await msg.waitFor();
    summary.map.Offline = (await msg.innerText()).trim();
    check(await pj.locator('#carte').isHidden(), 'the map is still shown offline');
    check(await pj.locator('li.place').count() === 2, 'the list is gone');
    await withJS.setOffline(false);
  });
  await noJS.close();
  await withJS.close();

  // The network administrator on a learner's page.
  const ctx = await browser.newContext({ viewport: desktop, locale: 'fr-FR', baseURL: base });
  ctx.setDefaultTimeout(20000);
  const page = await ctx.newPage();
  watch(summary, page, 'admin');
  await step('the network administrator signs in with the one-time link', async () => {
    await page.goto(link);
    await page.getByLabel('Nouveau mot de passe').fill('lieux lieux lieux 2026');
    await page.getByLabel('Confirmer le mot de passe').fill('lieux lieux lieux 2026');
    await page.getByRole('button', { name: 'Enregistrer et se connecter' }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  });
  await step('the learner\'s page says where to continue', async () => {
    await page.goto(`/learners/${learner}`);
    const sec = page.locator('#orientation');
    await sec.getByRole('heading', { level: 2, name: 'Où continuer' }).waitFor();
    summary.orient.Steps = await sec.locator('h3').count() - 1; // less "Orienter vers un autre lieu"
    summary.orient.Items = await sec.locator('ul.orient > li').count();
    check(summary.orient.Items > 0, 'no offer or place');
    const first = await sec.locator('ul.orient > li strong').first().innerText();
    check(first.startsWith('Tous les ateliers — Médiathèque de démonstration 1'), `first: ${first}`);
    check(await sec.getByText('lieu hors réseau').count() > 0, 'the imported place is not marked outside the network');
    await audit(summary, page, 'learner orientation');
    await shot(page, 'learner');
  });
  await step('from a typed postcode', async () => {
    const sec = page.locator('#orientation');
    await sec.getByLabel('Code postal de la personne').fill('75004');
    await Promise.all([page.waitForURL(/cp=75004/), sec.getByRole('button', { name: 'Chercher autour' }).click()]);
    summary.orient.Hint = await page.locator('#orient-cp-hint').innerText();
    check(summary.orient.Hint.includes('75004'), `hint: ${summary.orient.Hint}`);
  });
  await step('a referral from the learner\'s page', async () => {
    const sec = page.locator('#orientation');
    await Promise.all([page.waitForURL(/ok=referred/), sec.getByRole('button', { name: /^Orienter ici — Tous les ateliers/ }).first().click()]);
    summary.notice = (await page.locator('.notice, [role=status]').first().innerText()).trim();
    summary.referrals = (await page.locator('table.referrals tbody tr td:nth-child(2)').allInnerTexts()).map((s) => s.trim());
    await audit(summary, page, 'learner referred');
    await shot(page, 'referred');
  });
  await step('the administrator points the map at a tile server that is down', async () => {
    await page.goto('/lieux/admin');
    await page.getByLabel('Adresse des tuiles').fill(downTiles);
    await page.getByLabel('Crédit affiché sur la carte').fill('Tuiles de test');
    await Promise.all([page.waitForURL(/ok=tiles_saved/), page.getByRole('button', { name: 'Enregistrer le fond de carte' }).click()]);
    check((await page.getByLabel('Adresse des tuiles').inputValue()) === downTiles, 'the setting is not shown');
    await audit(summary, page, 'lieux admin');
    const phonePage = await (await browser.newContext({ viewport: phone, locale: 'fr-FR', baseURL: base })).newPage();
    await phonePage.goto('/lieux');
    const msg = phonePage.locator('#map-status');
    await msg.waitFor({ timeout: 30000 });
    summary.map.Degraded = (await msg.innerText()).trim();
    check(await phonePage.locator('#carte').isHidden(), 'the map is still shown without tiles');
    summary.map.DegradedList = await phonePage.locator('li.place').count();
    await audit(summary, phonePage, 'lieux without tiles');
    await shot(phonePage, 'no-tiles');
  });
} catch (e) {
  summary.failures.push(String(e.stack || e));
}
await finish(summary, browser);
