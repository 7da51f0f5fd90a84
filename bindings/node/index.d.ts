/** A request in the request-file shape; every field is optional. Where a request is
 * taken, a string is a request file's text (JSON or YAML), numbers kept as written. */
export interface Request {
  /** The HTTP method, any case. */
  method?: string;
  /** The URL path (`/pets/7?verbose=1`), or the path parameters themselves. */
  path?: string | Record<string, string | number | boolean>;
  querystring?: Record<string, string | number | boolean>;
  header?: Record<string, string | number | boolean>;
  stageVariables?: Record<string, string | number | boolean>;
  /** A string is the raw payload; anything else is sent as JSON. */
  body?: unknown;
  /** `$context`, over the local defaults, key by key. */
  context?: Record<string, unknown>;
}

/** A backend outcome as `vtl simulate --backend` reads it. */
export type Outcome =
  | { type: 'lambda'; result?: unknown; payload?: string }
  | { type: 'lambda-error'; errorMessage: string; errorType?: string; [key: string]: unknown }
  | { type: 'http'; status: number; body?: unknown; headers?: Record<string, string> }
  | { type: 'mock' };

/** The `context` argument a handler gets. */
export interface LambdaContext {
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  callbackWaitsForEmptyEventLoop: boolean;
  getRemainingTimeInMillis(): number;
}

/** A Lambda handler: what it returns (or resolves to) is the result, what it throws the
 * function's error. */
export type Handler = (event: any, context: LambdaContext) => unknown | Promise<unknown>;

/** The base of every error vtl throws. */
export class VtlError extends Error {
  /** The message without its position. */
  readonly reason: string;
  /** The engine's kind of failure: `syntax error`, `render error`, `limit exceeded`... */
  readonly kind: string;
  /** 1-based; 0 when unknown. */
  readonly line: number;
  /** 1-based; 0 when unknown. */
  readonly column: number;
  /** The template line the position points into. */
  readonly sourceLine: string | null;
  /** The file the position is in, when the text came from one. */
  readonly file: string | null;
}
/** A template that does not parse or fails while rendering, or a selection pattern that does not compile. */
export class TemplateError extends VtlError {}
/** A render stopped by a limit. */
export class LimitError extends TemplateError {}
/** A request that cannot be used, or a path no method answers. */
export class RequestError extends VtlError {}
/** An API source that cannot be read. */
export class ApiError extends VtlError {}

export interface RenderOptions {
  /** `false`: `$context` is exactly the request's `context`, without the local defaults
   * (`requestId`, `identity.sourceIp`, `stage`...). Default `true`. */
  contextDefaults?: boolean;
}

/** Renders `template` against `request`, as `vtl render` does. */
export function render(template: string, request?: Request | string, options?: RenderOptions): string;

/** Whether a selection pattern matches all of `text`, as Java's `Pattern.matches`. */
export function select(pattern: string, text: string): boolean;

/** A mapping template parsed once, rendered any number of times. */
export class Template {
  constructor(source: string);
  readonly source: string;
  render(request?: Request | string, options?: RenderOptions): string;
}

/** One integration response of a route. */
export interface RouteResponse {
  selectionPattern: string | null;
  statusCode: number;
  responseTemplates: string[];
}

/** One method of an API, as `vtl routes --format json` lists it. */
export interface Route {
  method: string;
  path: string;
  type: string;
  backend: string | null;
  requestTemplates: string[];
  responses: RouteResponse[];
  file: string | null;
  line: number | null;
}

/** What one simulated call answered. */
export class Simulation {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** What the backend received; null when API Gateway answered before calling it. */
  readonly backendBody: string | null;
  readonly trace: string[];
  /** The template error behind a 500. */
  readonly error: TemplateError | null;
  json(): any;
}

export interface LoadOptions {
  /** Which API, when the source defines several. */
  name?: string | null;
  /** Values only AWS knows: `{"Fn.Arn": "arn:aws:lambda:..."}`. */
  parameters?: Record<string, string> | null;
  /** Force a reader: `openapi`, `cloudformation`, `sam`, `cdk`, `terraform`, `serverless`... */
  format?: string | null;
}

/** An API read from its files. */
export class Api {
  private constructor();
  /** Reads an OpenAPI or Swagger export, a CloudFormation or SAM template, a CDK `cdk.out`,
   * a Terraform module or a Serverless service. */
  static load(path: string, options?: LoadOptions): Api;
  readonly name: string;
  readonly warnings: string[];
  routes(): Route[];
  /** Sends one request through the API. */
  simulate(method: string, path: string, request?: Request | string, backend?: Handler | Outcome): Promise<Simulation>;
}
