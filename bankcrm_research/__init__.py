"""bankcrm-research: internet finance, bank customer satisfaction and loyalty, with numbers and CIs.

Sub-packages
------------
competition   internet-finance index, bank panel models, event studies, deposit migration (VAR)
satisfaction  reliability/validity, CB-SEM and PLS-SEM, key drivers and IPMA
loyalty       churn models, CRM metrics, survival, causal follow-up effects, uplift, segments, CLV
reporting     plot theme (CJK), bilingual labels, saving tables/figures/metrics into a run folder
simulate      the seeded synthetic bank-CRM world behind the bundled data
"""

__version__ = "0.1.0"
