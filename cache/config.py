"""Where things live and the user's settings (a TOML file in platformdirs' user config dir)."""

# Annotations are evaluated here, not strings: see the note in cache/model.py (NamedTuple fields).

import os
import re
from pathlib import Path
from typing import NamedTuple

from . import __version__
from .errors import UsageError
from .text import visible
from .urls import DEFAULT_SOURCE

DEFAULT_USER_AGENT = f"sz-digest/{__version__} (+terminal reader of the Shenzhen Social Work Weekly Digest)"
APP_NAME = "sz-digest"
THEME_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")


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


MAX_CONFIG_BYTES = 1024 * 1024  # a config file is a few lines; anything bigger is a mistake
MAX_CONCURRENCY = 16
MAX_REFRESH_HOURS = 24 * 365  # a year; 0 turns the automatic refresh off
MAX_USER_AGENT = 300
MAX_KEYS_VALUE = 200
MAX_ON_NEW_TIMEOUT = 600.0
KEYS = ("source", "user_agent", "concurrency", "refresh_interval_hours", "lang", "keys", "on_new", "on_new_timeout", "theme")


class Config(NamedTuple):
    """The validated settings. A NamedTuple, not a frozen dataclass: every CLI command loads it, and
    importing `dataclasses` (it imports `inspect`, `ast`, `dis`…) cost ~15 ms of CPU per command,
    a third of Python's own start-up. Change a field with `config._replace(source=...)`."""

    source: str = DEFAULT_SOURCE
    user_agent: str = DEFAULT_USER_AGENT
    concurrency: int = 4
    refresh_interval_hours: float = 6.0
    lang: str | None = None  # "zh" | "en"; None follows the locale
    keymap: dict[str, str] = {}  # binding id -> keys, for App.set_keymap (read, never changed in place)
    on_new: tuple[str, ...] = ()  # a command (argv) given each watch's new matches as JSON on stdin
    on_new_timeout: float = 10.0  # seconds before that command is stopped
    theme: str | None = None  # a Textual theme name, saved by the reader when one is picked
    path: Path | None = None  # the file it came from, for messages about it
    warnings: tuple[str, ...] = ()  # unknown keys (with the closest known one): said once, not fatal


def closest(name: str, choices) -> str:
    """" (did you mean 'x'?)" for the closest valid name, or "" when nothing is close."""
    import difflib

    found = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{found[0]}'?)" if found else ""


def _shown(value: object, limit: int = 40) -> str:
    """A value quoted in a message: one line, printable, short."""
    return visible(repr(value), limit)


