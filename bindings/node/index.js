'use strict';
// The Node package `vtl`: the native addon (vtl.node, built by `napi build`) behind a
// JavaScript layer that turns requests into request-file JSON, errors into Error
// subclasses, and runs JavaScript Lambda handlers as AWS's Node.js runtime runs them.

const native = require('./vtl.node');

/** The base of every error vtl throws: `line` and `column` (1-based, 0 when unknown),
 * `sourceLine`, `file`, `kind` and `reason` (the message without its position). */
class VtlError extends Error {
  constructor(failure) {
    let where = failure.file ? `${failure.file}:` : '';
    if (failure.line) where += `${failure.line}:${failure.column}: `;
    super(where + failure.message);
    this.name = new.target.name;
    this.reason = failure.message;
    this.kind = failure.kind;
    this.line = failure.line;
    this.column = failure.column;
    this.sourceLine = failure.sourceLine ?? null;
    this.file = failure.file ?? null;
  }
}

/** A template that does not parse or fails while rendering, or a selection pattern that
 * does not compile. */
class TemplateError extends VtlError {}
/** A render stopped by a limit (API Gateway's, or the engine's bounds). */
class LimitError extends TemplateError {}
/** A request that cannot be used, or a path no method answers. */
class RequestError extends VtlError {}
/** An API source that cannot be read; `file`, `line` and `column` point into it. */
class ApiError extends VtlError {}

const CLASSES = { TemplateError, LimitError, RequestError, ApiError };

function toError(failure) {
  return new (CLASSES[failure.class] ?? VtlError)(failure);
}

// A string is a request file's text (JSON or YAML), numbers as written: JavaScript's own
// numbers cannot hold every integer a payload or a context may give.
function requestJson(request) {
  return typeof request === 'string' ? request : JSON.stringify(request ?? {});
}

function output(rendered) {
  if (rendered.error) throw toError(rendered.error);
  return rendered.output;
}

/** Renders `template` against a request in the request-file shape; `$context` gets the
 * local defaults under the request's, unless `options.contextDefaults` is false. */
function render(template, request, options = {}) {
  const { contextDefaults = true } = options;
  return output(native.render(String(template), requestJson(request), contextDefaults));
}

/** Whether a selection pattern matches all of `text`, as Java's `Pattern.matches`. */
function select(pattern, text) {
  const selected = native.select(String(pattern), String(text));
  if (selected.error) throw toError(selected.error);
  return selected.matched;
}

/** A mapping template parsed once, rendered any number of times. */
class Template {
  #native;
  constructor(source) {
    this.source = String(source);
    this.#native = new native.Template(this.source);
    const error = this.#native.error();
    if (error) throw toError(error);
  }

  render(request, options = {}) {
    const { contextDefaults = true } = options;
    return output(this.#native.render(requestJson(request), contextDefaults));
  }
}

/** The `context` argument of a handler run locally. */
function lambdaContext() {
  return {
    functionName: 'local',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:local',
    memoryLimitInMB: '128',
    awsRequestId: '00000000-0000-4000-8000-000000000000',
    logGroupName: '/aws/lambda/local',
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 3000,
  };
}

// AWS's Node.js runtime: the event is the request body parsed as JSON, the result is
// serialized with JSON.stringify (undefined as null), a thrown Error is reported as
// {errorType: its name, errorMessage: its message, trace: its stack's lines}.
async function invoke(handler, body) {
  const event = JSON.parse(body);
  let result;
  try {
    result = await handler(event, lambdaContext());
  } catch (error) {
    if (error instanceof Error) {
      return {
        type: 'lambda-error',
        errorType: error.name,
        errorMessage: error.message,
        trace: String(error.stack ?? '').split('\n'),
      };
    }
    return { type: 'lambda-error', errorType: typeof error, errorMessage: String(error), trace: [] };
  }
  return { type: 'lambda', payload: JSON.stringify(result === undefined ? null : result) };
}

/** What one simulated call answered. */
class Simulation {
  constructor(answer) {
    this.status = answer.status;
    this.headers = answer.headers;
    this.body = answer.body;
    this.backendBody = answer.backendBody ?? null;
    this.trace = answer.trace;
    this.error = answer.error ? toError(answer.error) : null;
  }

  /** The body parsed as JSON. */
  json() {
    return JSON.parse(this.body);
  }
}

/** An API read from its files. */
class Api {
  #native;
  #described;
  constructor(handle) {
    this.#native = handle;
    this.#described = JSON.parse(handle.describe());
  }

  /** Reads an API from any source the importers read. */
  static load(path, options = {}) {
    const { name = null, parameters = null, format = null } = options;
    const handle = new native.Api(
      String(path),
      name,
      parameters === null ? null : JSON.stringify(parameters),
      format,
    );
    const error = handle.error();
    if (error) throw toError(error);
    return new Api(handle);
  }

  get name() {
    return this.#described.name;
  }

  get warnings() {
    return this.#described.warnings;
  }

  /** The methods, as `vtl routes --format json` lists them. */
  routes() {
    return structuredClone(this.#described.routes);
  }

  /** Sends one request through the API; `backend` is an (async) Lambda handler, a
   * backend outcome object, or undefined for a MOCK. */
  async simulate(method, path, request, backend) {
    // One time for every pass, so that a call sent again is the same call.
    const now = Date.now();
    const body = requestJson(request);
    const send = (outcome) => {
      const answer = JSON.parse(
        this.#native.simulate(String(method), String(path), body, JSON.stringify(outcome), now),
      );
      if (answer.failure) throw toError(answer.failure);
      return answer;
    };
    if (typeof backend !== 'function') return new Simulation(send(backend ?? { type: 'mock' }));
    // The handler runs between the request and the response: a first pass finds what the
    // backend receives, the second sends the handler's outcome through the rest.
    const probe = send({ type: 'mock' });
    if (!probe.called) return new Simulation(probe);
    return new Simulation(send(await invoke(backend, probe.backendBody)));
  }
}

module.exports = {
  Api,
  ApiError,
  LimitError,
  RequestError,
  Simulation,
  Template,
  TemplateError,
  VtlError,
  render,
  select,
};
