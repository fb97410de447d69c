# Reference values for the satisfaction tests on the BUNDLED simulated survey (data/survey.csv),
# computed with R lavaan / semTools / psych (Debian r-cran-* packages).
#
# Usage (from the repository root):  Rscript tests/reference/satisfaction/ref_satisfaction_survey.R
# Writes tests/reference/satisfaction/survey_*.csv. Re-run whenever data/survey.csv changes: the
# SHA-256 of the data file is written to survey_meta.csv and a test fails when it is stale.
#
# Preparation mirrors bankcrm_research.satisfaction.prepare_survey(survey, ACSI_BANK_MODEL):
# the reverse-coded items (*_R) are re-reversed (8 - x on the 1-7 scale) and respondents with any
# missing item are dropped (listwise).
suppressPackageStartupMessages({ library(lavaan); library(semTools); library(psych) })
out <- "tests/reference/satisfaction"
path <- "data/survey.csv"
survey <- read.csv(path)
sha <- strsplit(system2("sha256sum", path, stdout = TRUE), " ")[[1]][1]

blocks <- list(
  IMAG = paste0("IMAG", 1:4),
  CUEX = c("CUEX1", "CUEX2", "CUEX3_R"),
  PERQ = c("PERQ1", "PERQ2", "PERQ3", "PERQ4", "PERQ5", "PERQ6_R", "PERQ7", "PERQ8"),
  PERV = paste0("PERV", 1:3),
  CUSA = paste0("CUSA", 1:3),
  CUSCO = c("CUSCO1", "CUSCO2"),
  CUSL = c("CUSL1", "CUSL2_R", "CUSL3"))
items <- unlist(blocks, use.names = FALSE)
d <- survey[, items]
for (it in grep("_R$", items, value = TRUE)) d[[it]] <- 8 - d[[it]]
n_input <- nrow(d)
d <- d[complete.cases(d), ]
cat("R", R.version.string, "| lavaan", as.character(packageVersion("lavaan")),
    "| semTools", as.character(packageVersion("semTools")), "| psych", as.character(packageVersion("psych")),
    "| n =", nrow(d), "of", n_input, "\n")

mm <- paste(sprintf("%s =~ %s", names(blocks), sapply(blocks, paste, collapse = " + ")), collapse = "\n")
sm <- "
CUEX ~ IMAG
PERQ ~ CUEX
PERV ~ CUEX + PERQ
CUSA ~ IMAG + CUEX + PERQ + PERV
CUSCO ~ CUSA
CUSL ~ IMAG + CUSA + CUSCO
"
cfa_fit <- cfa(mm, data = d, estimator = "ML")
sem_fit <- sem(paste(mm, sm), data = d, estimator = "ML")
fm <- c("npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "srmr")
fit <- rbind(CFA = fitMeasures(cfa_fit, fm), SEM = fitMeasures(sem_fit, fm))
write.csv(fit, file.path(out, "survey_fit.csv"))

std_cfa <- standardizedSolution(cfa_fit)
load <- std_cfa[std_cfa$op == "=~", c("lhs", "rhs", "est.std", "se", "pvalue")]
write.csv(load, file.path(out, "survey_std_loadings.csv"), row.names = FALSE)
std_sem <- standardizedSolution(sem_fit)
paths <- std_sem[std_sem$op == "~", c("lhs", "rhs", "est.std", "se", "pvalue")]
write.csv(paths, file.path(out, "survey_paths.csv"), row.names = FALSE)
r2 <- lavInspect(sem_fit, "r2")
write.csv(data.frame(var = names(r2), r2 = r2), file.path(out, "survey_r2.csv"), row.names = FALSE)

alpha_raw <- sapply(blocks, function(b) psych::alpha(d[, b], warnings = FALSE)$total$raw_alpha)
alpha_std <- sapply(blocks, function(b) psych::alpha(d[, b], warnings = FALSE)$total$std.alpha)
omega <- compRelSEM(cfa_fit)
cr_fl <- sapply(names(blocks), function(f) { l <- load$est.std[load$lhs == f]; sum(l)^2 / (sum(l)^2 + sum(1 - l^2)) })
ave_fl <- sapply(names(blocks), function(f) { l <- load$est.std[load$lhs == f]; mean(l^2) })
rel <- data.frame(construct = names(blocks), alpha = alpha_raw, alpha_std = alpha_std,
                  omega = omega[names(blocks)], rho_c = cr_fl, ave = ave_fl)
write.csv(rel, file.path(out, "survey_reliability.csv"), row.names = FALSE)

write.csv(htmt(mm, data = d, htmt2 = FALSE), file.path(out, "survey_htmt.csv"))
write.csv(htmt(mm, data = d, htmt2 = TRUE), file.path(out, "survey_htmt2.csv"))

kmo <- psych::KMO(d)
bart <- psych::cortest.bartlett(cor(d), n = nrow(d))
write.csv(data.frame(item = c("overall", items), kmo = c(kmo$MSA, kmo$MSAi)), file.path(out, "survey_kmo.csv"),
          row.names = FALSE)
efa <- psych::fa(d, nfactors = length(blocks), rotate = "varimax", fm = "minres")
write.csv(data.frame(item = items, communality = efa$communality), file.path(out, "survey_efa_communalities.csv"),
          row.names = FALSE)

meta <- data.frame(
  key = c("data_file", "data_sha256", "n_input", "n_used", "bartlett_chisq", "bartlett_df", "R", "lavaan",
          "semTools", "psych"),
  value = c(path, sha, n_input, nrow(d), sprintf("%.10f", bart$chisq), bart$df, R.version.string,
            as.character(packageVersion("lavaan")), as.character(packageVersion("semTools")),
            as.character(packageVersion("psych"))))
write.csv(meta, file.path(out, "survey_meta.csv"), row.names = FALSE)
print(round(fit, 4)); print(rel, digits = 4)
