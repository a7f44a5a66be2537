"""environment.yml (the conda route) stays in step with pyproject.toml."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml


def _name_and_spec(req: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", req)
    assert m, req
    return m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")


def test_environment_matches_pyproject(repo: Path):
    py = tomllib.loads((repo / "pyproject.toml").read_text())
    wanted = dict(_name_and_spec(r) for r in py["project"]["dependencies"])
    wanted.update(_name_and_spec(r) for r in py["project"]["optional-dependencies"]["test"])
    env = yaml.safe_load((repo / "environment.yml").read_text())
    conda = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str):
            name, spec = _name_and_spec(
                dep.replace("=", "==", 1) if re.match(r"^[\w-]+=[^=]", dep) else dep
            )
            conda[name] = spec
        else:  # the pip: section, for packages conda-forge lacks (and srma itself)
            for req in dep["pip"]:
                if not req.startswith("-"):
                    name, spec = _name_and_spec(req)
                    conda[name] = spec
    for name, spec in wanted.items():
        assert name in conda, f"{name} is in pyproject.toml but not environment.yml"
        assert conda[name] == spec, f"{name}: pyproject {spec!r} vs environment.yml {conda[name]!r}"
    assert {"python"} | set(wanted) | {"pip"} >= set(conda), "environment.yml lists extras"
