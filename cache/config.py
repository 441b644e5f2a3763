"""Where things live and the user's settings (a TOML file in platformdirs' user config dir)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .errors import UsageError
from .urls import DEFAULT_SOURCE

DEFAULT_USER_AGENT = f"sz-digest/{__version__} (+terminal reader of the Shenzhen Social Work Weekly Digest)"
APP_NAME = "sz-digest"


def default_data_dir() -> Path:
    """`$SZ_DIGEST_HOME` when set, else platformdirs' user data dir (docs/cli.md)."""
    home = os.environ.get("SZ_DIGEST_HOME")
    if home:
        return Path(home).expanduser()
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def default_config_path() -> Path:
    override = os.environ.get("SZ_DIGEST_CONFIG")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False) / "config.toml"


@dataclass(frozen=True, slots=True)
class Config:
    source: str = DEFAULT_SOURCE
    user_agent: str = DEFAULT_USER_AGENT
    concurrency: int = 4
    refresh_interval_hours: float = 6.0
    lang: str | None = None  # "zh" | "en"; None follows the locale
    keymap: dict[str, str] = field(default_factory=dict)  # binding id -> keys, for App.set_keymap
    on_new: tuple[str, ...] = ()  # a command (argv) given each watch's new matches as JSON on stdin
    on_new_timeout: float = 10.0  # seconds before that command is stopped


def load_config(path: Path | None = None) -> Config:
    """Read the config file if there is one; a malformed file is a usage error naming the key."""
    path = path or default_config_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config()
    except OSError as exc:
        raise UsageError(f"cannot read config file {path}: {exc.strerror or exc}") from None
    import tomllib  # only when there is a file: the parser costs start-up time

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"config file {path} is not valid TOML: {exc}") from None

    def get(key: str, kind: type | tuple[type, ...], default):
        value = data.get(key, default)
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            raise UsageError(f"config file {path}: '{key}' must be {getattr(kind, '__name__', kind)}")
        return value

    source = get("source", str, DEFAULT_SOURCE)
    if not source.startswith(("http://", "https://")):
        raise UsageError(f"config file {path}: 'source' must be an http:// or https:// URL")
    concurrency = get("concurrency", int, 4)
    if not 1 <= concurrency <= 16:
        raise UsageError(f"config file {path}: 'concurrency' must be between 1 and 16")
    refresh = float(get("refresh_interval_hours", (int, float), 6.0))
    if refresh < 0:
        raise UsageError(f"config file {path}: 'refresh_interval_hours' must not be negative")
    lang = data.get("lang")
    if lang is not None and lang not in ("zh", "en"):
        raise UsageError(f"config file {path}: 'lang' must be \"zh\" or \"en\"")
    keys = get("keys", dict, {})
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in keys.items()):
        raise UsageError(f"config file {path}: [keys] maps binding ids to key strings")
    on_new = get("on_new", (str, list), [])
    if isinstance(on_new, str):
        import shlex

        try:
            on_new = shlex.split(on_new)
        except ValueError as exc:
            raise UsageError(f"config file {path}: 'on_new' is not a command line: {exc}") from None
    if not all(isinstance(part, str) for part in on_new):
        raise UsageError(f"config file {path}: 'on_new' is a command: a string or a list of strings")
    on_new_timeout = float(get("on_new_timeout", (int, float), 10.0))
    if not 0 < on_new_timeout <= 600:
        raise UsageError(f"config file {path}: 'on_new_timeout' must be between 0 and 600 seconds")
    return Config(
        on_new=tuple(on_new),
        on_new_timeout=on_new_timeout,
        source=source,
        user_agent=get("user_agent", str, DEFAULT_USER_AGENT),
        concurrency=concurrency,
        refresh_interval_hours=refresh,
        lang=lang,
        keymap=dict(keys),
    )