def _read_config_bytes(path: Path) -> bytes | None:
    """The file's bytes; None if there is none. Never blocks on a FIFO, never reads a huge file."""
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UsageError(f"cannot read config file {path}: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UsageError(f"cannot read config file {path}: not a regular file")
        if info.st_size > MAX_CONFIG_BYTES:
            raise UsageError(f"config file {path} is too large ({info.st_size} bytes; at most {MAX_CONFIG_BYTES})")
        chunks = []
        size = 0
        while chunk := os.read(fd, 65536):
            size += len(chunk)
            if size > MAX_CONFIG_BYTES:
                raise UsageError(f"config file {path} is too large (over {MAX_CONFIG_BYTES} bytes)")
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise UsageError(f"cannot read config file {path}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def load_config(path: Path | None = None) -> Config:
    """Read and validate the whole config file (docs/cli.md lists the keys and their ranges).

    Every bad value is a UsageError naming the file, the key and the allowed values or range; an
    unknown key is a warning (in `Config.warnings`) naming the closest known key.
    """
    import math

    path = path or default_config_path()
    raw = _read_config_bytes(path)
    if raw is None:
        return Config()
    import tomllib  # only when there is a file: the parser costs start-up time

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError, ValueError) as exc:
        reason = str(exc) if not isinstance(exc, RecursionError) else "nested too deeply"
        raise UsageError(f"config file {path} is not valid TOML: {_shown(reason, 200)[1:-1]}") from None

    def bad(key: str, reason: str) -> UsageError:
        return UsageError(f"config file {path}: '{key}' {reason}")

    def get(key: str, kind: type | tuple[type, ...], default, described: str):
        value = data.get(key, default)
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            return_value = _shown(value)
            raise bad(key, f"must be {described}, not {return_value}")
        return value

    def number(key: str, default: float, low: float, high: float, described: str, *,
               above_low: bool = False) -> float:
        """A finite number in [low, high] (or (low, high]); ints too big for a float are refused too."""
        value = get(key, (int, float), default, described)
        if isinstance(value, int) and abs(value) > high:
            raise bad(key, f"must be {described}, not {_shown(value)}")
        value = float(value)
        if not math.isfinite(value) or not (low < value if above_low else low <= value) or value > high:
            raise bad(key, f"must be {described}, not {_shown(value)}")
        return value

    warnings = [f"config file {path}: unknown key '{_shown(key)[1:-1]}' ignored{closest(key, KEYS)}"
                for key in data if key not in KEYS]

    from .urls import origin_of

    source = get("source", str, DEFAULT_SOURCE, "an http:// or https:// URL")
    if origin_of(source) is None or any(ch.isspace() for ch in source):
        raise bad("source", f"must be an http:// or https:// URL with a host (and a port of 0-65535), "
                            f"not {_shown(source, 80)}")
    user_agent = get("user_agent", str, DEFAULT_USER_AGENT, "a string")
    if not user_agent.strip() or len(user_agent) > MAX_USER_AGENT or not all(" " <= ch <= "~" for ch in user_agent):
        raise bad("user_agent", f"must be printable ASCII on one line, 1 to {MAX_USER_AGENT} characters, "
                                f"not {_shown(user_agent)}")
    concurrency = get("concurrency", int, 4, f"a whole number from 1 to {MAX_CONCURRENCY}")
    if not 1 <= concurrency <= MAX_CONCURRENCY:
        raise bad("concurrency", f"must be a whole number from 1 to {MAX_CONCURRENCY}, not {concurrency}")
    refresh = number("refresh_interval_hours", 6.0, 0, MAX_REFRESH_HOURS,
                     f"a number of hours from 0 to {MAX_REFRESH_HOURS} (0 turns the automatic refresh off)")
    lang = data.get("lang")
    if lang is not None and lang not in ("zh", "en"):
        raise bad("lang", f"must be \"zh\" or \"en\", not {_shown(lang)}")
    keys = get("keys", dict, {}, "a table of binding ids to key strings")
    for binding_id, value in keys.items():
        if not isinstance(value, str) or not value.strip() or len(value) > MAX_KEYS_VALUE:
            raise bad(f"keys.{_shown(binding_id)[1:-1]}",
                      f"must be a key string such as \"ctrl+n\" or \"j,down\", not {_shown(value)}")
    on_new = get("on_new", (str, list), [], "a command: a string or a list of strings")
    if isinstance(on_new, str):
        import shlex

        try:
            on_new = shlex.split(on_new)
        except ValueError as exc:
            raise bad("on_new", f"is not a command line: {exc}") from None
    if not all(isinstance(part, str) and "\x00" not in part for part in on_new):
        raise bad("on_new", f"must be a command: a string or a list of strings, not {_shown(on_new)}")
    on_new_timeout = number("on_new_timeout", 10.0, 0, MAX_ON_NEW_TIMEOUT,
                            f"a number of seconds above 0 and at most {MAX_ON_NEW_TIMEOUT:g}", above_low=True)
    theme = data.get("theme")
    if theme is not None and not (isinstance(theme, str) and THEME_NAME.fullmatch(theme)):
        raise bad("theme", f"must be a theme name such as \"textual-light\", not {_shown(theme)}")
    return Config(
        on_new=tuple(on_new),
        on_new_timeout=on_new_timeout,
        theme=theme,
        source=source,
        user_agent=user_agent,
        concurrency=concurrency,
        refresh_interval_hours=refresh,
        lang=lang,
        keymap=dict(keys),
        path=path,
        warnings=tuple(warnings),
    )


def save_theme(theme: str, path: Path | None = None) -> Path:
    """Set the top-level `theme = "..."` in the config file, keeping every other line as it was.

    The line goes before the first `[table]` (a top-level key after one would belong to it); the
    file is replaced atomically, so a crash leaves the old file or the new one, never half of one.
    """
    if not THEME_NAME.fullmatch(theme):
        raise UsageError(f"not a theme name: {theme!r}")
    path = path or default_config_path()
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        text = ""
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read config file {path}: {exc}") from None
    line = f'theme = "{theme}"'
    lines = text.splitlines()
    first_table = next((n for n, row in enumerate(lines) if row.lstrip().startswith("[")), len(lines))
    for n in range(first_table):
        if re.match(r"\s*theme\s*=", lines[n]):
            lines[n] = line
            break
    else:
        lines.insert(0, line)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text("\n".join(lines) + "\n", "utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        raise UsageError(f"cannot write config file {path}: {exc.strerror or exc}") from None
    return path
