# Reference values for tests/competition/test_reference_panel.py
# Run from the repository root:  Rscript tests/reference/competition/ref_plm.R
# R 4.x, plm 2.6-2. Writes full-precision CSVs next to this script.
suppressPackageStartupMessages({library(plm); library(lmtest); library(sandwich)})
out <- "tests/reference/competition"
options(digits = 17)

## 1. Grunfeld (plm's 10-firm version; statsmodels ships an 11-firm variant)
data("Grunfeld", package = "plm")
write.csv(Grunfeld, file.path(out, "grunfeld_plm.csv"), row.names = FALSE)
fe <- plm(inv ~ value + capital, data = Grunfeld, index = c("firm", "year"), model = "within")
re <- plm(inv ~ value + capital, data = Grunfeld, index = c("firm", "year"), model = "random")
tw <- plm(inv ~ value + capital, data = Grunfeld, index = c("firm", "year"), model = "within",
          effect = "twoways")
rows <- list()
add <- function(model, fit, vc, vcname) {
  est <- coef(fit); se <- sqrt(diag(vc))[names(est)]
  data.frame(model = model, vcov = vcname, term = names(est), estimate = unname(est),
             std_error = unname(se), n_obs = nobs(fit))
}
rows[[1]] <- add("within", fe, vcov(fe), "iid")
rows[[2]] <- add("within", fe, vcovHC(fe, method = "arellano", type = "HC0", cluster = "group"), "cluster_HC0")
rows[[3]] <- add("random", re, vcov(re), "iid")
rows[[4]] <- add("twoways", tw, vcov(tw), "iid")
rows[[5]] <- add("twoways", tw, vcovHC(tw, method = "arellano", type = "HC0", cluster = "group"), "cluster_HC0")
write.csv(do.call(rbind, rows), file.path(out, "grunfeld_plm_estimates.csv"), row.names = FALSE)

ht <- phtest(fe, re)
write.csv(data.frame(statistic = unname(ht$statistic), df = unname(ht$parameter),
                     p_value = ht$p.value),
          file.path(out, "grunfeld_phtest.csv"), row.names = FALSE)

## 2. Wooldridge (2020) Example 14.4: wage equation, WAGEPAN (linearmodels' wage_panel)
wp <- read.csv(file.path(out, "wage_panel.csv"))
wp$yr <- factor(wp$year)
fe_w <- plm(lwage ~ expersq + union + married + yr, data = wp, index = c("nr", "year"),
            model = "within")
re_w <- plm(lwage ~ educ + black + hisp + exper + expersq + union + married + yr, data = wp,
            index = c("nr", "year"), model = "random")
po_w <- plm(lwage ~ educ + black + hisp + exper + expersq + union + married + yr, data = wp,
            index = c("nr", "year"), model = "pooling")
w <- rbind(add("within", fe_w, vcov(fe_w), "iid"), add("random", re_w, vcov(re_w), "iid"),
           add("pooling", po_w, vcov(po_w), "iid"))
w <- w[w$term %in% c("union", "married", "expersq", "educ"), ]
write.csv(w, file.path(out, "wage_panel_plm_estimates.csv"), row.names = FALSE)
print(do.call(rbind, rows)); print(ht); print(w)
