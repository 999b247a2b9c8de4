// card.mjs opens the card landing page /c in Debian's Chromium (playwright-
// core) as a partner's phone would after scanning a card's QR code, and
// checks what the page says: the card is verified in the browser (WebCrypto,
// DecompressionStream) against the instance's trust list, online and, once
// the service worker has cached the page, offline. axe-core audits every
// state of the page.
//
//   node card.mjs CONFIG_JSON
//
// CONFIG_JSON: {"base", "artifacts", "valid", "tampered", "foreign" (the
// QR URLs), "credential" (the valid card's credential id), "token" (an API
// token, to revoke it)}. It prints one JSON summary on stdout (progress on
// stderr) and exits 0 when every step passed, 1 otherwise.
// CARNET_CHROMIUM overrides /usr/bin/chromium.
import { audit as auditPage, axeControl, finish, newSummary, check, desktop, launch, phone, screenshotter, stepper, watch as watchPage } from './harness.mjs';

const cfg = JSON.parse(process.argv[2] || '{}');
for (const k of ['base', 'artifacts', 'valid', 'tampered', 'foreign', 'credential', 'token']) {
  if (!cfg[k]) {
    console.error(`usage: node card.mjs CONFIG_JSON (missing ${k})`);
    process.exit(2);
  }
}


const summary = newSummary({ results: {}, cases: {}, worker: {}, offlineProbe: {}, keyboard: [] });

const { log, step } = stepper(summary, 'card');

async function audit(page, name) { await auditPage(summary, page, name); }

const shot = screenshotter(summary, cfg.artifacts, 'card');

function watch(page, who) { watchPage(summary, page, who); }

async function newContext(browser, opts = {}) {
  const ctx = await browser.newContext({ viewport: desktop, locale: 'fr-FR', baseURL: cfg.base, ...opts });
  ctx.setDefaultTimeout(15000);
  return ctx;
}

async function newPage(ctx, who) {
  const page = await ctx.newPage();
  watch(page, who);
  return page;
}

// cardURL puts the fragment of a QR URL on this instance's /c page (the
// foreign card's QR names another instance).
function cardURL(qr) {
  return `${cfg.base}/c${qr.slice(qr.indexOf('#'))}`;
}

// open loads a card URL as a new document, as a scan does; going from one
// /c#… to another in place would only change the fragment.
async function open(page, url) {
  await page.goto('about:blank');
  await page.goto(url);
}

// verdict waits until the live region holds a final verdict and returns
// what the page says.
async function verdict(page, title) {
  const region = page.getByRole('status');
  await region.getByRole('heading', { level: 2, name: title, exact: true }).waitFor();
  const read = (id) => page.evaluate((i) => {
    const el = document.getElementById(i);
    return el && !el.hidden && !el.closest('[hidden]') ? el.innerText.replace(/\s+/g, ' ').trim() : '';
  }, id);
  const levels = await page.evaluate(() => Array.from(document.querySelectorAll('#card-levels tr'), (tr) =>
    Array.from(tr.cells, (td) => td.innerText.trim())));
  return {
    // The heading's words, without the ✓ / ✗ mark hidden from screen readers.
    title: await region.getByRole('heading', { level: 2 }).evaluate((h) => Array.from(h.childNodes)
      .filter((n) => !(n.nodeType === 1 && n.getAttribute('aria-hidden') === 'true')).map((n) => n.textContent).join('').trim()),
    mark: await region.getByRole('heading', { level: 2 }).evaluate((h) => (h.querySelector('[aria-hidden="true"]') || {}).textContent || ''),
    reason: await read('card-verdict-reason'),
    revocation: await read('card-revocation'),
    issuer: await read('card-issuer-name'),
    domain: await read('card-issuer-domain'),
    address: await read('card-address'),
    learner: await read('card-learner'),
    framework: await read('card-framework'),
    issued: await read('card-issued'),
    levels: (await read('card-levels')) ? levels : [],
    verifyLink: (await page.getByRole('status').getByRole('link').count()) > 0,
    lang: await page.evaluate(() => document.documentElement.lang),
    documentTitle: await page.title(),
  };
}

// revocationIs waits for the revocation line to start with text.
async function revocationIs(page, text) {
  await page.locator('#card-revocation').filter({ hasText: text }).waitFor();
}

