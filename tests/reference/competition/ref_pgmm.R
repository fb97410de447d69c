# Reference values for bankcrm_research.competition.dynamic_panel (difference and system GMM).
# Run from the repository root:  Rscript tests/reference/competition/ref_pgmm.R
# R plm (Croissant & Millo) pgmm on the Arellano-Bond (1991) EmplUK data; writes
#   tests/reference/competition/emplUK.csv       (the data, as shipped with plm)
#   tests/reference/competition/pgmm_emplUK.csv  (coefficients, SEs, tests per model)
suppressPackageStartupMessages(library(plm))
data("EmplUK", package = "plm")
out_dir <- "tests/reference/competition"
write.csv(EmplUK, file.path(out_dir, "emplUK.csv"), row.names = FALSE)

collect <- function(fit, name, robust) {
  s <- summary(fit, robust = robust)
  co <- s$coefficients
  ar1 <- mtest(fit, order = 1, vcov = if (robust) vcovHC(fit) else NULL)
  ar2 <- mtest(fit, order = 2, vcov = if (robust) vcovHC(fit) else NULL)
  sg <- sargan(fit)
  n_instr <- ncol(fit$W[[1]])
  rbind(
    data.frame(model = name, term = rownames(co), estimate = co[, 1], std_error = co[, 2], statistic = co[, 3],
               p_value = co[, 4], df = NA_real_),
    data.frame(model = name, term = c("ar1", "ar2", "sargan", "n_instruments", "n_groups"),
               estimate = NA_real_, std_error = NA_real_,
               statistic = c(ar1$statistic, ar2$statistic, sg$statistic, n_instr, length(fit$W)),
               p_value = c(ar1$p.value, ar2$p.value, sg$p.value, NA, NA),
               df = c(NA, NA, sg$parameter, NA, NA))
  )
}

# Arellano & Bond (1991) Table 4 col. (b): two-step difference GMM, time dummies, Windmeijer SEs
ab <- pgmm(log(emp) ~ lag(log(emp), 1:2) + lag(log(wage), 0:1) + log(capital) + lag(log(output), 0:1)
           | lag(log(emp), 2:99), data = EmplUK, effect = "twoways", model = "twosteps")
# the same with collapsed instruments
ab_c <- pgmm(log(emp) ~ lag(log(emp), 1:2) + lag(log(wage), 0:1) + log(capital) + lag(log(output), 0:1)
             | lag(log(emp), 2:99), data = EmplUK, effect = "twoways", model = "twosteps", collapse = TRUE)
# Blundell & Bond (1998) style system GMM (plm's example), two-step, Windmeijer SEs
bb <- pgmm(log(emp) ~ lag(log(emp), 1) + lag(log(wage), 0:1) + lag(log(capital), 0:1)
           | lag(log(emp), 2:99) + lag(log(wage), 2:99) + lag(log(capital), 2:99),
           data = EmplUK, effect = "twoways", model = "twosteps", transformation = "ld")
# one-step difference GMM (robust SEs)
ab1 <- pgmm(log(emp) ~ lag(log(emp), 1:2) + lag(log(wage), 0:1) + log(capital) + lag(log(output), 0:1)
            | lag(log(emp), 2:99), data = EmplUK, effect = "twoways", model = "onestep")

res <- rbind(collect(ab, "diff_twostep", TRUE), collect(ab_c, "diff_twostep_collapse", TRUE),
             collect(bb, "system_twostep", TRUE), collect(ab1, "diff_onestep", TRUE))
res$plm_version <- as.character(packageVersion("plm"))
write.csv(res, file.path(out_dir, "pgmm_emplUK.csv"), row.names = FALSE)
print(res)
