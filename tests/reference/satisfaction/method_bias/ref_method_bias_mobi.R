# Reference values for tests/satisfaction/test_satisfaction_method_bias.py and
# tests/satisfaction/test_satisfaction_survey_tables.py on the ECSI mobi data.
# Run from the repository root (mobi.csv from ../shared/data/ecsi_mobi or $BANKCRM_SHARED_DATA):
#   Rscript tests/reference/satisfaction/method_bias/ref_method_bias_mobi.R
# R 4.2, lavaan 0.6-14, psych (Debian r-cran-lavaan, r-cran-psych).
library(lavaan); library(psych)
path <- Sys.getenv("BANKCRM_SHARED_DATA", "../shared/data")
mobi <- read.csv(file.path(path, "ecsi_mobi", "mobi.csv"))
blocks <- list(IMAG = paste0("IMAG", 1:5), EXPE = paste0("CUEX", 1:3), QUAL = paste0("PERQ", 1:7),
               VAL = c("PERV1", "PERV2"), SAT = paste0("CUSA", 1:3), LOY = paste0("CUSL", 1:3))
items <- unlist(blocks, use.names = FALSE)
x <- mobi[, items]
d <- "tests/reference/satisfaction/method_bias"
# Harman: first unrotated component (SPSS "% of variance") and one-factor minres EFA
ev <- eigen(cor(x))$values
f1 <- fa(x, nfactors = 1, fm = "minres", rotate = "none")
write.csv(data.frame(statistic = c("first_component_share", "first_eigenvalue", "one_factor_efa_share"),
                     value = c(ev[1] / ncol(x), ev[1], f1$Vaccounted["Proportion Var", 1])),
          file.path(d, "psych_harman_mobi_reference.csv"), row.names = FALSE)
# ULMC: trait CFA (std.lv) and trait + orthogonal method factor
mm <- paste(sapply(names(blocks), function(b) paste(b, "=~", paste(blocks[[b]], collapse = " + "))), collapse = "\n")
mm_m <- paste(mm, paste("METHOD =~", paste(items, collapse = " + ")),
              paste("METHOD ~~", paste0("0*", names(blocks), collapse = " + ")), sep = "\n")
keys <- c("npar", "chisq", "df", "cfi", "rmsea", "srmr")
f0 <- cfa(mm, data = x, std.lv = TRUE)
f1m <- tryCatch(cfa(mm_m, data = x, std.lv = TRUE), error = function(e) NULL, warning = function(w) {
  message("lavaan warning (method model): ", conditionMessage(w)); suppressWarnings(cfa(mm_m, data = x, std.lv = TRUE))})
out <- rbind(data.frame(model = "trait", t(setNames(as.numeric(fitMeasures(f0, keys)), keys))),
             data.frame(model = "trait_plus_method", t(setNames(as.numeric(fitMeasures(f1m, keys)), keys))))
write.csv(out, file.path(d, "lavaan_ulmc_mobi_fit.csv"), row.names = FALSE)
th <- parameterEstimates(f1m)
print(th[th$op == "~~" & th$lhs == th$rhs & th$lhs %in% items, c("lhs", "est")])
print(out)
# Survey tables: item descriptives (SPSS-type skew/kurtosis) and composite correlations with p-values
dd <- file.path("tests/reference/satisfaction/survey_tables")
desc <- describe(x, type = 2)
write.csv(data.frame(item = rownames(desc), n = desc$n, mean = desc$mean, sd = desc$sd, min = desc$min,
                     max = desc$max, skewness = desc$skew, kurtosis = desc$kurtosis),
          file.path(dd, "psych_describe_mobi_reference.csv"), row.names = FALSE)
scores <- sapply(blocks, function(b) rowMeans(x[, b]))
ct <- corr.test(scores, adjust = "none")
long <- do.call(rbind, lapply(1:(ncol(scores) - 1), function(a) do.call(rbind, lapply((a + 1):ncol(scores), function(b)
  data.frame(construct_a = colnames(scores)[a], construct_b = colnames(scores)[b], r = ct$r[a, b], p_value = ct$p[a, b])))))
write.csv(long, file.path(dd, "psych_corr_test_mobi_reference.csv"), row.names = FALSE)
# AVE from the (marker-free, std.lv) CFA standardised loadings
ss <- standardizedSolution(f0)
ave <- sapply(names(blocks), function(b) mean(ss$est.std[ss$op == "=~" & ss$lhs == b]^2))
write.csv(data.frame(construct = names(ave), ave = ave), file.path(dd, "lavaan_ave_mobi_reference.csv"), row.names = FALSE)
