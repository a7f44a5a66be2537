"""``snakemake --report`` of the example review, opened in a real browser.

The example review is run on a copy restricted to two outcomes, which between them give every
kind of result the report files: *Hope* (pooled analyses with forest, subgroup forest,
leave-one-out and funnel plots) and *Knowledge of mental illness* (single-study analyses, not
pooled), besides the PRISMA diagram, the risk-of-bias plots and the two tables. The whole review
would take several minutes on two cores; the part the report adds does not depend on how many
outcomes there are.

The copy's labels carry HTML on purpose (the review's title, the second outcome's label), the
kind of text a title exported from a bibliographic database contains: the report must show it
as text, never run it.

Then ``snakemake --report results/report.html``, and the report is opened in headless Chromium
(Debian's ``chromium``, installed by ``tools/browser/chromium.py`` when missing and root) driven
through the DevTools protocol: every category and subcategory is opened from the menu, every
figure shown (its ``<img>`` must load with a non-zero natural size) and every description
opened; the console must stay free of errors. Screenshots of the front page and of one figure
page go to ``results/report.png`` and ``results/report-figure.png`` in the copy.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import re
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from tests.workflow.review import REPO, copy_review, snakemake

pytestmark = [pytest.mark.workflow, pytest.mark.slow]

BROWSER_TOOL = REPO / "tools" / "browser" / "chromium.py"
#: The outcomes the copy keeps (see the module docstring).
OUTCOMES = ("hope", "knowledge_of_illness")
#: Labels with markup in them: shown as text, never run (window.__injected stays undefined).
HOSTILE_TITLE = (
    'IMR <b>reproduced</b> & "checked" <img src=x onerror="window.__injected = 1">'
    " </script><script>window.__injected = 2</script>"
)
HOSTILE_OUTCOME = (
    'Knowledge of <i>mental</i> illness {scale} & "more" '
    "</script><script>window.__injected = 3</script>"
)
#: The category that outcome gets (workflow/rules/report.smk): tags removed, the rest as text;
#: "{scale}" is not a wildcard (an invisible word joiner follows the brace).
HOSTILE_CATEGORY = 'Knowledge of mental illness {\u2060scale} & "more" window.__injected = 3'
REVIEW_CATEGORIES = ("Study selection", "Risk of bias", "All analyses")


def _load_browser_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("srma_browser_chromium", BROWSER_TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _keep_outcomes(review: Path, keep: tuple[str, ...]) -> None:
    """Restrict the copy to some outcomes: the config, and the rows of the outcome table."""
    config_path = review / "config" / "config.yaml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    config["review"]["title"] = HOSTILE_TITLE
    config["outcomes"] = [o for o in config["outcomes"] if o["id"] in keep]
    for outcome in config["outcomes"]:
        if outcome["id"] == "knowledge_of_illness":
            outcome["label"] = HOSTILE_OUTCOME
    overrides = config["analysis"].get("overrides", [])
    config["analysis"]["overrides"] = [o for o in overrides if o.get("outcome") in keep]
    # Studies with rows only for the outcomes left out now have no outcome data: the check that
    # every included study has some (srma.conservation.check_included_data) would stop the run.
    config["extraction"]["check_included"] = False
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False))
    # Filter the outcome table line by line, so the kept lines stay byte for byte as they were.
    table = review / config["extraction"]["outcome_data"]
    lines = table.read_text(encoding="utf-8").splitlines(keepends=True)
    header = next(csv.reader(io.StringIO(lines[0])))
    column = header.index("outcome")
    kept = [lines[0]]
    for line in lines[1:]:
        row = next(csv.reader(io.StringIO(line)))
        assert len(row) == len(header), f"{table.name}: a row spans lines: {line!r}"
        if row[column] in keep:
            kept.append(line)
    table.write_text("".join(kept), encoding="utf-8")


def _report_data(html: str) -> dict[str, object]:
    """The report's embedded data: results, categories, front page."""
    data = {}
    for element, name in (
        ("results", "results"),
        ("categories", "categories"),
        ("workflow-desc", "workflow_desc"),
    ):
        match = re.search(rf'<script id="{element}">\s*var {name} = (.*?);\s*</script>', html, re.S)
        assert match, f"no `var {name}` in the report"
        data[name] = json.loads(match.group(1))
    return data


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> dict[str, object]:
    review = copy_review(tmp_path_factory.mktemp("report") / "review")
    _keep_outcomes(review, OUTCOMES)
    t0 = time.monotonic()
    run = snakemake(review)
    assert run.returncode == 0, run.output[-4000:]
    t1 = time.monotonic()
    run = snakemake(review, "--report", "results/report.html")
    assert run.returncode == 0, run.output[-4000:]
    t2 = time.monotonic()
    html = (review / "results" / "report.html").read_text(encoding="utf-8")
    print(f"\nworkflow {t1 - t0:.1f} s, snakemake --report {t2 - t1:.1f} s")
    return {"review": review, "html": html, **_report_data(html)}


