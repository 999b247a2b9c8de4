// verify.mjs drives the verification portal /verify in Debian's Chromium
// (playwright-core): a credential pasted, uploaded as a file, in English,
// revoked, forged and from an issuer this instance does not trust, then the
// camera: hidden where the browser cannot read QR codes (Chromium on
// Linux has no BarcodeDetector), and, with a stand-in detector and
// Chromium's fake camera, a card's QR code read and verified. axe-core
// audits every verdict.
//
//   node verify.mjs CONFIG_JSON
//
// CONFIG_JSON: {"base", "artifacts", "jwt" (a valid credential JWS),
// "jwtFile" (the same in a .jwt file), "qr" (its card's QR text),
// "revoked" (a revoked credential JWS), "forged" (a JWS whose signature was
// altered), "foreign" (a JWS of another instance)}. It prints one JSON
// summary on stdout (progress on stderr) and exits 0 when every step
// passed, 1 otherwise. CARNET_CHROMIUM overrides /usr/bin/chromium.
import path from 'node:path';
import { audit as auditPage, axeControl, finish, newSummary, check, desktop, launch, phone, screenshotter, stepper, watch as watchPage } from './harness.mjs';

const cfg = JSON.parse(process.argv[2] || '{}');
for (const k of ['base', 'artifacts', 'jwt', 'jwtFile', 'qr', 'revoked', 'forged', 'foreign']) {
  if (!cfg[k]) {
    console.error(`usage: node verify.mjs CONFIG_JSON (missing ${k})`);
    process.exit(2);
  }
}

const summary = newSummary({ results: {}, camera: {} });

const { log, step } = stepper(summary, 'verify');

async function audit(page, name) { await auditPage(summary, page, name); }

const shot = screenshotter(summary, cfg.artifacts, 'verify');

async function newContext(browser, opts = {}) {
  const ctx = await browser.newContext({ viewport: desktop, locale: 'fr-FR', baseURL: cfg.base, ...opts });
  ctx.setDefaultTimeout(15000);
  return ctx;
}

async function newPage(ctx, who) {
  const page = await ctx.newPage();
  watchPage(summary, page, who);
  return page;
}

// verdict waits for the verdict heading and returns what the page says.
async function verdict(page, title) {
  const heading = page.getByRole('heading', { level: 2, name: title, exact: true });
  await heading.waitFor();
  return page.evaluate(() => {
    const text = (sel) => {
      const el = document.querySelector(sel);
      return el ? el.innerText.replace(/\s+/g, ' ').trim() : '';
    };
    const facts = {};
    for (const dt of document.querySelectorAll('#verdict dl.facts dt')) {
      facts[dt.innerText.trim()] = dt.nextElementSibling ? dt.nextElementSibling.innerText.replace(/\s+/g, ' ').trim() : '';
    }
    return {
      title: Array.from(document.getElementById('verdict-title').childNodes)
        .filter((n) => !(n.nodeType === 1 && n.getAttribute('aria-hidden') === 'true')).map((n) => n.textContent).join('').trim(),
      explain: text('#verdict .explain'),
      facts,
      levels: Array.from(document.querySelectorAll('#verdict tbody tr'), (tr) => Array.from(tr.cells, (td) => td.innerText.trim())),
      attach: !!document.querySelector('form[action="/imports/new"]'),
      lang: document.documentElement.lang,
    };
  });
}

// submit fills the text field and presses the button.
async function submit(page, text) {
  await page.getByLabel('QR code, code court ou attestation').fill(text);
  await page.getByRole('button', { name: 'Vérifier', exact: true }).click();
}

// The stand-in for the platform's BarcodeDetector, which Chromium on Linux
// lacks. It is NOT the detector under test: it only answers like the
// platform's would once a card is held in front of the camera. It reports
// the card's QR text only when the page hands it a playing <video> fed by a
// live camera track (Chromium's fake camera), and only once the test says
// the card is in view (window.__cardInView), so that the page's camera
// path — permission, stream, video, polling, stop, submit — really runs.
function standInDetector(qrText) {
  class BarcodeDetector {
    static async getSupportedFormats() { return ['qr_code', 'ean_13']; }

    constructor(opts) {
      this.formats = (opts && opts.formats) || [];
      window.__detectorFormats = this.formats;
    }

    async detect(source) {
      window.__detectCalls = (window.__detectCalls || 0) + 1;
      const live = source instanceof HTMLVideoElement && source.videoWidth > 0 && source.srcObject instanceof MediaStream &&
        source.srcObject.getVideoTracks().some((t) => t.readyState === 'live');
      if (!live || !window.__cardInView || !this.formats.includes('qr_code')) return [];
      return [{ format: 'qr_code', rawValue: qrText, boundingBox: { x: 10, y: 10, width: 200, height: 200 }, cornerPoints: [] }];
    }
  }
  window.BarcodeDetector = BarcodeDetector;
}

