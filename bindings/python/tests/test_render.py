"""vtl.render, vtl.Template and vtl.select: requests as dicts or keywords, errors as
exceptions with their position, thread safety."""

import doctest
import threading

import pytest

import vtl
from conftest import ROOT


def test_a_request_as_a_dict_or_as_keywords():
    template = "$input.params('id') $input.params('q') $input.params('X-Key') $stageVariables.env $input.path('$.a')"
    request = {
        "path": {"id": "7"},
        "querystring": {"q": "x"},
        "header": {"X-Key": "k"},
        "stageVariables": {"env": "dev"},
        "body": {"a": "b"},
    }
    assert vtl.render(template, request) == "7 x k dev b"
    assert vtl.render(
        template,
        path={"id": "7"},
        querystring={"q": "x"},
        header={"X-Key": "k"},
        stage_variables={"env": "dev"},
        body='{"a": "b"}',
    ) == "7 x k dev b"
    assert vtl.render("$input.params('id')", {"path": {"id": "1"}}, path={"id": "2"}) == "2"


def test_the_local_context_is_given_and_overridden():
    assert vtl.render("$context.identity.sourceIp $context.stage") == "127.0.0.1 local"
    assert vtl.render("$context.stage", context={"stage": "prod"}) == "prod"


def test_a_syntax_error_has_its_position_and_line():
    with pytest.raises(vtl.TemplateError) as info:
        vtl.Template("a\n  #if(")
    error = info.value
    assert (error.lineno, error.colno) == (2, 7)
    assert error.line == "  #if("
    assert error.kind == "syntax error"
    assert str(error).startswith("2:7: ")
    assert isinstance(error, vtl.Error) and not isinstance(error, vtl.LimitError)


def test_a_render_error_has_its_position():
    with pytest.raises(vtl.TemplateError) as info:
        vtl.render("ok\n  $input.path('$.a[')", body="{}")
    assert info.value.lineno == 2


def test_limits_are_limit_errors():
    with pytest.raises(vtl.LimitError) as info:
        vtl.render("#foreach($i in [1..1001])$i#end")
    assert info.value.lineno == 1
    with pytest.raises(vtl.LimitError):
        vtl.Template(" " * (300 * 1024 + 1))


def test_a_request_that_cannot_be_used_is_a_request_error():
    with pytest.raises(vtl.RequestError, match="`headers` is written `header`"):
        vtl.render("x", {"headers": {"a": "b"}})
    with pytest.raises(vtl.RequestError):
        vtl.render("x", header={"a": ["a list"]})
    with pytest.raises(ValueError):
        vtl.render("x", {"bogus": 1})


def test_a_template_renders_many_times_from_many_threads():
    template = vtl.Template("#foreach($i in [1..200])$input.params('n')#end")
    results = {}

    def work(n):
        results[n] = [template.render(path={"n": str(n)}) for _ in range(20)]

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for n, outputs in results.items():
        assert outputs == [str(n) * 200] * 20
    assert template.source.startswith("#foreach")


def test_selection_patterns():
    assert vtl.select(r"^\[400:.*", "[400:BadRequest] fuga is not hoge")
    assert not vtl.select(r"^\[400:.*", "[500:Internal] x")
    # Pattern.matches: the whole text, and `.` stops at line breaks.
    assert not vtl.select("4", "404")
    assert not vtl.select(".*", "a\nb")
    assert vtl.select(r"(\n|.)+", "a\nb")
    with pytest.raises(vtl.TemplateError):
        vtl.select("(", "x")


@pytest.mark.parametrize("obj", [vtl, vtl.render, vtl.select, vtl.Template, vtl.Api])
def test_docstring_examples(obj, monkeypatch):
    monkeypatch.chdir(ROOT)
    test = doctest.DocTestParser().get_doctest(obj.__doc__, {"vtl": vtl}, obj.__name__, None, 0)
    assert test.examples, "the docstring has an example"
    runner = doctest.DocTestRunner()
    runner.run(test)
    assert runner.failures == 0
