"""A Python function run as a Lambda function is run by AWS's Python runtime: the event is
the request body parsed as JSON, a returned value is serialized with ``json.dumps``, and an
exception becomes the error object ``{"errorMessage": str(exc), "errorType": its class
name, "stackTrace": [...]}`` that API Gateway's selection patterns are matched against."""

import json
import traceback
from typing import Any, Callable, Dict


class LambdaContext:
    """The ``context`` argument of a handler run locally."""

    function_name = "local"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:local"
    memory_limit_in_mb = 128
    aws_request_id = "00000000-0000-4000-8000-000000000000"
    log_group_name = "/aws/lambda/local"
    log_stream_name = "local"
    identity = None
    client_context = None

    def get_remaining_time_in_millis(self) -> int:
        """A local call has no timeout; this is the default timeout of three seconds."""
        return 3000


def invoke(handler: Callable[[Any, Any], Any], body: str) -> Dict[str, Any]:
    """Runs ``handler(event, context)`` on the rendered request ``body``; returns the
    backend outcome that ``vtl.Api.simulate`` reads."""
    event = json.loads(body)
    try:
        result = handler(event, LambdaContext())
    except Exception as exc:  # the runtime reports any exception as the function's error
        frames = traceback.extract_tb(exc.__traceback__)[1:]
        return {
            "type": "lambda-error",
            "errorMessage": str(exc),
            "errorType": type(exc).__name__,
            "stackTrace": traceback.format_list(frames),
        }
    try:
        payload = json.dumps(result)
    except (TypeError, ValueError) as exc:
        return {
            "type": "lambda-error",
            "errorMessage": f"Unable to marshal response: {exc}",
            "errorType": "Runtime.MarshalError",
            "stackTrace": [],
        }
    return {"type": "lambda", "payload": payload}
