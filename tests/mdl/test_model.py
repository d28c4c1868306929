"""The model file: translation cache, error reporting, documentation and the fast lookup path."""

import re
import shutil

import pandas as pd
import pytest

from runners.core import paths
from runners.core.errors import SnowballError
from runners.mdl import model
from runners.projection import run


def test_every_variable_has_units_and_a_comment():
    doc = model.load_model().doc
    doc = doc[doc["Real Name"] != "Time"]  # pysd's built-in clock, not a model equation
    missing_units = doc.loc[doc["Units"].isna() | (doc["Units"].astype(str).str.strip() == ""), "Real Name"]
    assert list(missing_units) == []
    short = doc.loc[doc["Comment"].astype(str).str.len() < 10, "Real Name"]
    assert list(short) == []


def test_every_placeholder_is_set_from_data():
    # Constants and tables marked "set by runners from data/" in the .mdl are exactly those
    # the loader provides, so no placeholder can reach a run.
    doc = model.load_model().doc
    marked = set(doc.loc[doc["Comment"].str.contains("set by runners from data/"), "Real Name"])
    provided = run.cached_inputs("cbo-2025-01")
    assert marked == set(provided.constants) | set(provided.tables)


def test_comments_on_data_set_variables_describe_the_default_vintage():
    # the .mdl's comments are what `snowball parameters` and `snowball tables` show; those on
    # values set from data/ still described CBO January 2025 and FY2024 ("Nominal GDP in FY2024
    # (CBO January 2025, actual)") while the runs used February 2026's FY2025 (30,330.3). A comment
    # that names a CBO edition names the default vintage's first (here February 2026), and every
    # "default: FYyyyy" is the default initial state's year (2025), "default: February 2026, to
    # FYyyyy" its last projection year (2036)
    from runners.inputs.vintage import DEFAULT_VINTAGE, vintage_meta

    months = "January|February|March|April|May|June|July|August|September|October|November|December"
    meta = vintage_meta(DEFAULT_VINTAGE)
    published = pd.Timestamp(meta["published"]).strftime("%B %Y")  # 2026-02-11 -> February 2026
    doc = model.load_model().doc
    marked = doc[doc["Comment"].str.contains("set by runners from data/")]
    assert len(marked) > 40
    for name, comment in zip(marked["Real Name"], marked["Comment"], strict=True):
        editions = re.findall(rf"(?<!\d )\b(?:{months}) 20\d\d\b", comment)  # not a date (30 June 2025)
        if editions:
            assert editions[0] == published, (name, comment)
        for year in re.findall(r"default: FY(\d{4})", comment):
            assert int(year) == meta["first_year"], (name, comment)
        for year in re.findall(rf"default: {published}, to FY(\d{{4}})", comment):
            assert int(year) == meta["last_projection_year"], (name, comment)


def test_one_view_per_sector():
    # the sketch generator titles each view "N group name" from the .mdl's equation groups
    text = paths.MODEL_FILE.read_text()
    views = re.findall(r"^\*(\d .+)$", text, flags=re.M)
    assert views == [
        "1 Debt and rollover",
        "2 Yields",
        "3 Holders",
        "4 Budget and crowding out",
        "5 Confidence",
        "6 Policy responses and spillovers",
        "7 Monetary policy, ratings and private markets",
        "8 Fiscal year reporting",
    ]


@pytest.mark.slow
def test_translation_is_cached_and_rebuilt_on_change(tmp_path):
    mdl = tmp_path / "m.mdl"
    shutil.copy(paths.MODEL_FILE, mdl)
    py = model.translate(mdl)
    first = py.stat().st_mtime_ns
    assert model.translate(mdl).stat().st_mtime_ns == first  # unchanged: not translated again
    mdl.write_text(mdl.read_text().replace("long bond spread=\n\t0.4", "long bond spread=\n\t0.5"))
    model.translate(mdl)
    assert "0.5" in py.read_text()


@pytest.mark.slow
def test_broken_equation_is_named(tmp_path):
    mdl = tmp_path / "broken.mdl"
    text = paths.MODEL_FILE.read_text().replace(
        "primary outlays - revenues", "primary outlays - - * revenues", 1
    )
    mdl.write_text(text)
    with pytest.raises(
        SnowballError, match=r"broken.mdl: line \d+: equation 'primary deficit' does not parse"
    ):
        model.translate(mdl)
    assert not mdl.with_suffix(".py").exists()


@pytest.mark.slow
def test_fast_lookups_equal_pysds_own(baseline, baseline_result):
    with model.pysd_lookups():
        slow = run.run(baseline, until=2035).results
        assert not any(type(o).__name__.startswith("Fast") for o in model._lookup_objects(model.base_model()))
    pd.testing.assert_frame_equal(slow, baseline_result.results.loc[:2035], rtol=1e-12)


@pytest.mark.slow
def test_algebraic_loop_is_named(tmp_path):
    mdl = tmp_path / "loop.mdl"
    mdl.write_text(
        paths.MODEL_FILE.read_text().replace("primary outlays + net interest", "primary outlays + deficit", 1)
    )
    with pytest.raises(
        SnowballError, match=r"loop.mdl: algebraic loop with no stock in it: .*deficit -> outlays"
    ):
        model.load_translated(model.translate(mdl))


@pytest.mark.slow
def test_undefined_reference_is_named(tmp_path):
    mdl = tmp_path / "typo.mdl"
    mdl.write_text(
        paths.MODEL_FILE.read_text().replace("primary outlays - revenues", "primary outlays - revenuez", 1)
    )
    with pytest.raises(
        SnowballError, match=r"typo.mdl: line \d+: equation 'primary deficit' fails \('revenuez'\)"
    ):
        model.translate(mdl)
