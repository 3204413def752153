"""The analyzer is built once, offline."""

from __future__ import annotations

from privacy.config import PrivacyConfig
from privacy.engine import build_analyzer
from privacy.recognizers.email import OfflineEmailRecognizer, offline_tld_extractor


def test_analyzer_is_cached_per_config(detector) -> None:
    assert build_analyzer(detector.config) is detector.analyzer
    assert build_analyzer(PrivacyConfig(allow_terms=detector.config.allow_terms)) is detector.analyzer


def test_email_recognizer_is_the_offline_one(detector) -> None:
    names = {type(r) for r in detector.analyzer.registry.recognizers}
    assert OfflineEmailRecognizer in names
    assert not any(r.name == "EmailRecognizer" and type(r) is not OfflineEmailRecognizer
                   for r in detector.analyzer.registry.recognizers)


def test_tld_extractor_never_fetches() -> None:
    extractor = offline_tld_extractor()
    assert extractor.suffix_list_urls == ()
    assert extractor("shop@example.co.uk").suffix == "co.uk"


def test_privacy_does_not_import_the_rest_of_the_app() -> None:
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "privacy"
    banned = {"agent", "server", "retrieval", "tools"}
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                mods = [node.module or ""]
            else:
                continue
            assert not any(m.split(".")[0] in banned for m in mods), (path, mods)
            assert "os.environ" not in ast.unparse(node)
        assert "os.environ" not in path.read_text() and "getenv" not in path.read_text()
