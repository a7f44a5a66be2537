"""A new review's ``config/config.yaml``, every key commented from the config schema.

The comments are the ``description`` texts of ``workflow/schemas/config.schema.yaml``
(with the allowed values of each ``enum``), so they cannot drift from what the
workflow validates.  Every key with a default is written out with its value; the
analysis plan is that of srma's example review (its ``config/config.yaml``) where
it sets one; ``sources`` and ``outcomes`` start empty, with commented examples
taken from the example review.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any

import yaml

__all__ = [
    "TABLE_SUFFIXES",
    "config_text",
    "describe",
    "flow",
    "resolve_ref",
    "schema_keys",
    "slug",
]

#: Formats a review's input tables can be written in.
TABLE_SUFFIXES = (".csv", ".xlsx")
#: Width of comment lines.
WIDTH = 96
#: Sections whose keys are written from the example review's configuration.
REFERENCE_SECTIONS = ("analysis",)
#: Keys of those sections that belong to the example review only.
REFERENCE_ONLY = {("analysis", "overrides")}


def slug(text: str, default: str = "review") -> str:
    """An id (``^[a-z0-9_]+$``) made from ``text``.

    >>> slug("My Review (2025)")
    'my_review_2025'
    """
    out = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return out or default


def flow(value: Any) -> str:
    """``value`` as one line of YAML (flow style).

    >>> flow({"id": "post", "label": "Post-test"})
    '{id: post, label: Post-test}'
    >>> flow(0.1)
    '0.1'
    """
    text = yaml.safe_dump(
        value, default_flow_style=True, width=10**6, sort_keys=False, allow_unicode=True
    )
    text = text.removesuffix("\n")
    return text.removesuffix("\n...")


def resolve_ref(node: Mapping[str, Any], schema: Mapping[str, Any]) -> dict[str, Any]:
    """A schema node with its ``$ref`` merged in (the node's own keys win)."""
    node = dict(node)
    ref = node.pop("$ref", None)
    if not ref:
        return node
    target: Any = schema
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    return {**resolve_ref(target, schema), **node}


def describe(node: Mapping[str, Any], extra: Sequence[str] = ()) -> str:
    """The description of a schema node and its allowed values, as one sentence.

    >>> describe({"description": "the test", "enum": ["z", "knha"]}, ["default z"])
    'The test (one of: z, knha; default z).'
    """
    text = " ".join(str(node.get("description", "")).split()).rstrip(".")
    enum = node.get("enum")
    if enum is None and node.get("type") == "array":
        enum = (node.get("items") or {}).get("enum")
    notes = [f"one of: {', '.join(flow(v) for v in enum)}"] if enum else []
    notes += list(extra)
    if notes:
        text = f"{text} ({'; '.join(notes)})" if text else "; ".join(notes)
    if text and not text.endswith((".", "?", "!")):
        text += "."
    return text[:1].upper() + text[1:]


def _comment(text: str, indent: str, hanging: str = "", width: int = WIDTH) -> list[str]:
    """``text`` as comment lines at ``indent``; continuation lines indented by ``hanging``."""
    if not text:
        return []
    prefix = f"{indent}# "
    return textwrap.wrap(
        text,
        width=width,
        initial_indent=prefix,
        subsequent_indent=prefix + hanging,
        break_long_words=False,
        break_on_hyphens=False,
    )


def schema_keys(
    schema: Mapping[str, Any], node: Mapping[str, Any] | None = None, prefix: str = ""
) -> list[tuple[str, dict[str, Any], bool]]:
    """Every key of the schema, as ``(dotted path, resolved node, required)``, depth first.

    Keys of the entries of an array of objects appear as ``path[].key``.
    """
    node = resolve_ref(node if node is not None else schema, schema)
    required = set(node.get("required") or [])
    out: list[tuple[str, dict[str, Any], bool]] = []
    for key, sub in (node.get("properties") or {}).items():
        sub = resolve_ref(sub, schema)
        path = f"{prefix}{key}"
        out.append((path, sub, key in required))
        if sub.get("type") == "object":
            out += schema_keys(schema, sub, f"{path}.")
        elif sub.get("type") == "array":
            items = resolve_ref(sub.get("items") or {}, schema)
            if items.get("type") == "object":
                out += schema_keys(schema, items, f"{path}[].")
    return out


def _with_suffix(path: str, suffix: str) -> str:
    p = PurePosixPath(path)
    if p.parts[:1] == ("data",) and p.suffix in TABLE_SUFFIXES:
        return str(p.with_suffix(suffix))
    return path


def _item_lines(
    items: Mapping[str, Any], schema: Mapping[str, Any], indent: str, depth: int = 1
) -> list[str]:
    """Comments describing the keys of each entry of an array of objects."""
    props = items.get("properties") or {}
    if not props:
        return []
    required = set(items.get("required") or [])
    pad = "  " * depth
    lines = _comment("Each entry has:", indent) if depth == 1 else []
    for key, sub in props.items():
        sub = resolve_ref(sub, schema)
        extra = []
        if key in required:
            extra.append("required")
        elif "default" in sub:
            extra.append(f"default {flow(sub['default'])}")
        lines += _comment(f"{pad}{key}: {describe(sub, extra)}", indent, hanging=pad + "  ")
        sub_items = resolve_ref(sub.get("items") or {}, schema)
        if sub.get("type") == "array" and sub_items.get("type") == "object":
            lines += _item_lines(sub_items, schema, indent, depth + 1)
    return lines


def _value_lines(key: str, value: Any, indent: str) -> list[str]:
    if isinstance(value, list) and value and isinstance(value[0], Mapping):
        return [f"{indent}{key}:"] + [f"{indent}  - {flow(v)}" for v in value]
    return [f"{indent}{key}: {flow(value)}"]


def _object_lines(
    node: Mapping[str, Any],
    schema: Mapping[str, Any],
    values: Mapping[str, Any],
    examples: Mapping[str, list[str]],
    indent: str,
    path: tuple[str, ...],
    suffix: str,
) -> list[str]:
    lines: list[str] = []
    for key, sub in (node.get("properties") or {}).items():
        sub = resolve_ref(sub, schema)
        here = (*path, key)
        dotted = ".".join(here)
        if lines and not indent:
            lines.append("")
        lines += _comment(describe(sub), indent)
        if sub.get("type") == "object" and sub.get("properties"):
            lines.append(f"{indent}{key}:")
            lines += _object_lines(
                sub,
                schema,
                values.get(key) or {},
                examples,
                indent + "  ",
                here,
                suffix,
            )
            continue
        items = resolve_ref(sub.get("items") or {}, schema)
        if sub.get("type") == "array" and items.get("type") == "object":
            lines += _item_lines(items, schema, indent)
        if key in values:
            value = values[key]
        elif "default" in sub:
            value = sub["default"]
        else:
            value = [] if sub.get("type") == "array" else None
        if isinstance(value, str):
            value = _with_suffix(value, suffix)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            value = [_with_suffix(v, suffix) for v in value]
        if dotted in examples:
            lines += _comment("For example:", indent)
            lines += [f"{indent}# {line}" if line else f"{indent}#" for line in examples[dotted]]
        lines += _value_lines(key, value, indent)
    return lines


def _reference_values(reference: Mapping[str, Any] | None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if not reference:
        return values
    for section in REFERENCE_SECTIONS:
        given = reference.get(section)
        if isinstance(given, Mapping):
            values[section] = {k: v for k, v in given.items() if (section, k) not in REFERENCE_ONLY}
    return values


def _examples(reference: Mapping[str, Any] | None) -> dict[str, list[str]]:
    """Commented examples of ``sources`` and ``outcomes`` from the example review."""
    sources: Sequence[Mapping[str, Any]] = (reference or {}).get("sources") or []
    outcomes: Sequence[Mapping[str, Any]] = (reference or {}).get("outcomes") or []
    out: dict[str, list[str]] = {}
    picked = [s for s in sources if s.get("stream", "databases") == "databases"][:2]
    picked += [s for s in sources if s.get("stream") == "other_methods"][:1]
    if picked:
        out["sources"] = ["sources:"] + [f"  - {flow(dict(s))}" for s in picked]
    if outcomes:
        first = dict(outcomes[0])
        instruments = first.pop("instruments", [])
        lines = ["outcomes:", f"  - id: {flow(first.pop('id'))}"]
        lines += [f"    {k}: {flow(v)}" for k, v in first.items()]
        lines.append("    instruments:")
        lines += [f"      - {flow(dict(i))}" for i in instruments[:3]]
        out["outcomes"] = lines
    return out


def config_text(
    schema: Mapping[str, Any],
    *,
    title: str,
    review_id: str,
    reference: Mapping[str, Any] | None = None,
    table_suffix: str = ".csv",
    header: Sequence[str] = (),
) -> str:
    """The text of a new review's ``config/config.yaml``.

    Parameters
    ----------
    schema
        The config schema (``workflow/schemas/config.schema.yaml``, loaded).
    title, review_id
        The review's title and id (``review.title``, ``review.id``).
    reference
        The example review's configuration: its analysis plan becomes the new
        review's, and its sources and first outcome the commented examples.
    table_suffix
        ``.csv`` or ``.xlsx``: the format of the input tables in ``data/``
        (their paths in the config get this suffix).
    header
        Comment lines (without ``#``) for the top of the file.

    Returns
    -------
    str
        YAML whose every key is preceded by its description as comments.
        It is valid under ``schema`` once ``sources`` lists an export.
    """
    if table_suffix not in TABLE_SUFFIXES:
        raise ValueError(f"table_suffix must be one of {TABLE_SUFFIXES}, not {table_suffix!r}")
    values = _reference_values(reference)
    values["review"] = {"title": title, "id": review_id}
    lines = [f"# {line}" if line else "#" for line in header]
    if lines:
        lines.append("")
    lines += _object_lines(
        resolve_ref(schema, schema), schema, values, _examples(reference), "", (), table_suffix
    )
    return "\n".join(lines) + "\n"
