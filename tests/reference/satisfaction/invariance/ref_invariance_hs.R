# Reference values for tests/satisfaction/test_satisfaction_invariance.py
# Run from the repository root:  Rscript tests/reference/satisfaction/invariance/ref_invariance_hs.R
# R 4.2, lavaan 0.6-14 (Debian r-cran-lavaan). semTools is not installed: the ladder is lavaan's group.equal.
library(lavaan)
d <- "tests/reference/satisfaction/invariance"
hs <- read.csv(file.path(d, "holzinger_swineford_1939.csv"))
mm <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
eq <- list(configural = "", metric = "loadings", scalar = c("loadings", "intercepts"),
           strict = c("loadings", "intercepts", "residuals"))
keys <- c("npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "srmr",
          "baseline.chisq", "baseline.df")
rows <- lapply(names(eq), function(lv) {
  fit <- cfa(mm, data = hs, group = "school", group.equal = eq[[lv]])
  fm <- fitMeasures(fit, keys)
  data.frame(level = lv, as.list(setNames(as.numeric(fm), keys)), check.names = FALSE)
})
out <- do.call(rbind, rows)
write.csv(out, file.path(d, "lavaan_hs_invariance.csv"), row.names = FALSE)
# latent means of the scalar model (group 2 relative to group 1 = Pasteur)
fit <- cfa(mm, data = hs, group = "school", group.equal = c("loadings", "intercepts"))
pe <- parameterEstimates(fit)
write.csv(pe[pe$op == "~1" & pe$lhs %in% c("visual", "textual", "speed"), c("lhs", "group", "est", "se")],
          file.path(d, "lavaan_hs_scalar_latent_means.csv"), row.names = FALSE)
print(out)
