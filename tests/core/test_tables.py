"""The cached signature gives django-tables2 exactly the answer its own function gives."""

import functools

import pytest
from django_tables2 import utils

from evadmin.core.tables import _uncached_signature, cached_signature


class Table:
    def render_plain(self, value, record):
        return value

    def render_catch_all(self, value, **kwargs):
        return value

    def render_star(*args, **kwargs):
        return args

    @staticmethod
    def render_static(value):
        return value

    @classmethod
    def render_class(cls, value, column):
        return value


def plain(value, record=None, *, table=None):
    return value


def star(*args, record, **extra):
    return args


SHAPES = [
    Table().render_plain, Table().render_catch_all, Table().render_star, Table().render_static,
    Table.render_class, Table.render_plain, plain, star, functools.partial(plain, record=1), len,
]


@pytest.mark.parametrize("fn", SHAPES, ids=lambda fn: getattr(fn, "__name__", repr(fn)))
def test_same_answer_as_django_tables2(fn):
    assert cached_signature(fn) == _uncached_signature(fn)
    assert cached_signature(fn) == _uncached_signature(fn)  # and again, from the cache


def test_installed_for_every_table():
    assert utils.signature is cached_signature
