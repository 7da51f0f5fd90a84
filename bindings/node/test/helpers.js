'use strict';
// What the tests share: the repository's folders and its committed oracle data.

const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const FIXTURES = path.join(ROOT, 'tests', 'fixtures');

/** Every case of tests/SUITE/*.jsonl, as the Rust suite reads them. */
function conformanceCases(suite) {
  const dir = path.join(ROOT, 'tests', suite);
  const cases = [];
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.jsonl')).sort()) {
    for (const line of fs.readFileSync(path.join(dir, name), 'utf8').split('\n')) {
      if (line.trim()) cases.push({ file: name, ...JSON.parse(line), requestText: rawMember(line, 'request') });
    }
  }
  return cases;
}

/** The text of the member `key` of the JSON object `line`, as written: JSON.parse would
 * round integers past 2^53, which the cases give. */
function rawMember(line, key) {
  const start = line.indexOf(`${JSON.stringify(key)}: `);
  if (start < 0) return null;
  let i = start + key.length + 4;
  const from = i;
  let depth = 0;
  let inString = false;
  for (; i < line.length; i++) {
    const c = line[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return line.slice(from, i + 1);
    }
  }
  throw new Error(`unterminated member ${key}`);
}

/** The output a case expects (what AWS is known to answer first), or null for an error. */
function expected(c) {
  if ('aws_error' in c) return null;
  return c.aws_output ?? c.output ?? null;
}

module.exports = { ROOT, FIXTURES, conformanceCases, expected };
