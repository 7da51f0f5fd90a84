'use strict';
// Every API Gateway case of the Rust conformance suite (tests/apigateway/*.jsonl), rendered
// through the Node package and compared byte for byte with the recorded output. The
// reference renderer saw exactly each case's context, hence contextDefaults: false.

const assert = require('node:assert/strict');
const { test } = require('node:test');
const vtl = require('..');
const { conformanceCases, expected } = require('./helpers');

const cases = conformanceCases('apigateway');

test('the whole suite is read', () => {
  assert.ok(cases.length >= 600, `${cases.length} cases`);
  for (const c of cases) assert.deepEqual(JSON.parse(c.requestText), c.request);
});

for (const c of cases) {
  test(`${c.file} ${c.id}`, () => {
    const want = expected(c);
    let got;
    try {
      got = vtl.render(c.template, c.requestText, { contextDefaults: false });
    } catch (error) {
      if (!(error instanceof vtl.TemplateError)) throw error;
      got = error;
    }
    if ('known_difference' in c) {
      assert.notEqual(got, want, 'now passes: remove its known_difference mark');
    } else if (want === null) {
      assert.ok(got instanceof vtl.TemplateError, `expected an error, got ${JSON.stringify(got)}`);
      assert.ok(got.line > 0);
    } else {
      assert.equal(got, want);
    }
  });
}
