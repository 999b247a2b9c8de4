#!/usr/bin/env node
// Independent interop check of carnet's signed output.
//
// carnet (Go) signs two kinds of tokens, both compact JWS with ES256:
//   * credentials: W3C VC 2.0 / Open Badges 3.0 credentials, secured as a JWT
//     (header {alg:"ES256", kid:"did:web:...#<thumbprint>", typ:"JWT"}); the
//     payload is the credential JSON plus the JWT claims iss/jti/sub/nbf/exp;
//   * card tokens: header {alg:"ES256", zip:"DEF"} (since issue 11: no kid, the
//     keys tried are the JWKS keys of the issuer the claims name, iss), or
//     {alg:"ES256", kid:"<thumbprint or did url>", zip:"DEF"} (older cards);
//     the payload bytes are raw DEFLATE (RFC 1951, no zlib header) of minified
//     JSON claims.
//
// This script checks them with implementations that share no code with the Go
// side: `jose` for JWS and `ajv` (JSON Schema draft 2019-09) for the 1EdTech
// Open Badges 3.0 schema.
//
// Output: one JSON object per token on stdout,
//   {"kind":"credential"|"card","index":N,"ok":true|false,"errors":[...],"claims":{...}}
// (index counts the non-blank lines of its input file, from 0), then a final
// line "N passed, M failed".
// Exit code: 0 when every token passed, 1 when any failed, 2 on a usage error
// (bad arguments, or an input file that cannot be read or parsed).

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';

import * as jose from 'jose';
import Ajv2019 from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';

const HERE = dirname(fileURLToPath(import.meta.url));
const DEFAULT_SCHEMA = join(HERE, 'spec', 'ob_v3p0', 'achievementcredential.json');

// Only ES256 is accepted, for both kinds of tokens.
const ALGORITHMS = ['ES256'];

// Upper bound on the inflated size of a card payload (guards against a
// decompression bomb; a card is a few hundred bytes).
const MAX_CARD_BYTES = 65536;

const USAGE = `Usage: node check.mjs --jwks JWKS_FILE [--schema SCHEMA_FILE]
                      [--credentials FILE] [--cards FILE]

Verifies carnet's compact-JWS credentials and card tokens with Node jose and
validates credentials against the Open Badges 3.0 JSON Schema with ajv.

  --jwks FILE         JSON Web Key Set ({"keys":[...]}) holding the issuer's
                      public ES256 keys (required)
  --schema FILE       JSON Schema (draft 2019-09) for the credential payload
                      (default: spec/ob_v3p0/achievementcredential.json next
                      to this script)
  --credentials FILE  one credential JWS per line (blank lines are skipped)
  --cards FILE        one card-token JWS per line (blank lines are skipped)
  --help              print this help and exit

Prints one JSON object per token:
  {"kind":"credential"|"card","index":N,"ok":true|false,"errors":[...],"claims":{...}}
then a final line "N passed, M failed".
Exit code: 0 all passed, 1 some failed, 2 usage error.`;

// ---------------------------------------------------------------------------
// Command line

class UsageError extends Error {}

// parseArgs accepts "--name value" and "--name=value".
function parseArgs(argv) {
  const known = new Set(['jwks', 'schema', 'credentials', 'cards']);
  const opts = { help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      opts.help = true;
      continue;
    }
    const m = /^--([a-z]+)(?:=(.*))?$/s.exec(arg);
    if (!m || !known.has(m[1])) throw new UsageError(`unknown argument: ${arg}`);
    let value = m[2];
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`--${m[1]} needs a value`);
      value = argv[++i];
    }
    if (opts[m[1]] !== undefined) throw new UsageError(`--${m[1]} given twice`);
    opts[m[1]] = value;
  }
  if (!opts.help && !opts.jwks) throw new UsageError('--jwks is required');
  return opts;
}

function readText(file, what) {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${what} ${file}: ${err.message}`);
  }
}

function readJSON(file, what) {
  try {
    return JSON.parse(readText(file, what));
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${what} ${file} is not valid JSON: ${err.message}`);
  }
}

