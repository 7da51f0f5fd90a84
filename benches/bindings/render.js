'use strict';
// Renders every workload of tests/workloads from Node two ways and prints a markdown table
// of the time per render: the `vtl` package in-process (`Template.render`, parsed once,
// and `vtl.render`), and velocityjs, the Velocity engine of npm, with a minimal
// `$input`/`$util`/`$context` (dotted JSONPath only), parsed once. Whether velocityjs's
// output is the recorded one (NAME.out) is shown too. Not a test: nothing is asserted.
// Run with benches/bindings/run.

const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const NODE_PACKAGE = path.join(ROOT, 'bindings', 'node');
const vtl = require(NODE_PACKAGE);
const velocity = require(require.resolve('velocityjs', { paths: [NODE_PACKAGE] }));

const seconds = Number(process.argv[2] ?? 1);

/** Mean seconds per call of `fn` over about `seconds`, after a short warm-up. */
function perCall(fn) {
  for (let i = 0; i < 3; i++) fn();
  let count = 0;
  const start = process.hrtime.bigint();
  for (;;) {
    fn();
    count++;
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    if (elapsed >= seconds) return elapsed / count;
  }
}

/** A dotted JSONPath (`$`, `$.a.b`, `$.a[0]`), which is all the workloads use. */
function walk(value, jsonPath) {
  for (const [, name, index] of jsonPath.slice(1).matchAll(/\.([^.[]+)|\[(\d+)\]/g)) {
    if (value == null) return null;
    value = index === undefined ? value[name] : value[Number(index)];
  }
  return value;
}

function context(request) {
  const body = request.body || '{}';
  const params = { path: request.path ?? {}, querystring: request.querystring ?? {}, header: request.header ?? {} };
  return {
    input: {
      body,
      path: (p) => walk(JSON.parse(body), p),
      json: (p) => JSON.stringify(walk(JSON.parse(body), p)),
      params: (name) => {
        if (name === undefined) return params;
        for (const kind of ['path', 'querystring', 'header']) if (name in params[kind]) return params[kind][name];
        return '';
      },
    },
    util: {
      escapeJavaScript: (text) => JSON.stringify(String(text)).slice(1, -1).replaceAll("'", "\\'").replaceAll('/', '\\/'),
    },
    context: request.context ?? {},
    stageVariables: request.stageVariables ?? {},
  };
}

const micros = (s) => (s * 1e6).toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

console.log('| workload | vtl `Template.render` µs | vtl `render` µs | velocityjs µs | velocityjs output = `.out`? |');
console.log('| --- | ---: | ---: | ---: | --- |');
const dir = path.join(ROOT, 'tests', 'workloads');
for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.vm')).map((n) => n.slice(0, -3)).sort()) {
  const read = (ext) => fs.readFileSync(path.join(dir, name + ext), 'utf8');
  const source = read('.vm');
  const request = JSON.parse(read('.json'));
  const want = read('.out');
  const template = new vtl.Template(source);
  if (template.render(request) !== want) throw new Error(`${name}: vtl does not give ${name}.out`);
  let same;
  let velocityTime = '-';
  try {
    const compiled = new velocity.Compile(velocity.parse(source));
    same = compiled.render(context(request)) === want ? 'yes' : 'no';
    velocityTime = micros(perCall(() => compiled.render(context(request))));
  } catch (error) {
    same = `fails: ${error.name}`;
  }
  const row = [
    name,
    micros(perCall(() => template.render(request))),
    micros(perCall(() => vtl.render(source, request))),
    velocityTime,
    same,
  ];
  console.log(`| ${row.join(' | ')} |`);
}
