"""Sentences for notebook 03's method checks and extensions (issue 14), rendered from this run's numbers.

Thesis tables, common-method bias, measurement invariance, MICOM (and what it means for the
multi-group comparison), PROCESS moderation / mediation / moderated mediation and dominance
analysis. Templates are label keys (``say_*`` in ``reporting/labels/satisfaction.yml``, English and
Chinese); numbers are formatted by :mod:`bankcrm_research.reporting.narrative`. Every verdict follows
the rule of the result object it reads (so it stays true on any survey):

* items: |skewness| < 2 and |excess kurtosis| < 7 (Curran, West & Finch 1996);
* Fornell–Larcker: :math:`\\sqrt{AVE}` above every correlation of the construct;
* common-method bias: :attr:`~.method_bias.CommonMethodBiasResult.verdict`;
* invariance: :attr:`~.invariance.InvarianceResult.highest_level` (Chen 2007);
* MICOM: step 2 per construct decides whether paths touching it may be compared;
* PROCESS: an effect is "supported" only when its 95 % CI excludes 0 (interaction: p < alpha).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from bankcrm_research.reporting.labels import label as _label
from bankcrm_research.reporting.narrative import fmt_ci, fmt_number, fmt_p

__all__ = [
    "items_sentence", "construct_table_sentence", "cmb_sentence", "cmb_finding", "invariance_sentence",
    "micom_sentence", "multigroup_validity_sentence", "moderation_sentence", "mediation_sentence",
    "moderated_mediation_sentence", "dominance_sentence",
]


def _say(key: str, lang: str, **kw: object) -> str:
    return _label(key, lang).format(**kw)


def _name(label: Callable[[str, str], str] | None, key: str, lang: str) -> str:
    return label(str(key), lang) if label is not None else str(key)


def _sep(lang: str) -> str:
    return "、" if lang == "zh" else ", "


def _n(x: float, digits: int = 2) -> str:
    return fmt_number(float(x), digits)


def _pct(x: float) -> str:
    return fmt_number(100 * float(x), 1)


def items_sentence(desc: pd.DataFrame, lang: str = "en") -> str:
    """Range of item skewness and kurtosis and the items beyond |skew| 2 or |kurtosis| 7."""
    bad = desc[(desc["skewness"].abs() >= 2) | (desc["kurtosis"].abs() >= 7)]
    verdict = (_say("say_items_ok", lang) if bad.empty
               else _say("say_items_bad", lang, names=_sep(lang).join(bad["item"].astype(str).head(6))))
    return _say("say_items", lang, s_lo=_n(desc["skewness"].min()), s_hi=_n(desc["skewness"].max()),
                k_lo=_n(desc["kurtosis"].min()), k_hi=_n(desc["kurtosis"].max()), verdict=verdict)


def construct_table_sentence(table, lang: str = "en", label: Callable | None = None) -> str:  # noqa: ANN001
    """Fornell–Larcker verdict of a :class:`~.survey_tables.ConstructTableResult`."""
    c = table.constructs
    with_ave = c[c["sqrt_ave"].notna()]
    if with_ave.empty:
        return _say("say_fl_none", lang)
    bad = with_ave[~with_ave["fornell_larcker_met"].astype(bool)]
    if not bad.empty:
        names = _sep(lang).join(f"{_name(label, r.construct, lang)} (√AVE {_n(r.sqrt_ave)} vs |r| {_n(r.max_abs_r)})"
                                for r in bad.itertuples())
        return _say("say_fl_bad", lang, names=names)
    corr = table.correlations
    if corr.empty:
        return _say("say_fl_none", lang)
    top = corr.loc[corr["r"].abs().idxmax()]
    return _say("say_fl_ok", lang, k=len(with_ave), sqrt=_n(with_ave["sqrt_ave"].min()), r=_n(abs(top["r"])),
                a=_name(label, top["construct_a"], lang), b=_name(label, top["construct_b"], lang))


def _cmb_verdict(cmb, lang: str) -> str:  # noqa: ANN001
    return _say(f"cmb_{cmb.verdict.replace(' ', '_')}", lang)


def cmb_sentence(cmb, lang: str = "en") -> str:  # noqa: ANN001
    """Harman's share and the method-factor comparison with the verdict (two sentences)."""
    share = cmb._h("first_component_share")
    side = _say("say_above" if share >= cmb.harman_threshold else "say_below", lang)
    harman = _say("say_harman", lang, share=_pct(share), side=side, efa=_pct(cmb._h("one_factor_efa_share")))
    if not cmb.ulmc_proper:
        why = f"{len(cmb.problems)} 处问题" if lang == "zh" else "; ".join(cmb.problems[:2])
        second = _say("say_ulmc_improper", lang, why=why, verdict=_cmb_verdict(cmb, lang))
    else:
        second = _say("say_ulmc", lang, dcfi=f"{cmb.delta_cfi:+.3f}", drmsea=f"{cmb.delta_rmsea:+.3f}",
                      m=_pct(cmb.method_variance_share), s=_pct(cmb.substantive_variance_share),
                      verdict=_cmb_verdict(cmb, lang))
    return harman + ("" if lang == "zh" else " ") + second