let browser;
try {
  // A fake camera (a test pattern); the permission is granted per context.
  browser = await launch(summary, ['--use-fake-device-for-media-stream']);

  await step('axe finds the faults of a broken page', async () => {
    summary.axeControl = await axeControl(browser);
  });

  const ctx = await newContext(browser);
  const page = await newPage(ctx, 'partner');

  await step('the empty portal: no camera button without a QR reader, the phone camera and short code instead', async () => {
    await page.goto('/verify');
    await page.getByRole('heading', { level: 1, name: 'Vérifier une attestation' }).waitFor();
    const hasDetector = await page.evaluate(() => 'BarcodeDetector' in window);
    summary.camera.nativeDetector = hasDetector;
    check(!hasDetector, 'this Chromium has a BarcodeDetector: the hidden-button check means nothing here');
    await page.waitForLoadState('load');
    check(await page.getByRole('button', { name: 'Scanner avec la caméra' }).count() === 0, 'the camera button shows without a QR reader');
    const fallback = page.getByText("l'appareil photo du téléphone ouvre directement son QR code");
    check(await fallback.isVisible(), 'no word on the phone camera and the short code');
    summary.camera.fallback = (await fallback.innerText()).trim();
    await audit(page, 'verify (empty)');
    await shot(page, 'empty');
  });

  await step('a pasted credential: "Valide", issuer, trust, learner, levels', async () => {
    await submit(page, cfg.jwt);
    const r = await verdict(page, 'Valide');
    summary.results.pasted = r;
    check(r.explain.startsWith('Attestation authentique'), `explanation ${r.explain}`);
    check(r.facts['Personne'] === 'Éloïse Ndiaye', `learner ${JSON.stringify(r.facts)}`);
    check((r.facts['Émetteur'] || '').includes(`domaine ${new URL(cfg.base).host}`), `issuer ${r.facts['Émetteur']}`);
    check(r.facts['Confiance'] === 'Émetteur de confiance ici', `trust ${r.facts['Confiance']}`);
    check(r.facts['Statut'] === "Statut vérifié à l'instant auprès de l'émetteur.", `status ${r.facts['Statut']}`);
    check(r.levels.length === 3 && r.levels[0][0].startsWith('1.1 Naviguer') && r.levels[0][1].split('\n')[0] === 'Niveau 3 / 8 · Intermédiaire' && /^Seul·e, je sais /.test(r.levels[0][1].split('\n')[1] || ''), `levels ${JSON.stringify(r.levels)}`);
    check(!r.attach, 'the attach form shows to a visitor');
    await audit(page, 'verify (valid, pasted)');
    await shot(page, 'valid');
  });

  await step('a .jwt file chosen: copied into the text field, sent, "Valide"', async () => {
    await page.goto('/verify');
    await page.getByLabel('Ou un fichier').setInputFiles(cfg.jwtFile);
    await page.waitForFunction((jwt) => document.getElementById('input').value === jwt, cfg.jwt);
    await page.getByRole('button', { name: 'Vérifier', exact: true }).click();
    const r = await verdict(page, 'Valide');
    summary.results.file = r;
    check(await page.getByText(`Fichier vérifié : ${path.basename(cfg.jwtFile)}`).isVisible(), 'the page does not name the file');
    check(r.facts['Personne'] === 'Éloïse Ndiaye', `learner ${r.facts['Personne']}`);
    await audit(page, 'verify (valid, file)');
    await shot(page, 'file');
  });

  await step('a revoked credential: "Révoquée"', async () => {
    await page.goto('/verify');
    await submit(page, cfg.revoked);
    const r = await verdict(page, 'Révoquée');
    summary.results.revoked = r;
    check(r.explain === "L'émetteur a révoqué cette attestation.", `explanation ${r.explain}`);
    await audit(page, 'verify (revoked)');
    await shot(page, 'revoked');
  });

  await step('a forged credential: "Falsifiée", nothing of its content', async () => {
    await page.goto('/verify');
    await submit(page, cfg.forged);
    const r = await verdict(page, 'Falsifiée');
    summary.results.forged = r;
    check(!r.facts['Personne'] && r.levels.length === 0, `a forged credential shows its content: ${JSON.stringify(r)}`);
    await audit(page, 'verify (forged)');
    await shot(page, 'forged');
  });

  await step('another instance\'s credential: "Émetteur non reconnu ici"', async () => {
    await page.goto('/verify');
    await submit(page, cfg.foreign);
    const r = await verdict(page, 'Émetteur non reconnu ici');
    summary.results.foreign = r;
    check(!r.facts['Personne'] && r.levels.length === 0, `an untrusted credential shows its content: ${JSON.stringify(r)}`);
    check((r.facts['Confiance'] || '').startsWith("Cet émetteur n'est pas un émetteur de confiance ici."), `trust ${r.facts['Confiance']}`);
    await audit(page, 'verify (unknown issuer)');
    await shot(page, 'unknown-issuer');
  });
  await ctx.close();

  await step('in English: "Valid"', async () => {
    const en = await newContext(browser, { locale: 'en-GB' });
    const p = await newPage(en, 'partner (English)');
    await p.goto('/verify');
    await p.getByLabel('QR code, short code or credential').fill(cfg.jwt);
    await p.getByRole('button', { name: 'Verify', exact: true }).click();
    const r = await verdict(p, 'Valid');
    summary.results.english = r;
    check(r.lang === 'en' && r.facts['Learner'] === 'Éloïse Ndiaye' && r.facts['Trust'] === 'Trusted issuer here', `English ${JSON.stringify(r)}`);
    check(r.levels[0][1] === 'Level 3 / 8 · Intermediate', `English level ${r.levels[0]}`);
    await audit(p, 'verify (valid, English)');
    await shot(p, 'valid-en');
    await p.goto('/verify');
    await p.getByLabel('QR code, short code or credential').fill(cfg.revoked);
    await p.getByRole('button', { name: 'Verify', exact: true }).click();
    summary.results.revokedEnglish = await verdict(p, 'Revoked');
    await audit(p, 'verify (revoked, English)');
    await en.close();
  });

  await step('on a phone: the verdict fits', async () => {
    const ph = await newContext(browser, { viewport: phone, isMobile: true, hasTouch: true });
    const p = await newPage(ph, 'phone');
    await p.goto('/verify');
    await submit(p, cfg.jwt);
    await verdict(p, 'Valide');
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(overflow <= 0, `the page is ${overflow}px wider than the phone`);
    await audit(p, 'verify (valid, phone)');
    await p.screenshot({ path: path.join(cfg.artifacts, 'verify-phone.png') });
    summary.screenshots.push('verify-phone.png');
    await ph.close();
  });

  // The camera, with the stand-in detector and Chromium's fake camera.
  const cam = await newContext(browser);
  await cam.addInitScript(standInDetector, cfg.qr);
  await cam.grantPermissions(['camera'], { origin: cfg.base });
  const cp = await newPage(cam, 'camera');

  await step('with a QR reader: the camera button, the video, stop', async () => {
    await cp.goto('/verify');
    const start = cp.getByRole('button', { name: 'Scanner avec la caméra' });
    await start.waitFor();
    check(await cp.getByText("l'appareil photo du téléphone ouvre directement son QR code").isHidden(), 'the fallback text shows beside the camera button');
    await start.click();
    await cp.getByText('Caméra ouverte').waitFor();
    await cp.waitForFunction(() => { const v = document.getElementById('scan-video'); return v.videoWidth > 0 && !v.paused; });
    summary.camera.label = await cp.evaluate(() => {
      const t = document.getElementById('scan-video').srcObject.getVideoTracks()[0];
      return t.label;
    });
    summary.camera.formats = await cp.evaluate(() => window.__detectorFormats);
    check(JSON.stringify(summary.camera.formats) === '["qr_code"]', `detector formats ${summary.camera.formats}`);
    const stop = cp.getByRole('button', { name: 'Arrêter la caméra' });
    check(await cp.evaluate(() => document.activeElement.id) === 'scan-stop', 'the stop button does not have the focus');
    await audit(cp, 'verify (camera open)');
    await shot(cp, 'camera');
    await stop.click();
    await cp.getByText('Caméra arrêtée.').waitFor();
    const stopped = await cp.evaluate(() => document.getElementById('scan-video').srcObject === null && document.getElementById('scan-area').hidden);
    check(stopped, 'the camera is still on after stop');
  });

  await step('with a QR reader: a card held up is read, sent, and "Valide"', async () => {
    await cp.getByRole('button', { name: 'Scanner avec la caméra' }).click();
    await cp.waitForFunction(() => { const v = document.getElementById('scan-video'); return v.videoWidth > 0 && !v.paused; });
    const before = await cp.evaluate(() => window.__detectCalls || 0);
    await cp.waitForFunction((n) => (window.__detectCalls || 0) >= n + 2, before); // the page polls the frames
    await Promise.all([
      cp.waitForEvent('framenavigated'),
      cp.evaluate(() => { window.__cardInView = true; }),
    ]);
    const r = await verdict(cp, 'Valide');
    summary.results.camera = r;
    check(r.explain.startsWith('Carte authentique'), `explanation ${r.explain}`);
    check(r.facts['Personne'] === 'Éloïse Ndiaye', `learner ${r.facts['Personne']}`);
    check(await cp.getByLabel('QR code, code court ou attestation').inputValue() === cfg.qr, 'the text field does not hold the QR text');
    await audit(cp, 'verify (valid, camera)');
    await shot(cp, 'camera-valid');
  });
  await cam.close();

  await step('camera refused: a plain message', async () => {
    const denied = await newContext(browser);
    await denied.addInitScript(standInDetector, cfg.qr);
    const p = await newPage(denied, 'camera refused');
    await p.goto('/verify');
    await p.getByRole('button', { name: 'Scanner avec la caméra' }).click();
    const msg = p.getByText("L'accès à la caméra a été refusé.");
    await msg.waitFor();
    summary.camera.denied = (await msg.innerText()).trim();
    check(await p.locator('#scan-area').isHidden(), 'the video shows without a camera');
    await audit(p, 'verify (camera refused)');
    await shot(p, 'camera-denied');
    await denied.close();
  });
} catch (e) {
  summary.failures.push(String(e.stack || e));
} finally {
  await finish(summary, browser);
}
