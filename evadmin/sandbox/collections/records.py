"""JSON for `Record` rows: the stored fields as served, plus `id`, `url` and related resources.

Keys of `data` starting with "_" are never served: they hold related ids and the parts other
endpoints serve (a sub-session's flags, say). A relation is served as the related object's URL, or expanded (the spec's `expand`) into the
object itself, serialized by its own collection's serializer with the expand paths below it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from evadmin.sandbox.serializers import sub_expand


@dataclass(frozen=True)
class Relation:
    """A field that links to another resource: its URL, or the object when expanded."""

    collection: str  # URL segment of the related collection
    id_of: Callable[[Any], str | None]  # the related id from the row
    load: Callable[[str], Any] | None = None  # the related object, for expand
    serialize: Callable[..., dict] | None = None  # (obj, context, expand) -> dict


def record_url(context, collection: str, record_id: str) -> str:
    return f"{context.base}/{collection}/{record_id}"


def related(context, expand: set[str], name: str, relation: Relation, row) -> Any:
    related_id = relation.id_of(row)
    if not related_id:
        return None
    if name in expand and relation.load is not None:
        obj = relation.load(related_id)
        if obj is not None:
            return relation.serialize(obj, context, sub_expand(expand, name))
    return record_url(context, relation.collection, related_id)


def record_json(record, context, expand: set[str], *, collection: str,
                relations: dict[str, Relation] | None = None, with_id: bool = True) -> dict:
    data: dict[str, Any] = {"id": record.id} if with_id else {}
    data["url"] = record_url(context, collection, record.id)
    # Keys starting with "_" are the sandbox's own (related ids, embedded sub-resources).
    data.update((key, value) for key, value in record.data.items() if not key.startswith("_"))
    for name, relation in (relations or {}).items():
        data[name] = related(context, expand, name, relation, record)
    return data
