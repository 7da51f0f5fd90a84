// The playground's page. It holds the state of the editors and shows what the JSON API
// answers; every answer (output, findings, selection, simulation) comes from the server,
// which runs the library the `vtl` command runs.

import { EditorState } from "@codemirror/state";
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { StreamLanguage, syntaxHighlighting, defaultHighlightStyle, bracketMatching } from "@codemirror/language";
import { velocity } from "@codemirror/legacy-modes/mode/velocity";
import { json } from "@codemirror/lang-json";
import { setDiagnostics, lintGutter } from "@codemirror/lint";

// The seed's template and request come from the server, which holds the project's.
const seed = { template: "", request: "" };
const SEED_RESPONSES = [
  { pattern: "", status: 200 },
  { pattern: "^\\[400:.*", status: 400 },
];
const DEBOUNCE_MS = 150;

const $ = (id) => document.getElementById(id);

const state = {
  route: null,        // the route picked, by its place in the list
  routes: [],         // what /api/routes answered
  shown: null,        // which of the route's templates is in the editor, by label
  edits: {},          // label -> text, the route's templates as edited
  selectKind: "error",
  selectValue: $("select-value").value,
  responses: SEED_RESPONSES.map((r) => ({ ...r })),
};

async function call(name, body) {
  const response = await fetch(`/api/${name}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body ?? {}),
  });
  return response.json();
}

// Runs `work` a short while after the last change; an answer to an older change is
// dropped when a newer one has been asked for.
function debounced(work) {
  let timer = null;
  let generation = 0;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const mine = ++generation;
      const show = await work();
      if (mine === generation && show) show();
    }, DEBOUNCE_MS);
  };
}

function editor(parent, language, text, onChange) {
  return new EditorView({
    parent,
    state: EditorState.create({
      doc: text,
      extensions: [
        lineNumbers(), highlightActiveLineGutter(), highlightActiveLine(), drawSelection(),
        history(), bracketMatching(), lintGutter(),
        keymap.of([...defaultKeymap, ...historyKeymap]),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        language, EditorView.lineWrapping,
        EditorView.updateListener.of((u) => { if (u.docChanged) onChange(); }),
      ],
    }),
  });
}

const template = editor($("template"), StreamLanguage.define(velocity), "", changed);
const request = editor($("request"), json(), "", changed);
const text = (view) => view.state.doc.toString();

// A 1-based line and column (in characters) as an offset of the editor's document.
function offset(view, line, column) {
  const doc = view.state.doc;
  if (line < 1) return 0;
  if (line > doc.lines) return doc.length;
  const l = doc.line(line);
  return Math.min(l.from + Math.max(column - 1, 0), l.to);
}

function showOutput(output) {
  const pre = $("output");
  pre.textContent = "";
  if (output == null) return;
  if (!$("whitespace").checked) {
    pre.textContent = output;
    return;
  }
  // Whitespace made visible: each space, tab, carriage return and line break marked.
  const marks = { " ": "·", "\t": "→\t", "\r": "␍", "\n": "↵\n" };
  let plain = "";
  const flush = () => { if (plain) pre.append(plain); plain = ""; };
  for (const c of output) {
    if (marks[c]) {
      flush();
      const span = document.createElement("span");
      span.className = "ws";
      span.textContent = marks[c];
      pre.append(span);
    } else {
      plain += c;
    }
  }
  flush();
}

let lastOutput = null;

const renderNow = debounced(async () => {
  const body = { template: text(template), request: text(request), route: state.route ?? undefined };
  const [rendered, checked] = await Promise.all([call("render", body), call("check", body)]);
  return () => {
    const requestError = rendered.inputError ?? checked.inputError;
    $("request-error").textContent = requestError
      ? `request ${requestError.line}:${requestError.column}: ${requestError.message}` : "";
    request.dispatch(setDiagnostics(request.state, requestError ? [{
      from: offset(request, requestError.line, requestError.column),
      to: offset(request, requestError.line, requestError.column + 1),
      severity: "error", message: requestError.message,
    }] : []));
    lastOutput = rendered.output ?? null;
    showOutput(lastOutput);
    const error = rendered.error;
    $("render-error").textContent = typeof error === "string" ? error
      : error ? `${error.line}:${error.column}: ${error.message}` : "";
    const status = $("json-status");
    if (rendered.json) {
      status.className = rendered.json.valid ? "valid" : "invalid";
      status.textContent = rendered.json.valid ? "valid JSON"
        : `not JSON at line ${rendered.json.line}, column ${rendered.json.column}`;
    } else {
      status.className = "";
      status.textContent = "";
    }
    showFindings(checked.findings ?? []);
  };
});

function showFindings(findings) {
  const list = $("diagnostics");
  list.textContent = "";
  $("diagnostics-count").textContent = findings.length ? `${findings.length}` : "none";
  for (const f of findings) {
    const li = document.createElement("li");
    li.dataset.line = f.line;
    li.dataset.column = f.column;
    li.dataset.code = f.code;
    const head = document.createElement("div");
    const severity = document.createElement("span");
    severity.className = `severity-${f.severity}`;
    severity.textContent = f.severity;
    head.append(severity, ` ${f.line}:${f.column} ${f.message} [${f.code}]`);
    li.append(head);
    if (f.hint) {
      const hint = document.createElement("div");
      hint.className = "hint";
      hint.textContent = `hint: ${f.hint}`;
      li.append(hint);
    }
    li.addEventListener("click", () => {
      const at = offset(template, f.line, f.column);
      template.dispatch({ selection: { anchor: at }, scrollIntoView: true });
      template.focus();
    });
    list.append(li);
  }
  const marks = findings.filter((f) => f.line > 0).map((f) => {
    const from = offset(template, f.line, f.column);
    const end = f.end ? offset(template, f.end.line, f.end.column) : from;
    return {
      from, to: Math.max(end, Math.min(from + 1, template.state.doc.length)),
      severity: f.severity, message: f.hint ? `${f.message}\nhint: ${f.hint}` : f.message,
    };
  });
  template.dispatch(setDiagnostics(template.state, marks));
}

// The selection tester.

function selectionValue() {
  return state.selectKind === "result" ? null : state.selectValue;
}

const selectNow = debounced(async () => {
  const responses = state.responses.map((r) => ({
    pattern: r.pattern === "" ? null : r.pattern,
    status: Number(r.status) || 0,
  }));
  const answer = await call("select", { value: selectionValue(), responses });
  return () => showSelection(answer);
});

function showSelection(answer) {
  const rows = $("select-responses").tBodies[0].rows;
  (answer.responses ?? []).forEach((r, i) => {
    const row = rows[i];
    if (!row) return;
    row.classList.toggle("chosen", answer.chosen === i);
    const verdict = row.querySelector(".verdict");
    let words = r.default ? "default" : r.error ? `error: ${r.error.message}`
      : r.matches ? "matches" : "does not match";
    for (const f of r.findings ?? []) words += ` · ${f.severity}: ${f.message}`;
    verdict.textContent = words;
  });
  $("select-result").textContent = answer.error ?? (answer.chosen == null
    ? `No response is chosen: ${answer.why}`
    : `Response ${answer.chosen + 1} is chosen: ${answer.why}`);
}

function drawResponses() {
  const body = $("select-responses").tBodies[0];
  body.textContent = "";
  state.responses.forEach((r, i) => {
    const row = body.insertRow();
    row.dataset.testid = "response";
    row.insertCell().textContent = `${i + 1}`;
    const pattern = document.createElement("input");
    pattern.value = r.pattern;
    pattern.dataset.testid = "response-pattern";
    pattern.spellcheck = false;
    pattern.addEventListener("input", () => { r.pattern = pattern.value; changedSelection(); });
    row.insertCell().append(pattern);
    const status = document.createElement("input");
    status.value = r.status;
    status.dataset.testid = "response-status";
    status.addEventListener("input", () => { r.status = status.value; changedSelection(); });
    const cell = row.insertCell();
    cell.className = "status";
    cell.append(status);
    const verdict = row.insertCell();
    verdict.className = "verdict";
    const remove = document.createElement("button");
    remove.textContent = "remove";
    remove.addEventListener("click", () => {
      state.responses.splice(i, 1);
      drawResponses();
      changedSelection();
    });
    row.insertCell().append(remove);
  });
}

function changedSelection() {
  saveFragment();
  selectNow();
}

$("select-kind").addEventListener("change", (e) => { state.selectKind = e.target.value; changedSelection(); });
$("select-value").addEventListener("input", (e) => { state.selectValue = e.target.value; changedSelection(); });
$("add-response").addEventListener("click", () => {
  state.responses.push({ pattern: "", status: 200 });
  drawResponses();
  changedSelection();
});

// Routes and the simulated call.

function routeTemplates() {
  return state.route == null ? [] : state.routes[state.route].templates;
}

function edits() {
  return routeTemplates()
    .filter((t) => state.edits[t.label] !== undefined && state.edits[t.label] !== t.text)
    .map((t) => ({ response: t.response, media: t.media, text: state.edits[t.label] }));
}

const simulateNow = debounced(async () => {
  if (state.route == null) return null;
  const answer = await call("simulate", {
    route: state.route, request: text(request), backend: $("backend").value, templates: edits(),
  });
  return () => showFlow(answer);
});

function step(list, title, body, testid) {
  const li = document.createElement("li");
  const h = document.createElement("div");
  h.textContent = title;
  li.append(h);
  if (body != null) {
    const pre = document.createElement("pre");
    pre.textContent = body;
    if (testid) pre.dataset.testid = testid;
    li.append(pre);
  }
  list.append(li);
}

function showFlow(answer) {
  const flow = $("flow");
  flow.textContent = "";
  const problem = answer.inputError
    ? `${answer.inputError.input} ${answer.inputError.line}:${answer.inputError.column}: ${answer.inputError.message}`
    : answer.error && answer.status === undefined ? answer.error : null;
  if (problem) {
    const p = document.createElement("p");
    p.className = "error";
    p.dataset.testid = "flow-error";
    p.textContent = problem;
    flow.append(p);
    return;
  }
  const list = document.createElement("ol");
  const b = answer.backendRequest;
  if (b) {
    const json = b.json.valid ? "valid JSON" : `not JSON at line ${b.json.line}, column ${b.json.column}`;
    step(list, b.template ? `Request template ${b.template} renders (${json}):`
      : "The body passes through to the backend:", b.body, "flow-backend-request");
    step(list, "The backend answers:", $("backend").value.trim() || "(nothing: MOCK)");
  } else {
    step(list, "API Gateway answers before calling the backend.", null);
  }
  step(list, "Each stage:", answer.trace.join("\n"), "flow-trace");
  if (answer.error) step(list, "Error:", `${answer.error.line}:${answer.error.column}: ${answer.error.message}`);
  const headers = Object.entries(answer.headers).map(([k, v]) => `${k}: ${v}\n`).join("");
  step(list, `Method response: status ${answer.status}`, `${headers}\n${answer.body}`, "flow-response");
  list.lastChild.querySelector("div").className = "status";
  list.lastChild.querySelector("div").dataset.testid = "flow-status";
  flow.append(list);
}

function drawRoutes() {
  const list = $("routes");
  list.textContent = "";
  state.routes.forEach((r, i) => {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.textContent = r.summary;
    button.dataset.route = `${r.method} ${r.path}`;
    button.classList.toggle("active", state.route === i);
    button.addEventListener("click", () => pickRoute(i, true));
    li.append(button);
    list.append(li);
  });
}

function setDoc(view, doc) {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: doc } });
}

// Picks route `i`: its first template in the editor, its responses in the tester, and,
// when `fresh`, its sample request and backend answer.
function pickRoute(i, fresh) {
  const route = state.routes[i];
  if (!route) return;
  if (fresh) state.edits = {};
  state.route = i;
  drawRoutes();
  const choice = $("template-choice");
  choice.textContent = "";
  for (const t of route.templates) {
    const option = document.createElement("option");
    option.value = t.label;
    option.textContent = t.label;
    choice.append(option);
  }
  $("template-choice-label").hidden = route.templates.length === 0;
  $("flow-panel").hidden = false;
  if (fresh) {
    setDoc(request, route.request);
    $("backend").value = route.backend;
    state.responses = route.responses.map((r) => ({ pattern: r.selectionPattern ?? "", status: r.statusCode }));
    drawResponses();
    selectNow();
  }
  const first = route.templates.find((t) => t.label === state.shown) ?? route.templates[0];
  showTemplate(first ? first.label : null);
  changed();
}

function showTemplate(label) {
  state.shown = label;
  const t = routeTemplates().find((x) => x.label === label);
  $("template-choice").value = label ?? "";
  $("template-name").textContent = t ? t.label : "request template";
  // A response template's own input is the backend's payload, which the call below gives it.
  $("output-note").textContent = t && t.response != null
    ? "rendered against the request; the call below renders it with the backend's answer" : "";
  if (t) setDoc(template, state.edits[label] ?? t.text);
}

$("template-choice").addEventListener("change", (e) => showTemplate(e.target.value));

// Every change: keep the route's edit, re-render, re-simulate, remember it in the URL.
function changed() {
  if (state.shown != null && state.route != null) state.edits[state.shown] = text(template);
  saveFragment();
  renderNow();
  simulateNow();
}

$("backend").addEventListener("input", changed);
$("whitespace").addEventListener("change", () => showOutput(lastOutput));

// The state in the URL's fragment, so that a link opens the same case.

function encode(value) {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function decode(fragment) {
  const binary = atob(fragment.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

let restoring = false;

function saveFragment() {
  if (restoring) return;
  const saved = {
    template: text(template), request: text(request), selectKind: state.selectKind,
    selectValue: state.selectValue, responses: state.responses,
  };
  if (state.route != null) {
    const route = state.routes[state.route];
    Object.assign(saved, {
      route: `${route.method} ${route.path}`, shown: state.shown, edits: state.edits,
      backend: $("backend").value,
    });
  }
  window.history.replaceState(null, "", `#${encode(saved)}`);
}

function restore(saved) {
  restoring = true;
  setDoc(template, saved.template ?? seed.template);
  setDoc(request, saved.request ?? seed.request);
  state.selectKind = saved.selectKind ?? "error";
  state.selectValue = saved.selectValue ?? "";
  $("select-kind").value = state.selectKind;
  $("select-value").value = state.selectValue;
  state.responses = saved.responses ?? SEED_RESPONSES.map((r) => ({ ...r }));
  const i = state.routes.findIndex((r) => `${r.method} ${r.path}` === saved.route);
  if (i >= 0) {
    state.edits = saved.edits ?? {};
    state.shown = saved.shown ?? null;
    $("backend").value = saved.backend ?? "";
    pickRoute(i, false);
    setDoc(request, saved.request ?? "");
  }
  restoring = false;
}

$("copy-link").addEventListener("click", async () => {
  saveFragment();
  try {
    await navigator.clipboard.writeText(location.href);
    $("copy-link").textContent = "Link copied";
  } catch {
    $("copy-link").textContent = "Link in the address bar";
  }
});

$("write-case").addEventListener("click", async () => {
  const body = { template: text(template), request: text(request) };
  if (state.route != null) {
    Object.assign(body, { route: state.route, backend: $("backend").value, templates: edits() });
  }
  const answer = await call("case", body);
  $("case-panel").hidden = false;
  const problem = answer.inputError ? `${answer.inputError.input}: ${answer.inputError.message}` : answer.error;
  $("case").textContent = answer.text ?? `cannot write a case: ${problem}`;
  const link = $("case-download");
  if (link.href.startsWith("blob:")) URL.revokeObjectURL(link.href);
  link.href = URL.createObjectURL(new Blob([answer.text ?? ""], { type: "application/json" }));
});

async function start() {
  const answer = await call("start");
  Object.assign(seed, answer.seed);
  restoring = true;
  setDoc(template, seed.template);
  setDoc(request, seed.request);
  restoring = false;
  state.routes = answer.routes ?? [];
  if (answer.source || answer.error) {
    $("routes-panel").hidden = false;
    $("source-name").textContent = answer.source ?? "";
    if (answer.error) $("routes").textContent = answer.error;
    for (const w of answer.warnings ?? []) {
      const li = document.createElement("li");
      li.textContent = `warning: ${w}`;
      $("source-warnings").append(li);
    }
  }
  drawRoutes();
  if (location.hash.length > 1) {
    try {
      restore(decode(location.hash.slice(1)));
    } catch {
      // A fragment that is not the playground's: start from the seed.
    }
  }
  drawResponses();
  document.body.dataset.ready = "true";
  changed();
  selectNow();
}

start();
