"""The translation cache (issue 9): the translated .py is checked by its own hash, not trusted."""

import pytest

from runners.core.paths import REPO
from runners.mdl import model


@pytest.mark.slow
def test_damaged_or_edited_translation_is_rebuilt(tmp_path):
    # the issue: a truncated models/snowball.py gave a traceback on every run and was never
    # rebuilt; an edited one was used silently while run.json reported the .mdl's hash
    mdl = tmp_path / "snowball.mdl"
    mdl.write_bytes((REPO / "models" / "snowball.mdl").read_bytes())
    py = model.translate(mdl)
    fresh = py.read_bytes()
    assert model.cache_valid(mdl)
    py.write_bytes(fresh[: len(fresh) // 2])  # truncated
    assert model.translate(mdl).read_bytes() == fresh
    assert model.cache_valid(mdl)
    py.write_bytes(fresh.replace(b"return 0", b"return 1", 1))  # edited
    assert not model.cache_valid(mdl)
    assert model.translate(mdl).read_bytes() == fresh
    assert model.load_translated(py) is not None


@pytest.mark.slow
def test_translation_goes_to_the_cache_folder_when_asked(tmp_path, monkeypatch):
    # an installed Snowball (or SNOWBALL_CACHE_DIR) never writes beside the packaged .mdl
    folder = tmp_path / "package"
    folder.mkdir()
    mdl = folder / "snowball.mdl"
    mdl.write_bytes((REPO / "models" / "snowball.mdl").read_bytes())
    monkeypatch.setenv("SNOWBALL_CACHE_DIR", str(tmp_path / "cache"))
    py = model.translate(mdl)
    assert py.is_relative_to(tmp_path / "cache") and py.is_file()
    assert sorted(p.name for p in folder.iterdir()) == ["snowball.mdl"]
    assert model.cache_valid(mdl)