let browser;
try {
  browser = await launch(summary);

  await step('axe finds the faults of a broken page', async () => {
    summary.axeControl = await axeControl(browser);
  });

  // The partner's phone: one browser context, its service worker and cache.
  const ctx = await newContext(browser);
  const page = await newPage(ctx, 'partner');

  await step('/c without a card: how to check one, with a link to /verify', async () => {
    await page.goto('/c');
    await page.getByRole('heading', { level: 1, name: 'Carte de compétences' }).waitFor();
    await page.getByText('scannez son QR code').waitFor();
    const link = page.getByRole('main').getByRole('link', { name: 'Vérifier une attestation' });
    check(await link.getAttribute('href') === '/verify', 'the intro does not link to /verify');
    check(await page.locator('#card-check').isHidden(), 'the check section shows without a card');
    await audit(page, 'card (no card)');
    await shot(page, 'intro');
    // By keyboard: Tab reaches the skip link first, then the links in order.
    const order = [];
    for (let i = 0; i < 10; i++) {
      await page.keyboard.press('Tab');
      order.push(await page.evaluate(() => {
        const el = document.activeElement;
        if (!el || el === document.body) return 'body';
        return `${el.closest('main') ? 'main ' : ''}${el.tagName.toLowerCase()}: ${el.textContent.trim()}`;
      }));
      if (order.at(-1).startsWith('main a:')) break;
    }
    summary.keyboard = order;
    check(order[0].includes('Aller au contenu'), `first Tab: ${order[0]}`);
    check(order.at(-1) === 'main a: Vérifier une attestation', `Tab never reached the intro's link: ${order.join(' → ')}`);
  });

  await step('a valid card: "Valide", the issuer, the learner and the levels', async () => {
    await open(page, cardURL(cfg.valid));
    const r = await verdict(page, 'Valide');
    await revocationIs(page, 'Vérifiée en ligne');
    r.revocation = (await page.locator('#card-revocation').innerText()).trim();
    summary.results.valid = r;
    check(r.issuer === 'Structure principale', `issuer ${r.issuer}`);
    check(r.domain === new URL(cfg.base).host, `domain ${r.domain}`);
    check(r.address.includes(`Vérifiez que l'adresse de cette page est bien ${new URL(cfg.base).host}`), `address line: ${r.address}`);
    check(r.learner === 'Éloïse Ndiaye', `learner ${r.learner}`);
    check(r.levels.length === 3, `levels ${JSON.stringify(r.levels)}`);
    check(r.levels[0][0].startsWith('1.1 Naviguer') && r.levels[0][1].startsWith('Niveau 3'), `first level ${r.levels[0]}`);
    check(r.framework.startsWith('DigComp 2.2'), `framework ${r.framework}`);
    check(/^\d\d\/\d\d\/\d{4}$/.test(r.issued), `issue date ${r.issued}`);
    await audit(page, 'card (valid)');
    await shot(page, 'valid');
  });

  await step('a tampered card: "Non valable", forged signature', async () => {
    await open(page, cardURL(cfg.tampered));
    const r = await verdict(page, 'Non valable');
    summary.results.tampered = r;
    check(r.reason.startsWith('Signature falsifiée'), `reason ${r.reason}`);
    check(r.learner === '' && r.issuer === '', 'a tampered card shows its unverified content');
    check(r.verifyLink, 'no link to the short-code check');
    await audit(page, 'card (tampered)');
    await shot(page, 'tampered');
  });

  await step("another instance's card: \"Non valable\", issuer unknown here", async () => {
    await open(page, cardURL(cfg.foreign));
    const r = await verdict(page, 'Non valable');
    summary.results.foreign = r;
    check(r.reason.startsWith('Émetteur inconnu ici'), `reason ${r.reason}`);
    await audit(page, 'card (unknown issuer)');
    await shot(page, 'unknown-issuer');
  });

  await step('an unreadable fragment: "Non valable", illisible', async () => {
    await open(page, `${cfg.base}/c#12345`);
    const r = await verdict(page, 'Non valable');
    summary.results.unreadable = r;
    check(r.reason.startsWith('Illisible'), `reason ${r.reason}`);
  });

  await step('crafted cards: each reads as the Go verifier reads it', async () => {
    const wrong = [];
    for (const c of cfg.cases || []) {
      await open(page, c.url);
      const r = await verdict(page, c.title);
      summary.cases[c.name] = r;
      if (!r.reason.startsWith(c.reason)) wrong.push(`${c.name}: "${r.reason}", want "${c.reason}…"`);
      if (c.name === 'expired') {
        await audit(page, 'card (expired)');
        await shot(page, 'expired');
      }
    }
    check(wrong.length === 0, wrong.join('; '));
  });

  await step('the service worker controls /c and has cached the page and the trust list', async () => {
    await open(page, cardURL(cfg.valid));
    await verdict(page, 'Valide');
    summary.worker = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.ready;
      const names = await caches.keys();
      const cached = [];
      for (const n of names) {
        for (const req of await (await caches.open(n)).keys()) cached.push(new URL(req.url).pathname);
      }
      return { scope: new URL(reg.scope).pathname, state: reg.active && reg.active.state, script: new URL(reg.active.scriptURL).pathname, caches: names, cached };
    });
    for (const p of ['/c', '/c/trust.json', '/static/c.js', '/static/carnet.css']) {
      check(summary.worker.cached.includes(p), `${p} is not cached: ${summary.worker.cached.join(', ')}`);
    }
    check(summary.worker.scope === '/c' && summary.worker.state === 'activated', `worker ${JSON.stringify(summary.worker)}`);
  });

  await step('in English, through the language switch, the card stays and reads "Valid"', async () => {
    const en = await newContext(browser);
    const p = await newPage(en, 'english');
    await p.goto(cardURL(cfg.valid));
    await verdict(p, 'Valide');
    await p.getByRole('link', { name: 'English' }).click();
    const r = await verdict(p, 'Valid');
    summary.results.english = r;
    check(r.lang === 'en', `lang ${r.lang}`);
    check(r.learner === 'Éloïse Ndiaye' && r.levels.length === 3 && r.levels[0][1].startsWith('Level 3'), `English result ${JSON.stringify(r)}`);
    check(r.address.startsWith("Check that this page's address is"), `address line ${r.address}`);
    await audit(p, 'card (valid, English)');
    await shot(p, 'valid-en');
    await en.close();
  });

  await step('offline (network cut), the cached page still verifies the valid card: authentic, not revoked as of a date', async () => {
    await ctx.setOffline(true);
    await page.reload();
    // Never "Valide" offline: the revocation set kept by the worker dates the status.
    const r = await verdict(page, /^Authentique · non révoquée au /);
    await revocationIs(page, 'Hors connexion');
    r.revocation = (await page.locator('#card-revocation').innerText()).trim();
    summary.results.offline = r;
    check(r.learner === 'Éloïse Ndiaye' && r.levels.length === 3, `offline result ${JSON.stringify(r)}`);
    check(r.revocation.includes('la carte n\'était ni révoquée ni suspendue'), `revocation line ${r.revocation}`);
    // The network is really cut, for the page and for its service worker:
    // the page came from the worker's cache.
    const probe = () => fetch('/healthz', { cache: 'no-store' }).then((res) => `reached ${res.status}`, () => 'failed');
    const [worker] = ctx.serviceWorkers();
    check(worker, 'no service worker in the browser context');
    summary.offlineProbe = { page: await page.evaluate(probe), worker: await worker.evaluate(probe) };
    check(summary.offlineProbe.page === 'failed' && summary.offlineProbe.worker === 'failed', `offline, the server answered: ${JSON.stringify(summary.offlineProbe)}`);
    await audit(page, 'card (valid, offline)');
    await shot(page, 'offline');
    // A new tab of the same browser, offline: the card opens from the cache.
    const tab = await newPage(ctx, 'partner (new tab, offline)');
    await tab.goto(cardURL(cfg.valid));
    await verdict(tab, /^Authentique · non révoquée au /);
    await tab.close();
  });

  await step('revoked through the API, back online: "Révoquée"', async () => {
    const res = await fetch(`${cfg.base}/api/v1/credentials/${encodeURIComponent(cfg.credential.replace(/^urn:uuid:/, ''))}/revoke`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${cfg.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ reason: 'Erreur de niveau' }),
    });
    check(res.ok, `revoke: ${res.status} ${await res.text()}`);
    await ctx.setOffline(false);
    await open(page, cardURL(cfg.valid));
    const r = await verdict(page, 'Révoquée');
    summary.results.revoked = r;
    check(/a révoqué cette carte/.test(r.reason), `reason ${r.reason}`);
    check(r.issuer === 'Structure principale' && r.learner === 'Éloïse Ndiaye', 'the revoked card no longer shows who issued it');
    await audit(page, 'card (revoked)');
    await shot(page, 'revoked');
  });

  await step('on a phone, a card scanned from another instance reads the same', async () => {
    const ph = await newContext(browser, { viewport: phone, isMobile: true, hasTouch: true });
    const p = await newPage(ph, 'phone');
    await p.goto(cardURL(cfg.foreign));
    await verdict(p, 'Non valable');
    await shot(p, 'phone-unknown-issuer');
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(overflow <= 0, `the card page scrolls sideways on a phone (${overflow}px too wide)`);
    await ph.close();
  });

  await step('never opened online and no trust list: the page says it needs a connection once', async () => {
    const fresh = await newContext(browser, { serviceWorkers: 'block' });
    const p = await newPage(fresh, 'first visit offline');
    await p.route('**/c/trust.json', (route) => route.abort('internetdisconnected'));
    await p.goto(cardURL(cfg.valid));
    const r = await verdict(p, 'Connexion nécessaire');
    summary.results.noCache = r;
    check(r.reason.includes('ouverte une première fois avec une connexion'), `reason ${r.reason}`);
    check(r.verifyLink, 'no link to the short-code check');
    await audit(p, 'card (no cache, offline)');
    await shot(p, 'no-cache');
    await fresh.close();
  });
} catch (e) {
  summary.failures.push(String(e.stack || e));
} finally {
  await finish(summary, browser);
}
