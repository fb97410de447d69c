"""Retention (notebook 04): who leaves and why.

Modules
-------
churn      facade over features/models/validation (one import)
inputs     notebook 04's column roles, features and section switches (own data: auto = None)
features   target encoding and feature preparation with guard rails (learned on training rows)
models     churn logit (odds ratios) and gradient boosting
validation leakage audit, out-of-time and cross-validated model comparison
metrics    CRM metrics written by hand where no library has them: lift, ALIFT, gains, profit curve
survival   Kaplan-Meier with log-rank tests, Cox (Efron), time-varying Cox (RM turnover)
causal     propensity scores, balance, IPW and AIPW effects of post-sale follow-up
uplift     T- and X-learners, Qini, AUUC, uplift@k
targeting  one strategy table (random, churn risk, uplift) x depth under one profit model
findings   finding sentences of notebook 04 from the results (en/zh)
truth      planted truth beside the estimates of notebook 04 (simulated data)
"""
