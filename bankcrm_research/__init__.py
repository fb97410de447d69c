"""bankcrm-research: internet finance, bank customer satisfaction and loyalty, with numbers and CIs.

Sub-packages
------------
data          the one door for every table (bundled or yours): schemas, loading, validation, roles, readers
competition   internet-finance index, bank panel models, event studies, mechanisms, deposit migration (VAR)
satisfaction  reliability/validity, CB-SEM and PLS-SEM, key drivers, IPMA, method bias, PROCESS, MICOM
retention     churn models, CRM metrics, survival, causal follow-up effects, uplift (notebook 04)
value         RFM on DuckDB or Spark, segments, CLV, value tiers, satisfaction link (notebook 05)
common        statistics shared by the strands (KMO core, Wilson interval, the result shape)
reporting     plot theme (CJK), bilingual labels, tables, findings sentences, run-folder outputs
run           executing the notebook suite into a run folder, HTML, index page, provenance, history
simulate      the seeded synthetic bank-CRM world behind the bundled data
"""

__version__ = "0.1.0"
