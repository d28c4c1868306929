"""The translation cache (issue 9): the translated .py is checked by its own hash, not trusted."""

from runners import model
from runners.paths import REPO


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
