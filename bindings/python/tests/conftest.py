"""What the tests share: the repository's folders, the committed oracle data."""

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures"

pytest_plugins = ["pytester"]


def conformance_cases(suite):
    """Every case of ``tests/SUITE/*.jsonl``, as the Rust suite reads them: what AWS is
    known to answer wins over the reference renderer's output."""
    cases = []
    for path in sorted((ROOT / "tests" / suite).glob("*.jsonl")):
        for line in path.read_bytes().decode("utf-8").split("\n"):
            if line.strip():
                case = json.loads(line)
                case["file"] = path.name
                cases.append(case)
    return cases


def expected(case):
    """The output a case expects, or None when it expects an error."""
    if "aws_error" in case:
        return None
    return case.get("aws_output", case.get("output"))


@pytest.fixture(scope="session")
def lambdemo():
    """The seed's Lambda function, the module as the CDK app ships it."""
    (path,) = (FIXTURES / "cdk" / "cdk.out").glob("asset.*/lambdemo.py")
    spec = importlib.util.spec_from_file_location("lambdemo", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
