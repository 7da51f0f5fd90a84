"""The pytest plugin of vtl (registered in ``pytest11``).

Case files (``cases.yaml``, ``*.cases.yaml``, ``*.cases.yml``, ``*.cases.json``; the ini
option ``vtl_cases`` lists other patterns) are collected as tests, one item per case; a
failing case shows what ``vtl test`` prints for it, the body's diff included. The fixture
``vtl_api`` loads an API relative to the test file's folder.
"""

from pathlib import Path
from typing import Any, Callable, Dict, Optional, Tuple

import pytest

import vtl

DEFAULT_PATTERNS = ["cases.yaml", "cases.yml", "*.cases.yaml", "*.cases.yml", "*.cases.json"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "vtl_cases",
        type="args",
        default=DEFAULT_PATTERNS,
        help="file name patterns of vtl case files to collect as tests",
    )


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> Optional["CaseFile"]:
    patterns = parent.config.getini("vtl_cases")
    if any(file_path.match(p) for p in patterns):
        return CaseFile.from_parent(parent, path=file_path)
    return None


class CaseFailed(Exception):
    """A case whose expectations were not met."""


class CaseFile(pytest.File):
    """A case file: its cases are run together, as ``vtl test`` runs them, once."""

    def collect(self):
        for result in vtl.run_cases(self.path):
            yield CaseItem.from_parent(self, name=result.name, result=result)


class CaseItem(pytest.Item):
    """One case of a case file."""

    def __init__(self, *, result: vtl.CaseResult, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.result = result

    def runtest(self) -> None:
        if not self.result.passed:
            raise CaseFailed(self.result)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, CaseFailed):
            return "\n".join(self.result.failures)
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> Tuple[Path, Optional[int], str]:
        return self.path, None, f"vtl case: {self.name}"


@pytest.fixture(scope="session")
def _vtl_apis() -> Dict[Tuple[Any, ...], vtl.Api]:
    return {}


@pytest.fixture
def vtl_api(request: pytest.FixtureRequest, _vtl_apis) -> Callable[..., vtl.Api]:
    """A function that loads an API (``vtl.Api.load``), a relative path being taken from
    the test file's folder; each source is read once per session::

        def test_hoge(vtl_api):
            api = vtl_api("api.yaml")
            assert api.simulate("GET", "/hoge", backend=lambda_handler).status == 200
    """
    base = Path(request.path).parent

    def load(
        path: "str | Path",
        name: Optional[str] = None,
        parameters: Optional[Dict[str, str]] = None,
        format: Optional[str] = None,
    ) -> vtl.Api:
        full = (base / path).resolve()
        key = (full, name, tuple(sorted((parameters or {}).items())), format)
        if key not in _vtl_apis:
            _vtl_apis[key] = vtl.Api.load(full, name, parameters, format)
        return _vtl_apis[key]

    return load
