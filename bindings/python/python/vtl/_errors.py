"""The exceptions of vtl: each carries the message and, when known, where it points."""

from typing import Optional


class Error(Exception):
    """The base of every error vtl raises.

    ``msg`` is the message, ``lineno`` and ``colno`` the 1-based position (0 when the error
    has none), ``line`` the source line they point into, ``filename`` the file when the
    text came from one (an API's YAML, a case file) and ``kind`` the engine's kind of
    failure (``syntax error``, ``render error``, ``limit exceeded``, ``invalid input``...).
    """

    def __init__(
        self,
        msg: str,
        lineno: int = 0,
        colno: int = 0,
        line: Optional[str] = None,
        filename: Optional[str] = None,
        kind: Optional[str] = None,
    ) -> None:
        super().__init__(msg)
        self.msg = msg
        self.lineno = lineno
        self.colno = colno
        self.line = line
        self.filename = filename
        self.kind = kind

    def __str__(self) -> str:
        where = f"{self.filename}:" if self.filename else ""
        if self.lineno:
            where += f"{self.lineno}:{self.colno}: "
        text = where + self.msg
        if self.line is not None:
            text += f"\n    {self.line}\n    {' ' * max(self.colno - 1, 0)}^"
        return text

    def __reduce__(self):
        return (
            type(self),
            (self.msg, self.lineno, self.colno, self.line, self.filename, self.kind),
        )


class TemplateError(Error):
    """A template that does not parse or fails while rendering, or a selection pattern
    that does not compile."""


class LimitError(TemplateError):
    """A render stopped by a limit: API Gateway's (a template over 300 KB, a ``#foreach``
    over 1000 iterations) or the engine's bounds on work, nesting and size."""


class RequestError(Error, ValueError):
    """A request that cannot be used: an unknown field, a value of the wrong kind, a
    path no method of the API answers, a backend outcome that cannot be read."""


class ApiError(Error):
    """An API source or a case file that cannot be read; ``filename``, ``lineno`` and
    ``colno`` point into it."""
