// The playground in a real browser: Debian's chromium driven by playwright-core. Each
// expected answer is what the `vtl` command itself prints for the same input, so the page
// is held to the command line's bytes.
//
// VTL_BIN names the binary (default: the workspace's release build); CHROMIUM the browser.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../../..");
const vtl = resolve(process.env.VTL_BIN ?? join(root, "target/release/vtl"));
const scratch = mkdtempSync(join(tmpdir(), "vtl-playground-"));
const results = join(here, "../test-results");

let browser;
const servers = [];

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox"],
    headless: true,
  });
});

after(async () => {
  await browser?.close();
  for (const s of servers) s.kill();
});

// Starts `vtl playground` on a free port of 127.0.0.1 and answers its address.
function playground(...args) {
  const child = spawn(vtl, ["playground", ...args, "--port", "0"], { cwd: root });
  servers.push(child);
  return new Promise((resolvePromise, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/http:\/\/127\.0\.0\.1:\d+\//);
      if (m) resolvePromise(m[0]);
    });
    child.stderr.on("data", (d) => process.stderr.write(d));
    child.on("exit", (code) => reject(new Error(`vtl playground exited with ${code}: ${out}`)));
  });
}

// Runs the `vtl` command and answers what it printed.
function run(...args) {
  const r = spawnSync(vtl, args, { cwd: root, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name, text) {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
}

async function open(url) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on("pageerror", (e) => { throw e; });
  await page.goto(url);
  await page.waitForSelector("body[data-ready=true]");
  return page;
}

// Replaces the text of the CodeMirror editor `testid`.
async function type(page, testid, text) {
  await page.click(`[data-testid=${testid}] .cm-content`);
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Backspace");
  await page.keyboard.insertText(text);
}

const editorText = (page, testid) =>
  page.evaluate((id) => [...document.querySelectorAll(`[data-testid=${id}] .cm-line`)]
    .map((l) => l.textContent).join("\n"), testid);

// Waits until the text of `selector` is `expected`, then checks it.
async function textIs(page, selector, expected) {
  await page.waitForFunction(([s, e]) => document.querySelector(s)?.textContent === e,
    [selector, expected], { timeout: 10000 }).catch(() => {});
  assert.equal(await page.textContent(selector), expected);
}

const SEED_TEMPLATE = readFileSync(join(root, "examples/seed-request.vm"), "utf8");
const SEED_REQUEST = readFileSync(join(root, "examples/seed-request.json"), "utf8");

test("the page starts from the seed and shows vtl render's exact output", async () => {
  const page = await open(await playground());
  const seed = run("render", "examples/seed-request.vm", "--request", "examples/seed-request.json");
  assert.equal(seed.status, 0);
  await textIs(page, "[data-testid=output]", seed.stdout);
  await textIs(page, "[data-testid=json-status]", "valid JSON");
  mkdirSync(results, { recursive: true });
  await page.screenshot({ path: join(results, "playground.png"), fullPage: true });
  await page.close();
});

test("a template typed renders as vtl render renders it, whitespace visible on demand", async () => {
  const page = await open(await playground());
  const template = '#set($id = $input.params(\'hoge\'))\n{\n  "id": "$id",\n\t"n": $input.params().path.size()\n}\n';
  await type(page, "template", template);
  const expected = run("render", file("typed.vm", template), "--request", "examples/seed-request.json");
  assert.equal(expected.status, 0);
  await textIs(page, "[data-testid=output]", expected.stdout);
  await page.check("[data-testid=whitespace]");
  const visible = expected.stdout.replace(/ /g, "·").replace(/\t/g, "→\t").replace(/\n/g, "↵\n");
  await textIs(page, "[data-testid=output]", visible);
  // Output that is not JSON says where.
  const notJson = '{\n  "a": $input.params(\'hoge\')\n}';
  await type(page, "template", notJson);
  const checked = run("check", file("not-json.vm", notJson), "--request", "examples/seed-request.json");
  const [, line, column] = checked.stdout.match(/at output line (\d+), column (\d+)/);
  await textIs(page, "[data-testid=json-status]", `not JSON at line ${line}, column ${column}`);
  await page.close();
});

// The findings `vtl check` prints for `template` against the seed request.
function findings(name, template) {
  const checked = run("check", file(name, template), "--request", "examples/seed-request.json",
    "--format", "json");
  return checked.stdout.trim().split("\n").map((l) => JSON.parse(l));
}

// Checks that the page lists `expected` in order, and marks each at its line.
async function listed(page, expected) {
  await page.waitForFunction((e) => {
    const items = [...document.querySelectorAll("[data-testid=diagnostics] li")];
    return items.length === e.length && items.every((li, i) => li.dataset.code === e[i].code
      && Number(li.dataset.line) === e[i].line);
  }, expected, { timeout: 10000 }).catch(() => {});
  const shown = await page.$$eval("[data-testid=diagnostics] li", (items) => items.map((li) => ({
    line: Number(li.dataset.line), column: Number(li.dataset.column), code: li.dataset.code,
    text: li.textContent,
  })));
  assert.equal(shown.length, expected.length);
  expected.forEach((f, i) => {
    assert.deepEqual([shown[i].line, shown[i].column, shown[i].code], [f.line, f.column, f.code]);
    assert.ok(shown[i].text.includes(`${f.line}:${f.column} ${f.message}`), shown[i].text);
    if (f.hint) assert.ok(shown[i].text.includes(`hint: ${f.hint}`), shown[i].text);
  });
  const marked = await page.$$eval("[data-testid=template] .cm-line", (lines) =>
    lines.map((l, i) => (l.querySelector(".cm-lintRange") ? i + 1 : 0)).filter((n) => n));
  assert.deepEqual(marked, [...new Set(expected.map((f) => f.line))].sort((a, b) => a - b));
}

test("each finding of vtl check is listed and marked at its line, with its hint", async () => {
  const page = await open(await playground());
  const misspelt = '{\n  "a": "$util.escapeJavascript($input.params(\'hoge\'))",\n  "b": $input.params(\'hoge\')\n}\n';
  await type(page, "template", misspelt);
  const expected = findings("misspelt.vm", misspelt);
  assert.deepEqual(expected.map((f) => [f.line, f.code]),
    [[2, "unresolved-reference"], [2, "unknown-member"], [3, "invalid-json"]]);
  assert.equal(expected[1].hint, "did you mean `escapeJavaScript`?");
  await listed(page, expected);
  // An error introduced: the parse error, at its line.
  const broken = '{\n  "a": "$util.escapeJavaScript($input.params(\'hoge\'))",\n  #if(\n}\n';
  await type(page, "template", broken);
  const parse = findings("broken.vm", broken);
  assert.deepEqual(parse.map((f) => [f.line, f.column, f.code]), [[4, 1, "parse"]]);
  await listed(page, parse);
  await page.close();
});

test("the selection tester picks the first matching pattern, else the default", async () => {
  const page = await open(await playground());
  await page.fill("[data-testid=select-value]", "[400:BadRequest] fuga is not hoge");
  await textIs(page, "[data-testid=select-result]",
    "Response 2 is chosen: `^\\[400:.*` is the first selection pattern that matches (400)");
  assert.equal(run("select", "^\\[400:.*", "[400:BadRequest] fuga is not hoge").stdout, "match\n");
  await page.fill("[data-testid=select-value]", "[500:Oops] fuga");
  await textIs(page, "[data-testid=select-result]",
    "Response 1 is chosen: no selection pattern matches, so the default response (200) is chosen");
  await page.click("[data-testid=add-response]");
  await page.fill("[data-testid=response-pattern] >> nth=2", "\\[500:.*");
  await page.fill("[data-testid=response-status] >> nth=2", "500");
  await textIs(page, "[data-testid=select-result]",
    "Response 3 is chosen: `\\[500:.*` is the first selection pattern that matches (500)");
  await page.close();
});

const FUGA_ERROR = '{"type": "lambda-error", "errorMessage": "[400:BadRequest] fuga is not hoge"}';

test("a route of a fixture API is walked through as vtl simulate walks it", async () => {
  const source = "tests/fixtures/openapi/api.json";
  const page = await open(await playground(source));
  const routes = run("routes", source).stdout.trim().split("\n");
  assert.deepEqual(await page.$$eval("[data-testid=routes] button", (b) => b.map((x) => x.textContent)), routes);
  await page.click("[data-testid=routes] button[data-route='GET /{hoge}']");
  assert.equal(await editorText(page, "template"), SEED_TEMPLATE.replace(/\n$/, "\n"));
  await type(page, "request", '{"path": "/fuga"}');
  await page.fill("[data-testid=backend]", FUGA_ERROR);
  const simulated = run("simulate", source, "--path", "/fuga", "--backend", file("fuga.json", FUGA_ERROR), "--trace");
  const lines = simulated.stdout.split("\n");
  const trace = lines.slice(0, lines.findIndex((l) => l.startsWith("# backend received")))
    .map((l) => l.slice(2));
  const body = simulated.stdout.slice(simulated.stdout.indexOf("\n\n") + 2);
  await textIs(page, "[data-testid=flow-status]", "Method response: status 400");
  assert.equal(await page.textContent("[data-testid=flow-trace]"), trace.join("\n"));
  assert.equal(await page.textContent("[data-testid=flow-response]"), `\n${body}`);
  assert.equal(await page.textContent("[data-testid=flow-backend-request]"),
    '{\n  "pathParams": {\n    "hoge": "fuga"  }\n}\n');
  // Editing the 400 response template changes the answer.
  await page.selectOption("[data-testid=template-choice]", "response 400 application/json");
  await type(page, "template", '{"error": "$input.path(\'$.errorMessage\')"}');
  await textIs(page, "[data-testid=flow-response]", '\n{"error": "[400:BadRequest] fuga is not hoge"}');
  await page.close();
});

test("the URL keeps the state, and the case written passes vtl test", async () => {
  const source = "tests/fixtures/openapi/api.json";
  const url = await playground(source);
  const page = await open(url);
  await page.click("[data-testid=routes] button[data-route='GET /{hoge}']");
  await type(page, "request", '{"path": "/fuga"}');
  await page.fill("[data-testid=backend]", FUGA_ERROR);
  await textIs(page, "[data-testid=flow-status]", "Method response: status 400");
  const shared = page.url();
  assert.ok(shared.includes("#"));
  const again = await open(shared);
  assert.equal(await editorText(again, "request"), '{"path": "/fuga"}');
  assert.equal(await editorText(again, "template"), SEED_TEMPLATE);
  await textIs(again, "[data-testid=flow-status]", "Method response: status 400");
  assert.equal(await again.inputValue("[data-testid=backend]"), FUGA_ERROR);

  await again.click("[data-testid=write-case]");
  await again.waitForFunction(() => document.querySelector("[data-testid=case]").textContent.length > 0);
  const text = await again.textContent("[data-testid=case]");
  // The case names the API as the playground was given it, relative to where it runs.
  const path = file("case.json", text.replace(`"api": "${source}"`, `"api": "${join(root, source)}"`));
  const report = run("test", path);
  assert.equal(report.status, 0, report.stdout + report.stderr);
  assert.match(report.stdout, /1 passed, 0 failed/);
  await page.close();
  await again.close();
});
