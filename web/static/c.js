// c.js verifies a Carnet card in the browser, on the /c page.
//
// The card token travels in the URL fragment (/c#<digits>), which browsers
// never send to a server. This script decodes it, checks it as the Go
// verifier does (verifier/verify.go) with the issuers and keys of the trust
// list /c/trust.json, and shows the verdict. With the service worker
// (/c/sw.js) the page, this script and the trust list stay in a cache, so
// that a card verifies offline once the page has been opened online.
//
// The order of the checks follows the Go verifier: the header, then the
// key, found by its RFC 7638 thumbprint among the trusted keys (computed
// here, never taken from the token), then the ES256 signature, and only
// then the inflated claims: an altered card reads "forged signature", not
// "unreadable", and nothing unsigned is shown.
(() => {
  'use strict';

  const MAX_INPUT = 2 << 20; // digits of the fragment: verifier.MaxInput bytes, two digits each
  const MAX_HEADER = 4096; // base64url characters of the header
  const MAX_PAYLOAD = 16 << 10; // bytes of the inflated claims, as verifier.MaxCardPayload
  const LEEWAY = 120; // seconds of clock skew, as verifier.DefaultLeeway
  const ALLOWED_HEADER = new Set(['alg', 'kid', 'typ', 'zip']); // jwk, jku, x5u, x5c, crit… are refused
  const UUID = /^urn:uuid:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
  const RETRY = 15000; // ms between two online checks of a status not checked online

  const $ = (id) => document.getElementById(id);
  const lang = document.documentElement.lang === 'en' ? 'en' : 'fr';
  let text = {};
  try {
    text = JSON.parse($('card-text').textContent);
  } catch (e) {
    text = {};
  }
  const t = (key, ...args) => {
    let i = 0;
    return (text[key] || key).replace(/%s/g, () => String(args[i++] ?? ''));
  };
  const pageTitle = document.title;

  // Refusal is a verification that ended on a reason code of the verifier.
  class Refusal extends Error {
    constructor(reason) {
      super(reason);
      this.reason = reason;
    }
  }

  // decodeNumeric reverses the QR's numeric form (schema.QRDecodeNumeric).
  // The packed form: "1", then the card token's payload and 64-byte
  // signature, 7 bytes to 17 digits (the last k bytes to CHUNK_DIGITS[k]),
  // its header CARD_HEADER implied. The older form: two digits per
  // character, chr(n + 45), characters of base64url and '.' only.
  const CARD_HEADER = 'eyJhbGciOiJFUzI1NiIsInppcCI6IkRFRiJ9';
  const CHUNK_DIGITS = [0, 3, 5, 8, 10, 13, 15, 17];
  function decodeNumeric(s) {
    if (s.length > MAX_INPUT) throw new Refusal('too_large');
    if (s.length === 0 || !/^[0-9]+$/.test(s)) throw new Refusal('malformed');
    if (s[0] === '1') {
      const d = s.slice(1);
      const last = CHUNK_DIGITS.indexOf(d.length % 17);
      if (last < 0) throw new Refusal('malformed');
      const out = new Uint8Array(Math.floor(d.length / 17) * 7 + last);
      for (let i = 0, o = 0; i < d.length; ) {
        const k = d.length - i >= 17 ? 7 : last;
        let v = BigInt(d.slice(i, i + CHUNK_DIGITS[k]));
        if (v >> BigInt(8 * k) !== 0n) throw new Refusal('malformed');
        for (let j = k - 1; j >= 0; j--) {
          out[o + j] = Number(v & 255n);
          v >>= 8n;
        }
        i += CHUNK_DIGITS[k];
        o += k;
      }
      if (out.length <= 64) throw new Refusal('malformed');
      const n = out.length - 64;
      return CARD_HEADER + '.' + b64urlEncode(out.subarray(0, n)) + '.' + b64urlEncode(out.subarray(n));
    }
    if (s.length % 2 !== 0) throw new Refusal('malformed');
    const out = [];
    for (let i = 0; i < s.length; i += 2) {
      const c = String.fromCharCode(Number(s.slice(i, i + 2)) + 45);
      if (!/^[A-Za-z0-9_.-]$/.test(c)) throw new Refusal('malformed');
      out.push(c);
    }
    return out.join('');
  }

  function b64url(s) {
    if (!/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) throw new Refusal('malformed');
    const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4));
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  function b64urlEncode(bytes) {
    let bin = '';
    for (const b of new Uint8Array(bytes)) bin += String.fromCharCode(b);
    return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function utf8(bytes) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch (e) {
      throw new Refusal('malformed');
    }
  }

  function isObject(v) {
    return v !== null && typeof v === 'object' && !Array.isArray(v);
  }

  // parseToken splits the compact JWS and checks its header as the Go
  // verifier does: ES256, a kid or none, zip DEF, no other parameter.
  function parseToken(jws) {
    const parts = jws.split('.');
    if (parts.length !== 3 || parts[0] === '') throw new Refusal('malformed');
    if (parts[0].length > MAX_HEADER) throw new Refusal('bad_header');
    let header;
    try {
      header = JSON.parse(utf8(b64url(parts[0])));
    } catch (e) {
      throw e instanceof Refusal ? e : new Refusal('malformed');
    }
    if (!isObject(header) || !('alg' in header)) throw new Refusal('malformed');
    if (header.alg !== 'ES256') throw new Refusal('unsupported_alg');
    b64url(parts[1]);
    if (parts[2] === '') throw new Refusal('malformed');
    const sig = b64url(parts[2]);
    for (const name of Object.keys(header)) {
      if (!ALLOWED_HEADER.has(name)) throw new Refusal('bad_header');
    }
    // Cards since issue 11 name no key (the keys tried are those of iss);
    // older cards name it by its thumbprint.
    if ('kid' in header && (typeof header.kid !== 'string' || header.kid === '' || header.kid.length > 512)) {
      throw new Refusal('bad_header');
    }
    // A card is zip:DEF without typ; anything else is not a card.
    if (header.zip === undefined) throw new Refusal('malformed');
    if (header.zip !== 'DEF' || header.typ !== undefined) throw new Refusal('bad_header');
    return { header, payload: parts[1], signingInput: `${parts[0]}.${parts[1]}`, sig };
  }

  // inflate decompresses raw DEFLATE, refusing more than MAX_PAYLOAD bytes.
  async function inflate(bytes) {
    const ds = new DecompressionStream('deflate-raw');
    const writer = ds.writable.getWriter();
    writer.write(bytes).catch(() => {});
    writer.close().catch(() => {});
    const reader = ds.readable.getReader();
    const chunks = [];
    let n = 0;
    for (;;) {
      let r;
      try {
        r = await reader.read();
      } catch (e) {
        throw new Refusal('malformed');
      }
      if (r.done) break;
      n += r.value.length;
      if (n > MAX_PAYLOAD) {
        reader.cancel().catch(() => {});
        throw new Refusal('too_large');
      }
      chunks.push(r.value);
    }
    const out = new Uint8Array(n);
    let off = 0;
    for (const c of chunks) {
      out.set(c, off);
      off += c.length;
    }
    return out;
  }

  async function readClaims(payload) {
    const raw = await inflate(b64url(payload));
    let c;
    try {
      c = JSON.parse(utf8(raw));
    } catch (e) {
      throw e instanceof Refusal ? e : new Refusal('malformed');
    }
    if (!isObject(c)) throw new Refusal('malformed');
    // Since issue 11 a urn:uuid credential id travels as its 16 bytes in
    // base64url (schema.CredentialIDFromJTI).
    if (typeof c.jti === 'string' && /^[A-Za-z0-9_-]{21}[AQgw]$/.test(c.jti)) {
      const hex = Array.from(b64url(c.jti), (x) => x.toString(16).padStart(2, '0')).join('');
      c.jti = `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    }
    return c;
  }

  // checkTypes checks the types of the claims, as decoding them into
  // schema.CardClaims does; a null member counts as absent, as Go's
  // encoding/json reads it.
  function checkTypes(c) {
    for (const k of Object.keys(c)) {
      if (c[k] === null) delete c[k];
    }
    const str = (v) => v === undefined || typeof v === 'string';
    const int = (v) => v === undefined || Number.isSafeInteger(v);
    if (!str(c.iss) || !str(c.jti) || !str(c.n) || !str(c.f) || !str(c.h) || !int(c.nbf) || !int(c.exp)) {
      throw new Refusal('malformed');
    }
    if (c.l !== undefined && !Array.isArray(c.l)) throw new Refusal('malformed');
    for (const pair of c.l || []) {
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' ||
        !(typeof pair[1] === 'string' || (Number.isSafeInteger(pair[1]) && pair[1] >= 0 && pair[1] < 65536))) {
        throw new Refusal('malformed');
      }
    }
  }

  // checkComplete checks that a card says all it must (verifier.checkCard).
  function checkComplete(c) {
    const exp = c.exp || 0;
    if (!c.jti || !(c.nbf > 0) || !c.n || !c.f || !(c.l && c.l.length) || !c.h || exp < 0 || (exp !== 0 && exp <= c.nbf)) {
      throw new Refusal('invalid_credential');
    }
  }

  // thumbprint is the RFC 7638 SHA-256 thumbprint of a P-256 public JWK.
  async function thumbprint(k) {
    const canonical = JSON.stringify({ crv: k.crv, kty: k.kty, x: k.x, y: k.y });
    return b64urlEncode(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical)));
  }

  // trustedKeys lists the usable keys of the trust list with their
  // computed thumbprints.
  async function trustedKeys(trust) {
    const out = [];
    for (const issuer of trust.issuers || []) {
      for (const k of issuer.keys || []) {
        if (k.kty !== 'EC' || k.crv !== 'P-256' || typeof k.x !== 'string' || typeof k.y !== 'string') continue;
        if ((k.alg && k.alg !== 'ES256') || (k.use && k.use !== 'sig')) continue;
        out.push({ issuer, jwk: k, thumbprint: await thumbprint(k) });
      }
    }
    return out;
  }

  // ECDSA accepts a signature (r, s) and its twin (r, n - s) alike; Carnet
  // signs only the low-S form and, like the Go verifier, refuses the other,
  // so that a card has one valid encoding.
  const P256_HALF_ORDER = 0x7fffffff800000007fffffffffffffffde737d56d38bcf4279dce5617e3192a8n;

  function lowS(sig) {
    let s = 0n;
    for (const b of sig.subarray(32)) s = (s << 8n) | BigInt(b);
    return s > 0n && s <= P256_HALF_ORDER;
  }

  async function verifySignature(jwk, signingInput, sig) {
    if (sig.length !== 64) return false; // ES256: r || s, 32 bytes each
    if (!lowS(sig)) return false;
    try {
      const key = await crypto.subtle.importKey('jwk', { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, ext: true },
        { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
      return await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, sig, new TextEncoder().encode(signingInput));
    } catch (e) {
      return false;
    }
  }

  // verify returns {issuer, claims, reason}: reason is '' for a valid card,
  // a reason code otherwise; issuer and claims are set once the signature
  // holds.
  async function verify(jws, trust) {
    const tok = parseToken(jws);
    const kid = tok.header.kid;
    const keys = await trustedKeys(trust);
    let candidates;
    if (kid === undefined) {
      // No kid: the keys trusted for the issuer the claims name, tried in turn.
      let iss = '';
      try {
        const c = await readClaims(tok.payload);
        if (typeof c.iss === 'string') iss = c.iss;
      } catch (e) {
        // Every card an issuer signs inflates to JSON: this one was altered
        // (verifier.cardIssuer).
        if (e instanceof Refusal && e.reason === 'too_large') throw e;
        throw new Refusal('bad_signature');
      }
      candidates = keys.filter((k) => k.issuer.id === iss).slice(0, 8);
      if (candidates.length === 0) {
        const known = (trust.issuers || []).some((i) => i.id === iss);
        throw new Refusal(known ? 'unknown_key' : 'unknown_issuer');
      }
      let signed;
      for (const k of candidates) {
        if (await verifySignature(k.jwk, tok.signingInput, tok.sig)) {
          signed = k;
          break;
        }
      }
      if (!signed) throw new Refusal('bad_signature');
      candidates = [signed];
    } else if (kid.includes('#')) {
      // An absolute key id: the key must belong to the issuer it names.
      if (!kid.startsWith('did:')) throw new Refusal('bad_header');
      const did = kid.slice(0, kid.indexOf('#'));
      candidates = keys.filter((k) => k.jwk.kid === kid && k.issuer.id === did);
    } else {
      candidates = keys.filter((k) => k.thumbprint === kid);
    }
    if (candidates.length === 0) {
      // Tell an unknown issuer from an unknown key, as the Go verifier does.
      let iss = '';
      try {
        const c = await readClaims(tok.payload);
        if (typeof c.iss === 'string') iss = c.iss;
      } catch (e) {
        iss = '';
      }
      if (kid.includes('#')) iss = kid.slice(0, kid.indexOf('#'));
      const known = (trust.issuers || []).some((i) => i.id === iss);
      throw new Refusal(known ? 'unknown_key' : 'unknown_issuer');
    }
    // Equal thumbprints are the same key, whichever issuers trust it.
    if (kid !== undefined && !await verifySignature(candidates[0].jwk, tok.signingInput, tok.sig)) throw new Refusal('bad_signature');
    const claims = await readClaims(tok.payload);
    checkTypes(claims);
    const ref = candidates.find((k) => k.issuer.id === claims.iss);
    if (!ref) throw new Refusal('claims_mismatch');
    checkComplete(claims);
    const now = Date.now() / 1000;
    let reason = '';
    if (now + LEEWAY < claims.nbf) reason = 'not_yet_valid';
    else if (claims.exp && !(now - LEEWAY < claims.exp)) reason = 'expired';
    return { issuer: ref.issuer, claims, reason };
  }

  async function loadTrust() {
    try {
      const res = await fetch('/c/trust.json', { headers: { Accept: 'application/json' } });
      if (!res.ok) return null;
      const trust = await res.json();
      return isObject(trust) && Array.isArray(trust.issuers) ? trust : null;
    } catch (e) {
      return null;
    }
  }

  // Display.

  function show(el, on) {
    el.hidden = !on;
  }

  function setText(id, value) {
    $(id).textContent = value;
  }

  // verdict fills the live region: kind 'ok' (valid: authentic and checked
  // online as neither revoked nor suspended), 'bad' (not valid), 'warn'
  // (authentic, revocation status unknown or known as of a date) or ''
  // (no verdict: the card could not be checked here). The mark before
  // the title says it without colour; screen readers read the title alone.
  function verdict(kind, title, reason, withLink) {
    const box = $('card-verdict');
    // The same verdict again (a retry without news) is not announced again.
    const said = JSON.stringify([kind, title, reason || '', !!withLink]);
    if (box.dataset.said === said) return;
    box.dataset.said = said;
    box.classList.remove('ok', 'bad', 'warn');
    if (kind) box.classList.add(kind);
    const heading = $('card-verdict-title');
    heading.textContent = '';
    if (kind) {
      const mark = document.createElement('span');
      mark.setAttribute('aria-hidden', 'true');
      mark.textContent = { ok: '✓ ', bad: '✗ ', warn: '⚠ ' }[kind];
      heading.append(mark);
    }
    heading.append(title);
    setText('card-verdict-reason', reason || '');
    show($('card-verdict-reason'), !!reason);
    show($('card-verdict-link'), !!withLink);
    document.title = `${title} · ${pageTitle}`;
  }

  function revocation(msg) {
    if ($('card-revocation').textContent === (msg || '')) return;
    setText('card-revocation', msg || '');
    show($('card-revocation'), !!msg);
  }

  // own reads a member of a trust-list map, never an inherited one.
  function own(obj, key) {
    return isObject(obj) && Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
  }

  function textIn(t) {
    if (!isObject(t)) return '';
    return t[lang] || t.fr || t.en || '';
  }

  function date(seconds) {
    const d = new Date(seconds * 1000);
    const p = (n) => String(n).padStart(2, '0');
    return lang === 'fr' ? `${p(d.getDate())}/${p(d.getMonth() + 1)}/${d.getFullYear()}` : `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
  }

  // dateTime formats a time in ms as "5 décembre 2026 à 14:03" (withTime)
  // or "5 décembre 2026", the date of a revocation set.
  function dateTime(ms, withTime = true) {
    const opts = { day: 'numeric', month: 'long', year: 'numeric' };
    if (withTime) Object.assign(opts, { hour: '2-digit', minute: '2-digit' });
    return new Intl.DateTimeFormat(lang === 'fr' ? 'fr-FR' : 'en-GB', opts).format(new Date(ms));
  }

  // levelText is a level as every page and print shows it: its label
  // ("Niveau 3 / 8 · Intermédiaire"); a trust list cached before labels
  // gives "Niveau 3 (Intermédiaire)".
  function levelText(fw, id) {
    const lv = own(fw && fw.levels, id);
    if (!lv) return id;
    const label = textIn(lv.label);
    if (label) return label;
    const title = textIn(lv.title);
    let s = !title ? id : title.includes(id) ? title : `${id} — ${title}`;
    const group = textIn(lv.group);
    if (group) s += ` (${group})`;
    return s;
  }

  function details(trust, issuer, c) {
    setText('card-issuer-name', issuer.name || issuer.id);
    setText('card-issuer-domain', issuer.domain || issuer.id);
    const url = $('card-issuer-url');
    url.textContent = '';
    if (issuer.url && /^https?:\/\//.test(issuer.url)) {
      const a = document.createElement('a');
      a.href = issuer.url;
      a.rel = 'noopener noreferrer';
      a.textContent = issuer.url;
      url.append(a);
    }
    show(url, !!issuer.url);
    show($('card-issuer-url-label'), !!issuer.url);
    const here = location.host;
    setText('card-address', issuer.domain && issuer.domain !== here ? t('partner', here) : t('check_address', issuer.domain || here));
    setText('card-learner', c.n);
    const fw = own(trust.frameworks, c.f);
    setText('card-framework', (fw && textIn(fw.title)) || c.f);
    setText('card-issued', date(c.nbf));
    show($('card-until'), !!c.exp);
    show($('card-until-label'), !!c.exp);
    if (c.exp) setText('card-until', date(c.exp));
    const body = $('card-levels');
    body.textContent = '';
    for (const [code, level] of c.l) {
      const tr = document.createElement('tr');
      const comp = document.createElement('td');
      const entry = own(fw && fw.competencies, code);
      const title = entry ? textIn(entry.title) : '';
      comp.textContent = title ? `${code} ${title}` : code;
      const lv = document.createElement('td');
      lv.textContent = levelText(fw, String(level));
      // The plain-language line of this level for this competency, for
      // the learner ("Je sais…"; written in French only).
      const plain = entry && lang === 'fr' ? own(entry.plain, String(level)) : undefined;
      if (typeof plain === 'string' && plain) {
        const p = document.createElement('span');
        p.className = 'plain';
        p.textContent = plain;
        lv.append(document.createElement('br'), p);
      }
      tr.append(comp, lv);
      body.append(tr);
    }
    show($('card-details'), true);
  }

  // The revocation status of an authentic card decides its verdict: "Valide"
  // only once this instance said online that the card is neither revoked
  // nor suspended, "Révoquée" or "Suspendue" when it is; otherwise the
  // card is "Authentique", with a status unknown or known as of the date of
  // the revocation set the service worker kept (/c/revocations.json).

  // pending is the card whose status could not be checked online (run, the
  // check it belongs to): retry() asks again when the connection returns.
  let pending = null;
  // needTrust: the trust list could not be loaded; retry() starts over.
  let needTrust = false;

  // revocationKey names a credential id in the revocation set: the first 9
  // bytes of its SHA-256, base64url (web.cardRevocationKey).
  async function revocationKey(id) {
    const sum = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(id));
    return b64urlEncode(new Uint8Array(sum).slice(0, 9));
  }

  // keptStatus reads the revocation set: online from the server, offline
  // the last copy the service worker kept. It returns {status, date} (date
  // in ms) when the set covers the card's issuer and says something of the
  // card, null otherwise.
  async function keptStatus(issuer, id) {
    let set;
    try {
      const res = await fetch('/c/revocations.json', { headers: { Accept: 'application/json' } });
      if (!res.ok) return null;
      set = await res.json();
    } catch (e) {
      return null;
    }
    const date = isObject(set) ? Date.parse(set.date) : NaN;
    if (!Number.isFinite(date) || !Array.isArray(set.issuers) || !set.issuers.includes(issuer.id)) return null;
    const key = await revocationKey(id);
    if (Array.isArray(set.revoked) && set.revoked.includes(key)) return { status: 'revoked', date };
    if (Array.isArray(set.suspended) && set.suspended.includes(key)) return { status: 'suspended', date };
    return set.complete === true ? { status: 'active', date } : null;
  }

  // keepSet refreshes the revocation set kept for offline checks. The
  // worker caches the copies it relays; the page also writes the fresh copy
  // into the worker's cache itself, because a page the worker does not
  // control yet (its first visit, a slow install) would otherwise keep
  // nothing. Only a same-origin success of at most 1 MiB is kept.
  async function keepSet(attempt = 0) {
    // A failed fetch (the connection just back, not yet for the worker)
    // is tried again a few times: the set kept must not stay older than
    // the verdict the page has just shown.
    const retry = () => {
      if (attempt < 4 && navigator.onLine !== false) setTimeout(() => keepSet(attempt + 1), 1000 * 2 ** attempt);
    };
    try {
      const res = await fetch('/c/revocations.json', { headers: { Accept: 'application/json' }, cache: 'no-store' });
      if (!res.ok) { retry(); return; }
      if (res.redirected || res.type !== 'basic' || !('caches' in window)) return;
      const body = await res.arrayBuffer();
      if (body.byteLength > (1 << 20)) return;
      const date = Date.parse(JSON.parse(new TextDecoder().decode(body)).date);
      for (const name of await caches.keys()) {
        if (!name.startsWith('carnet-c-')) continue;
        const cache = await caches.open(name);
        // Never over a newer set (a slower answer to an older request).
        const kept = await cache.match('/c/revocations.json');
        if (kept && Date.parse((await kept.json()).date) > date) continue;
        await cache.put('/c/revocations.json', new Response(body, { headers: { 'Content-Type': 'application/json' } }));
      }
    } catch (e) {
      retry(); // offline again, the copy kept stays meanwhile
    }
  }

  // statusVerdict shows the verdict of an authentic card whose status is
  // known: online (date 0) or as of a date (ms).
  function statusVerdict(issuer, status, date) {
    const explain = t('authentic_explain', issuer.name || issuer.id, issuer.domain || issuer.id);
    if (status === 'revoked' || status === 'suspended') {
      verdict('bad', t(status), t(`${status}_explain`), false);
      revocation(date ? t('status_known_asof', dateTime(date)) : '');
    } else if (!date) {
      verdict('ok', t('valid'), t('valid_explain', issuer.name || issuer.id, issuer.domain || issuer.id), false);
      revocation(t('status_active'));
    } else {
      verdict('warn', `${t('authentic')} · ${t('not_revoked_asof', dateTime(date, false))}`, explain, false);
      revocation(t('status_asof', dateTime(date)));
    }
  }

  // unknownStatus shows an authentic card whose status is not known here.
  function unknownStatus(issuer, line) {
    verdict('warn', `${t('authentic')} · ${t('status_unknown')}`,
      t('authentic_explain', issuer.name || issuer.id, issuer.domain || issuer.id), false);
    revocation(line);
  }

  // checkStatus asks this instance whether an authentic card was revoked
  // or suspended; when it cannot (offline, server unreachable), it reads
  // the kept revocation set and leaves the card pending, for retry().
  // again: a retry, which leaves the verdict shown until there is news.
  async function checkStatus(issuer, c, mine, again) {
    const m = UUID.exec(c.jti);
    if (!issuer.local || !m) {
      unknownStatus(issuer, t('status_elsewhere'));
      return;
    }
    const id = `urn:uuid:${m[1].toLowerCase()}`;
    if (!again) {
      verdict('', `${t('authentic')} · ${t('status_pending')}`, t('authentic_explain', issuer.name || issuer.id, issuer.domain || issuer.id), false);
      revocation(t('status_checking'));
    }
    let status = '';
    if (navigator.onLine) {
      try {
        const res = await fetch(`/c/status/${m[1].toLowerCase()}`, { cache: 'no-store', headers: { Accept: 'application/json' } });
        if (res.status === 404) {
          if (mine !== run) return;
          pending = null;
          unknownStatus(issuer, t('status_elsewhere'));
          return;
        }
        if (res.ok) status = (await res.json()).status;
      } catch (e) {
        status = '';
      }
    }
    if (mine !== run) return;
    if (status === 'active' || status === 'revoked' || status === 'suspended') {
      pending = null;
      statusVerdict(issuer, status, 0);
      // Keep the service worker's revocation set fresh for offline checks.
      keepSet();
      return;
    }
    pending = { issuer, claims: c, run: mine };
    const kept = await keptStatus(issuer, id);
    if (mine !== run) return;
    if (kept) {
      statusVerdict(issuer, kept.status, kept.date);
    } else if (!again) {
      unknownStatus(issuer, `${t('status_offline')} ${t('status_retry')}`);
    }
  }

  // retry checks again, once online, what could not be checked online.
  let retrying = false;
  async function retry() {
    if (retrying || !navigator.onLine) return;
    retrying = true;
    try {
      if (needTrust) {
        // Start over only once the trust list loads: no "Checking…" flicker
        // (and announcement) every time while the server is unreachable.
        if (await loadTrust()) await check();
      } else if (pending && pending.run === run) {
        await checkStatus(pending.issuer, pending.claims, pending.run, true);
      }
    } finally {
      retrying = false;
    }
  }

  let run = 0;

  async function check() {
    const mine = ++run;
    pending = null;
    needTrust = false;
    const digits = location.hash.replace(/^#/, '').trim();
    show($('card-intro'), digits === '');
    show($('card-check'), digits !== '');
    show($('card-details'), false);
    revocation('');
    if (digits === '') {
      document.title = pageTitle;
      return;
    }
    verdict('', t('checking'), '', false);
    if (!(window.crypto && crypto.subtle && typeof DecompressionStream === 'function')) {
      verdict('', t('unsupported_title'), t('unsupported'), true);
      return;
    }
    let jws;
    try {
      jws = decodeNumeric(digits);
      parseToken(jws);
    } catch (e) {
      verdict('bad', t('invalid'), t(`reason_${e.reason || 'malformed'}`), true);
      return;
    }
    const trust = await loadTrust();
    if (mine !== run) return;
    if (!trust) {
      needTrust = true;
      verdict('', t('offline_title'), t('offline'), true);
      return;
    }
    let res;
    try {
      res = await verify(jws, trust);
    } catch (e) {
      if (mine !== run) return;
      verdict('bad', t('invalid'), t(`reason_${e.reason || 'malformed'}`), true);
      return;
    }
    if (mine !== run) return;
    details(trust, res.issuer, res.claims);
    if (res.reason) {
      verdict('bad', t('invalid'), t(`reason_${res.reason}`), false);
      return;
    }
    await checkStatus(res.issuer, res.claims, mine, false);
  }

  // The language switch keeps the card: the fragment is not part of the
  // path the server put in its link.
  function keepFragmentInLanguageLink() {
    for (const a of document.querySelectorAll('a[hreflang]')) {
      const u = new URL(a.href, location.href);
      if (u.pathname.startsWith('/lang/')) {
        u.searchParams.set('next', location.pathname + location.hash);
        a.href = u.pathname + u.search;
      }
    }
  }

  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/c/sw.js', { scope: '/c' }).catch(() => {});
  }
  // Back online, or now and then: check again what could not be checked.
  window.addEventListener('online', retry);
  setInterval(retry, RETRY);
  window.addEventListener('hashchange', () => {
    keepFragmentInLanguageLink();
    check();
  });
  keepFragmentInLanguageLink();
  check();
})();
