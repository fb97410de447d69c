"""Internet-finance competition and commercial banks (notebooks 01 and 02).

Modules (import the one you need; each is DataFrame in → tidy table or frozen result out):

index        regional internet-finance index: normalisation with direction, entropy / PCA (KMO,
             Bartlett) / equal / published weights, pooled vs per-year, rank agreement, matching
             the index to banks (``attach_index``)
panel        pooled OLS vs bank FE vs two-way FE on pyfixest with bank-clustered CRV1 errors, wild
             cluster bootstrap when clusters are few, effects by bank type, quadratic turning
             point (delta method), Hausman FE vs RE (classic and Mundlak), winsorising, lags
tables       publication tables (one column per model, stars, N, R², FE rows) to HTML / LaTeX
event_study  exposure × post DiD, dynamic effects relative to 2012 with a joint pre-trend test,
             placebo year, two-stage DiD (did2s) for staggered adoption
deposits     ADF / KPSS, VAR lag order, VAR, Granger causality both ways, IRFs with bands, FEVD,
             rate pass-through; readers for the public Yu'ebao, SHIBOR and PBOC series
truth_table  planted truth beside the estimates on the bundled simulated data
simulate     a small bank-panel simulator with known effects (tests, coverage study, benchmark)
"""
