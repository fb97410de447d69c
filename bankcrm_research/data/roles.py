"""Column roles on a researcher's own table: which column plays which part, given or *auto*.

The own-data contract (DESIGN.md): a notebook needs a path, a column mapping and the parameters that
state the research question. Every other column parameter defaults to ``None`` = *auto*:

* a name the user gave explicitly must exist — a missing one is an error with the closest names;
* ``None`` looks for the canonical name (the bundled data's), then for the listed alternatives;
  a column that is absent or entirely empty means the section that needs it is skipped (the caller
  says so with :func:`bankcrm_research.reporting.skip_section`); nothing is faked;
* what *auto* chose is returned with a sentence, for the notebook to print and record.

:func:`infer_features` applies the same idea to a feature list: every column except the id, the
target, dates, declared leaky columns and identifier-like text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from bankcrm_research.data.names import closest_names

__all__ = ["ColumnChoice", "resolve_column", "infer_features", "looks_like_identifier"]


@dataclass(frozen=True)
class ColumnChoice:
    """The outcome of :func:`resolve_column`.

    Attributes
    ----------
    param : str
        The notebook parameter (e.g. ``"treatment_column"``).
    column : str or None
        The column to use, or ``None`` when absent.
    how : {"given", "auto", "absent"}
    sentence : str
        What was chosen and why, in one sentence (for the notebook and the run record).
    """

    param: str
    column: str | None
    how: str
    sentence: str

    @property
    def present(self) -> bool:
        return self.column is not None


def _usable(table: pd.DataFrame, name: str) -> bool:
    return name in table.columns and bool(table[name].notna().any())


def resolve_column(
    table: pd.DataFrame,
    param: str,
    given: str | None,
    *,
    default: str | None = None,
    alternatives: Sequence[str] = (),
    table_name: str = "the table",
    purpose: str = "",
    lang: str = "en",
) -> ColumnChoice:
    """Decide which column plays a role, following the own-data contract (module docstring).

    Parameters
    ----------
    table : DataFrame
        The loaded table (canonical names after the user's mapping).
    param : str
        Name of the notebook parameter, used in messages.
    given : str or None
        The user's explicit choice; ``None`` = auto.
    default : str, optional
        Canonical column name looked for first when ``given`` is None.
    alternatives : sequence of str
        Further names tried in order when ``default`` is absent.
    table_name : str
        Name of the table in messages (e.g. ``"customers (crm.csv)"``).
    purpose : str
        What the column is for, in a few words (e.g. ``"the follow-up effect"``), in ``lang``.
    lang : {"en", "zh"}, default "en"
        Language of :attr:`ColumnChoice.sentence` (error messages stay English).

    Raises
    ------
    ValueError
        When ``given`` names a column the table does not have (with the closest names and the
        mapping that fixes it), or one that is entirely empty.
    TypeError
        When ``given`` is neither a string nor None.
    """
    if given is not None and not isinstance(given, str):
        raise TypeError(f"The '{param}' parameter must be a column name (str) or None for auto. "
                        f"Got {type(given).__name__} {given!r} instead.")
    zh = lang == "zh"
    what = (f"，用于{purpose}" if zh else f" for {purpose}") if purpose else ""
    if given is not None:
        if given not in table.columns:
            close = closest_names(given, [str(c) for c in table.columns], n=3)
            hint = f"; closest: {close}" if close else ""
            raise ValueError(
                f"{param}={given!r}: no such column in {table_name}{hint}. Columns: {list(map(str, table.columns))[:15]}"
                f"{' ...' if table.shape[1] > 15 else ''}. Fix: give one of the columns, map yours with "
                f"columns={{'{default or given}': '<your column>'}}, or set {param}=None to skip what needs it."
            )
        if not table[given].notna().any():
            raise ValueError(f"{param}={given!r}: the column is entirely empty in {table_name}; fill it or set "
                             f"{param}=None to skip what needs it.")
        return ColumnChoice(param, given, "given", f"{param} = '{given}'（指定）{what}。" if zh else
                            f"{param} = '{given}' (given){what}.")
    for name in ([default] if default else []) + list(alternatives):
        if _usable(table, name):
            return ColumnChoice(param, name, "auto",
                                f"{param} = '{name}'（自动：在 {table_name} 中找到）{what}。" if zh else
                                f"{param} = '{name}' (auto: found in {table_name}){what}.")
    looked = [n for n in ([default] if default else []) + list(alternatives)]
    if zh:
        need = f"{purpose}所需的" if purpose else ""
        return ColumnChoice(param, None, "absent", f"{param}：{table_name} 中没有{need}列（已查找 {looked}）；"
                                                   f"如需提供，请设置 {param}='<列名>'。")
    return ColumnChoice(param, None, "absent",
                        f"{param}: no column{what} in {table_name} (looked for {looked}); set {param}='<column>' "
                        f"to supply one.")


_ID_WORDS = ("id", "_id", "编号", "代码", "号码", "no", "number", "uuid", "key", "phone", "email", "name", "姓名")


def looks_like_identifier(s: pd.Series, name: str) -> bool:
    """True for text columns that identify rows rather than describe them.

    A text column whose values are (almost) all distinct, or whose name says id/number/name
    (``cust_id``, ``客户编号``, ``email``) and which has more than half distinct values.
    """
    numeric = pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
    if not numeric and (s.dtype == object or pd.api.types.is_string_dtype(s)):
        filled = s.dropna()
        numeric = len(filled) > 0 and bool(pd.to_numeric(filled, errors="coerce").notna().all())
    if numeric:  # numbers identify rows only when the name says so
        lowered = name.lower()
        return lowered in {"id", "index", "row", "rownum"} or lowered.endswith("_id") or any(
            w in name for w in ("编号", "代码", "号码"))
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_datetime64_any_dtype(s):
        return False
    vals = s.dropna()
    if vals.empty:
        return False
    distinct = vals.nunique() / len(vals)
    lowered = name.lower()
    named = any(lowered == w or lowered.endswith(w) for w in _ID_WORDS)
    return distinct > 0.95 or (named and distinct > 0.5)


_DROPPED_ZH = {"role": "其他角色列", "leaky": "泄漏列", "date": "日期列", "identifier": "标识符列", "empty": "空列"}


def infer_features(
    table: pd.DataFrame,
    *,
    exclude: Iterable[str | None] = (),
    leaky: Iterable[str] = (),
    lang: str = "en",
) -> tuple[list[str], list[str], str]:
    """Auto feature list: every column except ids, the target, dates, leaky columns and id-like text.

    Parameters
    ----------
    table : DataFrame
    exclude : iterable of str
        Columns with another role (id, target, dates used for splitting, treatment...).
    leaky : iterable of str
        Columns known only after the outcome (e.g. call ``duration`` in UCI Bank Marketing).
    lang : {"en", "zh"}, default "en"
        Language of the sentence.

    Returns
    -------
    (features, categorical, sentence)
        Feature names in table order, the non-numeric ones among them, and a sentence saying what
        was left out and why.
    """
    excl = {c for c in exclude if c}
    leak = {c for c in leaky if c}
    features, categorical, dropped = [], [], {"role": [], "leaky": [], "date": [], "identifier": [], "empty": []}
    for c in table.columns:
        name = str(c)
        s = table[c]
        if name in excl:
            dropped["role"].append(name)
        elif name in leak:
            dropped["leaky"].append(name)
        elif pd.api.types.is_datetime64_any_dtype(s):
            dropped["date"].append(name)
        elif not s.notna().any():
            dropped["empty"].append(name)
        elif looks_like_identifier(s, name):
            dropped["identifier"].append(name)
        else:
            features.append(name)
            if not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)):
                categorical.append(name)
    if lang == "zh":
        parts = [f"{_DROPPED_ZH[k]} {v}" for k, v in dropped.items() if v]
        sentence = f"features = {len(features)} 列（自动：除{'；'.join(parts) if parts else '无'}之外的全部列）。"
        return features, categorical, sentence
    parts = [f"{k} {v}" for k, v in dropped.items() if v]
    sentence = (f"features = {len(features)} columns (auto: every column except "
                f"{'; '.join(parts) if parts else 'none'}).")
    return features, categorical, sentence
