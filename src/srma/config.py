"""Loading and validating a review's configuration.

The configuration is YAML validated against ``workflow/schemas/config.schema.yaml``
(JSON Schema).  Validation fills in every default, rejects unknown keys and
checks that file paths stay inside the review folder.  Snakemake's
``common.smk`` and ``srma check`` both use :func:`validate_config`, so a
mistake reads the same wherever it is found.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from jsonschema import Draft202012Validator, validators

from srma.errors import InputError, Problem

#: The schema shipped with the workflow.
SCHEMA_PATH = Path(__file__).resolve().parents[2] / "workflow" / "schemas" / "config.schema.yaml"


def _extend_with_default(validator_class: Any) -> Any:
    """A validator class that fills in ``default`` values while validating."""
    validate_properties = validator_class.VALIDATORS["properties"]

    def set_defaults(validator: Any, properties: Any, instance: Any, schema: Any) -> Any:
        if isinstance(instance, dict):
            for prop, subschema in properties.items():
                if "default" in subschema and prop not in instance:
                    instance[prop] = copy.deepcopy(subschema["default"])
        yield from validate_properties(validator, properties, instance, schema)

    return validators.extend(validator_class, {"properties": set_defaults})


_DefaultFillingValidator = _extend_with_default(Draft202012Validator)


def load_schema(path: Path | str | None = None) -> dict[str, Any]:
    with open(path or SCHEMA_PATH, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def read_yaml(path: Path | str) -> Any:
    """Read YAML safely: tags that would construct Python objects are refused."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(
            "configuration file not found", file=str(path), hint="create it, or run `srma init`"
        ) from None
    except UnicodeDecodeError as exc:
        raise InputError(
            f"configuration is not UTF-8 text ({exc.reason} at byte {exc.start})",
            file=str(path),
            line=path.read_bytes()[: exc.start].count(b"\n") + 1,
            hint="save the file as UTF-8",
        ) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(
            f"invalid YAML: {problem}",
            file=str(path),
            line=(mark.line + 1) if mark else None,
            hint="fix the YAML syntax (only plain YAML is allowed: no !!python tags)",
        ) from None


def _where(path: Any) -> str:
    parts = []
    for p in path:
        parts.append(f"[{p}]" if isinstance(p, int) else (("." if parts else "") + str(p)))
    return "".join(parts) or "(top level)"


def _schema_problems(
    config: dict[str, Any], schema: Mapping[str, Any], file: str | None
) -> list[Problem]:
    problems: list[Problem] = []
    validator = _DefaultFillingValidator(schema)
    for err in sorted(validator.iter_errors(config), key=lambda e: list(map(str, e.path))):
        where = _where(err.absolute_path)
        hint = None
        if err.validator == "additionalProperties":
            allowed = list(err.schema.get("properties", {}))
            extra = [k for k in err.instance if k not in allowed]
            for key in extra:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = (
                    f"did you mean {close[0]!r}?"
                    if close
                    else f"allowed keys: {', '.join(allowed)}"
                )
                problems.append(
                    Problem(
                        f"unknown key {key!r} in {where}",
                        file=file,
                        column=f"{where}.{key}" if where != "(top level)" else str(key),
                        hint=hint,
                    )
                )
            continue
        if err.validator == "enum":
            hint = f"use one of: {', '.join(map(str, err.validator_value))}"
        elif err.validator == "type":
            hint = f"it must be of type {err.validator_value}"
        elif err.validator == "pattern":
            hint = "use lower-case letters, digits and underscores only"
        elif err.validator == "required":
            hint = "add it"
        value = err.instance if not isinstance(err.instance, (dict, list)) else None
        problems.append(
            Problem(
                f"invalid setting {where}: {err.message}",
                file=file,
                column=where,
                value=value,
                hint=hint,
            )
        )
    return problems


