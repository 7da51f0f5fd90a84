"""The seed scenario end to end: its request and response templates as the API defines
them, its Lambda handler (lambda_handler and NotHogeError, the module as shipped) as the
backend, through every format the seed API is written in."""

import json

import pytest

import vtl
from conftest import FIXTURES, ROOT

# The answer every fixture gives for GET /fuga (tests/fixtures/README.md).
FUGA_400 = '{\n  "message" : "[400:BadRequest] fuga is not hoge"\n}\n'

SOURCES = [
    ROOT / "examples" / "seed" / "api.yaml",
    ROOT / "examples" / "seed" / "api.json",
    FIXTURES / "openapi" / "api.json",
    FIXTURES / "openapi" / "swagger.yaml",
    FIXTURES / "cloudformation" / "template.yaml",
    FIXTURES / "cloudformation" / "template.json",
    FIXTURES / "sam" / "template.yaml",
    FIXTURES / "sam-include" / "template.yaml",
    FIXTURES / "sam-definitionuri" / "template.yaml",
    FIXTURES / "cdk" / "cdk.out",
    FIXTURES / "terraform",
    FIXTURES / "terraform-body",
    FIXTURES / "serverless" / "serverless.yml",
]
# Sources that define more than one API, and the seed's among them.
NAMES = {FIXTURES / "terraform-body": "aws_api_gateway_rest_api.api"}


@pytest.mark.parametrize("source", SOURCES, ids=[str(s.relative_to(ROOT)) for s in SOURCES])
def test_seed_through_every_source(source, lambdemo):
    api = vtl.Api.load(source, NAMES.get(source))
    hoge = api.simulate("GET", "/hoge", backend=lambdemo.lambda_handler)
    assert (hoge.status, hoge.body) == (200, '{"message": "hogehoge"}')
    assert json.loads(hoge.backend_body) == {"pathParams": {"hoge": "hoge"}}
    fuga = api.simulate("GET", "/fuga", backend=lambdemo.lambda_handler)
    assert (fuga.status, fuga.body) == (400, FUGA_400)


def test_the_request_template_renders_what_the_oracle_recorded():
    source = (ROOT / "examples" / "seed-request.vm").read_bytes().decode()
    request = json.loads((ROOT / "examples" / "seed-request.json").read_bytes())
    want = (ROOT / "tests" / "workloads" / "seed-request.out").read_bytes().decode()
    assert vtl.render(source, request) == want


def test_the_handler_error_is_reported_as_the_python_runtime_reports_it(lambdemo):
    outcome = vtl._lambda.invoke(lambdemo.lambda_handler, '{"pathParams": {"hoge": "fuga"}}')
    assert outcome["type"] == "lambda-error"
    assert outcome["errorMessage"] == "[400:BadRequest] fuga is not hoge"
    assert outcome["errorType"] == "NotHogeError"
    assert "raise NotHogeError" in "".join(outcome["stackTrace"])


def test_the_error_object_reaches_the_response_template(lambdemo):
    api = vtl.Api.load(ROOT / "examples" / "seed" / "api.yaml")
    answer = api.simulate("GET", "/fuga", backend=lambdemo.lambda_handler, header={"Accept": "application/json"})
    assert answer.json() == {"message": "[400:BadRequest] fuga is not hoge"}
    assert any("[400:" in step for step in answer.trace)


def test_routes_list_the_methods():
    routes = vtl.Api.load(FIXTURES / "cloudformation" / "template.yaml").routes()
    hoge = next(r for r in routes if (r["method"], r["path"]) == ("GET", "/{hoge}"))
    assert hoge["type"] == "AWS"
    assert hoge["backend"] == "Lambda"
    assert [r["statusCode"] for r in hoge["responses"]] == [200, 400]


def test_an_unrouted_path_is_a_request_error():
    api = vtl.Api.load(ROOT / "examples" / "seed" / "api.yaml")
    with pytest.raises(vtl.RequestError, match="Missing Authentication Token"):
        api.simulate("POST", "/hoge")


def test_an_unreadable_source_is_an_api_error(tmp_path):
    bad = tmp_path / "template.yaml"
    bad.write_text("Resources:\n  Api: [\n")
    with pytest.raises(vtl.ApiError) as info:
        vtl.Api.load(bad)
    assert info.value.lineno > 0


def test_a_handler_that_is_not_a_function_error_propagates():
    api = vtl.Api.load(ROOT / "examples" / "seed" / "api.yaml")

    def handler(event, context):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        api.simulate("GET", "/hoge", backend=handler)