def cmb_finding(cmb, inv=None, lang: str = "en") -> str:  # noqa: ANN001
    """One findings sentence: the method-bias verdict and, when fitted, the invariance level."""
    extra = ""
    if inv is not None:
        extra = _say("say_inv_finding", lang, col=inv.group_column, level=_say(f"inv_{inv.highest_level}", lang))
    return _say("say_cmb_finding", lang, verdict=_cmb_verdict(cmb, lang),
                share=_pct(cmb._h("first_component_share")), inv=extra)


def invariance_sentence(inv, lang: str = "en", label: Callable | None = None) -> str:  # noqa: ANN001
    """Configural fit and the highest level of the ladder with what it allows."""
    groups = _sep(lang).join(f"{_name(label, r.group, lang)} n = {int(r.n):,}" for r in inv.groups.itertuples())
    conf = inv.table.iloc[0]
    top = inv.highest_level
    return _say("say_invariance", lang, col=inv.group_column, groups=groups, cfi=f"{conf['cfi']:.3f}",
                rmsea=f"{conf['rmsea']:.3f}", level=_say(f"inv_{top}", lang), allows=_say(f"inv_allows_{top}", lang))


def micom_sentence(mic, lang: str = "en", label: Callable | None = None, max_pairs: int = 3) -> str:  # noqa: ANN001
    """Per pair of groups (at most ``max_pairs``): how many constructs pass steps 2 and 3, and the verdict."""
    t = mic.tidy()
    out = []
    for (a, b), part in list(t.groupby(["group_a", "group_b"], sort=False))[:max_pairs]:
        failed = list(part.loc[~part["compositional_invariance"].astype(bool), "construct"])
        if failed:
            verdict = _say("micom_none", lang, names=_sep(lang).join(_name(label, c, lang) for c in failed))
        elif (part["invariance"] == "full").all():
            verdict = _say("micom_full", lang)
        else:
            verdict = _say("micom_partial", lang)
        out.append(_say("say_micom_pair", lang, a=_name(label, a, lang), b=_name(label, b, lang),
                        k=int(part["compositional_invariance"].sum()), n=len(part),
                        j=int((part["invariance"] == "full").sum()), verdict=verdict))
    return ("" if lang == "zh" else " ").join(out)


def multigroup_validity_sentence(mga: pd.DataFrame, mic, lang: str = "en",  # noqa: ANN001
                                 label: Callable | None = None) -> str:
    """Which of the compared paths MICOM allows to read (valid only for MICOM-comparable groups)."""
    if mic is None:
        return _say("say_mga_unchecked", lang)
    g1, g2 = str(mga["group_1"].iloc[0]), str(mga["group_2"].iloc[0])
    t = mic.tidy()
    pair = t[((t["group_a"] == g1) & (t["group_b"] == g2)) | ((t["group_a"] == g2) & (t["group_b"] == g1))]
    if pair.empty:
        return _say("say_mga_unchecked", lang)
    failed = set(pair.loc[~pair["compositional_invariance"].astype(bool), "construct"])
    if not failed:
        return _say("say_mga_valid", lang, g1=_name(label, g1, lang), g2=_name(label, g2, lang))
    ok = mga[~mga["from"].isin(failed) & ~mga["to"].isin(failed)]
    return _say("say_mga_partly", lang, g1=_name(label, g1, lang), g2=_name(label, g2, lang),
                names=_sep(lang).join(_name(label, c, lang) for c in sorted(failed)), k=len(ok), n=len(mga),
                s=int(ok["significant_05"].astype(bool).sum()))


