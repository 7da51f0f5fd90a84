'use strict';
// render, Template and select with their errors; the seed API through every format it is
// written in, with an async JavaScript Lambda handler as the backend.

const assert = require('node:assert/strict');
const path = require('node:path');
const { test } = require('node:test');
const vtl = require('..');
const { ROOT, FIXTURES } = require('./helpers');

// The answer every fixture gives for GET /fuga (tests/fixtures/README.md).
const FUGA_400 = '{\n  "message" : "[400:BadRequest] fuga is not hoge"\n}\n';

// The seed's Lambda function, written for the Node.js runtime.
class NotHogeError extends Error {
  name = 'NotHogeError';
}
async function handler(event) {
  const hoge = event.pathParams.hoge;
  if (hoge !== 'hoge') throw new NotHogeError(`[400:BadRequest] ${hoge} is not hoge`);
  return { message: 'hogehoge' };
}

const SOURCES = [
  ['examples/seed/api.yaml'],
  ['examples/seed/api.json'],
  ['tests/fixtures/openapi/api.json'],
  ['tests/fixtures/openapi/swagger.yaml'],
  ['tests/fixtures/cloudformation/template.yaml'],
  ['tests/fixtures/cloudformation/template.json'],
  ['tests/fixtures/sam/template.yaml'],
  ['tests/fixtures/sam-include/template.yaml'],
  ['tests/fixtures/sam-definitionuri/template.yaml'],
  ['tests/fixtures/cdk/cdk.out'],
  ['tests/fixtures/terraform'],
  ['tests/fixtures/terraform-body', 'aws_api_gateway_rest_api.api'],
  ['tests/fixtures/serverless/serverless.yml'],
];

for (const [source, name] of SOURCES) {
  test(`the seed through ${source}`, async () => {
    const api = vtl.Api.load(path.join(ROOT, source), { name });
    const hoge = await api.simulate('GET', '/hoge', {}, handler);
    assert.equal(hoge.status, 200);
    assert.equal(hoge.body, '{"message":"hogehoge"}');
    assert.deepEqual(JSON.parse(hoge.backendBody), { pathParams: { hoge: 'hoge' } });
    const fuga = await api.simulate('GET', '/fuga', {}, handler);
    assert.equal(fuga.status, 400);
    assert.equal(fuga.body, FUGA_400);
  });
}

test('a request as an object', () => {
  const template = "$input.params('id') $input.params('q') $input.params('X-Key') $stageVariables.env $input.path('$.a')";
  const request = {
    path: { id: '7' },
    querystring: { q: 'x' },
    header: { 'X-Key': 'k' },
    stageVariables: { env: 'dev' },
    body: { a: 'b' },
  };
  assert.equal(vtl.render(template, request), '7 x k dev b');
  assert.equal(vtl.render('$context.identity.sourceIp $context.stage'), '127.0.0.1 local');
  assert.equal(vtl.render('$context.stage|$context.requestId|', {}, { contextDefaults: false }), '||');
});

test('a syntax error is a TemplateError with its line and column', () => {
  assert.throws(
    () => new vtl.Template('a\n  #if('),
    (error) => {
      assert.ok(error instanceof vtl.TemplateError && error instanceof vtl.VtlError && error instanceof Error);
      assert.equal(error.name, 'TemplateError');
      assert.equal(error.line, 2);
      assert.equal(error.column, 7);
      assert.equal(error.sourceLine, '  #if(');
      assert.equal(error.kind, 'syntax error');
      assert.ok(error.message.startsWith('2:7: '));
      return true;
    },
  );
});

test('limits are LimitErrors, bad requests RequestErrors', () => {
  assert.throws(() => vtl.render('#foreach($i in [1..1001])$i#end'), vtl.LimitError);
  assert.throws(() => vtl.render('x', { headers: { a: 'b' } }), (e) => e instanceof vtl.RequestError && /`headers` is written `header`/.test(e.message));
  assert.throws(() => vtl.render('x', { header: { a: ['a list'] } }), vtl.RequestError);
});

test('a template renders many times', () => {
  const template = new vtl.Template("$input.params('n')");
  for (let n = 0; n < 50; n++) assert.equal(template.render({ path: { n: String(n) } }), String(n));
  assert.equal(template.source, "$input.params('n')");
});

test('selection patterns', () => {
  assert.equal(vtl.select('^\\[400:.*', '[400:BadRequest] fuga is not hoge'), true);
  assert.equal(vtl.select('4', '404'), false);
  assert.equal(vtl.select('.*', 'a\nb'), false);
  assert.equal(vtl.select('(\\n|.)+', 'a\nb'), true);
  assert.throws(() => vtl.select('(', 'x'), vtl.TemplateError);
});

test('a handler error reaches the response template as the Node.js runtime reports it', async () => {
  const api = vtl.Api.load(path.join(ROOT, 'examples/seed/api.yaml'));
  const answer = await api.simulate('GET', '/fuga', { header: { Accept: 'application/json' } }, handler);
  assert.deepEqual(answer.json(), { message: '[400:BadRequest] fuga is not hoge' });
  assert.ok(answer.trace.some((step) => step.includes('[400:')));
});

test('outcomes, MOCKs and unrouted paths', async () => {
  const api = vtl.Api.load(path.join(FIXTURES, 'openapi', 'api.json'));
  const result = await api.simulate('GET', '/hoge', {}, { type: 'lambda', result: { message: 'hogehoge' } });
  assert.equal(result.status, 200);
  const preflight = await api.simulate('OPTIONS', '/hoge');
  assert.equal(preflight.status, 200);
  await assert.rejects(api.simulate('DELETE', '/hoge'), (e) => e instanceof vtl.RequestError && /Missing Authentication Token/.test(e.message));
  const routes = api.routes();
  const hoge = routes.find((r) => r.method === 'GET' && r.path === '/{hoge}');
  assert.equal(hoge.type, 'AWS');
  assert.equal(hoge.backend, 'Lambda');
});

test('a source that cannot be read is an ApiError', () => {
  assert.throws(() => vtl.Api.load(path.join(ROOT, 'no-such-file.yaml')), vtl.ApiError);
});
