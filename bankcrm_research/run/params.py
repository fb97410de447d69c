"""The parameter values a run gives each notebook: ``-p`` overrides, precedence, checks.

Every value is checked against the notebook's ``parameters`` cell (read by
:mod:`bankcrm_research.run.notebooks`) **before any kernel starts**: unknown names, values whose
type differs from the default's, and values outside the ``range:`` / ``one of:`` the cell's
comment declares (:mod:`bankcrm_research.run.constraints`) are refused with a message that
names the parameter, the allowed values and what was given, and lists the valid parameters.

Two normalisations happen first, so the kernel gets what the caller meant:

* **dates**: YAML reads ``-p as_of_date=1997-09-30`` as a date; every date or datetime in a
  value becomes its ISO 8601 string (``'1997-09-30'``), which is what a string parameter holds;
* **relative paths**: a relative value of a path parameter (name ending in ``_path``,
  ``_paths``, ``_dir`` or ``_dirs``, or named ``paths``; strings, and the strings inside a
  list or dict) is made absolute against the caller's working directory (``-p``, Python
  overrides) or the config file's folder (:func:`bankcrm_research.run.config.load_config`),
  because the kernel runs in ``notebooks/``. ``~`` is expanded; URLs (``s3://...``) are left alone.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from bankcrm_research.run.notebooks import NotebookInfo, ParameterError, type_name_of

__all__ = [
    "is_path_parameter",
    "absolute_paths",
    "iso_dates",
    "parse_override",
    "check_parameters",
    "resolve_parameters",
    "resolve_scope",
]


_PATH_SUFFIXES = ("_path", "_paths", "_dir", "_dirs")


def is_path_parameter(name: str) -> bool:
    """Whether a parameter holds file or folder paths (resolved against the caller's folder)."""
    return name == "paths" or name.endswith(_PATH_SUFFIXES)


def absolute_paths(name: str, value: Any, base: str | Path) -> Any:
    """``value`` with relative paths made absolute against ``base`` if ``name`` is a path parameter.

    Strings are resolved, as are the strings inside a list or a dict (``paths={customers:
    crm.csv}``); ``None``, ``""`` and URLs (``scheme://...``) are returned unchanged.
    """
    if not is_path_parameter(name):
        return value

    def one(v: Any) -> Any:
        if not isinstance(v, str) or not v or "://" in v:
            return v
        expanded = os.path.expanduser(v)
        return expanded if os.path.isabs(expanded) else os.path.normpath(os.path.join(base, expanded))

    if isinstance(value, dict):
        return {k: one(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [one(v) for v in value]
    return one(value)


def iso_dates(value: Any) -> Any:
    """``value`` with every ``date``/``datetime`` (YAML's reading of ``1997-09-30``) as ISO text."""
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: iso_dates(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [iso_dates(v) for v in value]
    return value


def parse_override(text: str) -> tuple[str | None, str, Any]:
    """Parse ``-p key=value`` or ``-p notebook:key=value``; the value is YAML.

    YAML makes ``-p years=[2012,2020]``, ``-p 'columns={age: Age}'`` and ``-p title=银行``
    work; quote a value to keep it a string (``-p seed="'42'"``).

    Returns
    -------
    (notebook or None, key, value)
    """
    import yaml

    if "=" not in text:
        raise ParameterError(f"-p expects key=value (value in YAML); got {text!r}, e.g. -p seed=7")
    key, raw = text.split("=", 1)
    key = key.strip()
    notebook = None
    if ":" in key:
        notebook, key = (s.strip() for s in key.split(":", 1))
    if not key.isidentifier():
        raise ParameterError(f"-p {text!r}: '{key}' is not a valid parameter name")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError as exc:
        raise ParameterError(f"-p {text!r}: the value is not valid YAML ({exc})") from exc
    return notebook, key, value



def _type_ok(default: Any, value: Any, none_ok: bool = False) -> bool:
    if default is None:
        return True  # None defaults mean "bundled data / not set": any literal may replace them
    if value is None:
        return none_ok
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(default, (list, tuple)):
        return isinstance(value, (list, tuple))
    return isinstance(value, type(default))


def check_parameters(info: NotebookInfo, params: Mapping[str, Any], *, source: str = "") -> None:
    """Refuse unknown names, wrongly typed values and values outside a declared range (no kernel).

    Raises
    ------
    ParameterError
        Naming the offending parameter(s) and listing every valid parameter with its default.
    """
    defaults = info.defaults
    # None is accepted where the default is None or the parameter's comment documents it
    # (e.g. ``group_column = "channel_group"  # None = no multi-group comparison``).
    none_ok = {p.name for p in info.parameters if "None" in p.comment}
    constraints = {p.name: p.constraint for p in info.parameters if p.constraint is not None}
    problems = []
    for key, value in params.items():
        if key not in defaults:
            close = difflib.get_close_matches(key, list(defaults), n=1)
            problems.append(f"unknown parameter '{key}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
        elif not _type_ok(defaults[key], value, key in none_ok):
            problems.append(
                f"parameter '{key}' must be {type_name_of(defaults[key])} like its default "
                f"{defaults[key]!r}; got {value!r} ({type(value).__name__})"
            )
        elif key == "lang" and value not in ("en", "zh"):
            problems.append(f"parameter 'lang' must be 'en' or 'zh'; got {value!r}")
        elif (constraint := constraints.get(key)) is not None and (why := constraint.violation(value)):
            problems.append(f"parameter '{key}' {why} (declared in the parameters cell: '{constraint.text}')")
    if problems:
        origin = f" (from {source})" if source else ""
        raise ParameterError(
            f"notebook {info.name}{origin}: " + "; ".join(problems)
            + f".\nValid parameters of {info.name} (default, type):\n{info.parameter_listing()}"
        )


def resolve_parameters(
    infos: Sequence[NotebookInfo],
    *,
    config: Mapping[str, Any] | None = None,
    overrides: Mapping[str, Any] | Iterable[str] | None = None,
    lang: str | None = None,
    share_safe: bool = False,
    known_notebooks: Iterable[str] = (),
    base_dir: str | Path | None = None,
) -> dict[str, dict[str, Any]]:
    """Parameters to inject into each notebook, validated against its ``parameters`` cell.

    Precedence (later wins): config ``all`` < config ``notebooks.<name>`` < overrides <
    ``lang``/``share_safe`` flags. ``all`` entries and un-scoped overrides apply to every
    selected notebook that declares the parameter and are refused if none does; scoped entries
    (``notebooks.<name>`` or ``-p name:key=value``) must exist in that notebook.

    Parameters
    ----------
    overrides : mapping or iterable of "key=value" strings
        A mapping ``{key: value}`` or ``{"notebook:key": value}``, or ``-p`` strings.
    base_dir : path, optional
        Folder that relative path parameters of ``config`` and ``overrides`` are resolved
        against (the current working directory by default). A config read with
        :func:`~bankcrm_research.run.config.load_config` is already resolved against its file's
        folder.
    """
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    by_name = {i.name: i for i in infos}
    config = dict(config or {})
    cfg_all = dict(config.get("all") or {})
    cfg_nb = dict(config.get("notebooks") or {})
    known = set(known_notebooks) | set(by_name)
    unknown_nb = sorted(set(cfg_nb) - known)
    if unknown_nb:
        raise ParameterError(f"config names unknown notebooks {unknown_nb}; known: {sorted(known)}")

    parsed: list[tuple[str | None, str, Any]] = []
    if isinstance(overrides, Mapping):
        for k, v in overrides.items():
            nb, key = (k.split(":", 1) if ":" in k else (None, k))
            parsed.append((nb, key, v))
    elif overrides is not None:
        parsed = [parse_override(o) for o in overrides]

    resolved: dict[str, dict[str, Any]] = {i.name: {} for i in infos}

    def _apply_global(key: str, value: Any, source: str) -> None:
        targets = [i for i in infos if key in i.defaults]
        if not targets:
            listing = "\n".join(f"  {i.name}:\n{i.parameter_listing()}" for i in infos)
            close = difflib.get_close_matches(key, sorted({p for i in infos for p in i.defaults}), n=1)
            raise ParameterError(
                f"unknown parameter '{key}' (from {source}): no selected notebook declares it"
                + (f" (did you mean '{close[0]}'?)" if close else "")
                + f".\nValid parameters (default, type):\n{listing}"
            )
        value = absolute_paths(key, iso_dates(value), base)
        for i in targets:
            check_parameters(i, {key: value}, source=source)
            resolved[i.name][key] = value

    def _apply_scoped(nb: str, key: str, value: Any, source: str) -> None:
        if nb not in by_name:
            if nb in known:
                return  # configured but not selected in this run
            raise ParameterError(f"{source}: unknown notebook '{nb}'; selected: {sorted(by_name)}")
        value = absolute_paths(key, iso_dates(value), base)
        check_parameters(by_name[nb], {key: value}, source=source)
        resolved[nb][key] = value

    for key, value in cfg_all.items():
        _apply_global(str(key), value, "config 'all'")
    for nb, values in cfg_nb.items():
        for key, value in values.items():
            _apply_scoped(nb, str(key), value, f"config 'notebooks.{nb}'")
    for nb, key, value in parsed:
        if nb is None:
            _apply_global(key, value, f"-p {key}=...")
        else:
            _apply_scoped(resolve_scope(nb, by_name), key, value, f"-p {nb}:{key}=...")
    for info in infos:
        if lang is not None and "lang" in info.defaults:
            resolved[info.name]["lang"] = lang
        if share_safe and "share_safe" in info.defaults:
            resolved[info.name]["share_safe"] = True
    return resolved


def resolve_scope(nb: str, by_name: Mapping[str, NotebookInfo]) -> str:
    """Accept a numeric prefix (``03``) for a notebook scope in ``-p 03:key=value``."""
    if nb in by_name:
        return nb
    match = [n for n in by_name if n.split("_")[0] == nb]
    return match[0] if len(match) == 1 else nb