# --------------------------------------------------------------------------- the report's data


def test_every_figure_and_table_is_in_the_report(report):
    review = report["review"]
    figures = sorted(
        p.relative_to(review).as_posix() for p in review.glob("results/figures/**/*.svg")
    )
    expected = figures + ["results/pooled/summary.csv", "results/prisma/counts.csv"]
    assert sorted(report["results"]) == sorted(expected)
    assert {p.split("/")[2] for p in figures} == {"outcomes", "prisma", "risk_of_bias"}
    kinds = {Path(p).name.split(".")[2] for p in figures if p.split("/")[2] == "outcomes"}
    assert kinds == {"forest", "subgroups", "leave_one_out", "funnel"}


def test_results_are_grouped_by_outcome_and_analysis(report):
    categories = report["categories"]
    assert set(categories) == {*REVIEW_CATEGORIES, "Hope", HOSTILE_CATEGORY}
    hope = categories["Hope"]
    assert set(hope) == {
        "Post-test, complete cases",
        "Follow-up, complete cases",
        "Follow-up, intention to treat",
    }
    results = report["results"]
    figures = {results[p]["labels"]["Figure"] for p in hope["Post-test, complete cases"]}
    assert figures == {
        "Forest plot",
        "Forest plot by comparator type",
        "Leave-one-out",
        "Funnel plot",
    }
    assert sorted(categories["Study selection"]["Other"]) == [
        "results/figures/prisma/prisma.svg",
        "results/prisma/counts.csv",
    ]
    assert sorted(categories["Risk of bias"]["Other"]) == [
        "results/figures/risk_of_bias/summary.svg",
        "results/figures/risk_of_bias/traffic_light.svg",
    ]
    assert categories["All analyses"]["Other"] == ["results/pooled/summary.csv"]
    # every result of an analysis is filed under its own outcome and analysis
    outcome_of = {"Hope": "hope", HOSTILE_CATEGORY: "knowledge_of_illness"}
    timepoints = {"post": "Post-test", "followup": "Follow-up"}
    populations = {"cc": "complete cases", "itt": "intention to treat"}
    for category, outcome in outcome_of.items():
        for subcategory, paths in categories[category].items():
            for path in paths:
                assert Path(path).parent.name == outcome, path
                stem = Path(path).name.split(".")
                assert subcategory == f"{timepoints[stem[0]]}, {populations[stem[1]]}", path


def test_every_result_has_a_clean_caption(report):
    for path, result in report["results"].items():
        caption = result["caption"]
        assert len(caption) > 300, f"{path}: caption too short: {caption!r}"
        # a reST or Jinja problem shows up as a docutils system message inside the caption
        assert "system-message" not in caption, f"{path}: {caption}"
        assert "{{" not in caption and "{%" not in caption, path
    assert "system-message" not in report["workflow_desc"]


def test_captions_explain_how_each_figure_was_computed(report):
    results = report["results"]
    forest = results["results/figures/outcomes/hope/post.cc.forest.svg"]["caption"]
    for text in (
        "Hedges' g",
        "J(m)",
        "P &lt; 0.1",
        "I² ≥ 50%",
        "REML",
        "1/(vᵢ + τ²)",
        "(Q − df) / Q",
        "Hope, post-test, complete cases",
    ):
        assert text in forest, text
    not_pooled = results["results/figures/outcomes/knowledge_of_illness/post.cc.forest.svg"][
        "caption"
    ]
    assert "fewer than two studies is not pooled" in not_pooled
    funnel = results["results/figures/outcomes/hope/post.cc.funnel.svg"]["caption"]
    for text in ("Egger", "regtest()", "Trim-and-fill", "L0", "pseudo 95% confidence limits"):
        assert text in funnel, text
    loo = results["results/figures/outcomes/hope/post.cc.leave_one_out.svg"]["caption"]
    assert "model" in loo and "chosen for the main analysis" in loo
    subgroups = results["results/figures/outcomes/hope/post.cc.subgroups.comparator_type.svg"][
        "caption"
    ]
    assert "Test for subgroup differences" in subgroups and "Treatment as usual" in subgroups
    # the PRISMA counts table is shown as a table, read from the file the rule wrote
    counts = results["results/prisma/counts.csv"]["caption"]
    assert "<table" in counts
    assert re.search(r"<td>databases</td>\s*<td>records_identified</td>\s*<td>1093</td>", counts)
    assert "<td>studies_included</td>" in counts
    summary = results["results/pooled/summary.csv"]["caption"]
    assert "leave_out_" in summary and "Higgins" in summary


