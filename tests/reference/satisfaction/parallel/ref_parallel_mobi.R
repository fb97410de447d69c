# Observed eigenvalues of parallel analysis on the 23 mobi items (CUSCO excluded), for
# tests/satisfaction/test_satisfaction_parallel_reference.py. psych::fa.parallel's random part
# depends on R's RNG, so only the observed eigenvalues are pinned (issue 14).
# Run from the repository root: BANKCRM_SHARED_DATA=... Rscript tests/reference/satisfaction/parallel/ref_parallel_mobi.R
# R 4.2, psych (Debian r-cran-psych).
library(psych)
path <- Sys.getenv("BANKCRM_SHARED_DATA", "../shared/data")
mobi <- read.csv(file.path(path, "ecsi_mobi", "mobi.csv"))
x <- mobi[, setdiff(names(mobi), "CUSCO")]
r <- cor(x)
set.seed(1)
pa <- fa.parallel(x, fm = "minres", fa = "both", n.iter = 20, plot = FALSE)
pa_smc <- fa.parallel(x, fm = "minres", fa = "both", n.iter = 20, SMC = TRUE, plot = FALSE)
smc_r <- r; diag(smc_r) <- smc(r)
out <- data.frame(factor = seq_len(ncol(x)), eigen_pc = eigen(r)$values, eigen_smc = eigen(smc_r)$values,
                  psych_pc_values = pa$pc.values, psych_fa_values = pa$fa.values,
                  psych_fa_values_smc = pa_smc$fa.values)
write.csv(out, "tests/reference/satisfaction/parallel/psych_parallel_observed_mobi_reference.csv", row.names = FALSE)
print(head(out)); cat("psych nfact", pa$nfact, "ncomp", pa$ncomp, "\n")
