"""AWS API Gateway mapping templates rendered and simulated in-process, byte for byte as
API Gateway renders them (Apache Velocity 1.7 with ``$input``, ``$util``, ``$context``).

>>> import vtl
>>> vtl.render('{"id": "$input.params(\\'id\\')"}', path={"id": "7"})
'{"id": "7"}'
"""

from ._errors import ApiError, Error, LimitError, RequestError, TemplateError
from ._lambda import LambdaContext
from ._vtl import Api, CaseResult, Simulation, Template, render, run_cases, select

__all__ = [
    "Api",
    "ApiError",
    "CaseResult",
    "Error",
    "LambdaContext",
    "LimitError",
    "RequestError",
    "Simulation",
    "Template",
    "TemplateError",
    "render",
    "run_cases",
    "select",
]
