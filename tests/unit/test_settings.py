"""Settings from the environment: each declared once (``shared.settings``), integers
read as integers, a value that will not do refused with its variable named, secrets
from files, and the defaults that follow from others."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from services.cli import main
from shared.contract.sealing import new_cipher_key
from shared.settings import Settings, SettingsError, variable_of

INTEGERS = sorted(name for name, f in Settings.model_fields.items() if f.annotation is int)


@contextmanager
def environment(**variables: str) -> Iterator[None]:
    """The process environment with these LIAISON_ variables and no others."""
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith("LIAISON_")]:
            patch.delenv(name)
        for name, value in variables.items():
            patch.setenv(name, value)
        yield


def test_every_integer_setting_is_found() -> None:
    assert {"projector_batch_size", "postgres_pool_size", "need_due_days"} <= set(INTEGERS)


@given(
    name=st.sampled_from(INTEGERS),
    value=st.floats(min_value=0.01, max_value=1e6).filter(lambda x: x != int(x)),
)
def test_an_integer_setting_refuses_a_fraction_naming_its_variable(name: str, value: float) -> None:
    with environment(**{variable_of(name): str(value)}), pytest.raises(SettingsError) as refused:
        Settings.from_env()
    assert str(refused.value).startswith(f"{variable_of(name)}: ")
    assert "integer" in str(refused.value)


def within_bounds(name: str) -> st.SearchStrategy[int]:
    """The integers a setting declares it takes (1 to 60,000 unless it says less)."""
    most = min(
        [
            60_000,
            *(bound.le for bound in Settings.model_fields[name].metadata if hasattr(bound, "le")),
        ]
    )
    return st.integers(min_value=1, max_value=most)


@given(data=st.data(), name=st.sampled_from(INTEGERS))
def test_an_integer_setting_reads_as_that_integer(data: st.DataObject, name: str) -> None:
    value = data.draw(within_bounds(name))
    with environment(**{variable_of(name): f" {value} "}):
        read = getattr(Settings.from_env(), name)
    assert read == value and type(read) is int


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("LIAISON_PROJECTOR_BATCH_SIZE", "0"),
        ("LIAISON_EXCELLENT_SHARE", "1.5"),
        ("LIAISON_PORT", "http"),
        ("LIAISON_LOG_FORMAT", "xml"),
        ("LIAISON_DATABASE_URL", "mysql://db/liaison"),
        ("LIAISON_READ_WAIT_SECONDS", "soon"),
    ],
)
def test_a_value_that_will_not_do_is_refused_with_its_variable(variable: str, value: str) -> None:
    with environment(**{variable: value}), pytest.raises(SettingsError, match=f"^{variable}: "):
        Settings.from_env()


def test_a_secret_is_not_repeated_in_its_refusal() -> None:
    with environment(LIAISON_CIPHER_KEY="c2VjcmV0"), pytest.raises(SettingsError) as refused:
        Settings.from_env()
    assert "LIAISON_CIPHER_KEY" in str(refused.value)
    assert "c2VjcmV0" not in str(refused.value)


def test_the_embedded_default_keeps_everything_in_the_data_directory(tmp_path: Path) -> None:
    with environment(LIAISON_DATA_DIR=str(tmp_path)):
        settings = Settings.from_env()
    assert settings.database_url == f"sqlite:///{tmp_path / 'events.sqlite'}"
    assert settings.read_database_url == f"sqlite:///{tmp_path / 'readmodels.sqlite'}"
    assert settings.auth_keys_file == str(tmp_path / "auth-keys")
    assert settings.embedded


def test_a_postgresql_store_keeps_its_read_models_and_no_key_file() -> None:
    url = "postgresql://liaison@db:5432/liaison"
    with environment(LIAISON_DATABASE_URL=url, LIAISON_AMQP_URL=""):
        settings = Settings.from_env()
    assert settings.read_database_url == url
    assert settings.auth_keys_file is None
    assert settings.amqp_url is None, "an empty variable is no value"


def test_a_secret_comes_from_its_file_unless_the_variable_gives_it(tmp_path: Path) -> None:
    in_file, in_variable = new_cipher_key(), new_cipher_key()
    secret = tmp_path / "cipher-key"
    secret.write_text(f"{in_file}\n")
    with environment(LIAISON_CIPHER_KEY_FILE=str(secret)):
        assert Settings.from_env().cipher_key == in_file
    with environment(LIAISON_CIPHER_KEY_FILE=str(secret), LIAISON_CIPHER_KEY=in_variable):
        assert Settings.from_env().cipher_key == in_variable
    with (
        environment(LIAISON_CIPHER_KEY_FILE=str(tmp_path / "missing")),
        pytest.raises(SettingsError, match="LIAISON_CIPHER_KEY_FILE: cannot read"),
    ):
        Settings.from_env()


def test_variables_of_other_tools_are_left_alone() -> None:
    with environment(LIAISON_TOKEN="a token for `liaison demo`", LIAISON_TEST_POSTGRES="1"):
        assert Settings.from_env().projector_batch_size == 200


def test_settings_made_in_code_are_checked_like_the_environment(tmp_path: Path) -> None:
    with environment():
        settings = Settings(data_dir=tmp_path, amqp_url=None, projector_batch_size=50)
        assert settings.database_url == f"sqlite:///{tmp_path / 'events.sqlite'}"
        assert settings.with_overrides(read_wait_seconds=0.2).read_wait_seconds == 0.2
        with pytest.raises(ValidationError, match="projector_batch_size"):
            settings.with_overrides(projector_batch_size=2.5)


def test_a_command_refuses_to_start_on_a_bad_setting(capsys: pytest.CaptureFixture[str]) -> None:
    with environment(LIAISON_PROJECTOR_BATCH_SIZE="2.5"):
        assert main(["migrate"]) == 2
    assert "liaison migrate: LIAISON_PROJECTOR_BATCH_SIZE: " in capsys.readouterr().err
