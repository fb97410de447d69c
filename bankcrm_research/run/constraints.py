"""Value constraints a notebook declares in its ``parameters`` cell comments.

A parameter's trailing comment may carry a ``range:`` or a ``one of:`` clause; the run refuses
a value outside it **before any kernel starts**, naming the parameter, the allowed values and
what was given. The rest of the comment stays free text (``bankcrm-research list`` shows it)::

    bootstrap_reps = 999      # wild-bootstrap resamples; range: >= 0
    test_fraction  = 0.2      # share held out; range: (0, 1)
    maxlags        = 12       # range: >= 1, <= 36
    k_range        = [2, 8]   # smallest and largest k; range: >= 2
    ic             = "aic"    # one of: aic, bic, hqic, fpe
    winsorize      = None     # None = no winsorisation; e.g. [0.01, 0.99]; range: [0, 1]

Grammar (a clause ends at ``;`` or at the end of the comment; case-insensitive keywords):

* ``range: >= a`` / ``> a`` / ``<= b`` / ``< b``, or two of them joined by ``,`` or ``and``;
* ``range: [a, b]``, ``(a, b)``, ``[a, b)``, ``(a, b]``: interval notation, ``inf``/``-inf`` allowed;
* ``one of: x, y, z``: allowed values, each read as a Python literal when it is one
  (``1``, ``'a b'``) and as plain text otherwise (``aic``).

A list or tuple value is checked element by element (``k_range = [2, 8]``); ``None`` is never
checked here (whether ``None`` is allowed is the type check's business, see
:func:`bankcrm_research.run.params.check_parameters`). The notebook's own default must satisfy
its constraint; :func:`parse_constraint` is called when the notebook is read, so a malformed
clause fails ``bankcrm-research list`` and the committed-notebook tests.

Why comments rather than notebook metadata: the constraint sits next to the default that a reader
edits, shows in ``bankcrm-research list`` and in Jupyter without opening the metadata editor, and
survives copy-paste of the cell.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["Constraint", "ConstraintSyntaxError", "parse_constraint"]

_CLAUSE = re.compile(r"\b(range|one\s+of)\s*:\s*([^;]*)", re.IGNORECASE)
_NUMBER = r"[-+]?(?:inf|\d+(?:\.\d*)?(?:e[-+]?\d+)?|\.\d+(?:e[-+]?\d+)?)"
_INTERVAL = re.compile(rf"^([\[(])\s*({_NUMBER})\s*,\s*({_NUMBER})\s*([\])])$", re.IGNORECASE)
_COMPARISON = re.compile(rf"^(>=|<=|>|<|≥|≤)\s*({_NUMBER})$", re.IGNORECASE)


class ConstraintSyntaxError(ValueError):
    """A ``range:`` or ``one of:`` clause that cannot be read."""


@dataclass(frozen=True)
class Constraint:
    """Allowed values of one parameter: a numeric interval and/or a set of choices."""

    lower: float = -math.inf
    lower_inclusive: bool = True
    upper: float = math.inf
    upper_inclusive: bool = True
    choices: tuple[Any, ...] | None = None
    text: str = ""  # the clause(s) as written, for messages

    def describe(self) -> str:
        """``>= 0``, ``in (0, 1)``, ``one of 'aic', 'bic'`` - the allowed values in words."""
        parts = []
        if self.lower > -math.inf or self.upper < math.inf:
            if self.lower > -math.inf and self.upper < math.inf:
                parts.append(f"in {'[' if self.lower_inclusive else '('}{_num(self.lower)}, "
                             f"{_num(self.upper)}{']' if self.upper_inclusive else ')'}")
            elif self.lower > -math.inf:
                parts.append(f"{'>=' if self.lower_inclusive else '>'} {_num(self.lower)}")
            else:
                parts.append(f"{'<=' if self.upper_inclusive else '<'} {_num(self.upper)}")
        if self.choices is not None:
            parts.append("one of " + ", ".join(repr(c) for c in self.choices))
        return " and ".join(parts)

    def violation(self, value: Any) -> str | None:
        """Why ``value`` is not allowed (``None`` when it is); lists are checked element-wise."""
        if value is None:
            return None
        if isinstance(value, (list, tuple)):
            for item in value:
                if item is not None and self._violates(item):
                    return f"every element must be {self.describe()}; got {item!r} in {value!r}"
            return None
        return f"must be {self.describe()}; got {value!r}" if self._violates(value) else None

    def _violates(self, value: Any) -> bool:
        if self.choices is not None and value not in self.choices:
            return True
        if self.lower == -math.inf and self.upper == math.inf:
            return False
        if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
            return True
        low_ok = value >= self.lower if self.lower_inclusive else value > self.lower
        high_ok = value <= self.upper if self.upper_inclusive else value < self.upper
        return not (low_ok and high_ok)


def _num(x: float) -> str:
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return str(int(x)) if float(x).is_integer() else repr(x)


def _choice(token: str) -> Any:
    try:
        return ast.literal_eval(token)
    except (ValueError, SyntaxError):
        return token


def parse_constraint(comment: str) -> Constraint | None:
    """Read the ``range:`` / ``one of:`` clauses of a parameter comment (``None`` if absent).

    Raises
    ------
    ConstraintSyntaxError
        When a clause is present but does not follow the grammar of the module docstring.
    """
    clauses = list(_CLAUSE.finditer(comment or ""))
    if not clauses:
        return None
    kw: dict[str, Any] = {}
    for m in clauses:
        key, body = re.sub(r"\s+", " ", m.group(1).lower()), m.group(2).strip()
        if key == "one of":
            tokens = [t.strip() for t in body.split(",") if t.strip()]
            if not tokens:
                raise ConstraintSyntaxError(f"'{m.group(0).strip()}': list the allowed values, e.g. 'one of: aic, bic'")
            kw["choices"] = tuple(_choice(t) for t in tokens)
            continue
        interval = _INTERVAL.match(body)
        if interval:
            kw.update(lower=float(interval.group(2)), lower_inclusive=interval.group(1) == "[",
                      upper=float(interval.group(3)), upper_inclusive=interval.group(4) == "]")
            continue
        pieces = [p.strip() for p in re.split(r",|\band\b", body) if p.strip()]
        comparisons = [_COMPARISON.match(p) for p in pieces]
        if not pieces or any(c is None for c in comparisons):
            raise ConstraintSyntaxError(
                f"'{m.group(0).strip()}' is not a range; write e.g. 'range: >= 0', "
                f"'range: >= 1, <= 12' or 'range: [0, 1)'"
            )
        for c in filter(None, comparisons):
            op, bound = c.group(1).replace("≥", ">=").replace("≤", "<="), float(c.group(2))
            if op.startswith(">"):
                kw.update(lower=bound, lower_inclusive=op == ">=")
            else:
                kw.update(upper=bound, upper_inclusive=op == "<=")
    text = "; ".join(m.group(0).strip() for m in clauses)
    constraint = Constraint(**kw, text=text)
    if constraint.lower > constraint.upper:
        raise ConstraintSyntaxError(f"'{text}': the lower bound exceeds the upper bound")
    return constraint
