// A CDK app's template tested from node: load the cloud assembly that `cdk synth` wrote
// and check what the request template of GET /{hoge} sends the function.
//
//   node --test examples/
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import vtl from '../index.js';

const root = new URL('../../../', import.meta.url);

test('the CDK app sends the path parameter to the function', async () => {
  const api = vtl.Api.load(new URL('tests/fixtures/cdk/cdk.out', root).pathname);
  const answer = await api.simulate('GET', '/hoge', {}, async () => ({ message: 'hogehoge' }));
  // The request template's output as Apache Velocity renders it (tests/workloads).
  assert.equal(answer.backendBody, readFileSync(new URL('tests/workloads/seed-request.out', root), 'utf8'));
  assert.equal(answer.status, 200);
});
