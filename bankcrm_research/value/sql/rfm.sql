-- RFM and CLV summaries from a transaction log, in plain SQL.
--
-- Runs on DuckDB here; written to run unchanged on a warehouse engine (ANSI window functions,
-- FILTER clauses, CASE). It reads two relations that the caller provides as views:
--
--   transactions(customer_id VARCHAR, txn_date DATE, amount DOUBLE)   -- one row per transaction
--   customers(customer_id VARCHAR)                                    -- the customer base
--
-- and one parameter, $as_of_date (DATE): the reference date. Transactions after it are
-- future-dated: they are excluded from every measure and counted in data_quality.
--
-- Definitions (per customer, transactions with txn_date <= $as_of_date):
--   recency_days  days from the last transaction (any sign) to $as_of_date
--   frequency     number of purchases (amount > 0)
--   monetary      net amount = purchases + refunds (refunds are negative amounts)
--   *_score       quintile score 1..5 = 1 + floor(5 * (rank - 1) / n), rank with ties sharing
--                 the lowest rank; recency is ranked from oldest to newest so 5 = most recent.
--                 Tied customers always get the same score (a score can then stay empty).
--   fm_score      round-half-up of (f_score + m_score) / 2
--   segment       from (r_score, fm_score) on the standard RFM grid, see the CASE below.
--
-- Each statement starts with a "-- name: <name>" line; bankcrm_research.loyalty.segments loads
-- them by name. Statements run in the order given.

-- name: customer_aggregates
-- One pass over the transaction log: per-customer aggregates plus the counts of rows that cannot
-- be used (missing fields, future-dated). Joined to the customer base after aggregation, which
-- keeps the join small (customers, not transactions).
CREATE OR REPLACE TEMP TABLE customer_aggregates AS
WITH agg AS (
    -- as few aggregate states as possible (memory of the hash table grows with each); the other
    -- counts are differences of these (see the SELECT below)
    SELECT
        t.customer_id,
        COUNT(*)                                                                    AS n_rows,
        COUNT(*) FILTER (WHERE t.txn_date IS NULL OR t.amount IS NULL)              AS n_missing_fields,
        COUNT(*) FILTER (WHERE t.txn_date <= $as_of_date AND t.amount IS NOT NULL)  AS n_transactions,
        COUNT(*) FILTER (WHERE t.txn_date <= $as_of_date AND t.amount > 0)          AS frequency,
        COUNT(*) FILTER (WHERE t.txn_date <= $as_of_date AND t.amount < 0)          AS n_refunds,
        COALESCE(SUM(t.amount) FILTER (WHERE t.txn_date <= $as_of_date AND t.amount > 0), 0) AS gross_amount,
        COALESCE(SUM(t.amount) FILTER (WHERE t.txn_date <= $as_of_date AND t.amount < 0), 0) AS refund_amount,
        COALESCE(SUM(t.amount) FILTER (WHERE t.txn_date > $as_of_date), 0)         AS future_dated_amount,
        MIN(t.txn_date) FILTER (WHERE t.txn_date <= $as_of_date AND t.amount IS NOT NULL) AS first_txn_date,
        MAX(t.txn_date) FILTER (WHERE t.txn_date <= $as_of_date AND t.amount IS NOT NULL) AS last_txn_date
    FROM transactions AS t
    GROUP BY t.customer_id
)
SELECT
    customer_id,
    n_rows,
    n_missing_fields,
    n_rows - n_missing_fields - n_transactions      AS n_future_dated,
    future_dated_amount,
    n_transactions,
    frequency,
    n_refunds,
    n_transactions - frequency - n_refunds          AS n_zero_amount,
    gross_amount,
    refund_amount,
    gross_amount + refund_amount                    AS monetary,
    first_txn_date,
    last_txn_date
FROM agg;

-- name: data_quality
-- Every transaction row is accounted for exactly once in `status` (in this order of priority):
-- missing_customer_id, missing_field, future_dated, unknown_customer, used.
-- Plus customer-level counts: customers without any usable transaction, one-purchase customers,
-- refund-only customers.
WITH agg AS (
    SELECT a.*, (c.customer_id IS NOT NULL) AS known
    FROM customer_aggregates AS a
    LEFT JOIN customers AS c ON a.customer_id = c.customer_id
)
SELECT 'rows_read' AS item, 'transactions' AS unit, SUM(n_rows) AS n, SUM(monetary + future_dated_amount) AS amount FROM agg
UNION ALL
SELECT 'missing_customer_id', 'transactions', COALESCE(SUM(n_rows), 0), SUM(monetary + future_dated_amount)
FROM agg WHERE customer_id IS NULL
UNION ALL
SELECT 'missing_date_or_amount', 'transactions', COALESCE(SUM(n_missing_fields), 0), NULL
FROM agg WHERE customer_id IS NOT NULL
UNION ALL
SELECT 'future_dated_excluded', 'transactions', COALESCE(SUM(n_future_dated), 0), SUM(future_dated_amount)
FROM agg WHERE customer_id IS NOT NULL
UNION ALL
SELECT 'unknown_customer_excluded', 'transactions', COALESCE(SUM(n_transactions), 0), SUM(monetary)
FROM agg WHERE customer_id IS NOT NULL AND NOT known
UNION ALL
SELECT 'used', 'transactions', COALESCE(SUM(n_transactions), 0), SUM(monetary)
FROM agg WHERE customer_id IS NOT NULL AND known
UNION ALL
SELECT 'refunds', 'transactions', COALESCE(SUM(n_refunds), 0), SUM(refund_amount)
FROM agg WHERE customer_id IS NOT NULL AND known
UNION ALL
SELECT 'zero_amount', 'transactions', COALESCE(SUM(n_zero_amount), 0), NULL
FROM agg WHERE customer_id IS NOT NULL AND known
UNION ALL
SELECT 'unknown_customers', 'customers', COUNT(*), SUM(monetary)
FROM agg WHERE customer_id IS NOT NULL AND NOT known AND n_transactions > 0
UNION ALL
SELECT 'customers_in_base', 'customers', (SELECT COUNT(*) FROM customers), NULL
UNION ALL
SELECT 'customers_with_transactions', 'customers', COUNT(*), SUM(monetary)
FROM agg WHERE customer_id IS NOT NULL AND known AND n_transactions > 0
UNION ALL
SELECT 'customers_without_transactions', 'customers',
       (SELECT COUNT(*) FROM customers) - COUNT(*), 0
