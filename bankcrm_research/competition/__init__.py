"""Internet-finance competition and commercial banks (notebooks 01 and 02).

Modules (import the one you need; each is DataFrame in → tidy table or frozen result out):

index        regional internet-finance index: entropy / PCA (KMO, Bartlett) / factor / equal /
             published weights, pooled vs per-year, rank agreement, matching the index to banks
             (``attach_index``); the PKU index reader
index_weights  normalisation with direction and the weighting methods behind ``build_index``
panel        pooled OLS vs bank FE vs two-way FE vs RE with bank-clustered CRV1 errors, effects by
             bank type, quadratic turning point (delta method), Hausman FE vs RE (classic, Mundlak)
panel_results  ``PanelResult``: tidy coefficients, model statistics, publication tables
             (``bankcrm_research.reporting.tables.regression_table``) and the coefficient plot
panel_prep   winsorising and calendar-time lags
wild_bootstrap  restricted wild cluster bootstrap p-values when clusters are few
_fixest      private wrapper of pyfixest: fitting, the CRV1 small-sample convention, coefficients
event_study  exposure × post DiD, dynamic effects relative to 2012 with a joint pre-trend test,
             placebo year, two-stage DiD (did2s) for staggered adoption
deposits     ADF / KPSS, VAR lag order, VAR, Granger causality both ways, IRFs with bands, FEVD,
             rate pass-through; readers for the public Yu'ebao, SHIBOR and PBOC series
truth        planted truth beside the estimates on the bundled simulated data

Small simulated test panels with known effects live in :mod:`bankcrm_research.simulate.panels`.
"""
