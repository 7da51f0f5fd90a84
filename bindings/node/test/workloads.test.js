'use strict';
// The shared workloads (tests/workloads): each template rendered against its request gives
// the committed output, byte for byte.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');
const vtl = require('..');
const { ROOT } = require('./helpers');

const dir = path.join(ROOT, 'tests', 'workloads');
for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.vm')).map((n) => n.slice(0, -3))) {
  test(`workload ${name}`, () => {
    const read = (ext) => fs.readFileSync(path.join(dir, name + ext), 'utf8');
    const request = JSON.parse(read('.json'));
    const want = read('.out');
    assert.equal(vtl.render(read('.vm'), request), want);
    const template = new vtl.Template(read('.vm'));
    assert.equal(template.render(request), want);
    assert.equal(template.render(request), want);
  });
}
