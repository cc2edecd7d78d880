import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020Import from 'ajv/dist/2020.js';
import addFormatsImport from 'ajv-formats';
import type { ValidateFunction } from 'ajv';

const Ajv2020 = Ajv2020Import as unknown as typeof Ajv2020Import.default;
const addFormats = addFormatsImport as unknown as typeof addFormatsImport.default;

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'stix', 'schemas');
const BUNDLE_ID = 'http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/common/bundle.json';

/** ajv validator for the official STIX 2.1 bundle schema (test/fixtures/stix/README.md says where it comes from). */
export function stixBundleValidator(): ValidateFunction {
  // The official schemas use regex escapes that are invalid in unicode mode (`\-`), hence unicodeRegExp: false.
  const ajv = new Ajv2020({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  ajv.addFormat('idn-hostname', true);
  ajv.addFormat('idn-email', true);
  for (const dir of fs.readdirSync(ROOT)) {
    for (const f of fs.readdirSync(path.join(ROOT, dir))) {
      if (f.endsWith('.json')) ajv.addSchema(JSON.parse(fs.readFileSync(path.join(ROOT, dir, f), 'utf8')));
    }
  }
  const v = ajv.getSchema(BUNDLE_ID);
  if (!v) throw new Error('STIX bundle schema not found');
  return v;
}
