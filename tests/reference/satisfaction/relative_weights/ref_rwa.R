# Relative weights (Johnson 2000) reference values from R rwa::rwa, for
# tests/satisfaction/test_relative_weights_reference.py (the test needs no R).
#
# Software: R 4.2.2 (Debian), rwa 0.1.0 (CRAN, Martin Chan; Johnson 2000's eigen-decomposition method).
# rwa::rwa's point estimate: R = cor(data, use = "pairwise.complete.obs"); RXX = V D V';
#   lambda = V D^{1/2} V'; beta = solve(lambda) %*% RXY; rsquare = sum(beta^2);
#   Raw.RelWeight = lambda^2 %*% beta^2; Rescaled.RelWeight = 100 * Raw.RelWeight / rsquare.
# Its bootstrap (boot package, R's RNG) cannot be reproduced draw-for-draw in numpy; only point values are kept.
#
# Exact calls, one per dataset:
#   rwa::rwa(df, outcome, predictors, applysigns = FALSE, sort = FALSE, bootstrap = FALSE)
#   lm(outcome ~ predictors, data = as.data.frame(scale(df)))   # standardised OLS betas (base R), for std_beta
#
# Datasets:
#   mtcars    - R's built-in `datasets::mtcars` (Henderson & Velleman 1981), outcome mpg, predictors
#               cyl, disp, hp, drat, wt, qsec (strongly correlated: |r| up to 0.90). Written to mtcars_rw.csv
#               (values as printed by R; they are short decimals, so the CSV is exact).
#   dominance - tests/reference/satisfaction/dominance/dominance_sim.csv (seeded simulation, make_and_ref.py
#               there): outcome satisfaction, predictors quality, value, convenience, rm_service
#               (correlations 0.1-0.5 by construction), n = 400.
#
# Usage (from the repository root):  Rscript tests/reference/satisfaction/relative_weights/ref_rwa.R
# Writes rwa_reference.csv (dataset, driver, raw_weight, rescaled_pct, rsquare, std_beta, n) and rwa_meta.csv
# in this folder; numbers written with 17 significant digits.
suppressPackageStartupMessages(library(rwa))
out <- "tests/reference/satisfaction/relative_weights"
mt_pred <- c("cyl", "disp", "hp", "drat", "wt", "qsec")
mt <- datasets::mtcars[, c(mt_pred, "mpg")]
write.csv(mt, file.path(out, "mtcars_rw.csv"), row.names = FALSE)
sets <- list(
  mtcars = list(data = read.csv(file.path(out, "mtcars_rw.csv")), outcome = "mpg", predictors = mt_pred),
  dominance = list(data = read.csv("tests/reference/satisfaction/dominance/dominance_sim.csv"),
                   outcome = "satisfaction", predictors = c("quality", "value", "convenience", "rm_service")))
g <- function(x) sprintf("%.17g", x)
rows <- list()
for (s in names(sets)) {
  st <- sets[[s]]
  r <- rwa(st$data, outcome = st$outcome, predictors = st$predictors, applysigns = FALSE, sort = FALSE,
           bootstrap = FALSE)
  res <- r$result
  stopifnot(identical(as.character(res$Variables), st$predictors))
  z <- as.data.frame(scale(st$data[, c(st$predictors, st$outcome)]))
  fit <- lm(reformulate(st$predictors, st$outcome), data = z)
  stopifnot(abs(summary(fit)$r.squared - r$rsquare) < 1e-12)
  rows[[s]] <- data.frame(dataset = s, driver = res$Variables, raw_weight = g(res$Raw.RelWeight),
                          rescaled_pct = g(res$Rescaled.RelWeight), rsquare = g(r$rsquare),
                          std_beta = g(coef(fit)[st$predictors]), n = r$n)
}
ref <- do.call(rbind, rows)
write.csv(ref, file.path(out, "rwa_reference.csv"), row.names = FALSE, quote = FALSE)
meta <- data.frame(key = c("R", "rwa", "mtcars_rw_sha256", "dominance_sim_sha256"),
                   value = c(R.version.string, as.character(packageVersion("rwa")),
                             strsplit(system2("sha256sum", file.path(out, "mtcars_rw.csv"), stdout = TRUE), " ")[[1]][1],
                             strsplit(system2("sha256sum", "tests/reference/satisfaction/dominance/dominance_sim.csv",
                                              stdout = TRUE), " ")[[1]][1]))
write.csv(meta, file.path(out, "rwa_meta.csv"), row.names = FALSE)
print(ref)
print(meta)
