"""Every API Gateway case of the Rust conformance suite (tests/apigateway/*.jsonl),
rendered through the Python package and compared byte for byte with the recorded output.
The reference renderer saw exactly each case's context, hence ``context_defaults=False``."""

import pytest

import vtl
from conftest import conformance_cases, expected

CASES = conformance_cases("apigateway")


def test_the_whole_suite_is_read():
    assert len(CASES) >= 600


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case):
    want = expected(case)
    try:
        got = vtl.render(case["template"], case["request"], context_defaults=False)
    except vtl.TemplateError as error:
        got = error
    if "known_difference" in case:
        assert got != want, "now passes: remove its known_difference mark"
    elif want is None:
        assert isinstance(got, vtl.TemplateError), got
        assert got.lineno > 0
    else:
        assert got == want
