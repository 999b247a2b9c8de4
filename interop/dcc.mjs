// Verifies Data Integrity credentials with DCC's verifier-core (the engine
// of VerifierPlus and the Learner Credential Wallet), as it runs there: its
// own document loader, did:web resolved over https, status lists fetched
// from their URL. Usage: node dcc.mjs FILE.json…
// One JSON line per file: {file, fatal, signature, revocation, expiration,
// errors, log}. Exit 0 when every file was read (the verdicts are in the
// lines), 2 on a usage or read error.
import { readFileSync } from 'node:fs';

// Offline: fetches go to this machine only (the Carnet under test). What
// verifier-core would fetch elsewhere (the OB 3.0 JSON Schema named by
// credentialSchema) fails, which it reports as a note, not a verdict.
const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
  if (url.hostname !== '127.0.0.1') {
    return Promise.reject(new Error(`offline test: no fetch of ${url.href}`));
  }
  return realFetch(input, init);
};
const { verifyCredential } = await import('@digitalcredentials/verifier-core');

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node dcc.mjs FILE.json…');
  process.exit(2);
}
for (const file of files) {
  let credential;
  try {
    credential = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    console.error(`${file}: ${e.message}`);
    process.exit(2);
  }
  const res = await verifyCredential({ credential, knownDIDRegistries: [] });
  const step = (id) => (res.log ?? []).find((s) => s.id === id);
  const brief = (s) => s === undefined ? null : { valid: s.valid ?? null, error: s.error ? `${s.error.name}: ${s.error.message}` : null };
  console.log(JSON.stringify({
    file,
    fatal: (res.errors ?? []).map((e) => `${e.name}: ${e.message}`),
    signature: brief(step('valid_signature')),
    revocation: brief(step('revocation_status')),
    expiration: brief(step('expiration')),
    log: (res.log ?? []).map((s) => s.id + '=' + (s.valid ?? (s.error ? 'error' : '?'))),
  }));
}
