"""Typed views of API objects, read from JSON by their annotations: `ApiObject.from_api(data)`.

A resource is a dataclass subclassing `ApiObject`; each field is read from the key of its name
(or `field(metadata={"api": "other_key"})`) and converted by its annotation: `datetime` from ISO
8601, a nested `ApiObject` from an object (a related resource served as a URL stays None; its URL
is `obj.link("name")`), `list[X]` item by item, `int`/`float`/`bool`/`str` when the value has that
type. A key that is absent, null or of a type the annotation does not allow leaves the field at
its default, so a field the spec lets be null or absent (or a value it never promised) never
crashes a page. `raw` keeps the JSON as served, unknown fields included.
"""

from __future__ import annotations

import types
import typing
from dataclasses import MISSING, dataclass, field, fields
from datetime import datetime
from functools import cache
from typing import Any, Self


def id_from_url(url: str | None) -> str | None:
    """The resource id at the end of an API URL (`…/tariffs/tari01H…` -> `tari01H…`)."""
    if not url:
        return None
    return url.rstrip("/").rsplit("/", 1)[-1] or None


def parse_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _options(annotation) -> tuple:
    """The types a field allows: `X | None` -> (X,), `list[X]` -> (list[X],)."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return tuple(option for option in typing.get_args(annotation) if option is not type(None))
    return (annotation,)


def _convert(annotation, value: Any) -> Any:
    """`value` as `annotation`, or MISSING when it cannot be (the field keeps its default)."""
    for option in _options(annotation):
        origin = typing.get_origin(option)
        if origin is list:
            if isinstance(value, list):
                (item_type,) = typing.get_args(option) or (Any,)
                converted = [_convert(item_type, item) for item in value]
                return [item for item in converted if item is not MISSING]
        elif origin is dict:
            if isinstance(value, dict):
                return value
        elif option is Any:
            return value
        elif option is datetime:
            parsed = parse_datetime(value)
            if parsed is not None:
                return parsed
        elif isinstance(option, type) and issubclass(option, ApiObject):
            if isinstance(value, dict):
                return option.from_api(value)
        elif option is float:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return float(value)
        elif option is int:
            if isinstance(value, int) and not isinstance(value, bool):
                return value
        elif isinstance(option, type) and hasattr(option, "from_api"):  # the hand-written resources
            if isinstance(value, dict):
                try:
                    return option.from_api(value)
                except (KeyError, TypeError, ValueError):  # not that resource (no id, say): keep the default
                    pass
        elif isinstance(option, type) and isinstance(value, option):
            return value
    return MISSING


@dataclass
class ApiObject:
    raw: dict = field(default_factory=dict, repr=False, compare=False, kw_only=True)

    @classmethod
    @cache
    def _readers(cls) -> tuple[tuple[str, str, Any], ...]:
        hints = typing.get_type_hints(cls)
        return tuple((item.name, item.metadata.get("api", item.name), hints[item.name])
                     for item in fields(cls) if item.name != "raw")

    @classmethod
    def from_api(cls, data: dict) -> Self:
        values: dict[str, Any] = {}
        if isinstance(data, dict):
            for name, key, annotation in cls._readers():
                if data.get(key) is not None:
                    converted = _convert(annotation, data[key])
                    if converted is not MISSING:
                        values[name] = converted
        return cls(raw=data if isinstance(data, dict) else {}, **values)

    def link(self, name: str) -> str | None:
        """The URL of a related resource, whether it was served as a URL or expanded."""
        value = self.raw.get(name)
        if isinstance(value, dict):
            value = value.get("url")
        return value if isinstance(value, str) and value else None

    def related_id(self, name: str) -> str | None:
        return id_from_url(self.link(name))


def required_fields(cls) -> list[str]:
    """Fields declared without a default: every ApiObject field needs one (tests/evenergy checks)."""
    return [item.name for item in fields(cls) if item.default is MISSING and item.default_factory is MISSING]
