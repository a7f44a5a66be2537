# `snakemake --report results/report.html`: the report's front page, and the categories,
# subcategories and labels its results are filed under. The captions are in workflow/report/;
# each figure and table rule wraps its output in report(..., caption=..., category=...).
#
# Results are grouped by outcome (category: the outcome's label) and analysis (subcategory:
# "Post-test, complete cases"); the review-level results have categories of their own.

import html as _html
import re as _re


report: "../report/workflow.rst"


# Category names of the review-level results.
REPORT_SELECTION = "Study selection"
REPORT_RISK_OF_BIAS = "Risk of bias"
REPORT_ALL_ANALYSES = "All analyses"

_REPORT_TAG = _re.compile(r"<[^>]*>")
_REPORT_TAG_START = _re.compile(r"<(?=[A-Za-z/!?])")
_REPORT_WILDCARD = _re.compile(r"\{(?=\s*\w)")


def report_text(text):
    """A label as plain text for the report's menus and tables.

    Labels come from the config (and so, possibly, from titles with HTML in them). The report
    embeds them in a <script> element as JSON, which does not escape "</script>", so: HTML tags
    are removed, entities decoded, and a "<" that could still open a tag becomes "‹"; runs of
    white space become one space. React then shows the result as text. Snakemake also reads
    "{name}" in a category or label as a wildcard (and fails on an unknown one): a word joiner
    (U+2060, invisible) after such a "{" keeps it as text.
    """
    plain = _html.unescape(_REPORT_TAG.sub("", str(text)))
    plain = _REPORT_TAG_START.sub("\u2039", plain)
    plain = _REPORT_WILDCARD.sub("{\u2060", plain)
    return " ".join(plain.split())


def _escape_report_json():
    """Make the report's embedded data safe to hold any text.

    Snakemake (9.27) writes the report's data as JSON inside <script> elements, and JSON does
    not escape "<": a value holding "</script>" ends the element, and whatever follows is run as
    HTML. Our labels are cleaned by report_text(), but Snakemake also embeds every job's params
    verbatim (an analysis title made from a label with markup in it, for one). So each JSON the
    HTML reporter renders gets every "<" as the escape \\u003c: the same string once parsed.
    Done here because the report is built in the process that reads this file; the browser test
    (tests/workflow/test_report.py) fails if a Snakemake update stops this from working.
    """
    try:
        from snakemake.report.html_reporter import data as reporter_data
    except ImportError:  # another report plugin or a Snakemake without it: nothing to do
        return
    for name in dir(reporter_data):
        func = getattr(reporter_data, name)
        if not name.startswith("render_") or getattr(func, "srma_escaped", False):
            continue

        def escaped(*args, _func=func, **kwargs):
            rendered = _func(*args, **kwargs)
            return rendered.replace("<", "\\u003c") if isinstance(rendered, str) else rendered

        escaped.srma_escaped = True
        setattr(reporter_data, name, escaped)


_escape_report_json()


def _report_label_of(section, key):
    return {x["id"]: x["label"] for x in config["extraction"][section]}.get(key, key)


def report_outcome(wildcards):
    """Category of an analysis's results: the outcome's label."""
    return report_text(OUTCOMES[wildcards.outcome]["label"])


def report_analysis(wildcards):
    """Subcategory of an analysis's results: "Post-test, complete cases"."""
    timepoint = _report_label_of("timepoints", wildcards.timepoint)
    population = _report_label_of("populations", wildcards.population)
    return report_text(f"{timepoint}, {population[:1].lower()}{population[1:]}")


def report_figure_label(wildcards):
    """Label of one figure of an outcome: "Forest plot", "Forest plot by comparator type"."""
    from srma.figures.outcome import figure_label

    return {"Figure": report_text(figure_label(wildcards.figure))}
