#!/usr/bin/env node
// Self-test of check.mjs, independent of the Go side.
//
// It makes its own ES256 keys and tokens with jose (a sample Open Badges 3.0
// credential secured as a JWT, and DEFLATE-compressed card tokens), writes them
// to a temporary folder, runs `node check.mjs` on them as a child process and
// checks its output lines and exit codes, good tokens and broken ones alike.
//
// Run: node interop/selftest.mjs   (after `npm ci --prefix interop`)
// Prints one line per assertion, then "N passed, M failed"; exits 1 on failure.

import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateRawSync, deflateSync } from 'node:zlib';

import * as jose from 'jose';

const HERE = dirname(fileURLToPath(import.meta.url));
const CHECK = join(HERE, 'check.mjs');

// Key ids as carnet publishes them: a did:web DID URL ending in "#<thumbprint>".
// ("abc" stands in for the thumbprint; check.mjs matches kids as strings.)
const DID = 'did:web:localhost%3A8080:s:main';
const KID = `${DID}#abc`;
const OTHER_KID = 'did:web:example.org#zzz';

// ---------------------------------------------------------------------------
// Tiny assertion harness

let passed = 0;
let failed = 0;
function check(name, cond, detail) {
  if (cond) {
    passed++;
    console.log(`ok   ${name}`);
  } else {
    failed++;
    console.log(`FAIL ${name}${detail === undefined ? '' : `\n     ${detail}`}`);
  }
}

// ---------------------------------------------------------------------------
// Token factories

const enc = new TextEncoder();

// sampleCredential builds an OB 3.0 OpenBadgeCredential that the 1EdTech
// schema accepts (all required properties, types as arrays).
function sampleCredential({ validUntil } = {}) {
  const cred = {
    '@context': [
      'https://www.w3.org/ns/credentials/v2',
      'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
    ],
    id: `urn:uuid:${randomUUID()}`,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: 'Interop sample badge',
    issuer: {
      id: DID,
      type: ['Profile'],
      name: 'Carnet interop test issuer',
    },
    validFrom: '2025-01-02T03:04:05.678Z',
    credentialSubject: {
      id: 'did:example:learner-1',
      type: ['AchievementSubject'],
      achievement: {
        id: 'https://localhost:8080/s/main/achievements/1',
        type: ['Achievement'],
        name: 'Interop',
        description: 'Shows that an independent implementation accepts our output.',
        criteria: { narrative: 'Pass the interop check.' },
      },
    },
  };
  if (validUntil) cred.validUntil = validUntil;
  return cred;
}

// withJwtClaims adds the JWT claims that mirror the credential (OB 3.0 JWT proof).
function withJwtClaims(cred) {
  const claims = {
    iss: cred.issuer.id,
    jti: cred.id,
    sub: cred.credentialSubject.id,
    nbf: Math.floor(Date.parse(cred.validFrom) / 1000),
  };
  if (cred.validUntil) claims.exp = Math.floor(Date.parse(cred.validUntil) / 1000);
  return { ...cred, ...claims };
}

async function signCredential(payload, key, header = {}) {
  return new jose.CompactSign(enc.encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'ES256', kid: KID, typ: 'JWT', ...header })
    .sign(key);
}

// signCard makes a card token: raw DEFLATE of minified JSON, signed as is.
// zip: null leaves the zip header out; kid: null leaves the kid out (cards
// since issue 11: the key is that of the claims' iss).
async function signCard(claims, key, { kid = 'abc', zip = 'DEF', deflate = deflateRawSync } = {}) {
  const header = { alg: 'ES256' };
  if (kid !== null) header.kid = kid;
  if (zip !== null) header.zip = zip;
  return new jose.CompactSign(deflate(Buffer.from(JSON.stringify(claims)))).setProtectedHeader(header).sign(key);
}

// tamper flips one character in the middle of the payload segment.
function tamper(jws) {
  const [h, p, s] = jws.split('.');
  const i = Math.floor(p.length / 2);
  const c = p[i] === 'A' ? 'B' : 'A';
  return [h, p.slice(0, i) + c + p.slice(i + 1), s].join('.');
}

