"""``srma pool FILE.csv``: the standalone command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _pooling_refdata import dataset, load

from srma.cli import main
from srma.pooling import POOL_KEYS, pool

DOCUMENTED_KEYS = (
    "k measure method test estimate se ci_low ci_high stat pval tau2 tau2_ci_low tau2_ci_high "
    "i2 i2_ci_low i2_ci_high h2 q q_df q_pval pi_low pi_high"
).split()


def _write(tmp_path: Path, text: str, name: str = "t.csv") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def _bcg_csv(tmp_path: Path) -> str:
    ds = dataset("bcg_rr")
    lines = ["study,yi,vi,alloc"]
    for s, y, v, g in zip(ds["study"], ds["yi"], ds["vi"], ds["group"], strict=True):
        lines.append(f'"{s}",{float(y)!r},{float(v)!r},{g}')
    return _write(tmp_path, "\n".join(lines) + "\n", "bcg.csv")


def _run_json(capsys, argv: list[str]) -> dict:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_json_output_has_documented_keys(tmp_path, capsys):
    out = _run_json(capsys, ["pool", _bcg_csv(tmp_path), "--json", "--measure", "RR"])
    assert list(out)[: len(DOCUMENTED_KEYS)] == DOCUMENTED_KEYS
    assert set(POOL_KEYS) <= set(out)
    ds = dataset("bcg_rr")
    ref = pool(ds["yi"], ds["vi"], measure="RR").to_dict()
    assert out == ref
    # metafor: rma(yi, vi, data=dat.bcg |> escalc("RR", ...)) -> -0.7145 (0.1798), I^2 92.22%
    assert out["estimate"] == pytest.approx(-0.7145323, abs=1e-7)
    assert out["i2"] == pytest.approx(92.22138, abs=1e-5)


def test_arm_statistics_become_hedges_g(tmp_path, capsys):
    case = next(c for c in load()["escalc"] if c["name"] == "normand1999" and c["measure"] == "SMD")
    cols = ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i")
    rows = [",".join(cols)] + [
        ",".join(str(case[c][i]) for c in cols) for i in range(len(case["yi"]))
    ]
    path = _write(tmp_path, "\n".join(rows) + "\n")
    out = _run_json(capsys, ["pool", path, "--json", "--method", "DL"])
    ref = pool(case["yi"], case["vi"], method="DL")
    assert out["measure"] == "SMD" and out["k"] == 9
    assert out["estimate"] == pytest.approx(ref.estimate, rel=1e-10)
    md = _run_json(capsys, ["pool", path, "--json", "--measure", "MD", "--method", "FE"])
    assert md["measure"] == "MD" and md["tau2"] is None


def test_subgroups_and_leave_one_out(tmp_path, capsys):
    out = _run_json(
        capsys,
        [
            "pool",
            _bcg_csv(tmp_path),
            "--json",
            "--subgroup",
            "alloc",
            "--leave-one-out",
            "--test",
            "knha",
        ],
    )
    assert list(out["subgroups"]) == ["alternate", "random", "systematic"]
    assert out["subgroups"]["random"]["k"] == 7
    assert out["q_between_df"] == 2 and out["q_between"] > 0
    assert out["subgroup_mixed_effects"]["qm_df"] == 2
    loo = out["leave_one_out"]
    assert len(loo) == 13 and loo[0]["study"] == "Aronson 1948"
    assert set(DOCUMENTED_KEYS) <= set(loo[0])
    assert all(row["k"] == 12 and row["test"] == "knha" for row in loo)


def test_aggregate_clusters(tmp_path, capsys):
    path = _write(
        tmp_path,
        "study,yi,vi,paper\nA1,0.1,0.01,p1\nA2,0.3,0.02,p1\nB,0.35,0.015,p2\nC,0.6,0.03,p3\n",
    )
    out = _run_json(
        capsys, ["pool", path, "--json", "--aggregate", "paper", "--rho", "0.5", "--leave-one-out"]
    )
    assert out["k"] == 3
    assert out["aggregated"] == {"column": "paper", "rho": 0.5, "rows": 4, "clusters": 3}
    assert [row["study"] for row in out["leave_one_out"]] == ["p1", "p2", "p3"]


def test_text_summary(tmp_path, capsys):
    assert main(["pool", _bcg_csv(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert "Random-Effects Model (k = 13; tau^2 estimator: REML)" in text
    assert "Q-profile" in text


def test_single_study(tmp_path, capsys):
    out = _run_json(capsys, ["pool", _write(tmp_path, "yi,vi\n0.4,0.04\n"), "--json"])
    assert out["k"] == 1 and out["tau2"] is None and out["i2"] is None
    assert out["message"].startswith("single study")


@pytest.mark.parametrize(
    ("text", "args", "expected"),
    [
        ("yi,vi\n0.1,0.01\nabc,0.02\n", [], "line 3, column 'yi': not a finite number"),
        ("yi,vi\n0.1,0.01\n0.2,\n", [], "line 3, column 'vi': missing value"),
        ("yi,vi\n0.1,0.01\n0.2,-0.1\n", [], "sampling variance must be positive"),
        ("a,b\n1,2\n", [], "needs columns yi and vi"),
        ("yi,vi\n0.1,0.01\n", ["--subgroup", "grp"], "no column 'grp'"),
        ("yi,vi\n0.1,0.01\n", ["--rho", "0.5"], "--aggregate and --rho go together"),
        (
            "yi,vi,c\n0.1,0.01,a\n0.2,0.01,a\n",
            ["--aggregate", "c", "--rho", "1"],
            "not positive definite",
        ),
        ("m1i,sd1i,n1i,m2i,sd2i,n2i\n1,1,1,0,1,2\n", [], "cannot compute SMD"),
        ("m1i,sd1i,n1i,m2i,sd2i,n2i\n1,1,5,0,-1,5\n", [], "standard deviation is negative"),
    ],
)
def test_user_errors_exit_2_without_traceback(tmp_path, capsys, text, args, expected):
    path = _write(tmp_path, text)
    assert main(["pool", path, *args]) == 2
    err = capsys.readouterr().err
    assert expected in err
    assert "Traceback" not in err


def test_missing_file(tmp_path, capsys):
    assert main(["pool", str(tmp_path / "nope.csv")]) == 2
    assert "file not found" in capsys.readouterr().err
