"""What a notebook declares about itself, read without a kernel (plain JSON + ``ast``).

* its ``parameters`` cell: plain ``name = <literal>`` assignments, each with an optional trailing
  comment (shown by ``bankcrm-research list``);
* its title and research question (first markdown cell);
* its headline metrics (notebook metadata ``bankcrm.headline``);

and how names such as ``03`` or ``03_satisfaction_drivers`` select notebooks of ``notebooks/``.
Checking the values a run gives these parameters is :mod:`bankcrm_research.run.params`.
"""

from __future__ import annotations

import ast
import contextlib
import difflib
import io
import json
import re
import tokenize
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bankcrm_research.data.paths import notebooks_dir
from bankcrm_research.run.constraints import Constraint, ConstraintSyntaxError, parse_constraint

__all__ = [
    "NotebookParameter",
    "NotebookInfo",
    "ParameterError",
    "parse_parameters_source",
    "read_notebook_info",
    "display_title",
    "discover_notebooks",
    "resolve_notebooks",
]


@dataclass(frozen=True)
class NotebookParameter:
    """One assignment of a notebook's ``parameters`` cell."""

    name: str
    default: Any
    type_name: str
    comment: str = ""
    # ``range:`` / ``one of:`` clause of the comment (see bankcrm_research.run.constraints)
    constraint: Constraint | None = None

    def describe(self) -> str:
        """``name = default  (type)  # comment`` for messages and ``bankcrm-research list``."""
        text = f"{self.name} = {self.default!r}  ({self.type_name})"
        return f"{text}  # {self.comment}" if self.comment else text


@dataclass(frozen=True)
class NotebookInfo:
    """What a notebook declares about itself: title, question and parameters."""

    name: str
    path: Path
    title: str
    question: str
    parameters: tuple[NotebookParameter, ...]
    # metrics.json keys the notebook names as its headline numbers (notebook metadata
    # ``bankcrm.headline``); index.html shows these first.
    headline: tuple[str, ...] = ()

    @property
    def defaults(self) -> dict[str, Any]:
        """``{name: default}`` of the parameters cell."""
        return {p.name: p.default for p in self.parameters}

    def parameter_listing(self) -> str:
        """Indented multi-line list of the valid parameters with defaults and types."""
        if not self.parameters:
            return "    (this notebook has no parameters)"
        return "\n".join(f"    {p.describe()}" for p in self.parameters)


class ParameterError(ValueError):
    """Unknown parameter name, wrong type, value outside the declared range, or unreadable
    parameters cell (raised before any kernel)."""


def type_name_of(value: Any) -> str:
    if value is None:
        return "optional"
    return {bool: "bool", int: "int", float: "float", str: "str", list: "list", dict: "dict",
            tuple: "list"}.get(type(value), type(value).__name__)


