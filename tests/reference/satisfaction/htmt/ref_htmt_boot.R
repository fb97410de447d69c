# HTMT (classic and HTMT2) percentile bootstrap CIs from semTools, on the same resamples as
# bankcrm_research.satisfaction.validity.htmt_table (step 2 of 2).
#
# Data: tests/reference/satisfaction/invariance/holzinger_swineford_1939.csv, lavaan's
# HolzingerSwineford1939 (301 pupils; provenance in PROVENANCE.md beside it). The CSV is read here (not
# lavaan's built-in copy, whose values have more digits), so R and Python see identical numbers.
# Model: semTools' own htmt() help example,
#   visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9
#
# Software: R 4.2.2, semTools 0.5-6, lavaan 0.6-14 (Debian/CRAN builds on the project machine; the versions
# actually used are written to htmt_boot_meta.csv). semTools 0.5-6's signature:
#   htmt(model, data = NULL, sample.cov = NULL, missing = "listwise", ordered = NULL, absolute = TRUE,
#        htmt2 = TRUE)
# It correlates the items with lavaan::lavCor(data, missing = "listwise"), takes |r| (absolute = TRUE; with
# htmt2 = TRUE always) and returns arithmetic (htmt2 = FALSE) or geometric (htmt2 = TRUE) mean ratios.
#
# Exact calls, for the full sample and for every resample b = 1..B (idx_b = 1 + row b of the index file):
#   semTools::htmt(model, data = d[idx_b, ], htmt2 = FALSE)   # classic (Henseler et al. 2015)
#   semTools::htmt(model, data = d[idx_b, ], htmt2 = TRUE)    # HTMT2 (Roemer et al. 2021)
# with d = the nine items x1..x9. Percentile CI per construct pair:
#   quantile(values_b, c(alpha / 2, 1 - alpha / 2), type = 7, na.rm = TRUE), alpha = 0.05,
# type 7 = numpy's default linear interpolation, which htmt_table uses (np.nanquantile).
#
# Usage (from the repository root; step 1 writes the resample indices, 500 x 301, not committed):
#   .venv/bin/python tests/reference/satisfaction/htmt/write_htmt_boot_indices.py /tmp/htmt_boot_indices.csv
#   Rscript tests/reference/satisfaction/htmt/ref_htmt_boot.R /tmp/htmt_boot_indices.csv
# Writes in this folder (numbers with 17 significant digits):
#   htmt_boot_point.csv       variant, construct_1, construct_2, htmt (full sample), ci_low, ci_high, n_valid,
#                             boot_mean (mean of all B resample values: a checksum over every replicate)
#   htmt_boot_replicates.csv  replicate (1-based b), variant, construct_1, construct_2, value, for a few b
#   htmt_boot_meta.csv        key, value: versions, B, n, seed, alpha, checksums of the index file as read
suppressPackageStartupMessages({
  library(lavaan)
  library(semTools)
})
out <- "tests/reference/satisfaction/htmt"
args <- commandArgs(trailingOnly = TRUE)
idx_path <- if (length(args) >= 1) args[1] else file.path(tempdir(), "htmt_boot_indices.csv")
seed <- 20130613  # the seed step 1 used (htmt_table's default); recorded, not used by R
alpha <- 0.05
keep_reps <- c(1:5, 250, 500)

d <- read.csv("tests/reference/satisfaction/invariance/holzinger_swineford_1939.csv")
d <- d[, paste0("x", 1:9)]
model <- "visual =~ x1 + x2 + x3
          textual =~ x4 + x5 + x6
          speed =~ x7 + x8 + x9"
idx0 <- as.matrix(read.csv(idx_path, header = FALSE))  # 0-based, one resample per line
stopifnot(ncol(idx0) == nrow(d), all(idx0 >= 0), all(idx0 < nrow(d)))
B <- nrow(idx0)

variants <- c(classic = FALSE, htmt2 = TRUE)
pairs <- t(combn(3, 2))
f <- c("visual", "textual", "speed")
fmt <- function(x) format(x, digits = 17)
lower <- function(m) m[pairs]  # (1,2), (1,3), (2,3)

point <- list()
reps <- list()
for (v in names(variants)) {
  est <- semTools::htmt(model, data = d, htmt2 = variants[[v]])
  boot <- matrix(NA_real_, B, nrow(pairs))
  for (b in seq_len(B)) {
    boot[b, ] <- lower(semTools::htmt(model, data = d[idx0[b, ] + 1, ], htmt2 = variants[[v]]))
  }
  ci <- apply(boot, 2, quantile, probs = c(alpha / 2, 1 - alpha / 2), type = 7, na.rm = TRUE, names = FALSE)
  point[[v]] <- data.frame(variant = v, construct_1 = f[pairs[, 1]], construct_2 = f[pairs[, 2]],
                           htmt = fmt(lower(est)), ci_low = fmt(ci[1, ]), ci_high = fmt(ci[2, ]),
                           n_valid = colSums(is.finite(boot)), boot_mean = fmt(colMeans(boot)))
  for (b in keep_reps) {
    reps[[length(reps) + 1]] <- data.frame(replicate = b, variant = v, construct_1 = f[pairs[, 1]],
                                           construct_2 = f[pairs[, 2]], value = fmt(boot[b, ]))
  }
}
write.csv(do.call(rbind, point), file.path(out, "htmt_boot_point.csv"), row.names = FALSE, quote = FALSE)
write.csv(do.call(rbind, reps), file.path(out, "htmt_boot_replicates.csv"), row.names = FALSE, quote = FALSE)
meta <- data.frame(
  key = c("R", "semTools", "lavaan", "B", "n", "seed", "alpha", "quantile_type", "index_sum",
          "index_weighted_sum", "index_first5"),
  value = c(R.version.string, as.character(packageVersion("semTools")), as.character(packageVersion("lavaan")),
            B, nrow(d), seed, alpha, 7, fmt(sum(as.numeric(idx0))),
            fmt(sum(as.numeric(idx0) * as.numeric(row(idx0)))), paste(idx0[1, 1:5], collapse = " "))
)
write.csv(meta, file.path(out, "htmt_boot_meta.csv"), row.names = FALSE, quote = TRUE)
cat("wrote htmt_boot_point.csv, htmt_boot_replicates.csv, htmt_boot_meta.csv in", out, "\n")