def test_markup_in_labels_is_shown_as_text(report):
    results = report["results"]
    caption = results["results/figures/outcomes/knowledge_of_illness/post.cc.forest.svg"]["caption"]
    assert "&lt;/script&gt;&lt;script&gt;window.__injected = 3&lt;/script&gt;" in caption
    assert "<script" not in caption and "<i>" not in caption
    assert "&lt;img src=x" in report["workflow_desc"]
    assert "<img" not in report["workflow_desc"]
    # no label can close the <script> elements that carry the report's data: Snakemake embeds
    # job params verbatim (the titles param holds the raw label), report.smk escapes every "<"
    html = report["html"]
    assert "titles={'followup.cc': 'Knowledge of \\u003ci>mental\\u003c/i> illness {scale}" in html
    assert "window.__injected" not in re.sub(r"<script[^>]*>.*?</script>", "", html, flags=re.S)


# --------------------------------------------------------------------------- in the browser

# Opens every category and subcategory from the menu, shows every result and its description,
# and returns what it saw. Runs inside the report (an async function, awaited).
NAVIGATE_JS = r"""
(async () => {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const until = async (test, what, ms = 10000) => {
    const t0 = performance.now();
    for (;;) {
      const value = test();
      if (value) return value;
      if (performance.now() - t0 > ms) throw new Error("timed out waiting for " + what);
      await sleep(25);
    }
  };
  const menuItem = (text) =>
    [...document.querySelectorAll("nav li > a")].find((a) => a.textContent.trim() === text);
  const shown = () => [...document.images].filter((img) => !img.closest("nav"));
  const seen = [];
  for (const category of Object.keys(categories).sort()) {
    app.setView({ navbarMode: "menu", category: undefined, subcategory: undefined });
    (await until(() => menuItem(category), "menu item " + category)).click();
    const subcategories = Object.keys(categories[category]).sort();
    for (const subcategory of subcategories) {
      if (subcategories.length > 1) {
        app.setView({ navbarMode: "category", category: category });
        (await until(() => app.state.navbarMode === "category" && menuItem(subcategory),
                     "subcategory " + subcategory)).click();
      }
      const rows = await until(() => {
        const r = [...document.querySelectorAll("nav table tbody tr")];
        return app.state.navbarMode === "subcategory" && app.state.subcategory === subcategory &&
          r.length === categories[category][subcategory].length && r;
      }, "rows of " + category + " / " + subcategory);
      // the result a row stands for, from its label (every result here is labelled)
      const paths = categories[category][subcategory];
      const pathOf = (label) => paths.find((p) => Object.values(results[p].labels)[0] === label);
      for (let i = 0; i < rows.length; i++) {
        const row = [...document.querySelectorAll("nav table tbody tr")][i];
        const label = row.querySelector("td").textContent;
        const path = pathOf(label);
        const [eye, info] = row.querySelectorAll("a");
        const entry = { category, subcategory, label, path };
        if (eye.getAttribute("href") === "#") {
          eye.click();
          // React renders after the click: wait for this result's image, fully decoded
          const img = await until(() => {
            const imgs = shown();
            return app.state.resultPath === path && imgs.length === 1 &&
              imgs[0].getAttribute("src") === results[path].data_uri &&
              imgs[0].complete && imgs[0].naturalWidth > 0 && imgs[0];
          }, "figure of " + label);
          await img.decode();
          const box = img.getBoundingClientRect();
          Object.assign(entry, { shown: "img",
            naturalWidth: img.naturalWidth, naturalHeight: img.naturalHeight,
            width: box.width, height: box.height });
        } else {
          Object.assign(entry, { shown: "download", href: eye.getAttribute("href").slice(0, 30),
            download: eye.getAttribute("download") });
        }
        row.querySelectorAll("a")[1].click();
        const caption = await until(() => app.state.navbarMode === "resultinfo" &&
          app.state.resultPath === path && document.querySelector("nav li.prose"),
          "description of " + label);
        entry.info_path = app.state.resultPath;
        entry.caption_text = caption.textContent;
        entry.caption_scripts = caption.querySelectorAll("script, img, iframe").length;
        seen.push(entry);
        app.setView({ navbarMode: "subcategory", category: category, subcategory: subcategory });
        await until(() => app.state.navbarMode === "subcategory", "back to " + subcategory);
      }
    }
  }
  return seen;
})()
"""


