"""Customer value (notebook 05): RFM over the transaction log, segments, CLV, value tiers and the
satisfaction-retention link.

Modules
-------
rfm                DuckDB RFM (SQL in ``sql/rfm.sql``), CLV summary, data-quality counts
segments           behavioural clustering, k-selection, profiles, stability; transaction rates
truth              planted truth beside the estimates of notebook 05 (simulated data)
clv                BG/NBD and Gamma-Gamma by maximum likelihood; CLV by group
tiers              value tiers, concentration (Lorenz, Gini), service alignment by tier
satisfaction_link  satisfaction score linked to churn (logit and Cox)
"""
