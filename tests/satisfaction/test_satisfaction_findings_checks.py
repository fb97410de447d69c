"""Notebook 03's issue-14 hooks: PROCESS specifications (auto on the bundled survey, skipped on a user's file
unless given, checked when given), composite scores, and the sentences rendered from the results (their
verdicts follow the rules in ``satisfaction.findings_checks``, in English and Chinese)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from bankcrm_research.satisfaction import findings_checks as sc
from bankcrm_research.satisfaction.dominance import dominance_analysis
from bankcrm_research.satisfaction.inputs import BUNDLED_PROCESS, composite_scores, resolve_process_spec
from bankcrm_research.satisfaction.process import mediation, moderated_mediation, moderation
from bankcrm_research.satisfaction.spec import SurveyModel
from bankcrm_research.satisfaction.survey_tables import construct_table, item_descriptives

COLUMNS = ["IMAG", "CUEX", "PERQ", "PERV", "CUSA", "CUSCO", "CUSL", "speed", "personalisation", "channel", "rm"]


def _cjk(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    return sum("\u4e00" <= c <= "\u9fff" for c in letters) / max(len(letters), 1)


@pytest.mark.parametrize("kind", ["moderation", "mediation", "moderated_mediation"])
def test_process_spec_auto_bundled_and_skipped_on_user_files(kind):  # noqa: ANN001
    bundled = resolve_process_spec(kind, None, columns=COLUMNS, simulated=True)
    assert bundled.spec == BUNDLED_PROCESS[kind] and bundled.skip is None
    assert bundled.choice[0] == f"{kind}_spec" and "bundled research question" in bundled.choice[2]
    user = resolve_process_spec(kind, None, columns=["A", "B", "C", "D"], simulated=False, lang="zh")
    assert user.spec is None and user.choice is None
    assert f"{kind}_spec" in user.skip[0] and f"{kind}_spec=" in user.skip[1] and _cjk(user.skip[0]) > 0.4
    # the bundled survey with a model lacking the bundled names: skipped, not failed
    other = resolve_process_spec(kind, None, columns=["A", "B", "C"], simulated=True)
    assert other.spec is None and "does not have" in other.skip[0]


def test_given_process_spec_is_checked():
    cols = ["形象", "期望", "质量", "满意", "忠诚"]
    ok = resolve_process_spec("mediation", {"x": "期望", "m": "质量", "y": "满意"}, columns=cols, simulated=False)
    assert ok.spec == {"x": "期望", "m": "质量", "y": "满意"} and ok.choice is None and ok.skip is None
    mm = resolve_process_spec("moderated_mediation", {"x": "期望", "m": "质量", "y": "满意", "w": "形象"}, columns=cols,
                              simulated=False)
    assert mm.spec["model"] == 7  # PROCESS's first-stage model unless told
    with pytest.raises(ValueError, match=r"closest: \['满意'\]"):
        resolve_process_spec("moderation", {"x": "期望", "w": "形象", "y": "满意度"}, columns=cols, simulated=False)
    with pytest.raises(ValueError, match="needs the keys"):
        resolve_process_spec("moderation", {"x": "期望", "m": "形象", "y": "满意"}, columns=cols, simulated=False)
    with pytest.raises(ValueError, match="must be 7"):
        resolve_process_spec("moderated_mediation", {"x": "期望", "m": "质量", "y": "满意", "w": "形象", "model": 8},
                             columns=cols, simulated=False)
    with pytest.raises(TypeError, match="must be a dict"):
        resolve_process_spec("mediation", ["期望", "质量", "满意"], columns=cols, simulated=False)
    with pytest.raises(ValueError, match="kind must be one of"):
        resolve_process_spec("model 58", None, columns=cols, simulated=True)


def test_composite_scores_are_item_means_and_drivers_are_added_once():
    df = pd.DataFrame({"a1": [1.0, 2.0, 3.0], "a2": [3.0, 2.0, 1.0], "b1": [5.0, 4.0, 4.0], "b2": [1.0, 2.0, 2.0]})
    model = SurveyModel.from_spec({"A": ["a1", "a2"], "B": ["b1", "b2"]}, [["A", "B"]], [], [1, 5])
    s = composite_scores(df, model, {"A": ["a1", "a2"], "first_b": ["b1"]})
    assert list(s.columns) == ["A", "B", "first_b"]
    np.testing.assert_allclose(s["A"], [2.0, 2.0, 2.0])
    np.testing.assert_allclose(s["B"], [3.0, 3.0, 3.0])
    np.testing.assert_allclose(s["first_b"], df["b1"])


@pytest.fixture(scope="module")
def scores() -> pd.DataFrame:
    """x -> m -> y with a planted moderation of x -> y by w (and none by z); n = 600."""
    rng = np.random.default_rng(14)
    n = 600
    x, w, z = rng.normal(size=(3, n))
    m = 0.5 * x + rng.normal(scale=0.8, size=n)
    y = 0.3 * x + 0.4 * m + 0.35 * x * w + 0.2 * w + rng.normal(scale=0.8, size=n)
    return pd.DataFrame({"x": x, "m": m, "y": y, "w": w, "z": z})


def test_moderation_sentence_follows_the_interaction_test(scores):  # noqa: ANN001
    yes = sc.moderation_sentence(moderation(scores, x="x", w="w", y="y"))
    assert yes.startswith("w moderates the effect of x on y: interaction b = 0.3")
    assert "Johnson–Neyman: significance changes at w =" in yes  # the planted slope crosses 0 inside the range
    no = sc.moderation_sentence(moderation(scores, x="x", w="z", y="y"))
    assert no.startswith("There is no clear evidence that z moderates") and "includes 0" in no
    zh = sc.moderation_sentence(moderation(scores, x="x", w="w", y="y"), lang="zh")
    assert "调节了" in zh and "Johnson–Neyman" in zh


def test_mediation_sentence_full_partial_none(scores):  # noqa: ANN001
    partial = sc.mediation_sentence(mediation(scores, x="x", m="m", y="y", boot=200))
    assert "partial mediation" in partial and "200 resamples" in partial
    rng = np.random.default_rng(3)
    d = scores.assign(y_full=0.5 * scores["m"] + rng.normal(scale=0.8, size=len(scores)),
                      m_none=rng.normal(size=len(scores)))
    assert "full mediation" in sc.mediation_sentence(mediation(d, x="x", m="m", y="y_full", boot=200))
    assert "no evidence of mediation" in sc.mediation_sentence(mediation(d, x="x", m="m_none", y="y", boot=200))


def test_moderated_mediation_sentence(scores):  # noqa: ANN001
    rng = np.random.default_rng(7)
    d = scores.assign(y2=(0.2 + 0.4 * scores["w"]) * scores["m"] + rng.normal(scale=0.7, size=len(scores)))
    yes = sc.moderated_mediation_sentence(moderated_mediation(d, x="x", m="m", y="y2", w="w", model=14, boot=200))
    assert "PROCESS model 14, w moderating m → y2" in yes and "depends on w" in yes and "no evidence" not in yes
    for seed in (1, 2, 3):  # z moderates nothing: the verdict follows the index's CI whatever the draw gives
        res = moderated_mediation(d, x="x", m="m", y="y2", w="z", model=7, boot=200, seed=seed)
        no = sc.moderated_mediation_sentence(res)
        idx = res.effects.set_index("effect").loc["index_of_moderated_mediation"]
        assert "model 7, z moderating x → m" in no
        assert ("no evidence" in no) == bool(idx["ci_low"] <= 0 <= idx["ci_high"])


def test_dominance_sentence(scores):  # noqa: ANN001
    dom = dominance_analysis(scores, predictors=["x", "m", "z"], outcome="y", bootstrap_reps=0)
    s = sc.dominance_sentence(dom)
    top = dom.general.sort_values("rank").iloc[0]
    assert f"{top['driver']} contributes most" in s and f"R² = {dom.r2:.2f}" in s and "95 % CI" not in s
    assert "relative weights give the same order" in s


def test_table_and_item_sentences():
    rng = np.random.default_rng(1)
    f = rng.normal(size=(300, 2))
    df = pd.DataFrame({f"a{i}": f[:, 0] + rng.normal(scale=0.6, size=300) for i in range(3)}
                      | {f"b{i}": f[:, 1] + rng.normal(scale=0.6, size=300) for i in range(3)})
    df["b2"] = np.exp(2 * df["b2"])  # heavily skewed item
    meas = {"A": ["a0", "a1", "a2"], "B": ["b0", "b1", "b2"]}
    s = sc.items_sentence(item_descriptives(df, measurement=meas))
    assert "b2 exceed the usual limits" in s
    none = sc.construct_table_sentence(construct_table(df, measurement=meas))  # no CFA: no AVE
    assert none.startswith("No construct has an AVE")


@dataclass
class _MICOM:
    table: pd.DataFrame

    def tidy(self) -> pd.DataFrame:
        return self.table


def test_multigroup_validity_follows_micom_step_2():
    mga = pd.DataFrame({"from": ["A", "A", "B"], "to": ["B", "C", "C"], "group_1": "g1", "group_2": "g2",
                        "significant_05": [True, False, True]})
    base = pd.DataFrame({"group_a": "g2", "group_b": "g1", "construct": ["A", "B", "C"],
                         "compositional_invariance": True, "invariance": "partial"})
    assert "g1 and g2 are comparable" in sc.multigroup_validity_sentence(mga, _MICOM(base))
    failed = base.assign(compositional_invariance=[True, False, True])
    s = sc.multigroup_validity_sentence(mga, _MICOM(failed))
    assert "fails for B" in s and "only the 1 of 3 paths" in s and "(0 of those differ" in s
    assert "not established as structural" in sc.multigroup_validity_sentence(mga, None)
    assert "不满足组成不变性" in sc.micom_sentence(_MICOM(failed), lang="zh")