def moderation_sentence(mod, lang: str = "en", label: Callable | None = None) -> str:  # noqa: ANN001
    """Interaction with CI and p (the verdict from p < alpha), simple slopes and the Johnson–Neyman region."""
    x, w, y = (_name(label, v, lang) for v in (mod.x, mod.w, mod.y))
    inter = mod.coefficients.set_index("term").loc[f"{mod.x}:{mod.w}"]
    key = "say_moderation_yes" if inter["p_value"] < mod.alpha else "say_moderation_no"
    first = _say(key, lang, w=w, x=x, y=y, b=_n(inter["estimate"], 3), ci=fmt_ci(inter["ci_low"], inter["ci_high"], 3),
                 p=fmt_p(inter["p_value"]), dr2=_n(mod.r2_change, 3))
    if mod.jn_boundaries:
        jn = _say("jn_bounds", lang, w=w, values=_sep(lang).join(_n(v) for v in mod.jn_boundaries))
    else:
        sig = bool((mod.effect_at([float(np.mean(mod.w_range))])["p_value"] < mod.alpha).iloc[0])
        jn = _say("jn_all" if sig else "jn_none", lang, w=w)
    e = mod.conditional["estimate"].to_numpy()
    second = _say("say_slopes", lang, x=x, w=w, lo=_n(e[0], 3), mid=_n(e[1], 3), hi=_n(e[2], 3), jn=jn)
    return first + ("" if lang == "zh" else " ") + second


def mediation_sentence(med, lang: str = "en", label: Callable | None = None) -> str:  # noqa: ANN001
    """Model 4: indirect effect with its bootstrap CI; full or partial mediation from the direct effect's CI."""
    x, m, y = (_name(label, v, lang) for v in (med.x, med.m, med.y))
    e = med.effects.set_index("effect")
    ind, d = e.loc["indirect"], e.loc["direct"]
    if ind["ci_low"] <= 0 <= ind["ci_high"]:
        verdict = _say("med_none", lang)
    else:
        key = "med_full" if d["ci_low"] <= 0 <= d["ci_high"] else "med_partial"
        verdict = _say(key, lang, d=_n(d["estimate"], 3), dci=fmt_ci(d["ci_low"], d["ci_high"], 3))
    return _say("say_mediation", lang, x=x, m=m, y=y, est=_n(ind["estimate"], 3),
                ci=fmt_ci(ind["ci_low"], ind["ci_high"], 3), reps=f"{med.boot:,}", verdict=verdict)


def moderated_mediation_sentence(mm, lang: str = "en", label: Callable | None = None) -> str:  # noqa: ANN001
    """Models 7 / 14: index of moderated mediation (supported when its CI excludes 0) and the conditional effects."""
    x, m, y, w = (_name(label, v, lang) for v in (mm.x, mm.m, mm.y, mm.w))
    e = mm.effects
    idx = e[e["effect"] == "index_of_moderated_mediation"].iloc[0]
    cond = e[e["effect"] == "conditional_indirect"]["estimate"].to_numpy()
    stage = f"{x} → {m}" if mm.model == 7 else f"{m} → {y}"
    yes = not (idx["ci_low"] <= 0 <= idx["ci_high"])
    verdict = _say("modmed_yes" if yes else "modmed_no", lang, x=x, m=m, y=y, w=w)
    return _say("say_modmed", lang, model=mm.model, w=w, stage=stage, est=_n(idx["estimate"], 3),
                ci=fmt_ci(idx["ci_low"], idx["ci_high"], 3), verdict=verdict, lo=_n(cond[0], 3),
                mid=_n(cond[1], 3), hi=_n(cond[2], 3))


def dominance_sentence(dom, lang: str = "en", label: Callable | None = None) -> str:  # noqa: ANN001
    """Top driver by general dominance (share of R², CI when bootstrapped), complete dominance, agreement with
    relative weights."""
    g = dom.general.sort_values("rank")
    top = g.iloc[0]
    ci = ""
    if np.isfinite(top["ci_low"]):
        ci = ("，95% 置信区间 " if lang == "zh" else "; 95 % CI ") + fmt_ci(top["ci_low"], top["ci_high"], 3)
    full = [d for d in dom.complete.index if (dom.complete.loc[d].drop(d) == 1).all()]
    complete = _say("dom_complete" if full and full[0] == top["driver"] else "dom_no_complete", lang)
    rw_rank = g["relative_weight"].rank(ascending=False, method="min").astype(int)
    diff = g.loc[g["rank"] != rw_rank, "driver"]
    agree = (_say("dom_agree", lang) if diff.empty
             else _say("dom_disagree", lang, names=_sep(lang).join(_name(label, d, lang) for d in diff)))
    return _say("say_dominance", lang, r2=_n(dom.r2), top=_name(label, top["driver"], lang),
                gd=_n(top["general_dominance"], 3), share=_pct(top["share"]), ci=ci, complete=complete, agree=agree)