def _path_problems(config: Mapping[str, Any], review_dir: Path, file: str | None) -> list[Problem]:
    problems: list[Problem] = []

    def check(where: str, value: Any) -> None:
        if not isinstance(value, str):
            return
        p = PurePosixPath(value.replace("\\", "/"))
        resolved = (review_dir / value).resolve()
        inside = resolved == review_dir.resolve() or review_dir.resolve() in resolved.parents
        if p.is_absolute() or ".." in p.parts or not inside:
            problems.append(
                Problem(
                    f"path in {where} leaves the review folder",
                    file=file,
                    column=where,
                    value=value,
                    hint=(
                        "give a path relative to the review folder, without '..'; "
                        "copy the file into data/ if it lives elsewhere"
                    ),
                )
            )

    for i, src in enumerate(config.get("sources") or []):
        if isinstance(src, Mapping):
            check(f"sources[{i}].path", src.get("path"))
    for section, key in (
        ("dedup", "decisions"),
        ("screening", "logs"),
        ("screening", "consensus"),
        ("screening", "studies"),
        ("extraction", "studies"),
        ("extraction", "outcome_data"),
        ("extraction", "risk_of_bias"),
        ("extraction", "included_studies"),
    ):
        sect = config.get(section)
        if isinstance(sect, Mapping):
            value = sect.get(key)
            if isinstance(value, list):
                for i, item in enumerate(value):
                    check(f"{section}.{key}[{i}]", item)
            else:
                check(f"{section}.{key}", value)
    return problems


def _id_problems(config: Mapping[str, Any], file: str | None) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, src in enumerate(config.get("sources") or []):
        if not isinstance(src, Mapping):
            continue
        sid = src.get("id")
        if sid in seen:
            problems.append(
                Problem(
                    f"source id {sid!r} is used twice (sources[{seen[sid]}] and sources[{i}])",
                    file=file,
                    column=f"sources[{i}].id",
                    value=sid,
                    hint="give every source its own id",
                )
            )
        else:
            seen[sid] = i
    return problems


def yaml_key_lines(text: str) -> dict[str, int]:
    """The line (1-based) of every key and list item of a YAML document.

    Keys are locations as problems name them (``sources[0].path``,
    ``analysis.test``).  The document is only composed, never constructed, so
    tags are not run; each node is visited once (aliases cannot loop or explode).
    A document that cannot be parsed gives no lines.
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    lines: dict[str, int] = {}
    seen: set[int] = set()
    stack: list[tuple[Any, tuple[Any, ...]]] = [(root, ())] if root is not None else []
    while stack:
        node, path = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            items = [(k.value, k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)]
        elif isinstance(node, yaml.SequenceNode):
            items = [(i, v, v) for i, v in enumerate(node.value)]
        else:
            continue
        for key, mark_node, value in items:
            where = _where((*path, key))
            lines.setdefault(where, mark_node.start_mark.line + 1)
            stack.append((value, (*path, key)))
    return lines


def _with_lines(problems: list[Problem], lines: Mapping[str, int]) -> list[Problem]:
    """Give each problem the line of its key (or of the nearest enclosing key)."""
    out = []
    for p in problems:
        where = p.column or ""
        while where and where not in lines:
            cut = max(where.rfind("."), where.rfind("["))
            where = where[:cut] if cut > 0 else ""
        out.append(replace(p, line=lines[where]) if where and p.line is None else p)
    return out


def validate_config(
    config: Any,
    *,
    review_dir: Path | str = ".",
    file: str | None = "config/config.yaml",
    schema: Mapping[str, Any] | None = None,
    lines: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """Validate ``config`` in place, fill its defaults, and return it.

    ``lines`` (from :func:`yaml_key_lines` of the file's text) gives each
    problem the line of its key.

    Raises
    ------
    InputError
        listing every problem at once.
    """
    if not isinstance(config, dict):
        raise InputError(
            "the configuration must be a mapping of keys to values",
            file=file,
            hint="see config/config.yaml of the example review",
        )
    schema = schema or load_schema()
    problems = _schema_problems(config, schema, file)
    problems += _id_problems(config, file)
    problems += _path_problems(config, Path(review_dir), file)
    if lines:
        problems = _with_lines(problems, lines)
    err = InputError.collect(problems)
    if err:
        raise err
    return config


def load_config(path: Path | str, review_dir: Path | str | None = None) -> dict[str, Any]:
    """Read, validate and default-fill a configuration file."""
    path = Path(path)
    review_dir = Path(review_dir) if review_dir is not None else path.resolve().parent.parent
    config = read_yaml(path)  # a file that is not UTF-8 YAML has failed here
    lines = yaml_key_lines(path.read_text(encoding="utf-8"))
    return validate_config(config, review_dir=review_dir, file=str(path), lines=lines)


def sources_by_stream(config: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for src in config["sources"]:
        out.setdefault(src.get("stream", "databases"), []).append(dict(src))
    return out
