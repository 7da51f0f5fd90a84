"""The pytest plugin: case files collected as tests, one item per case, failures shown
with vtl test's diff; the vtl_api fixture."""

import shutil

from conftest import ROOT

SEED = ROOT / "examples" / "seed"


def test_the_seed_case_file_is_five_tests(pytester):
    shutil.copy(SEED / "cases.yaml", pytester.path / "cases.yaml")
    shutil.copy(SEED / "api.yaml", pytester.path / "api.yaml")
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=5)
    result.stdout.fnmatch_lines(["*cases.yaml::GET /hoge answers the function's result as it is PASSED*"])


def test_a_failing_case_shows_the_diff(pytester):
    shutil.copy(SEED / "api.yaml", pytester.path / "api.yaml")
    pytester.makefile(
        ".cases.yaml",
        wrong="""
api: api.yaml
cases:
  - name: GET /fuga is a 400 with the error message
    request: {path: /fuga}
    backend: {type: lambda-error, errorMessage: "[400:BadRequest] fuga is not hoge"}
    expect:
      status: 400
      body: |
        {
          "message" : "[400:BadRequest] hoge is not fuga"
        }
""",
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    # What vtl test prints for the case, line for line.
    shown = result.stdout.str()
    assert (
        "body differs (-expected +actual):\n"
        " {\n"
        '-  "message" : "[400:BadRequest] hoge is not fuga"\n'
        '+  "message" : "[400:BadRequest] fuga is not hoge"\n'
        " }\n"
    ) in shown


def test_a_broken_case_file_is_a_collection_error(pytester):
    shutil.copy(SEED / "api.yaml", pytester.path / "api.yaml")
    pytester.makefile(".cases.yaml", broken="api: api.yaml\ncases:\n  - request: {headers: {a: b}}\n")
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*`headers` is written `header`*"])


def test_the_fixture_loads_an_api_beside_the_test(pytester):
    shutil.copy(SEED / "api.yaml", pytester.path / "api.yaml")
    pytester.makepyfile(
        """
        def lambda_handler(event, context):
            return {"echo": event["pathParams"]["hoge"]}

        def test_echo(vtl_api):
            api = vtl_api("api.yaml")
            assert api is vtl_api("api.yaml")
            assert api.simulate("GET", "/fuga", backend=lambda_handler).json() == {"echo": "fuga"}
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)
