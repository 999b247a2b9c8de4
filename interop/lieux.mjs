// Checks Carnet's open-data export of places (GET /lieux.json and
// /lieux.csv) with the reference implementation of the national standard,
// @gouvfr-anct/lieux-de-mediation-numerique (pinned in package.json).
//
//   node lieux.mjs FILE.json|FILE.csv …
//
// Each place is read by fromSchemaLieuDeMediationNumerique (which throws on
// what the standard refuses), its e-mails and URLs by Courriel and Url, its
// date_maj must be a date, and toSchemaLieuMediationNumerique must give the
// record back unchanged (the reference reads exactly what Carnet wrote).
// One JSON line per place on stdout; exit 1 on any error.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const lmn = require('@gouvfr-anct/lieux-de-mediation-numerique');

// The members of SchemaLieuMediationNumerique (the reference's flat form).
const FIELDS = [
  'id', 'nom', 'services', 'pivot', 'typologie', 'structure_parente', 'commune', 'code_postal', 'adresse',
  'code_insee', 'complement_adresse', 'latitude', 'longitude', 'telephone', 'courriels', 'site_web',
  'presentation_resume', 'presentation_detail', 'publics_specifiquement_adresses', 'prise_en_charge_specifique',
  'frais_a_charge', 'modalites_acces', 'modalites_accompagnement', 'fiche_acces_libre', 'itinerance',
  'dispositif_programmes_nationaux', 'formations_labels', 'autres_formations_labels', 'horaires', 'prise_rdv',
  'date_maj', 'source'
];
const NUMBERS = new Set(['latitude', 'longitude']);

// parseCSV reads RFC 4180 CSV (quoted fields, "" escapes, newlines in quotes).
function parseCSV(text) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (quoted) throw new Error('unterminated quoted field');
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  const [header, ...body] = rows;
  return { header, records: body.map((r) => {
    if (r.length !== header.length) throw new Error(`a row has ${r.length} fields, the header ${header.length}`);
    const o = {};
    header.forEach((h, i) => {
      if (r[i] === '') return; // an empty cell is an absent field
      o[h] = NUMBERS.has(h) ? Number(r[i]) : r[i];
    });
    return o;
  }) };
}

function check(rec) {
  const errors = [];
  for (const [k, v] of Object.entries(rec)) {
    if (!FIELDS.includes(k)) errors.push(`unknown field ${k}`);
    else if (NUMBERS.has(k) ? typeof v !== 'number' || Number.isNaN(v) : typeof v !== 'string') errors.push(`${k} has the type ${typeof v}`);
  }
  let lieu;
  try {
    lieu = lmn.fromSchemaLieuDeMediationNumerique(rec);
  } catch (e) {
    errors.push(`${e.constructor.name}: ${e.message}`);
    return errors;
  }
  if (Number.isNaN(lieu.date_maj.getTime()) || !/^\d{4}-\d{2}-\d{2}$/.test(rec.date_maj)) errors.push(`date_maj ${rec.date_maj} is not a date`);
  for (const [k, fn] of [['courriels', lmn.Courriel], ['site_web', lmn.Url]]) {
    for (const v of (rec[k] ?? '').split('|').filter((x) => x !== '')) {
      try { fn(v); } catch (e) { errors.push(`${k}: ${e.constructor.name}: ${e.message}`); }
    }
  }
  const back = lmn.toSchemaLieuMediationNumerique(lieu);
  const keys = new Set([...Object.keys(rec), ...Object.keys(back)]);
  for (const k of keys) {
    if (JSON.stringify(rec[k]) !== JSON.stringify(back[k])) errors.push(`${k}: wrote ${JSON.stringify(rec[k])}, the reference reads ${JSON.stringify(back[k])}`);
  }
  return errors;
}

let failed = false;
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, 'utf8');
  let records;
  try {
    if (file.endsWith('.csv')) {
      const { header, records: r } = parseCSV(text);
      const unknown = header.filter((h) => !FIELDS.includes(h));
      if (unknown.length) throw new Error(`unknown columns ${unknown.join(', ')}`);
      records = r;
    } else {
      records = JSON.parse(text);
      if (!Array.isArray(records)) throw new Error('not an array');
    }
  } catch (e) {
    console.log(JSON.stringify({ file, index: -1, ok: false, errors: [String(e.message)] }));
    failed = true;
    continue;
  }
  records.forEach((rec, index) => {
    const errors = check(rec);
    if (errors.length) failed = true;
    console.log(JSON.stringify({ file, index, id: rec.id, ok: errors.length === 0, errors }));
  });
}
process.exit(failed ? 1 : 0);