// readTokens returns the non-blank, trimmed lines of a file; a missing option
// means an empty list.
function readTokens(file, what) {
  if (file === undefined) return [];
  return readText(file, what)
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

// ---------------------------------------------------------------------------
// Helpers

const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

// describe formats a thrown error as "code: message" (jose errors carry a code
// such as ERR_JWS_SIGNATURE_VERIFICATION_FAILED).
function describe(err) {
  return err && err.code ? `${err.code}: ${err.message}` : String(err && err.message ? err.message : err);
}

// expectClaim checks that a JWT claim equals the value derived from the
// credential; when the credential has no such value the claim must be absent.
function expectClaim(errors, payload, claim, expected, source) {
  const actual = payload[claim];
  if (expected === undefined) {
    if (actual !== undefined) {
      errors.push(`claim ${claim}=${JSON.stringify(actual)} present but ${source} is absent`);
    }
  } else if (actual === undefined) {
    errors.push(`claim ${claim} is missing, want ${source}=${JSON.stringify(expected)}`);
  } else if (actual !== expected) {
    errors.push(`claim ${claim}=${JSON.stringify(actual)} does not match ${source}=${JSON.stringify(expected)}`);
  }
}

// toSeconds turns an XML Schema / RFC 3339 date-time into NumericDate
// (whole seconds since the epoch, rounded down), or undefined if unparseable.
function toSeconds(dateTime) {
  if (typeof dateTime !== 'string') return undefined;
  const ms = Date.parse(dateTime);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

// pickRegisteredClaims keeps the JWT registered claims for the report line.
function pickRegisteredClaims(payload) {
  const out = {};
  for (const name of ['iss', 'sub', 'aud', 'jti', 'iat', 'nbf', 'exp']) {
    if (payload[name] !== undefined) out[name] = payload[name];
  }
  return out;
}

// ---------------------------------------------------------------------------
// Key selection for card tokens
//
// A card's kid may be the bare key thumbprint rather than the full DID URL
// used in the JWKS, so createLocalJWKSet (exact kid match) is not enough; and
// a card issued since issue 11 has no kid at all: its issuer is the iss of
// its (signed, compressed) claims. cardKeys returns the JWKS keys to try on a
// card: the one whose kid equals the header kid or ends with "#" + header
// kid; without a kid, every key whose kid is "<iss>#…". The signature then
// decides, as with any key set.
function usable(jwk) {
  // Same usability rules as jose's JWKS for an ES256 verification key.
  return jwk.kty === 'EC' &&
    jwk.crv === 'P-256' &&
    (jwk.alg === undefined || jwk.alg === 'ES256') &&
    (jwk.use === undefined || jwk.use === 'sig') &&
    jwk.d === undefined; // a JWKS must hold public keys only
}

function cardKeys(jwks, jws) {
  const header = jose.decodeProtectedHeader(jws);
  if ('kid' in header) {
    const kid = header.kid;
    if (typeof kid !== 'string' || kid === '') throw new Error('card header has an empty kid');
    const candidates = jwks.keys.filter(
      (jwk) => typeof jwk.kid === 'string' && (jwk.kid === kid || jwk.kid.endsWith('#' + kid)) && usable(jwk),
    );
    if (candidates.length === 0) throw new Error(`no ES256 key in the JWKS matches kid ${JSON.stringify(kid)}`);
    if (candidates.length > 1) throw new Error(`several JWKS keys match kid ${JSON.stringify(kid)}`);
    return candidates;
  }
  const payload = jws.split('.')[1] || '';
  const claims = JSON.parse(inflateRawSync(Buffer.from(payload, 'base64url'), { maxOutputLength: MAX_CARD_BYTES }).toString('utf8'));
  const iss = claims && typeof claims.iss === 'string' ? claims.iss : '';
  const candidates = jwks.keys.filter((jwk) => typeof jwk.kid === 'string' && iss !== '' && jwk.kid.startsWith(iss + '#') && usable(jwk));
  if (candidates.length === 0) throw new Error(`no ES256 key in the JWKS for the card's issuer ${JSON.stringify(iss)}`);
  return candidates;
}

// ---------------------------------------------------------------------------
// Checks

// checkCredential verifies one credential JWS; returns {errors, claims}.
async function checkCredential(jws, keySet, validate) {
  const errors = [];

  // 1. Signature, with the key chosen by the header kid.
  let verified;
  try {
    verified = await jose.compactVerify(jws, keySet, { algorithms: ALGORITHMS });
  } catch (err) {
    return { errors: [`signature: ${describe(err)}`], claims: {} };
  }
  const { protectedHeader: header, payload: payloadBytes } = verified;

  // 2. Protected header.
  if (header.typ !== 'JWT') errors.push(`header typ=${JSON.stringify(header.typ)}, want "JWT"`);
  if (typeof header.kid !== 'string' || header.kid === '') errors.push('header has no kid');

  // 3. Payload: the credential itself plus JWT claims.
  let payload;
  try {
    payload = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payloadBytes));
  } catch (err) {
    errors.push(`payload is not JSON: ${err.message}`);
    return { errors, claims: {} };
  }
  if (!isObject(payload)) {
    errors.push('payload is not a JSON object');
    return { errors, claims: {} };
  }

  // 4. JWT claims must agree with the credential properties they mirror.
  const issuer = payload.issuer;
  const issuerId = isObject(issuer) ? issuer.id : typeof issuer === 'string' ? issuer : undefined;
  if (issuerId === undefined) errors.push('credential has no issuer id');
  else expectClaim(errors, payload, 'iss', issuerId, 'issuer.id');

  expectClaim(errors, payload, 'jti', payload.id, 'id');

  if (!isObject(payload.credentialSubject)) {
    errors.push('credentialSubject is not a single JSON object');
  } else {
    expectClaim(errors, payload, 'sub', payload.credentialSubject.id, 'credentialSubject.id');
  }

  const validFrom = toSeconds(payload.validFrom);
  if (validFrom === undefined) errors.push(`validFrom=${JSON.stringify(payload.validFrom)} is not a date-time`);
  else expectClaim(errors, payload, 'nbf', validFrom, 'validFrom');

  if (payload.validUntil === undefined) {
    expectClaim(errors, payload, 'exp', undefined, 'validUntil');
  } else {
    const validUntil = toSeconds(payload.validUntil);
    if (validUntil === undefined) errors.push(`validUntil=${JSON.stringify(payload.validUntil)} is not a date-time`);
    else expectClaim(errors, payload, 'exp', validUntil, 'validUntil');
  }

  // 5. Open Badges 3.0 JSON Schema.
  if (!validate(payload)) {
    for (const e of validate.errors) {
      errors.push(`schema: ${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)} (${e.schemaPath})`);
    }
  }

  return { errors, claims: pickRegisteredClaims(payload) };
}