// ---------------------------------------------------------------------------
// Running check.mjs

function run(args) {
  const r = spawnSync(process.execPath, [CHECK, ...args], { encoding: 'utf8' });
  const lines = r.stdout.split('\n').filter((l) => l !== '');
  const summary = lines.at(-1);
  // Per-token lines are JSON objects; --help prints plain text instead.
  const results = lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, lines, summary, results };
}

// expectResults compares check.mjs's per-token lines with expectations
// [{kind, index, ok, error?: substring that one error must contain}].
function expectResults(label, out, expected) {
  // Several expectations may concern the same token; count distinct tokens.
  const tokens = new Set(expected.map((e) => `${e.kind}[${e.index}]`)).size;
  check(`${label}: ${tokens} result lines`, out.results.length === tokens, out.stdout + out.stderr);
  for (const exp of expected) {
    const got = out.results.find((r) => r.kind === exp.kind && r.index === exp.index);
    const name = `${label}: ${exp.kind}[${exp.index}] ${exp.what}`;
    if (!got) {
      check(name, false, 'no result line');
      continue;
    }
    const shapeOk =
      Object.keys(got).join(',') === 'kind,index,ok,errors,claims' &&
      Array.isArray(got.errors) &&
      got.errors.every((e) => typeof e === 'string') &&
      typeof got.claims === 'object' &&
      got.claims !== null;
    const okMatches = got.ok === exp.ok && (got.errors.length === 0) === exp.ok;
    const errMatches = exp.error === undefined || got.errors.some((e) => e.includes(exp.error));
    const claimsMatch = exp.claims === undefined || exp.claims(got.claims);
    check(name, shapeOk && okMatches && errMatches && claimsMatch, JSON.stringify(got));
  }
}

// ---------------------------------------------------------------------------
// Main

