"""Customer value (notebook 05): RFM over the transaction log, segments, CLV, value tiers and the
satisfaction-retention link.

Modules
-------
segments           DuckDB RFM (SQL in ``sql/rfm.sql``), clustering, k-selection, stability
clv                BG/NBD and Gamma-Gamma by maximum likelihood; CLV by group
tiers              value tiers, concentration (Lorenz, Gini), service alignment by tier
satisfaction_link  satisfaction score linked to churn (logit and Cox)
"""