def _cell_source(cell: Mapping[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _comments_by_line(source: str) -> dict[int, str]:
    out: dict[int, str] = {}
    with contextlib.suppress(tokenize.TokenError, IndentationError, SyntaxError):
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                out[tok.start[0]] = tok.string.lstrip("#").strip()
    return out


def parse_parameters_source(source: str, *, where: str = "parameters cell") -> tuple[NotebookParameter, ...]:
    """Parse a ``parameters`` cell: plain assignments of literals, read with ``ast.literal_eval``.

    A trailing comment may declare the allowed values (``# resamples; range: >= 0``, see
    :mod:`bankcrm_research.run.constraints`); the default must satisfy them.

    Raises
    ------
    ParameterError
        When the cell contains anything but ``name = <literal>`` statements, or a constraint
        clause is malformed or refuses the parameter's own default.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ParameterError(f"{where}: not valid Python ({exc.msg}, line {exc.lineno})") from exc
    comments = _comments_by_line(source)
    params: list[NotebookParameter] = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name, value_node = node.targets[0].id, node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            name, value_node = node.target.id, node.value
        else:
            raise ParameterError(
                f"{where}, line {node.lineno}: only `name = <literal>` assignments are allowed "
                f"in the parameters cell (found {type(node).__name__}); move other code to a later cell."
            )
        try:
            default = ast.literal_eval(value_node)
        except ValueError as exc:
            raise ParameterError(
                f"{where}, line {node.lineno}: the default of '{name}' must be a plain literal "
                f"(number, string, bool, None, list, dict); found `{ast.unparse(value_node)}`."
            ) from exc
        comment = comments.get(node.end_lineno or node.lineno, "") or comments.get(node.lineno, "")
        try:
            constraint = parse_constraint(comment)
        except ConstraintSyntaxError as exc:
            raise ParameterError(f"{where}, line {node.lineno}: comment of '{name}': {exc}") from exc
        problem = constraint.violation(default) if constraint else None
        if problem:
            raise ParameterError(f"{where}, line {node.lineno}: the default of '{name}' breaks its own "
                                 f"constraint ({constraint.text if constraint else ''}): {problem}")
        params.append(NotebookParameter(name, default, type_name_of(default), comment, constraint))
    return tuple(params)


def _title_and_question(cells: Sequence[Mapping[str, Any]]) -> tuple[str, str]:
    for cell in cells:
        if cell.get("cell_type") != "markdown":
            continue
        text = _cell_source(cell)
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        title = next((ln.lstrip("#").strip() for ln in lines if ln.startswith("#")), "")
        # Paragraphs of prose (blank-line separated, headings removed), each joined to one line.
        paragraphs = []
        for block in re.split(r"\n\s*\n", text):
            body = " ".join(ln.strip() for ln in block.splitlines() if ln.strip() and not ln.lstrip().startswith("#"))
            if body:
                paragraphs.append(body)
        # Prefer the paragraph that states the question; otherwise the first paragraph.
        chosen = next((p for p in paragraphs if re.match(r"^\W*question", p, flags=re.IGNORECASE)),
                      next((p for p in paragraphs if "?" in p), paragraphs[0] if paragraphs else ""))
        question = re.sub(r"[*_`]{1,3}", "", chosen).strip()
        question = re.sub(r"^(research\s+)?question\s*[:.\u2014\u2013-]*\s*", "", question, flags=re.IGNORECASE)
        if "?" in question:
            question = question[: question.index("?") + 1]
        return title, question.strip()
    return "", ""


def display_title(name: str, title: str, lang: str | None = "en") -> str:
    """A notebook's title in the report's language.

    English (and any unknown language): ``title`` as read from the notebook's first markdown cell. Chinese:
    the label ``title.<name>`` (``reporting/labels/text_NN.yml``) when it is defined, else ``title``.
    """
    if lang != "zh":
        return title
    from bankcrm_research.reporting.labels import label

    key = f"title.{name}"
    text = label(key, lang)
    return title if text == key else text


def read_notebook_info(path: str | Path) -> NotebookInfo:
    """Read a notebook's title, question (first markdown cell) and ``parameters`` cell.

    Raises
    ------
    ParameterError
        When the notebook has no or several cells tagged ``parameters``, or the cell is not
        plain literal assignments.
    """
    p = Path(path)
    with open(p, encoding="utf-8") as fh:
        nb = json.load(fh)
    cells = nb.get("cells", [])
    tagged = [c for c in cells if "parameters" in (c.get("metadata", {}).get("tags") or [])]
    if len(tagged) != 1:
        raise ParameterError(
            f"notebook {p.name} must have exactly one code cell tagged 'parameters'; found "
            f"{len(tagged)}. Tag the cell with the defaults (View > Cell toolbar > Tags)."
        )
    params = parse_parameters_source(_cell_source(tagged[0]), where=f"{p.name} parameters cell")
    title, question = _title_and_question(cells)
    headline = tuple(str(k) for k in (nb.get("metadata", {}).get("bankcrm", {}) or {}).get("headline", []))
    return NotebookInfo(name=p.stem, path=p.resolve(), title=title, question=question, parameters=params,
                        headline=headline)


def discover_notebooks(folder: str | Path | None = None) -> list[Path]:
    """The suite's notebooks: ``<folder>/*.ipynb`` sorted by name (``notebooks/`` by default)."""
    root = Path(folder) if folder is not None else notebooks_dir()
    return sorted(p for p in root.glob("*.ipynb") if not p.name.startswith("."))


def resolve_notebooks(selection: Iterable[str | Path] | None, folder: str | Path | None = None) -> list[Path]:
    """Turn names, numeric prefixes or paths into notebook paths (all notebooks when empty).

    ``03``, ``03_satisfaction_drivers``, ``03_satisfaction_drivers.ipynb`` and
    ``notebooks/03_satisfaction_drivers.ipynb`` all name the same notebook.
    """
    available = discover_notebooks(folder)
    if not selection:
        if not available:
            raise ValueError(f"no notebooks found in {Path(folder) if folder else notebooks_dir()}")
        return available
    chosen: list[Path] = []
    for item in selection:
        s = str(item)
        p = Path(s)
        if p.suffix == ".ipynb" and p.is_file():
            match = [p.resolve()]
        else:
            stem = p.stem if p.suffix == ".ipynb" else s
            match = [a for a in available if a.stem == stem] or [
                a for a in available if a.stem.startswith(stem + "_") or a.stem.split("_")[0] == stem
            ]
        if len(match) != 1:
            names = [a.stem for a in available]
            hint = difflib.get_close_matches(s, names, n=3)
            raise ValueError(
                f"notebook '{s}' {'is ambiguous' if match else 'not found'}; available: {names}"
                + (f"; did you mean {hint}?" if hint else "")
            )
        if match[0] not in chosen:
            chosen.append(match[0])
    return chosen

