"""Retention (notebook 04): who leaves and why.

Modules
-------
churn      churn models (logit, gradient boosting), feature preparation, leakage audit, validation
metrics    CRM metrics written by hand where no library has them: lift, ALIFT, gains, profit curve
survival   Kaplan-Meier with log-rank tests, Cox (Efron), time-varying Cox (RM turnover)
causal     propensity scores, balance, IPW and AIPW effects of post-sale follow-up
uplift     T- and X-learners, Qini, AUUC, uplift@k
"""
