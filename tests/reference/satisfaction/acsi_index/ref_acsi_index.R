# ACSI-style 0-100 index reference values from R cSEM, for tests/satisfaction/test_acsi_index_reference.py
# (the test needs no R).
#
# The index of a construct (Fornell, Johnson, Anderson, Cha & Bryant 1996) is 100 (sum_i w~_i xbar_i - min) /
# (max - min), w~_i = (w_i / s_i) / sum_j (w_j / s_j) the PLS outer weights w_i (standardised items) converted to
# the raw item scale and normed to sum 1. cSEM's getConstructScores(fit, .standardized = FALSE) builds exactly
# those weights (W_std / sd(x), rows normed to sum 1) and scores x %*% t(W_normed); on items rescaled to 0-100
# with the THEORETICAL scale, x* = 100 (x - min) / (max - min), the mean of those scores is the index (the
# rescaling is affine and the normed weights sum to 1, so it commutes with the weighted mean; the script checks
# this against the mean of scores on the raw 1-7 items, rescaled afterwards). cSEM itself does not rescale.
# A segment's index is the mean of the same (overall-weight) scores over the segment's rows.
#
# Software: R 4.2.2 (Debian), cSEM 0.6.1 (CRAN; install note in ../ipma/ref_ipma_corp_rep.R).
# Exact calls, per model: every block a composite ("<~") with .PLS_modes = "modeA";
#   fit <- csem(.data = x*, .model, .PLS_modes = <modeA for every block>, .PLS_weight_scheme_inner = "path",
#               .tolerance = 1e-12, .iter_max = 10000, .conv_criterion = "diff_absolute")
#   colMeans(getConstructScores(fit, .standardized = FALSE)$Construct_scores)   # the index, per construct
#
# Models and data:
#   corp_rep - the PLS-SEM primer's simple corporate reputation model (COMP, LIKE -> CUSA, CUSL; CUSA -> CUSL) on
#              ../ipma/corp_rep_items.csv (provenance there; 1-7 items, -99 = missing, replaced by the item mean:
#              11 cells). No segment column among the items.
#   survey   - the bundled simulated bank survey data/survey.csv with the ACSI bank model
#              (bankcrm_research.satisfaction.ACSI_BANK_MODEL); items prepared as
#              prepare_survey(survey, ACSI_BANK_MODEL, keep = c("channel_group", "value_tier")) does: *_R items
#              re-reversed (8 - x), respondents with any missing item dropped (listwise); segments channel_group
#              and value_tier (overall weights). The SHA-256 of data/survey.csv is written to acsi_meta.csv; a
#              test fails when it is stale: re-run this script.
#
# Usage (from the repository root):  Rscript tests/reference/satisfaction/acsi_index/ref_acsi_index.R
# Writes acsi_index.csv (model, construct, segment_column, segment, n, index; 17 significant digits),
# acsi_weights.csv (model, construct, indicator, w_std, w_normed) and acsi_meta.csv in this folder.
suppressPackageStartupMessages(library(cSEM))
out <- "tests/reference/satisfaction/acsi_index"
g <- function(x) sprintf("%.17g", x)
sha <- function(p) strsplit(system2("sha256sum", p, stdout = TRUE), " ")[[1]][1]

