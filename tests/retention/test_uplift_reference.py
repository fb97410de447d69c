"""Uplift curve, Qini curve, AUUC, Qini AUC and uplift@k against scikit-uplift 0.5.1 (pinned values).

Reference: ``sklift.metrics`` of scikit-uplift 0.5.1 (Python 3.11.7, numpy 2.4.6, scikit-learn 1.9.1,
pandas 3.1.1) in a throwaway venv, run by ``tests/reference/retention/uplift/ref_sklift.py`` (see its
docstring) on the three inputs ``case_{hand,continuous,ties}.csv`` of that folder. Exact calls, with
``y, t, s`` the columns ``y, treatment, score``::

    uplift_curve(y, s, t); qini_curve(y, s, t)
    perfect_uplift_curve(y, t); perfect_qini_curve(y, t, negative_effect=True)
    uplift_auc_score(y, s, t); qini_auc_score(y, s, t, negative_effect=True / False)
    uplift_at_k(y, s, t, strategy="overall" / "by_group", k=0.1 / 0.25 / 0.3 / 0.5)

No sklift import here: the test reads the pinned CSVs. Conventions, mapped from sklift's source:

* **Curve points.** sklift evaluates its curves only at the end of each block of tied scores
  (``n_targeted`` = 0 and the cumulative block sizes, like ``sklearn.metrics.roc_curve``) and joins
  them by straight lines; ours use the same tie rule (counts at the block ends, linear inside a block)
  but report the curve at every ``k = 0..N``. So ours equal sklift's points at the block ends and
  sklift's straight lines (``np.interp``) everywhere else.
* **Qini curve** ``Q(k) = Y_T − Y_C·N_T/N_C`` (``Y_T`` while no control is in the top k): identical.
* **Uplift curve** ``U(k) = (Y_T/N_T − Y_C/N_C)·k``: identical where both arms are in the top k.
  Where one arm is still empty, ours is 0 by convention and sklift counts the missing arm's rate as
  0 (``U = Y_T/N_T·k`` or ``−Y_C/N_C·k``); the test reproduces sklift's value there from the counts.
* **AUUC / Qini AUC.** sklift's scores are normalised:
  ``(A(curve) − A(baseline)) / (A(perfect) − A(baseline))`` with ``A`` the trapezoid area on the
  count axis (``sklearn.metrics.auc``), the baseline the line from (0, 0) to the perfect curve's end
  (= the curve's end), and the perfect curve the same curve for the score
  ``2·[y = t] + (y if #control responders > #treated non-responders else t)`` (uplift) or
  ``y·t − y·(1 − t)`` (Qini; ``negative_effect=False`` instead uses the three points (0, 0),
  (Q(N), Q(N)), (N, Q(N))). Ours are per-customer areas between the curve and the random line,
  trapezoid over every row: ``auuc()`` and ``qini_coefficient()`` are ``(A − A(baseline)) / N²``
  (linear inside a tie block, so the trapezoid over every row is the one over the block ends). So,
  with or without ties, ``qini_auc_score = N²·qini_coefficient / (A(perfect) − A(baseline))`` and
  ``uplift_auc_score = (N²·auuc + A(sklift U − ours)) / (A(perfect) − A(baseline))``, the middle term
  being the area where one arm is empty (0 in the ``ties`` case, whose top block holds both arms).
* **uplift@k.** ``"overall"`` = the jointly ranked top ``⌊k·N⌋``; ``"by_group"`` = the top
  ``⌊k·N_T⌋`` treated and ``⌊k·N_C⌋`` controls, each arm ranked on its own. Where the cut falls on a
  tie-block end the two are the same. Where it splits a tie block, sklift sorts with
  ``argsort(s, kind="mergesort")[::-1]`` and so takes the block's *later* input rows first (a
  row-order-dependent result); ours takes the block pro rata (each of its rows with the share of the
  block above the cut), independent of the row order — the test recomputes that rule from the counts.
  Where sklift's top k holds one arm it returns NaN; ours takes at least one row per arm
  (``by_group``) or raises (``overall``).

Tolerance: relative 1e-12 (absolute 1e-12 near 0) throughout; the values differ from sklift only by
the order of floating-point operations (largest seen: 2.2e-15 relative on curves, 1.6e-15 on areas).

Before the tie rule (ties broken by row order, every row a curve point) our Qini area on sklift's
scale in the ``ties`` case was 0.05298 against sklift's 0.05336; now it is sklift's to 1e-12.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bankcrm_research.retention import uplift as U

REF = Path(__file__).resolve().parents[1] / "reference" / "retention" / "uplift"
CASES = ["hand", "continuous", "ties"]
RTOL, ATOL = 1e-12, 1e-12


def _case(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    d = pd.read_csv(REF / f"case_{name}.csv")
    return d["y"].to_numpy(float), d["treatment"].to_numpy(float), d["score"].to_numpy(float)


def _ref_curve(case: str, curve: str) -> tuple[np.ndarray, np.ndarray]:
    d = pd.read_csv(REF / "sklift_curves.csv")
    d = d[(d["case"] == case) & (d["curve"] == curve)]
    return d["n_targeted"].to_numpy(), d["value"].to_numpy(float)


def _ref_score(case: str, metric: str, strategy: str = "", k: float | None = None) -> float:
    d = pd.read_csv(REF / "sklift_scores.csv", keep_default_na=False, na_values=[""])
    d = d[(d["case"] == case) & (d["metric"] == metric) & (d["strategy"].fillna("") == strategy)]
    if k is not None:
        d = d[np.isclose(d["k"].astype(float), k)]
    assert len(d) == 1, (case, metric, strategy, k)
    return float(d["value"].iloc[0])


def _tie_block_ends(s: np.ndarray) -> np.ndarray:
    """0 and the cumulative sizes of the tie blocks in descending score order (sklift's x-axis)."""
    _, counts = np.unique(s, return_counts=True)
    return np.r_[0, np.cumsum(counts[::-1])]


def _arm_counts(y: np.ndarray, t: np.ndarray, s: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, ...]:
    """``Y_T, N_T, Y_C, N_C`` in the top ``x`` rows (x at tie-block ends, so order inside ties is moot)."""
    o = np.argsort(-s, kind="mergesort")
    cs = [np.r_[0.0, np.cumsum(v[o])][x] for v in (y * t, t, y * (1 - t), 1 - t)]
    return tuple(cs)


def _sklift_uplift_from_ours(y: np.ndarray, t: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Our uplift curve at sklift's points, with sklift's empty-arm convention (missing rate = 0)."""
    x = _tie_block_ends(s)
    u = U.uplift_curve(y, t, s)["uplift"].to_numpy()[x]
    yt, nt, yc, nc = _arm_counts(y, t, s, x)
    one_arm = ((nt == 0) | (nc == 0)) & (x > 0)
    assert np.all(u[one_arm] == 0)  # our convention
    with np.errstate(divide="ignore", invalid="ignore"):
        sk = (np.where(nt > 0, yt / nt, 0.0) - np.where(nc > 0, yc / nc, 0.0)) * x
    return x, np.where(one_arm, sk, u)


def _perfect_uplift_score(y: np.ndarray, t: np.ndarray) -> np.ndarray:
    summand = y if np.sum((y == 1) & (t == 0)) > np.sum((y == 0) & (t == 1)) else t
    return 2.0 * (y == t) + summand


def _normalised(x: np.ndarray, v: np.ndarray, xp: np.ndarray, vp: np.ndarray) -> float:
    base = xp[-1] * vp[-1] / 2
    return float((np.trapezoid(v, x) - base) / (np.trapezoid(vp, xp) - base))


@pytest.mark.parametrize("case", CASES)
def test_sklift_curve_points_are_the_tie_block_ends(case):
    y, _, s = _case(case)
    for curve in ("uplift", "qini"):
        np.testing.assert_array_equal(_ref_curve(case, curve)[0], _tie_block_ends(s))
    assert (len(_tie_block_ends(s)) - 1, len(y)) == {"hand": (7, 12), "continuous": (4000, 4000),
                                                     "ties": (61, 3000)}[case]


@pytest.mark.parametrize("case", CASES)
def test_qini_curve_equals_sklift(case):
    y, t, s = _case(case)
    x, ref = _ref_curve(case, "qini")
    ours = U.qini_curve(y, t, s)
    np.testing.assert_array_equal(ours["n_targeted"].to_numpy()[x], x)
    np.testing.assert_allclose(ours["qini"].to_numpy()[x], ref, rtol=RTOL, atol=ATOL)
    # between sklift's points: its straight lines, at every k
    np.testing.assert_allclose(ours["qini"], np.interp(np.arange(len(y) + 1), x, ref), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("case", CASES)
def test_uplift_curve_equals_sklift_where_both_arms_are_present(case):
    y, t, s = _case(case)
    x, ref = _ref_curve(case, "uplift")
    ours = U.uplift_curve(y, t, s)["uplift"].to_numpy()[x]
    _, nt, _, nc = _arm_counts(y, t, s, x)
    both = (nt > 0) & (nc > 0)
    np.testing.assert_allclose(ours[both], ref[both], rtol=RTOL, atol=ATOL)
    # with one arm empty the conventions differ (ours 0, sklift counts the missing rate as 0); in the
    # ties case the top tie block already holds both arms, so the curves coincide at every point ...
    assert (~both[1:]).any() == (case != "ties") and np.all(ours[~both] == 0)
    # ... and sklift's value there is reproduced from the counts
    np.testing.assert_allclose(_sklift_uplift_from_ours(y, t, s)[1], ref, rtol=RTOL, atol=ATOL)
    if case == "ties":  # both arms everywhere: ours is sklift's piecewise-linear curve at every k
        np.testing.assert_allclose(U.uplift_curve(y, t, s)["uplift"], np.interp(np.arange(len(y) + 1), x, ref),
                                   rtol=RTOL, atol=ATOL)


def test_uplift_curve_hand_case_by_hand():
    """Hand case sorted by score: 0.9 {T y1}, 0.8 {C y0, T y1, C y1}, 0.6 {T y0}, 0.5 {C y0, C y1},
    0.3 {T y1, C y0}, 0.2 {C y0}, 0.1 {T y0, C y1}. At k = 4: (2/2 − 1/2)·4 = 2; k = 12: (3/5 − 3/7)·12."""
    x, ref = _ref_curve("hand", "uplift")
    np.testing.assert_array_equal(x, [0, 1, 4, 5, 7, 9, 10, 12])
    np.testing.assert_allclose(ref, [0, 1, 2, (2 / 3 - 1 / 2) * 5, (2 / 3 - 2 / 4) * 7, (3 / 4 - 2 / 5) * 9,
                                     (3 / 4 - 2 / 6) * 10, (3 / 5 - 3 / 7) * 12], rtol=1e-15)
    y, t, s = _case("hand")
    assert U.uplift_curve(y, t, s)["uplift"].iloc[1] == 0  # ours: no control yet -> 0, sklift: 1


@pytest.mark.parametrize("case", CASES)
def test_perfect_curves_equal_ours_on_sklifts_perfect_scores(case):
    y, t, _ = _case(case)
    xq, ref_q = _ref_curve(case, "perfect_qini")
    sq = y * t - y * (1 - t)
    np.testing.assert_array_equal(xq, _tie_block_ends(sq))
    np.testing.assert_allclose(U.qini_curve(y, t, sq)["qini"].to_numpy()[xq], ref_q, rtol=RTOL, atol=ATOL)
    xu, ref_u = _ref_curve(case, "perfect_uplift")
    xo, uo = _sklift_uplift_from_ours(y, t, _perfect_uplift_score(y, t))
    np.testing.assert_array_equal(xo, xu)
    np.testing.assert_allclose(uo, ref_u, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("case", CASES)
def test_normalised_auuc_and_qini_auc_rebuilt_from_our_curves(case):
    y, t, s = _case(case)
    n = len(y)
    # uplift_auc_score: our uplift curves (sklift's points and empty-arm convention), normalised
    xu, u = _sklift_uplift_from_ours(y, t, s)
    xpu, pu = _sklift_uplift_from_ours(y, t, _perfect_uplift_score(y, t))
    assert _normalised(xu, u, xpu, pu) == pytest.approx(_ref_score(case, "uplift_auc_score"), rel=RTOL)
    # qini_auc_score: our Qini curves at sklift's points; perfect curve with and without negative effects
    x = _tie_block_ends(s)
    q = U.qini_curve(y, t, s)["qini"].to_numpy()
    sq = y * t - y * (1 - t)
    xpq = _tie_block_ends(sq)
    pq = U.qini_curve(y, t, sq)["qini"].to_numpy()[xpq]
    assert _normalised(x, q[x], xpq, pq) == pytest.approx(
        _ref_score(case, "qini_auc_score", "negative_effect=True"), rel=RTOL)
    qn = q[-1]
    assert _normalised(x, q[x], np.array([0, qn, n]), np.array([0, qn, qn])) == pytest.approx(
        _ref_score(case, "qini_auc_score", "negative_effect=False"), rel=RTOL)


@pytest.mark.parametrize("case", CASES)
def test_our_auuc_and_qini_coefficient_give_sklifts_scores(case):
    """With or without ties: sklift's score = our area · N² / sklift's perfect area, plus, for the
    uplift curve, the area of sklift's values where ours is 0 (one arm empty; none in ``ties``)."""
    y, t, s = _case(case)
    n = len(y)
    xq, pq = _ref_curve(case, "perfect_qini")
    den_q = np.trapezoid(pq, xq) - xq[-1] * pq[-1] / 2
    assert U.qini_coefficient(y, t, s) * n**2 / den_q == pytest.approx(
        _ref_score(case, "qini_auc_score", "negative_effect=True"), rel=RTOL)
    qn = U.qini_curve(y, t, s)["qini"].iloc[-1]
    den_q0 = qn**2 / 2 + (n - qn) * qn - n * qn / 2
    assert U.qini_coefficient(y, t, s) * n**2 / den_q0 == pytest.approx(
        _ref_score(case, "qini_auc_score", "negative_effect=False"), rel=RTOL)
    x, ref_u = _ref_curve(case, "uplift")
    ours_u = U.uplift_curve(y, t, s)["uplift"].to_numpy()
    _, nt, _, nc = _arm_counts(y, t, s, x)
    one_arm = (nt == 0) | (nc == 0)
    gap = np.trapezoid(np.where(one_arm, ref_u - ours_u[x], 0.0), x)
    assert (gap == 0) == (case == "ties")
    xp, pu = _ref_curve(case, "perfect_uplift")
    den_u = np.trapezoid(pu, xp) - xp[-1] * pu[-1] / 2
    assert (U.auuc(y, t, s) * n**2 + gap) / den_u == pytest.approx(_ref_score(case, "uplift_auc_score"), rel=RTOL)
    assert U.auuc(y, t, s, normalize=False) * n == pytest.approx(U.auuc(y, t, s) * n**2, rel=1e-15)


def test_ties_case_qini_area_is_sklifts():
    """The number that used to differ (0.05298 ours, ties by row order, vs sklift's 0.05336)."""
    y, t, s = _case("ties")
    n = len(y)
    xq, pq = _ref_curve("ties", "perfect_qini")
    ours = U.qini_coefficient(y, t, s) * n**2 / (np.trapezoid(pq, xq) - xq[-1] * pq[-1] / 2)
    ref = _ref_score("ties", "qini_auc_score", "negative_effect=True")
    assert ref == pytest.approx(0.05336, abs=5e-6) and ours == pytest.approx(ref, rel=RTOL)


def _splits_a_tie(s: np.ndarray, k: float) -> bool:
    """Whether the cut at ``max(⌊k·N⌋, 1)`` falls inside a block of equal scores."""
    ss = np.sort(s)[::-1]
    m = max(int(np.floor(k * len(ss))), 1)
    return bool(m < len(ss) and ss[m - 1] == ss[m])


def _pro_rata_rate(y: np.ndarray, s: np.ndarray, k: float) -> float:
    """Response rate in the top ``max(⌊k·N⌋, 1)`` with a split tie block counted pro rata, from the
    per-score counts (independent of our implementation's sort)."""
    m = max(int(np.floor(k * len(y))), 1)
    g = pd.DataFrame({"y": y, "s": s}).groupby("s")["y"].agg(["sum", "size"]).sort_index(ascending=False)
    before = np.r_[0, np.cumsum(g["size"].to_numpy())[:-1]]
    share = np.clip((m - before) / g["size"].to_numpy(), 0, 1)
    return float((share * g["sum"]).sum() / (share * g["size"]).sum())


@pytest.mark.parametrize("strategy", ["overall", "by_group"])
@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("k", [0.1, 0.25, 0.3, 0.5])
def test_uplift_at_k_equals_sklift(case, strategy, k):
    y, t, s = _case(case)
    ref = _ref_score(case, "uplift_at_k", strategy, k)
    if np.isnan(ref):  # sklift: empty arm in the top k -> NaN (hand case, k = 0.1 = 1 row)
        assert case == "hand" and k == 0.1
        if strategy == "overall":
            with pytest.raises(ValueError, match="only one treatment arm"):
                U.uplift_at_k(y, t, s, k=k)
        return
    ours = U.uplift_at_k(y, t, s, k=k, strategy=strategy)
    perm = np.random.default_rng(3).permutation(len(y))
    assert U.uplift_at_k(y[perm], t[perm], s[perm], k=k, strategy=strategy) == pytest.approx(ours, rel=RTOL, abs=ATOL)
    arms = [(y, s)] if strategy == "overall" else [(y[t == 1], s[t == 1]), (y[t == 0], s[t == 0])]
    if not any(_splits_a_tie(sa, k) for _, sa in arms):  # the cut falls on block ends: same rows as sklift
        assert ours == pytest.approx(ref, rel=RTOL, abs=ATOL)
        return
    assert case != "continuous"
    if strategy == "overall":  # ours: the split block pro rata, in each arm
        share = _pro_rata_share(s, k)
        expected = (np.average(y[t == 1], weights=share[t == 1]) - np.average(y[t == 0], weights=share[t == 0]))
    else:
        expected = _pro_rata_rate(*arms[0], k) - _pro_rata_rate(*arms[1], k)
    assert ours == pytest.approx(expected, rel=RTOL, abs=ATOL)
    # sklift's value is the one of its own order (the later input row of a tie first): the same rows as
    # a stable ranking of the reversed input taking the block's rows in that order
    o = np.argsort(s, kind="mergesort")[::-1]
    if strategy == "overall":
        top = o[: max(int(np.floor(k * len(y))), 1)]
        sk = y[top][t[top] == 1].mean() - y[top][t[top] == 0].mean()
    else:
        sk = np.diff([y[oa][: max(int(np.floor(k * len(oa))), 1)].mean() for oa in (o[t[o] == 0], o[t[o] == 1])])[0]
    assert sk == pytest.approx(ref, rel=RTOL, abs=ATOL)


def _pro_rata_share(s: np.ndarray, k: float) -> np.ndarray:
    """Each row's share of the jointly ranked top ``max(⌊k·N⌋, 1)``: 1, 0, or the split block's share."""
    m = max(int(np.floor(k * len(s))), 1)
    vals, counts = np.unique(s, return_counts=True)
    vals, counts = vals[::-1], counts[::-1]
    before = np.r_[0, np.cumsum(counts)[:-1]]
    share = np.clip((m - before) / counts, 0, 1)
    return share[np.searchsorted(-vals, -s)]


def test_uplift_at_k_hand_case_tie_split_by_the_cut():
    """Top 25 % of the hand case = 3 rows: 0.9 {T y1} and two of the three rows of the 0.8 block, whose
    input order is T y1, C y1, C y0. sklift takes the last two (C y1, C y0): 1 − 1/2 = 0.5. Ours takes
    the block pro rata (share 2/3): treated (1 + 2/3·1)/(1 + 2/3) = 1, controls (2/3·1)/(2/3·2) = 1/2,
    so 0.5 too — by chance; the first two rows (T y1, C y1) would give 1 − 1 = 0. By group (1 treated,
    1 control): the top treated is 0.9 {T y1}; the top control is half of the 0.8 block's two controls
    (y = 1, 0): 1 − 1/2 = 0.5, where sklift's order gives C y0 (1 − 0 = 1)."""
    y, t, s = _case("hand")
    assert _ref_score("hand", "uplift_at_k", "overall", 0.25) == pytest.approx(0.5, abs=1e-15)
    assert _ref_score("hand", "uplift_at_k", "by_group", 0.25) == pytest.approx(1.0, abs=1e-15)
    for o in (np.arange(len(y)), np.arange(len(y))[::-1]):  # input order and reversed: the same
        assert U.uplift_at_k(y[o], t[o], s[o], k=0.25) == pytest.approx(0.5, abs=1e-15)
        assert U.uplift_at_k(y[o], t[o], s[o], k=0.25, strategy="by_group") == pytest.approx(0.5, abs=1e-15)
