"""Types of the vtl package."""

import os
from typing import Any, Callable, Dict, List, Mapping, Optional, Union

from ._errors import ApiError as ApiError
from ._errors import Error as Error
from ._errors import LimitError as LimitError
from ._errors import RequestError as RequestError
from ._errors import TemplateError as TemplateError
from ._lambda import LambdaContext as LambdaContext

#: A request in the request-file shape: ``body`` (a string is the raw payload, anything
#: else is sent as JSON), ``path`` (the URL path, or an object of path parameters),
#: ``querystring``, ``header``, ``stageVariables``, ``context``, ``method``.
RequestLike = Mapping[str, Any]
#: A Lambda handler, ``handler(event, context)``.
Handler = Callable[[Any, Any], Any]
#: A backend outcome as ``vtl simulate --backend`` reads it.
Outcome = Mapping[str, Any]

def render(
    template: str,
    request: Optional[RequestLike] = None,
    *,
    context_defaults: bool = True,
    **fields: Any,
) -> str:
    """Renders ``template`` against a request, as ``vtl render`` does; ``$context`` gets
    the local defaults under the request's own unless ``context_defaults`` is False.

    >>> vtl.render("$input.path('$.name')", body='{"name": "Ada"}')
    'Ada'
    """

def select(pattern: str, text: str) -> bool:
    """Whether a selection pattern matches all of ``text``.

    >>> vtl.select(r"^\\[400:.*", "[400:BadRequest] fuga is not hoge")
    True
    """

def run_cases(path: Union[str, os.PathLike[str]]) -> List[CaseResult]:
    """Runs a case file as ``vtl test`` does: one result per case."""

class Template:
    """A mapping template parsed once; ``render`` is thread-safe and releases the GIL.

    >>> vtl.Template("$input.params('id')").render(path={"id": "7"})
    '7'
    """

    def __init__(self, source: str) -> None: ...
    @property
    def source(self) -> str:
        """The template's text."""
    def render(
        self,
        request: Optional[RequestLike] = None,
        *,
        context_defaults: bool = True,
        **fields: Any,
    ) -> str:
        """Renders the template against a request (see ``vtl.render``)."""

class Simulation:
    """What one simulated call answered."""

    @property
    def status(self) -> int:
        """The method response's status code."""
    @property
    def headers(self) -> Dict[str, str]:
        """The method response's headers, in order."""
    @property
    def body(self) -> str:
        """The method response's body."""
    @property
    def backend_body(self) -> Optional[str]:
        """What the backend received; None when API Gateway answered before calling it."""
    @property
    def trace(self) -> List[str]:
        """Each step of the call, for people."""
    @property
    def error(self) -> Optional[TemplateError]:
        """The template error behind a 500, if that is what happened."""
    def json(self) -> Any:
        """The body parsed as JSON."""

class Api:
    """An API read from its files.

    >>> api = vtl.Api.load("template.yaml")
    >>> api.simulate("GET", "/fuga", backend=lambda_handler).status
    400
    """

    @staticmethod
    def load(
        path: Union[str, os.PathLike[str]],
        name: Optional[str] = None,
        parameters: Optional[Mapping[str, str]] = None,
        format: Optional[str] = None,
    ) -> Api:
        """Reads an API from an OpenAPI or Swagger export, a CloudFormation or SAM
        template, a CDK ``cdk.out``, a Terraform module or a Serverless service."""
    @property
    def name(self) -> str:
        """The API's name in its source."""
    @property
    def warnings(self) -> List[str]:
        """What the importer warned about."""
    def routes(self) -> List[Dict[str, Any]]:
        """The methods, as ``vtl routes --format json`` lists them."""
    def simulate(
        self,
        method: str,
        path: str,
        request: Optional[RequestLike] = None,
        backend: Union[Handler, Outcome, None] = None,
        **fields: Any,
    ) -> Simulation:
        """Sends one request through the API; ``backend`` is a Lambda handler, an
        outcome, or None for a MOCK."""

class CaseResult:
    """The result of one case."""

    @property
    def name(self) -> str: ...
    @property
    def passed(self) -> bool: ...
    @property
    def failures(self) -> List[str]: ...
