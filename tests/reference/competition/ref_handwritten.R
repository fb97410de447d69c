# Reference values for tests/competition/test_reference_handwritten.py (issue 13, item 5): the parts of
# the competition strand that are computed by hand in Python — the turning point's delta-method CI, the
# by-type equality Wald test, the Mundlak test and the event-study pre-trend F test — recomputed in R.
# Run from the repository root:  Rscript tests/reference/competition/ref_handwritten.R
# R 4.2.2, car 3.1-1, sandwich 3.0-2. Data: the bundled simulated panel (data/bank_panel.csv) with the
# index attached from data/internet_finance_indicators.csv by province and year, in units of 100 points.
#
# Small-sample convention (like with like): our CRV1 covariance is pyfixest's default
#   V = G/(G-1) * (N-1)/(N-K) * sandwich_HC0,  K = slopes + (year levels) for two-way FE (bank dummies are
#   nested in the bank cluster and are not counted), K = columns of X for pooled OLS,
# and Wald F tests are referred to F(q, G-1). R's lm with bank and year dummies (LSDV) gives the same
# coefficients; sandwich::vcovCL(type = "HC0", cadjust = TRUE) gives G/(G-1) * sandwich_HC0, which is then
# multiplied by (N-1)/(N-K) with our K. (sandwich's "HC1" would count the 149 bank dummies in K; car's
# linearHypothesis p-value uses the residual df N - K_LSDV; neither is our convention, so the p-values below
# are pf(F, q, G - 1, lower.tail = FALSE) and the CI uses qt(0.975, G - 1). The F statistic itself is linearHypothesis's.)
suppressPackageStartupMessages({library(car); library(sandwich)})
out <- "tests/reference/competition"
options(digits = 17)

panel <- read.csv("data/bank_panel.csv")
ind <- read.csv("data/internet_finance_indicators.csv")[, c("province", "year", "if_index")]
b <- merge(panel[, setdiff(names(panel), "if_index")], ind, by = c("province", "year"), all.x = TRUE)
b$x <- b$if_index / 100
b$bank_id <- factor(b$bank_id); b$yearf <- factor(b$year)
G <- nlevels(b$bank_id); N <- nrow(b); nT <- nlevels(b$yearf)
crv1 <- function(fit, K) vcovCL(fit, cluster = ~bank_id, type = "HC0", cadjust = TRUE) * (N - 1) / (N - K)

## 1. U-shape turning point: npl_ratio ~ x + x^2 + log_assets | bank + year, x* = -b1 / (2 b2)
b$x_sq <- b$x^2
q_fit <- lm(npl_ratio ~ x + x_sq + log_assets + bank_id + yearf, data = b)
Vq <- crv1(q_fit, K = 3 + nT)
dm <- deltaMethod(q_fit, "-x / (2 * x_sq)", vcov. = Vq)
tq <- qt(0.975, G - 1)
write.csv(data.frame(
  quantity = c("linear", "quadratic", "turning_point"),
  estimate = c(coef(q_fit)[c("x", "x_sq")], dm$Estimate),
  std_error = c(sqrt(diag(Vq))[c("x", "x_sq")], dm$SE),
  ci_low = c(NA, NA, dm$Estimate - tq * dm$SE), ci_high = c(NA, NA, dm$Estimate + tq * dm$SE),
  ci_low_normal = c(NA, NA, dm$`2.5 %`), ci_high_normal = c(NA, NA, dm$`97.5 %`),
  n_obs = N, n_clusters = G),
  file.path(out, "handwritten_turning_point.csv"), row.names = FALSE)

## 2. Equal index slopes across bank types: demand_deposit_share ~ sum_k x*1{type=k} + log_assets | bank + year
types <- sort(unique(b$bank_type))
for (k in types) b[[paste0("x__", k)]] <- b$x * (b$bank_type == k)
xk <- paste0("x__", types)
e_fit <- lm(reformulate(c(xk, "log_assets", "bank_id", "yearf"), "demand_deposit_share"), data = b)
Ve <- crv1(e_fit, K = length(types) + 1 + nT)
hyp <- paste(xk[-1], "=", xk[1])
lh <- linearHypothesis(e_fit, hyp, vcov. = Ve, test = "F")
Fe <- lh$F[2]; qe <- length(hyp)
write.csv(data.frame(
  term = c(types, "equality"),
  estimate = c(coef(e_fit)[xk], Fe), std_error = c(sqrt(diag(Ve))[xk], NA),
  df_num = c(rep(NA, length(types)), qe), df_denom = c(rep(NA, length(types)), G - 1),
  p_value = c(rep(NA, length(types)), pf(Fe, qe, G - 1, lower.tail = FALSE)), n_obs = N),
  file.path(out, "handwritten_bytype_equality.csv"), row.names = FALSE)

## 3. Mundlak (cluster-robust FE vs RE): pooled OLS nim ~ x + log_assets + bank means; H0 means' coefficients = 0
b$x_bank_mean <- ave(b$x, b$bank_id); b$log_assets_bank_mean <- ave(b$log_assets, b$bank_id)
m_fit <- lm(nim ~ x + log_assets + x_bank_mean + log_assets_bank_mean, data = b)
Vm <- crv1(m_fit, K = length(coef(m_fit)))  # = vcovCL(type = "HC1", cadjust = TRUE) here
lm_h <- linearHypothesis(m_fit, c("x_bank_mean = 0", "log_assets_bank_mean = 0"), vcov. = Vm, test = "F")
Fm <- lm_h$F[2]
write.csv(data.frame(test = "mundlak_cluster_robust", statistic = Fm, df = 2, df_denom = G - 1,
                     p_value = pf(Fm, 2, G - 1, lower.tail = FALSE), n_obs = N),
          file.path(out, "handwritten_mundlak.csv"), row.names = FALSE)

## 4. Event-study pre-trends: dds ~ sum_{t != 2012} delta_t exposure 1{year = t} | bank + year; H0 leads (t < 2012) = 0
yrs <- setdiff(sort(unique(b$year)), 2012)
for (t in yrs) b[[paste0("ex_", t)]] <- b$yuebao_exposure * (b$year == t)
ex <- paste0("ex_", yrs)
s_fit <- lm(reformulate(c(ex, "bank_id", "yearf"), "demand_deposit_share"), data = b)
Vs <- crv1(s_fit, K = length(ex) + nT)
leads <- paste0("ex_", yrs[yrs < 2012])
ls_h <- linearHypothesis(s_fit, paste(leads, "= 0"), vcov. = Vs, test = "F")
Fs <- ls_h$F[2]
write.csv(data.frame(test = c("joint_leads_zero", paste0("delta_", yrs)),
                     statistic = c(Fs, coef(s_fit)[ex]), std_error = c(NA, sqrt(diag(Vs))[ex]),
                     df_num = c(length(leads), rep(NA, length(ex))), df_denom = c(G - 1, rep(NA, length(ex))),
                     p_value = c(pf(Fs, length(leads), G - 1, lower.tail = FALSE), rep(NA, length(ex))), n_obs = N),
          file.path(out, "handwritten_pretrend.csv"), row.names = FALSE)
print(dm); print(lh); print(lm_h); print(ls_h)