FROM agg WHERE customer_id IS NOT NULL AND known AND n_transactions > 0
UNION ALL
SELECT 'one_purchase_customers', 'customers', COUNT(*), SUM(monetary)
FROM agg WHERE customer_id IS NOT NULL AND known AND frequency = 1
UNION ALL
SELECT 'refund_only_customers', 'customers', COUNT(*), SUM(monetary)
FROM agg WHERE customer_id IS NOT NULL AND known AND n_transactions > 0 AND frequency = 0 AND n_refunds > 0;

-- name: rfm_scores
-- Per-customer RFM with quintile scores and the standard segment labels.
WITH base AS (
    SELECT
        a.customer_id,
        a.first_txn_date,
        a.last_txn_date,
        DATE_DIFF('day', a.last_txn_date, $as_of_date) AS recency_days,
        a.frequency,
        a.n_transactions,
        a.n_refunds,
        a.gross_amount,
        a.refund_amount,
        a.monetary
    FROM customer_aggregates AS a
    JOIN customers AS c ON a.customer_id = c.customer_id
    WHERE a.n_transactions > 0
),
scored AS (
    SELECT
        base.*,
        CAST(1 + FLOOR(5.0 * (RANK() OVER (ORDER BY recency_days DESC) - 1) / COUNT(*) OVER ()) AS INTEGER) AS r_score,
        CAST(1 + FLOOR(5.0 * (RANK() OVER (ORDER BY frequency ASC) - 1) / COUNT(*) OVER ()) AS INTEGER) AS f_score,
        CAST(1 + FLOOR(5.0 * (RANK() OVER (ORDER BY monetary ASC) - 1) / COUNT(*) OVER ()) AS INTEGER) AS m_score
    FROM base
),
graded AS (
    SELECT scored.*, CAST(FLOOR((f_score + m_score) / 2.0 + 0.5) AS INTEGER) AS fm_score
    FROM scored
)
SELECT
    graded.*,
    CAST(r_score AS VARCHAR) || CAST(f_score AS VARCHAR) || CAST(m_score AS VARCHAR) AS rfm_cell,
    CASE
        WHEN r_score = 5 AND fm_score >= 4 THEN 'champions'
        WHEN r_score >= 3 AND fm_score >= 4 THEN 'loyal'
        WHEN r_score >= 4 AND fm_score BETWEEN 2 AND 3 THEN 'potential_loyalists'
        WHEN r_score = 5 AND fm_score = 1 THEN 'new_customers'
        WHEN r_score = 4 AND fm_score = 1 THEN 'promising'
        WHEN r_score = 3 AND fm_score = 3 THEN 'need_attention'
        WHEN r_score = 3 AND fm_score <= 2 THEN 'about_to_sleep'
        WHEN r_score <= 2 AND fm_score = 5 THEN 'cannot_lose_them'
        WHEN r_score <= 2 AND fm_score BETWEEN 3 AND 4 THEN 'at_risk'
        WHEN r_score = 1 AND fm_score = 1 THEN 'lost'
        ELSE 'hibernating'
    END AS segment
FROM graded
ORDER BY customer_id;

-- name: clv_summary
-- Fader-Hardie inputs for BG/NBD and Gamma-Gamma, on purchase DAYS (several purchases on one day
-- count as one transaction, as in the CDNOW data): frequency = repeat purchase days,
-- recency = days from the first to the last purchase day, T = days from the first purchase day to
-- $as_of_date, monetary_value = mean spend of the repeat purchase days (0 if none).
WITH daily AS (
    SELECT t.customer_id, t.txn_date, SUM(t.amount) AS day_amount
    FROM transactions AS t
    JOIN customers AS c ON t.customer_id = c.customer_id
    WHERE t.txn_date <= $as_of_date AND t.amount > 0
    GROUP BY t.customer_id, t.txn_date
),
ranked AS (
    SELECT daily.*, MIN(txn_date) OVER (PARTITION BY customer_id) AS first_day
    FROM daily
)
SELECT
    customer_id,
    COUNT(*) - 1                                              AS frequency,
    DATE_DIFF('day', MIN(txn_date), MAX(txn_date))            AS recency_days,
    DATE_DIFF('day', MIN(txn_date), $as_of_date)              AS T_days,
    -- the mean as ONE division of two exact integers (sum in 1/10,000 units, days x 10,000), so
    -- every engine gives the correctly rounded double (AVG of a DECIMAL differs between engines)
    COALESCE(
        CAST(SUM(CAST(day_amount * 10000 AS BIGINT)) FILTER (WHERE txn_date > first_day) AS DOUBLE)
        / NULLIF(CAST(COUNT(*) FILTER (WHERE txn_date > first_day) AS DOUBLE) * 10000, 0),
        0)                                                    AS monetary_value
FROM ranked
GROUP BY customer_id
ORDER BY customer_id;
