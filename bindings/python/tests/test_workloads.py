"""The shared workloads (tests/workloads): each template rendered against its request
gives the committed output, byte for byte, through vtl.render and vtl.Template."""

import json

import pytest

import vtl
from conftest import ROOT

WORKLOADS = sorted(p.stem for p in (ROOT / "tests" / "workloads").glob("*.vm"))


@pytest.mark.parametrize("name", WORKLOADS)
def test_workload(name):
    base = ROOT / "tests" / "workloads" / name
    source = base.with_suffix(".vm").read_bytes().decode("utf-8")
    request = json.loads(base.with_suffix(".json").read_bytes().decode("utf-8"))
    want = base.with_suffix(".out").read_bytes().decode("utf-8")
    assert vtl.render(source, request) == want
    template = vtl.Template(source)
    assert template.render(request) == want
    assert template.render(request) == want