fit_index <- function(name, d, blocks, paths, lo, hi, segs) {
  x <- 100 * (d[, unlist(blocks)] - lo) / (hi - lo)
  spec <- paste(c(sprintf("%s <~ %s", names(blocks), sapply(blocks, paste, collapse = " + ")), paths),
                collapse = "\n")
  modes <- setNames(as.list(rep("modeA", length(blocks))), names(blocks))
  args <- list(.model = spec, .PLS_modes = modes, .PLS_weight_scheme_inner = "path", .tolerance = 1e-12,
               .iter_max = 10000, .conv_criterion = "diff_absolute")
  fit <- do.call(csem, c(list(.data = x), args))
  stopifnot(fit$Information$Weight_info$Convergence_status)
  sc <- getConstructScores(fit, .standardized = FALSE)
  s <- sc$Construct_scores
  # the convention check: scores on the raw items, rescaled afterwards, give the same index
  fit_raw <- do.call(csem, c(list(.data = d[, unlist(blocks)]), args))
  s_raw <- getConstructScores(fit_raw, .standardized = FALSE)$Construct_scores
  stopifnot(max(abs(100 * (colMeans(s_raw) - lo) / (hi - lo) - colMeans(s))) < 1e-9)
  rows <- list(data.frame(model = name, construct = colnames(s), segment_column = "", segment = "overall",
                          n = nrow(s), index = g(colMeans(s))))
  for (sc_col in names(segs)) {
    for (lev in sort(unique(segs[[sc_col]]))) {
      m <- segs[[sc_col]] == lev
      rows[[length(rows) + 1]] <- data.frame(model = name, construct = colnames(s), segment_column = sc_col,
                                             segment = lev, n = sum(m), index = g(colMeans(s[m, , drop = FALSE])))
    }
  }
  w <- fit$Estimates$Weight_estimates
  wn <- sc$W_used
  wl <- do.call(rbind, lapply(names(blocks), function(cn) data.frame(
    model = name, construct = cn, indicator = blocks[[cn]], w_std = g(w[cn, blocks[[cn]]]),
    w_normed = g(wn[cn, blocks[[cn]]]))))
  list(index = do.call(rbind, rows), weights = wl)
}

# corporate reputation, simple model
cr <- read.csv("tests/reference/satisfaction/ipma/corp_rep_items.csv")
cr_blocks <- list(COMP = paste0("comp_", 1:3), LIKE = paste0("like_", 1:3), CUSA = "cusa",
                  CUSL = paste0("cusl_", 1:3))
cr_items <- unlist(cr_blocks, use.names = FALSE)
n_replaced <- 0
for (it in cr_items) {
  miss <- cr[[it]] == -99
  n_replaced <- n_replaced + sum(miss)
  cr[[it]] <- as.numeric(cr[[it]])
  cr[[it]][miss] <- mean(cr[[it]][!miss])
}
res_cr <- fit_index("corp_rep", cr, cr_blocks, c("CUSA ~ COMP + LIKE", "CUSL ~ COMP + LIKE + CUSA"), 1, 7,
                    list())

# bundled survey, ACSI bank model
path <- "data/survey.csv"
survey <- read.csv(path)
sv_blocks <- list(
  IMAG = paste0("IMAG", 1:4), CUEX = c("CUEX1", "CUEX2", "CUEX3_R"),
  PERQ = c("PERQ1", "PERQ2", "PERQ3", "PERQ4", "PERQ5", "PERQ6_R", "PERQ7", "PERQ8"),
  PERV = paste0("PERV", 1:3), CUSA = paste0("CUSA", 1:3), CUSCO = c("CUSCO1", "CUSCO2"),
  CUSL = c("CUSL1", "CUSL2_R", "CUSL3"))
sv_items <- unlist(sv_blocks, use.names = FALSE)
d <- survey[, c(sv_items, "channel_group", "value_tier")]
for (it in grep("_R$", sv_items, value = TRUE)) d[[it]] <- 8 - d[[it]]
n_input <- nrow(d)
d <- d[complete.cases(d[, sv_items]), ]
res_sv <- fit_index("survey", d, sv_blocks,
                    c("CUEX ~ IMAG", "PERQ ~ CUEX", "PERV ~ CUEX + PERQ", "CUSA ~ IMAG + CUEX + PERQ + PERV",
                      "CUSCO ~ CUSA", "CUSL ~ IMAG + CUSA + CUSCO"), 1, 7,
                    list(channel_group = d$channel_group, value_tier = d$value_tier))

idx <- rbind(res_cr$index, res_sv$index)
write.csv(idx, file.path(out, "acsi_index.csv"), row.names = FALSE, quote = FALSE)
write.csv(rbind(res_cr$weights, res_sv$weights), file.path(out, "acsi_weights.csv"), row.names = FALSE,
          quote = FALSE)
meta <- data.frame(
  key = c("R", "cSEM", "corp_rep_items_sha256", "corp_rep_cells_mean_replaced", "survey_file", "survey_sha256",
          "survey_n_input", "survey_n_used"),
  value = c(R.version.string, as.character(packageVersion("cSEM")),
            sha("tests/reference/satisfaction/ipma/corp_rep_items.csv"), n_replaced, path, sha(path), n_input,
            nrow(d)))
write.csv(meta, file.path(out, "acsi_meta.csv"), row.names = FALSE)
print(idx)
print(meta)
