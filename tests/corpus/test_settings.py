"""Settings: defaults, TOML file, PNS_* environment variables; unknown keys and wrong types refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from pns.errors import ConfigError
from pns.settings import REPO_ROOT, Settings, load_settings


def test_defaults() -> None:
    settings = load_settings()
    assert settings == Settings()
    assert settings.corpus_dir == str(REPO_ROOT / "corpus")
    assert settings.objective_url("PNS16-B5-3") == "http://127.0.0.1:7860/?objective=PNS16-B5-3"


def test_environment_overrides_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PNS_PORT", "8000")
    settings = load_settings()
    assert settings.port == 8000
    assert settings.objective_url("PNS16-B4.2-1") == "http://127.0.0.1:8000/?objective=PNS16-B4.2-1"


def test_public_url_wins_over_host_and_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PNS_PUBLIC_URL", "https://pns.example.be/")
    assert load_settings().objective_url("PNS16-B5-3") == "https://pns.example.be/?objective=PNS16-B5-3"


def test_environment_beats_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "pns.toml").write_text("port = 9000\ntop_k = 7\n", encoding="utf-8")
    assert (load_settings().port, load_settings().top_k) == (9000, 7)  # ./pns.toml is read by default
    monkeypatch.setenv("PNS_PORT", "8000")
    assert (load_settings().port, load_settings().top_k) == (8000, 7)


def test_unknown_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PNS_FOO", "1")
    with pytest.raises(ConfigError) as info:
        load_settings()
    message = str(info.value)
    assert message.startswith("unknown setting(s) foo in environment variable PNS_FOO; known settings: ")
    assert "corpus_dir" in message.split("known settings: ")[1].split(", ")


@pytest.mark.parametrize(("name", "value", "message"), [
    ("PNS_PORT", "huit mille", "setting port from environment variable PNS_PORT must be a int, got 'huit mille'"),
    ("PNS_LLM_TIMEOUT", "vingt", "setting llm_timeout from environment variable PNS_LLM_TIMEOUT must be a float"),
])
def test_wrong_type_in_environment(monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert str(info.value).startswith(message)
    assert info.value.exit_code == 2


def test_unknown_key_in_file(tmp_path: Path) -> None:
    path = tmp_path / "custom.toml"
    path.write_text('colour = "blue"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"unknown setting\(s\) colour in .*custom\.toml"):
        load_settings(path)


def test_config_file_named_by_environment_must_exist(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PNS_CONFIG", str(tmp_path / "absent.toml"))
    with pytest.raises(ConfigError, match=r"settings file .*absent\.toml does not exist; create it or unset "
                                          r"PNS_CONFIG"):
        load_settings()


def test_invalid_toml_file(tmp_path: Path) -> None:
    path = tmp_path / "pns.toml"
    path.write_text("port = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"pns\.toml is not valid TOML"):
        load_settings(path)


def test_overrides_none_keeps_value(tmp_path: Path) -> None:
    settings = load_settings(embedder=None, index_dir=str(tmp_path))
    assert settings.embedder == "use-multilingual-v3,e5-small"
    assert settings.index_dir == str(tmp_path)


def test_fusion_settings_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings(fusion_weights="bm25=0.3, e5=0.7")
    assert settings.signal_weights(["bm25", "e5"]) == {"bm25": 0.3, "e5": 0.7}
    # a configured signal without a weight gets the mean of the listed encoders'; unconfigured ones are ignored
    assert load_settings(fusion_weights="bm25=0.2,use=0.2,e5=0.6").signal_weights(["bm25", "st"]) == {
        "bm25": 0.2, "st": 0.4}
    for bad in ("bm25", "bm25=x", "bm25=-1", "=0.5"):
        with pytest.raises(ConfigError, match=r"setting fusion_weights: .* is not 'signal=weight'"):
            load_settings(fusion_weights=bad)
    monkeypatch.setenv("PNS_FUSION", "max")
    with pytest.raises(ConfigError, match="setting fusion must be 'convex' or 'rrf', got 'max'"):
        load_settings()
    monkeypatch.setenv("PNS_FUSION", "rrf")
    assert load_settings().fusion == "rrf"


@pytest.mark.parametrize("value", ["true", "7860.5"])
def test_wrong_toml_type_for_an_int(tmp_path: Path, value: str) -> None:
    path = tmp_path / "pns.toml"
    path.write_text(f"port = {value}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="setting port"):
        load_settings(path)


@pytest.mark.parametrize(("variable", "value", "message"), [
    ("PNS_TOP_K", "0", "pns: error: setting top_k must be between 1 and 50, got 0"),
    ("PNS_TOP_K", "-5", "pns: error: setting top_k must be between 1 and 50, got -5"),
    ("PNS_MAX_QUESTION_CHARS", "0", "pns: error: setting max_question_chars must be between 20 and 1000000, got 0"),
    ("PNS_PORT", "70000", "pns: error: setting port must be between 1 and 65535, got 70000"),
    ("PNS_LLM_TIMEOUT", "0", "pns: error: setting llm_timeout must be between 0.1 and 600, got 0.0"),
])
def test_numeric_settings_out_of_range_are_one_line_errors(monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str], variable: str,
                                                            value: str, message: str) -> None:
    from pns.cli import main

    monkeypatch.setenv(variable, value)
    assert main(["objectives", "--theme", "B9"]) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", message + "\n")


def test_every_bound_names_a_numeric_setting_and_admits_its_default() -> None:
    import dataclasses

    from pns.settings import BOUNDS, Settings

    defaults = {f.name: f.default for f in dataclasses.fields(Settings)}
    assert all(isinstance(defaults[name], (int, float)) and low <= defaults[name] <= high
               for name, (low, high) in BOUNDS.items())