@pytest.fixture(scope="module")
def chromium():
    tool = _load_browser_tool()
    try:
        executable = tool.ensure_chromium(install=True)
    except tool.BrowserUnavailable as err:
        pytest.skip(str(err))
    with tool.Chromium(executable, width=1400, height=900) as browser:
        yield browser


@pytest.fixture(scope="module")
def browsed(report, chromium):
    """The report opened and walked through in Chromium: what it saw, and the page."""
    review = report["review"]
    t0 = time.monotonic()
    page = chromium.new_page()
    page.navigate((review / "results" / "report.html").as_uri())
    page.wait_for("document.querySelector('#loading-screen').style.display === 'none'")
    page.wait_for("typeof app !== 'undefined' && document.querySelector('nav') !== null")
    page.wait_for("document.querySelector('.prose h1') !== null")
    time.sleep(0.5)  # the rule graph (vega) draws asynchronously
    page.screenshot(review / "results" / "report.png")
    front_title = page.evaluate("document.querySelector('.prose h1').textContent")
    seen = page.evaluate(NAVIGATE_JS)
    # one figure page to look at: the analysis's list of figures beside its forest plot,
    # then the same figure with its description open
    figure = "results/figures/outcomes/hope/post.cc.forest.svg"
    shown = (
        "[...document.images].some(i => !i.closest('nav') && i.naturalWidth > 0 && "
        f"i.getAttribute('src') === results['{figure}'].data_uri)"
    )
    for mode, name in (("subcategory", "report-figure.png"), ("resultinfo", "report-caption.png")):
        # through the menu: the list of a subcategory is built when it is first shown
        page.evaluate("app.setView({navbarMode: 'menu'})")
        page.evaluate(
            f"app.setView({{navbarMode: '{mode}', content: 'img', resultPath: '{figure}', "
            f"contentPath: results['{figure}'].data_uri, "
            "category: 'Hope', subcategory: 'Post-test, complete cases'})"
        )
        page.wait_for(shown)
        page.screenshot(review / "results" / name)
    print(f"\nbrowser check {time.monotonic() - t0:.1f} s ({chromium.version()})")
    return {"seen": seen, "page": page, "front_title": front_title}


def test_report_opens_without_errors(browsed):
    page = browsed["page"]
    assert page.errors() == []
    assert page.evaluate("typeof window.__injected") == "undefined"
    # the front page shows the workflow description, with the review's title as text
    assert browsed["front_title"] == HOSTILE_TITLE


def test_every_result_is_reachable_from_the_menu(browsed, report):
    seen = browsed["seen"]
    assert sorted(e["info_path"] for e in seen) == sorted(report["results"])
    by_path = {e["info_path"]: e for e in seen}
    for path, entry in by_path.items():
        assert entry["caption_scripts"] == 0, path
        assert len(entry["caption_text"]) > 200, path
    assert by_path["results/figures/outcomes/knowledge_of_illness/post.cc.forest.svg"][
        "caption_text"
    ].startswith(f"Forest plot: {HOSTILE_OUTCOME}, post-test, complete cases.")


def test_every_figure_renders(browsed, report):
    seen = browsed["seen"]
    figures = [e for e in seen if e["shown"] == "img"]
    assert sorted(e["path"] for e in figures) == sorted(
        p for p in report["results"] if p.endswith(".svg")
    )
    for e in figures:
        assert e["path"] == e["info_path"]
        # matplotlib's SVGs are sized in points: at least a few hundred pixels each way
        assert e["naturalWidth"] > 200 and e["naturalHeight"] > 150, e
        assert e["width"] > 200 and e["height"] > 100, e
    tables = [e for e in seen if e["shown"] == "download"]
    assert sorted(e["info_path"] for e in tables) == [
        "results/pooled/summary.csv",
        "results/prisma/counts.csv",
    ]
    for e in tables:
        assert e["href"].startswith("data:text/csv"), e
        assert e["download"] == Path(e["info_path"]).name


def test_screenshots_are_written(browsed, report):
    for name in ("report.png", "report-figure.png", "report-caption.png"):
        shot = report["review"] / "results" / name
        data = shot.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        assert (width, height) == (1400, 900)