// checkCard verifies one card-token JWS; returns {errors, claims}.
async function checkCard(jws, jwks) {
  const errors = [];

  // 1. Signature, with the keys cardKeys picks. The payload is verified as
  // the raw (compressed) bytes.
  let verified;
  let failure;
  try {
    for (const jwk of cardKeys(jwks, jws)) {
      try {
        verified = await jose.compactVerify(jws, await jose.importJWK(jwk, 'ES256'), { algorithms: ALGORITHMS });
        break;
      } catch (err) {
        failure = err;
      }
    }
  } catch (err) {
    failure = err;
  }
  if (!verified) {
    return { errors: [`signature: ${describe(failure)}`], claims: {} };
  }
  const { protectedHeader: header, payload: compressed } = verified;

  // 2. Header must announce DEFLATE compression.
  if (header.zip !== 'DEF') {
    errors.push(`header zip=${JSON.stringify(header.zip)}, want "DEF"`);
    return { errors, claims: {} };
  }

  // 3. Raw DEFLATE (no zlib header) of minified JSON claims.
  let text;
  try {
    const inflated = inflateRawSync(compressed, { maxOutputLength: MAX_CARD_BYTES });
    text = new TextDecoder('utf-8', { fatal: true }).decode(inflated);
  } catch (err) {
    errors.push(`payload does not inflate (raw DEFLATE, <= ${MAX_CARD_BYTES} bytes): ${describe(err)}`);
    return { errors, claims: {} };
  }
  let claims;
  try {
    claims = JSON.parse(text);
  } catch (err) {
    errors.push(`inflated payload is not JSON: ${err.message}`);
    return { errors, claims: {} };
  }
  if (!isObject(claims)) {
    errors.push('inflated payload is not a JSON object');
    return { errors, claims: {} };
  }
  return { errors, claims };
}

// ---------------------------------------------------------------------------
// Main

async function main(argv) {
  let opts;
  let jwks;
  let keySet;
  let validate;
  let credentials;
  let cards;
  try {
    opts = parseArgs(argv);
    if (opts.help) {
      process.stdout.write(USAGE + '\n');
      return 0;
    }

    jwks = readJSON(opts.jwks, 'JWKS');
    if (!isObject(jwks) || !Array.isArray(jwks.keys)) throw new UsageError(`JWKS ${opts.jwks} has no "keys" array`);
    try {
      keySet = jose.createLocalJWKSet(jwks);
    } catch (err) {
      throw new UsageError(`JWKS ${opts.jwks}: ${describe(err)}`);
    }

    const schemaFile = opts.schema ?? DEFAULT_SCHEMA;
    const schema = readJSON(schemaFile, 'schema');
    // Draft 2019-09; strict:false because the 1EdTech schemas use keywords
    // and tuple forms that ajv's strict mode only warns about.
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    addFormats(ajv);
    try {
      validate = ajv.compile(schema);
    } catch (err) {
      throw new UsageError(`schema ${schemaFile} does not compile: ${err.message}`);
    }

    credentials = readTokens(opts.credentials, 'credentials file');
    cards = readTokens(opts.cards, 'cards file');
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`check.mjs: ${err.message}\n\n${USAGE}\n`);
    return 2;
  }

  let passed = 0;
  let failed = 0;
  const report = (kind, index, { errors, claims }) => {
    const ok = errors.length === 0;
    if (ok) passed++;
    else failed++;
    process.stdout.write(JSON.stringify({ kind, index, ok, errors, claims }) + '\n');
  };

  for (const [index, jws] of credentials.entries()) {
    report('credential', index, await checkCredential(jws, keySet, validate));
  }
  for (const [index, jws] of cards.entries()) {
    report('card', index, await checkCard(jws, jwks));
  }

  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
