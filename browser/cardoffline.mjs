// cardoffline.mjs checks what the card page /c says when it cannot ask the
// server whether a card was revoked, on a phone (390×844) in Debian's
// Chromium (playwright-core): never the green "Valide", but "Authentique"
// with a revocation status unknown or known as of the date of the
// revocation set its service worker kept ("non révoquée au …", or
// "Révoquée"); and, once the connection returns, the verdict updates by
// itself, without a reload. axe-core audits every state.
//
//   node cardoffline.mjs CONFIG_JSON
//
// CONFIG_JSON: {"base", "artifacts", "valid", "revoke" (QR URLs of two
// active cards), "revokeID" (the credential id of the second), "token" (an
// API token, to revoke it)}. It prints one JSON summary on stdout (progress
// on stderr) and exits 0 when every step passed, 1 otherwise.
import { audit as auditPage, axeControl, finish, newSummary, check, launch, phone, screenshotter, stepper, watch as watchPage } from './harness.mjs';

const cfg = JSON.parse(process.argv[2] || '{}');
for (const k of ['base', 'artifacts', 'valid', 'revoke', 'revokeID', 'token']) {
  if (!cfg[k]) {
    console.error(`usage: node cardoffline.mjs CONFIG_JSON (missing ${k})`);
    process.exit(2);
  }
}

const summary = newSummary({ results: {}, seen: {}, kept: {} });
const { step } = stepper(summary, 'cardoffline');
const shot = screenshotter(summary, cfg.artifacts, 'cardoffline');

// Every heading the live region ever showed, recorded in the page from its
// first script on (through the DevTools protocol, so the page's CSP holds):
// a "Valide" that flashed for a moment is caught too.
function recordHeadings() {
  window.__seen = [];
  const note = () => {
    const h = document.getElementById('card-verdict-title');
    if (h) {
      const s = h.textContent.trim();
      if (s && window.__seen.at(-1) !== s) window.__seen.push(s);
    }
  };
  new MutationObserver(note).observe(document, { subtree: true, childList: true, characterData: true });
}

function cardURL(qr) {
  return `${cfg.base}/c${qr.slice(qr.indexOf('#'))}`;
}

// open loads a card URL as a new document, as a scan does.
async function open(page, url) {
  await page.goto('about:blank');
  await page.goto(url);
}

// state returns what the page says now.
async function state(page) {
  return page.evaluate(() => {
    const read = (id) => {
      const el = document.getElementById(id);
      return el && !el.hidden && !el.closest('[hidden]') ? el.innerText.replace(/\s+/g, ' ').trim() : '';
    };
    const h = document.getElementById('card-verdict-title');
    const mark = h.querySelector('[aria-hidden="true"]');
    return {
      title: Array.from(h.childNodes).filter((n) => n !== mark).map((n) => n.textContent).join('').trim(),
      mark: mark ? mark.textContent : '',
      kind: ['ok', 'bad', 'warn'].find((k) => document.getElementById('card-verdict').classList.contains(k)) || '',
      reason: read('card-verdict-reason'),
      revocation: read('card-revocation'),
      learner: read('card-learner'),
      seen: window.__seen || [],
      sameDocument: window.__sameDocument === true,
    };
  });
}

// waitTitle waits until the verdict's title matches re, and returns the state.
async function waitTitle(page, re, timeout = 15000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const s = await state(page);
    if (re.test(s.title)) return s;
    if (Date.now() > deadline) throw new Error(`the verdict reads ${JSON.stringify(s.title)}, want ${re}`);
    await page.waitForTimeout(100);
  }
}

// kept returns the revocation set the service worker keeps, or null.
async function kept(page) {
  return page.evaluate(async () => {
    for (const n of await caches.keys()) {
      const hit = await (await caches.open(n)).match('/c/revocations.json');
      if (hit) return hit.json();
    }
    return null;
  });
}

// waitKept polls for up to 30 s: on a loaded machine the worker's network
// fetch may take longer than its 4 s wait, and is cached when it ends.
async function waitKept(page, test, what) {
  for (let i = 0; i < 300; i++) {
    const set = await kept(page);
    if (set && test(set)) return set;
    await page.waitForTimeout(100);
  }
  throw new Error(`the service worker never kept ${what}: ${JSON.stringify(await kept(page))}`);
}

function neverValid(s, where) {
  check(!s.seen.some((h) => /^(✓ )?Valide$/.test(h)) && s.kind !== 'ok' && s.mark !== '✓ ',
    `${where}: the page showed "Valide" (headings seen: ${JSON.stringify(s.seen)})`);
}