const dir = mkdtempSync(join(tmpdir(), 'carnet-interop-'));
try {
  const file = (name, content) => {
    const p = join(dir, name);
    writeFileSync(p, content);
    return p;
  };

  // Issuer key (in the JWKS) and a stranger's key (not in it). The JWKS also
  // holds a second, unrelated key so that kid-based selection matters.
  const issuer = await jose.generateKeyPair('ES256');
  const other = await jose.generateKeyPair('ES256');
  const stranger = await jose.generateKeyPair('ES256');
  const jwks = {
    keys: [
      { ...(await jose.exportJWK(other.publicKey)), kid: OTHER_KID, use: 'sig' },
      { ...(await jose.exportJWK(issuer.publicKey)), kid: KID, alg: 'ES256', use: 'sig' },
    ],
  };
  const jwksFile = file('jwks.json', JSON.stringify(jwks, null, 2));

  // --- Good tokens -------------------------------------------------------
  const goodCred = withJwtClaims(sampleCredential());
  const goodCredExp = withJwtClaims(sampleCredential({ validUntil: '2030-06-30T23:59:59Z' }));
  const cardClaims = { v: 1, n: 'Ada Lovelace', b: ['Interop'], c: goodCred.id };
  const goodCreds = [await signCredential(goodCred, issuer.privateKey), await signCredential(goodCredExp, issuer.privateKey)];
  const goodCards = [
    await signCard(cardClaims, issuer.privateKey), // bare thumbprint kid
    await signCard(cardClaims, issuer.privateKey, { kid: KID }), // absolute DID URL kid
    await signCard({ iss: DID, ...cardClaims }, issuer.privateKey, { kid: null }), // no kid: the keys of iss
  ];
  // Blank lines and CRLF endings are tolerated.
  const goodCredsFile = file('good-credentials.txt', goodCreds.join('\r\n') + '\r\n\r\n');
  const goodCardsFile = file('good-cards.txt', '\n' + goodCards.join('\n') + '\n');

  {
    const out = run(['--jwks', jwksFile, '--credentials', goodCredsFile, '--cards', goodCardsFile]);
    check('good: exit code 0', out.status === 0, out.stdout + out.stderr);
    check('good: summary line', out.summary === '5 passed, 0 failed', out.summary);
    expectResults('good', out, [
      {
        kind: 'credential', index: 0, ok: true, what: 'valid credential (no validUntil)',
        claims: (c) => c.iss === DID && c.jti === goodCred.id && c.nbf === 1735787045 && c.exp === undefined,
      },
      {
        kind: 'credential', index: 1, ok: true, what: 'valid credential with validUntil',
        claims: (c) => c.exp === 1909094399,
      },
      { kind: 'card', index: 0, ok: true, what: 'card with bare-thumbprint kid', claims: (c) => JSON.stringify(c) === JSON.stringify(cardClaims) },
      { kind: 'card', index: 1, ok: true, what: 'card with DID URL kid', claims: (c) => c.n === 'Ada Lovelace' },
      { kind: 'card', index: 2, ok: true, what: 'card without kid', claims: (c) => c.iss === DID },
    ]);
  }

  // --- Broken tokens -----------------------------------------------------
  const schemaInvalid = withJwtClaims(sampleCredential());
  delete schemaInvalid.credentialSubject.achievement.criteria; // required by the schema
  schemaInvalid.credentialSubject.type = 'AchievementSubject'; // must be an array in this schema flavour

  const badCreds = [
    // 0: tampered payload
    tamper(goodCreds[0]),
    // 1: schema-invalid credential, correctly signed
    await signCredential(schemaInvalid, issuer.privateKey),
    // 2: nbf disagrees with validFrom
    await signCredential({ ...goodCred, nbf: goodCred.nbf + 1 }, issuer.privateKey),
    // 3: exp present although there is no validUntil; iss/jti/sub wrong
    await signCredential({ ...goodCred, exp: 2000000000, iss: 'did:web:evil', jti: 'urn:uuid:x', sub: 'did:example:y' }, issuer.privateKey),
    // 4: header typ not JWT
    await signCredential(goodCred, issuer.privateKey, { typ: 'vc+jwt' }),
    // 5: signed by a key that is not in the JWKS, under the issuer's kid
    await signCredential(goodCred, stranger.privateKey),
    // 6: kid not in the JWKS
    await signCredential(goodCred, issuer.privateKey, { kid: `${DID}#nope` }),
    // 7: still fine (proves one bad line does not spoil the others)
    goodCreds[1],
    // 8: not a JWS at all
    'not-a-jws',
    // 9: exp missing although validUntil is present
    await signCredential({ ...goodCredExp, exp: undefined }, issuer.privateKey),
  ];
  const badCards = [
    // 0: tampered
    tamper(goodCards[0]),
    // 1: no zip header
    await signCard(cardClaims, issuer.privateKey, { zip: null }),
    // 2: zlib-wrapped (RFC 1950) instead of raw DEFLATE
    await signCard(cardClaims, issuer.privateKey, { deflate: deflateSync }),
    // 3: signed by a stranger under a matching kid
    await signCard(cardClaims, stranger.privateKey),
    // 4: kid that matches no JWKS key
    await signCard(cardClaims, issuer.privateKey, { kid: 'ab' }),
    // 5: good card, signed with the other JWKS key (selected by its bare thumbprint)
    await signCard(cardClaims, other.privateKey, { kid: 'zzz' }),
    // 6: inflates past the 64 KiB limit
    await signCard({ pad: 'x'.repeat(70000) }, issuer.privateKey),
    // 7: no kid, claims naming the issuer, signed by a stranger
    await signCard({ iss: DID, ...cardClaims }, stranger.privateKey, { kid: null }),
    // 8: no kid, claims naming an issuer the JWKS does not hold
    await signCard({ iss: 'did:web:evil.example', ...cardClaims }, issuer.privateKey, { kid: null }),
  ];
  const badCredsFile = file('bad-credentials.txt', badCreds.join('\n') + '\n');
  const badCardsFile = file('bad-cards.txt', badCards.join('\n') + '\n');

  {
    const out = run(['--jwks', jwksFile, '--credentials', badCredsFile, '--cards', badCardsFile]);
    check('bad: exit code 1', out.status === 1, out.stdout + out.stderr);
    check('bad: summary line', out.summary === '2 passed, 17 failed', out.summary);
    expectResults('bad', out, [
      { kind: 'credential', index: 0, ok: false, what: 'tampered credential', error: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' },
      { kind: 'credential', index: 1, ok: false, what: 'schema-invalid credential', error: 'schema: /credentialSubject' },
      { kind: 'credential', index: 2, ok: false, what: 'nbf mismatch', error: 'claim nbf=' },
      { kind: 'credential', index: 3, ok: false, what: 'stray exp', error: 'claim exp=2000000000 present but validUntil is absent' },
      { kind: 'credential', index: 3, ok: false, what: 'iss mismatch', error: 'claim iss=' },
      { kind: 'credential', index: 3, ok: false, what: 'jti mismatch', error: 'claim jti=' },
      { kind: 'credential', index: 3, ok: false, what: 'sub mismatch', error: 'claim sub=' },
      { kind: 'credential', index: 4, ok: false, what: 'wrong typ', error: 'header typ="vc+jwt"' },
      { kind: 'credential', index: 5, ok: false, what: 'stranger key', error: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' },
      { kind: 'credential', index: 6, ok: false, what: 'unknown kid', error: 'ERR_JWKS_NO_MATCHING_KEY' },
      { kind: 'credential', index: 7, ok: true, what: 'good credential among bad ones' },
      { kind: 'credential', index: 8, ok: false, what: 'garbage line', error: 'signature:' },
      { kind: 'credential', index: 9, ok: false, what: 'missing exp', error: 'claim exp is missing, want validUntil=1909094399' },
      { kind: 'card', index: 0, ok: false, what: 'tampered card', error: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' },
      { kind: 'card', index: 1, ok: false, what: 'card without zip', error: 'header zip=undefined' },
      { kind: 'card', index: 2, ok: false, what: 'zlib-wrapped card', error: 'does not inflate' },
      { kind: 'card', index: 3, ok: false, what: 'card by stranger', error: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' },
      { kind: 'card', index: 4, ok: false, what: 'card kid matches nothing', error: 'no ES256 key in the JWKS matches kid "ab"' },
      { kind: 'card', index: 5, ok: true, what: 'card by the other JWKS key' },
      { kind: 'card', index: 6, ok: false, what: 'oversized card', error: 'does not inflate' },
      { kind: 'card', index: 7, ok: false, what: 'card without kid by stranger', error: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' },
      { kind: 'card', index: 8, ok: false, what: 'card without kid of an unknown issuer', error: 'no ES256 key in the JWKS for the card\'s issuer' },
    ]);
  }

  // --- Empty inputs and usage --------------------------------------------
  {
    const out = run(['--jwks', jwksFile]);
    check('no token files: exit 0 and "0 passed, 0 failed"', out.status === 0 && out.stdout === '0 passed, 0 failed\n', out.stdout + out.stderr);
    const empty = file('empty.txt', '');
    const out2 = run(['--jwks', jwksFile, `--credentials=${empty}`, `--cards=${empty}`]);
    check('empty token files: exit 0', out2.status === 0 && out2.stdout === '0 passed, 0 failed\n', out2.stdout + out2.stderr);
  }
  {
    const out = run(['--help']);
    check('--help: exit 0 and usage', out.status === 0 && out.stdout.startsWith('Usage: node check.mjs'), out.stdout + out.stderr);
    check('no arguments: exit 2', run([]).status === 2);
    check('unknown flag: exit 2', run(['--jwks', jwksFile, '--bogus', 'x']).status === 2);
    check('missing value: exit 2', run(['--jwks']).status === 2);
    check('unreadable credentials file: exit 2', run(['--jwks', jwksFile, '--credentials', join(dir, 'missing.txt')]).status === 2);
    check('JWKS not JSON: exit 2', run(['--jwks', file('bad-jwks.json', '{')]).status === 2);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
