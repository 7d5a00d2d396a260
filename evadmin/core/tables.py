"""django-tables2, made cheaper per cell.

django-tables2 (3.0.1) calls `inspect.signature` on a column's render method for every cell it
draws, to pass only the arguments the method asks for. On the users list (25 rows, 10 columns)
that was about a quarter of the page's server time. A function's signature never changes, so it
is read once per function and remembered; `install()` (CoreConfig.ready) puts this in place.
"""

from __future__ import annotations

import inspect
from functools import lru_cache

from django_tables2 import utils

_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


@lru_cache(maxsize=4096)
def _signature_of(function, *, bound: bool) -> tuple[tuple[str, ...], str | None]:
    parameters = list(inspect.signature(function, **utils.SIGNATURE_KWARGS).parameters.values())
    if bound and parameters and parameters[0].kind in _POSITIONAL:
        parameters = parameters[1:]  # self, as inspect drops it from a bound method
    args, keywords = [], None
    for parameter in parameters:
        if parameter.kind == parameter.VAR_KEYWORD:
            keywords = parameter.name
        elif parameter.kind != parameter.VAR_POSITIONAL:
            args.append(parameter.name)
    return tuple(args), keywords


def cached_signature(fn) -> tuple[tuple[str, ...], str | None]:
    """The same answer as django_tables2.utils.signature, read once per underlying function."""
    function, owner = getattr(fn, "__func__", None), getattr(fn, "__self__", None)
    if inspect.isfunction(function) and owner is not None:
        return _signature_of(function, bound=True)
    if inspect.isfunction(fn):
        return _signature_of(fn, bound=False)
    return _uncached_signature(fn)  # other callables: as the library does


_uncached_signature = utils.signature


def install() -> None:
    utils.signature = cached_signature
