"""The source registry: how far the analyst trusts each source, A (reliable) to F.

The registry is a TOML file the analyst keeps in version control::

    # allege source registry: A completely reliable … E unreliable, F cannot be judged
    [sources]
    "Russia One" = "D"
    "Reuters" = "B"

It lives at ``$ALLEGE_SOURCES``, else ``~/.config/allege/sources.toml`` (or
``$XDG_CONFIG_HOME/allege/sources.toml``), unless a path is given. Names match as the store
matches them (case, accents, "the" and punctuation do not count); a source the registry
does not know is F.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Iterable
from pathlib import Path

from ..errors import AllegeError
from ..store.entities import name_key

ENV_VAR = "ALLEGE_SOURCES"
RELIABILITY = "ABCDEF"
UNKNOWN = "F"
MEANINGS = {
    "A": "completely reliable", "B": "usually reliable", "C": "fairly reliable",
    "D": "not usually reliable", "E": "unreliable", "F": "reliability cannot be judged",
}
_HEADER = ("# allege source registry: A completely reliable, B usually reliable, "
           "C fairly reliable,\n# D not usually reliable, E unreliable, "
           "F cannot be judged (the default)\n[sources]\n")

#: name as written -> grade; look names up with :func:`reliability`.
Registry = dict[str, str]


class RegistryError(AllegeError):
    """The source registry cannot be read or a grade is not A–F."""

    exit_code = 2


def registry_path(path: str | Path | None = None) -> Path:
    """The registry file: ``path``, else ``$ALLEGE_SOURCES``, else the user's config file."""
    if path is not None:
        return Path(path).expanduser()
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "allege" / "sources.toml"


def load_registry(path: str | Path | None = None) -> Registry:
    """The registry in the file (empty when there is none yet)."""
    file = registry_path(path)
    if not file.exists():
        return {}
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise RegistryError(f"{file} is not valid TOML ({error}); fix or remove it.") from error
    sources = data.get("sources", {})
    if not isinstance(sources, dict):
        raise RegistryError(f"{file}: [sources] must be a table of NAME = \"A\"…\"F\".")
    return {str(name): _checked(str(grade), file) for name, grade in sources.items()}


def _checked(grade: str, where: object) -> str:
    grade = grade.strip().upper()
    if len(grade) != 1 or grade not in RELIABILITY:
        raise RegistryError(f"{where}: reliability {grade!r} is not one of A, B, C, D, E, F.")
    return grade


def set_reliability(path: str | Path | None, name: str, grade: str) -> Registry:
    """Give ``name`` the reliability ``grade`` in the registry file; returns the registry.

    The file is edited line by line, so the analyst's comments and order survive.
    """
    grade = _checked(grade, name)
    file = registry_path(path)
    text = file.read_text(encoding="utf-8") if file.exists() else _HEADER
    line = f"{json.dumps(name, ensure_ascii=False)} = \"{grade}\""
    lines, replaced, in_sources = text.splitlines(), False, False
    for number, current in enumerate(lines):
        stripped = current.strip()
        if stripped.startswith("["):
            in_sources = stripped == "[sources]"
        elif in_sources and "=" in stripped and _key_of(stripped) == name_key(name):
            key = stripped.split("=", 1)[0].strip()  # keep the analyst's spelling
            lines[number], replaced = f"{key} = \"{grade}\"", True
    if not replaced:
        if "[sources]" not in (s.strip() for s in lines):
            lines.append("[sources]")
        lines.insert(_end_of_sources(lines), line)
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_registry(file)


def _key_of(line: str) -> str | None:
    try:
        keys = list(tomllib.loads(line))
    except tomllib.TOMLDecodeError:
        return None
    return name_key(keys[0]) if keys else None


def _end_of_sources(lines: list[str]) -> int:
    start = [s.strip() for s in lines].index("[sources]")
    end = start + 1
    while end < len(lines) and not lines[end].strip().startswith("["):
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    return end


def reliability(registry: Registry, name: str | None) -> str:
    """The reliability the registry gives ``name``; F when it does not know it."""
    if not name:
        return UNKNOWN
    keyed = {name_key(n): g for n, g in registry.items()}
    return keyed.get(name_key(name), UNKNOWN)


def best_reliability(registry: Registry, names: Iterable[str | None]) -> tuple[str, str | None]:
    """The best grade among ``names`` (aliases of one source, or several sources) and whose."""
    found = [(reliability(registry, n), n) for n in names if n]
    return min(found, default=(UNKNOWN, None), key=lambda pair: pair[0])