const dateRE = /\d{1,2} [a-zéû]+ \d{4} à \d{2}:\d{2}/;

let browser;
try {
  browser = await launch(summary);
  await step('axe finds the faults of a broken page', async () => {
    summary.axeControl = await axeControl(browser);
  });

  const ctx = await browser.newContext({ viewport: phone, isMobile: true, hasTouch: true, locale: 'fr-FR', baseURL: cfg.base });
  ctx.setDefaultTimeout(15000);
  await ctx.addInitScript(recordHeadings);
  const page = await ctx.newPage();
  watchPage(summary, page, 'phone');

  await step('online, the first visit: both cards read "Valide", the worker keeps the revocation set', async () => {
    await open(page, cardURL(cfg.valid));
    summary.results.validOnline = await waitTitle(page, /^Valide$/);
    await page.evaluate(() => navigator.serviceWorker.ready);
    await open(page, cardURL(cfg.revoke));
    summary.results.revokeOnline = await waitTitle(page, /^Valide$/);
    summary.kept.first = await waitKept(page, (s) => s.complete === true && Array.isArray(s.revoked) && s.revoked.length === 0, 'a set');
    await auditPage(summary, page, 'card (valid, phone)');
  });

  await step('offline, with the set saved before the revocation: "Authentique · non révoquée au <date>", never "Valide"', async () => {
    await ctx.setOffline(true);
    await open(page, cardURL(cfg.revoke));
    const s = await waitTitle(page, /^Authentique · (non révoquée|statut)/);
    summary.results.staleOffline = s;
    neverValid(s, 'offline');
    check(/^Authentique · non révoquée au \d{1,2} [a-zéû]+ \d{4}$/.test(s.title), `title ${s.title}`);
    check(dateRE.test(s.revocation), `the revocation line does not give the set's date and time: ${s.revocation}`);
    check(s.kind === 'warn' && s.mark === '⚠ ', `kind ${s.kind} mark ${s.mark}`);
    check(s.reason.startsWith('Signature et émetteur vérifiés'), `reason ${s.reason}`);
    check(s.revocation.startsWith('Hors connexion') && s.revocation.includes('ni révoquée ni suspendue'), `revocation line ${s.revocation}`);
    check(s.learner === 'Éloïse Ndiaye', `learner ${s.learner}`);
    await auditPage(summary, page, 'card (offline, not revoked as of a date)');
    await shot(page, 'not-revoked-asof');
  });

  await step('revoked meanwhile, the connection returns: "Révoquée" without a reload', async () => {
    await page.evaluate(() => { window.__sameDocument = true; });
    const res = await fetch(`${cfg.base}/api/v1/credentials/${encodeURIComponent(cfg.revokeID.replace(/^urn:uuid:/, ''))}/revoke`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${cfg.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ reason: 'Erreur de niveau' }),
    });
    check(res.ok, `revoke: ${res.status} ${await res.text()}`);
    await ctx.setOffline(false);
    const s = await waitTitle(page, /^Révoquée$/, 30000);
    summary.results.backOnline = s;
    check(s.sameDocument, 'the page was reloaded');
    check(s.kind === 'bad' && s.mark === '✗ ', `kind ${s.kind} mark ${s.mark}`);
    check(s.reason.startsWith("L'émetteur a révoqué cette carte"), `reason ${s.reason}`);
    neverValid(s, 'back online');
    await auditPage(summary, page, 'card (revoked, back online)');
  });

  await step('revoked and offline, with the set saved after the revocation: "Révoquée", never "Valide"', async () => {
    summary.kept.second = await waitKept(page, (s) => Array.isArray(s.revoked) && s.revoked.length === 1, 'the revocation');
    await ctx.setOffline(true);
    await open(page, cardURL(cfg.revoke));
    const s = await waitTitle(page, /^Révoquée$/);
    summary.results.revokedOffline = s;
    neverValid(s, 'revoked offline');
    check(s.kind === 'bad' && s.mark === '✗ ', `kind ${s.kind} mark ${s.mark}`);
    check(s.revocation.startsWith('Hors connexion') && dateRE.test(s.revocation), `revocation line ${s.revocation}`);
    await auditPage(summary, page, 'card (revoked, offline)');
    await shot(page, 'revoked-offline');
    // The valid card, offline: not revoked as of the set's date.
    await open(page, cardURL(cfg.valid));
    const v = await waitTitle(page, /^Authentique · (non révoquée|statut)/);
    summary.results.validOffline = v;
    neverValid(v, 'valid offline');
    check(/^Authentique · non révoquée au /.test(v.title), `title ${v.title}`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(overflow <= 0, `the card page scrolls sideways on a phone (${overflow}px too wide)`);
    await ctx.setOffline(false);
  });

  await step('no revocation set kept, offline: "Authentique · statut de révocation inconnu"; online again: "Valide" without a reload', async () => {
    const fresh = await browser.newContext({ viewport: phone, isMobile: true, hasTouch: true, locale: 'fr-FR', baseURL: cfg.base });
    fresh.setDefaultTimeout(15000);
    await fresh.addInitScript(recordHeadings);
    const p = await fresh.newPage();
    watchPage(summary, p, 'phone without a set');
    await open(p, cardURL(cfg.valid));
    await waitTitle(p, /^Valide$/);
    await p.evaluate(() => navigator.serviceWorker.ready);
    // Offline, the worker's copy of the set is dropped (as if it had never
    // come): nothing can fetch it again until the connection returns.
    await fresh.setOffline(true);
    await p.evaluate(async () => {
      for (const n of await caches.keys()) await (await caches.open(n)).delete('/c/revocations.json');
    });
    check(await kept(p) === null, 'the set is still kept');
    await open(p, cardURL(cfg.valid));
    const s = await waitTitle(p, /^Authentique · (non révoquée|statut)/);
    summary.results.unknownOffline = s;
    neverValid(s, 'offline without a set');
    check(s.title === 'Authentique · statut de révocation inconnu', `title ${s.title}`);
    check(s.kind === 'warn', `kind ${s.kind}`);
    check(s.revocation.includes("le statut de révocation n'a pas pu être vérifié"), `revocation line ${s.revocation}`);
    await auditPage(summary, p, 'card (offline, status unknown)');
    await shot(p, 'status-unknown');
    await p.evaluate(() => { window.__sameDocument = true; });
    await fresh.setOffline(false);
    const v = await waitTitle(p, /^Valide$/, 30000);
    summary.results.unknownThenOnline = v;
    check(v.sameDocument, 'the page was reloaded');
    check(v.kind === 'ok' && v.revocation.startsWith('Vérifiée en ligne'), `back online: ${JSON.stringify(v)}`);
    await fresh.close();
  });

  await step('the server out of reach, with no event: the page tries again by itself and turns "Valide"', async () => {
    // No worker, and the trust list fails as if the server were down:
    // the browser stays "online", so only the periodic retry can notice.
    const down = await browser.newContext({ viewport: phone, isMobile: true, hasTouch: true, locale: 'fr-FR', baseURL: cfg.base, serviceWorkers: 'block' });
    down.setDefaultTimeout(15000);
    const p = await down.newPage();
    watchPage(summary, p, 'phone, server down');
    await p.route('**/c/trust.json', (route) => route.abort('connectionrefused'));
    await open(p, cardURL(cfg.valid));
    await waitTitle(p, /^Connexion nécessaire$/);
    await p.evaluate(() => { window.__sameDocument = true; });
    await p.unroute('**/c/trust.json');
    const v = await waitTitle(p, /^Valide$/, 40000);
    summary.results.periodicRetry = v;
    check(v.sameDocument && v.kind === 'ok', `after the periodic retry: ${JSON.stringify(v)}`);
    await down.close();
  });

  await step('in English, offline: "Authentic · not revoked as of <date>"', async () => {
    const en = await browser.newContext({ viewport: phone, isMobile: true, hasTouch: true, locale: 'en-GB', baseURL: cfg.base });
    en.setDefaultTimeout(15000);
    await en.addInitScript(recordHeadings);
    const p = await en.newPage();
    watchPage(summary, p, 'English phone');
    await open(p, cardURL(cfg.valid));
    await waitTitle(p, /^Valid$/);
    await p.evaluate(() => navigator.serviceWorker.ready);
    await waitKept(p, (s) => s.complete === true, 'a set');
    await en.setOffline(true);
    await open(p, cardURL(cfg.valid));
    const s = await waitTitle(p, /^Authentic · (not revoked|revocation status)/);
    summary.results.englishOffline = s;
    check(/^Authentic · not revoked as of \d{1,2} [A-Z][a-z]+ \d{4}$/.test(s.title), `title ${s.title}`);
    check(s.reason.startsWith('Signature and issuer checked') && s.revocation.startsWith('Offline: according to'), `English texts ${JSON.stringify(s)}`);
    check(!s.seen.some((h) => /Valid$/.test(h)), `the page showed "Valid" offline: ${JSON.stringify(s.seen)}`);
    await auditPage(summary, p, 'card (offline, English)');
    await en.close();
  });
} catch (e) {
  summary.failures.push(String(e.stack || e));
} finally {
  await finish(summary, browser);
}
