# IPMA reference values on the PLS-SEM primer's corporate reputation data, from R cSEM::doIPMA.
#
# Data: `corp_rep_data` as shipped with the R package seminr 2.3.1 (sem-in-r/seminr, data/corp_rep_data.rda,
# commit ae2524aae5f4f0bda3eb87faf80378af5baccea1, GPL-3), the mobile-phone-provider survey of Hair, Hult, Ringle
# & Sarstedt, *A Primer on Partial Least Squares Structural Equation Modeling* (2nd/3rd ed.) and Hair et al.
# (2021) *PLS-SEM Using R*. 344 respondents, items on a 1-7 scale, -99 = missing. corp_rep_items.csv keeps the
# 28 item columns of the primer's models exactly as shipped (-99 kept); nothing else from the file.
#
# Missing data as in the primer and seminr (`missing = mean_replacement, missing_value = "-99"`): a missing item
# is replaced by the item's mean over the respondents who answered it (11 cells in 8 rows).
# Indicators are rescaled to 0-100 with the theoretical scale, x* = 100 (x - 1) / (7 - 1), before estimation,
# as Ringle & Sarstedt (2016) and cSEM's doIPMA documentation require (doIPMA does not rescale itself).
#
# Two models, all blocks composites with Mode A weights (bankcrm_research's PLSSEM estimates Mode A only),
# path weighting scheme, target construct CUSL:
#   simple   - the primer's simple corporate reputation model (chapters 2-6):
#              COMP, LIKE -> CUSA, CUSL; CUSA -> CUSL.
#   extended - the primer's extended model (chapters 5-8) with QUAL, PERF, CSOR, ATTR -> COMP, LIKE. The primer
#              measures those four drivers in Mode B; here they are Mode A, so these numbers are cSEM's IPMA of
#              that specification, not the primer's printed extended-model table.
#
# Software: cSEM 0.6.1 (CRAN, github.com/cran/cSEM @ HEAD of 2025-05-16), installed from source on Debian R;
# its DESCRIPTION's TruncatedNormal import was removed for the install (TruncatedNormal is used only by
# cSEM::predict's truncated-normal benchmark, not by csem() or doIPMA()).
#
# Exact calls: csem(.data, .model, .PLS_modes = <modeA for every block>, .PLS_weight_scheme_inner = "path",
#   .tolerance = 1e-12, .iter_max = 10000, .conv_criterion = "diff_absolute"); doIPMA(fit).
#
# Usage (from the repository root):
#   Rscript tests/reference/satisfaction/ipma/ref_ipma_corp_rep.R [path/to/corp_rep_data.rda]
# With an .rda path the CSV of items is (re)written from it first; without, the CSV in this folder is used.
# Writes ipma_<model>_construct.csv, ipma_<model>_indicator.csv, ipma_<model>_weights.csv,
# ipma_<model>_paths.csv and ipma_meta.csv in this folder.
suppressPackageStartupMessages(library(cSEM))
out <- "tests/reference/satisfaction/ipma"
items <- c(paste0("qual_", 1:8), paste0("perf_", 1:5), paste0("csor_", 1:5), paste0("attr_", 1:3),
           paste0("comp_", 1:3), paste0("like_", 1:3), "cusa", paste0("cusl_", 1:3))
args <- commandArgs(trailingOnly = TRUE)
if (length(args) >= 1) {
  load(args[1])
  write.csv(corp_rep_data[, items], file.path(out, "corp_rep_items.csv"), row.names = FALSE)
}
raw <- read.csv(file.path(out, "corp_rep_items.csv"))
d <- raw
n_replaced <- 0
for (it in items) {
  miss <- d[[it]] == -99
  n_replaced <- n_replaced + sum(miss)
  d[[it]] <- as.numeric(d[[it]])
  d[[it]][miss] <- mean(d[[it]][!miss])
}
d <- 100 * (d - 1) / (7 - 1)

blocks <- list(
  QUAL = paste0("qual_", 1:8), PERF = paste0("perf_", 1:5), CSOR = paste0("csor_", 1:5),
  ATTR = paste0("attr_", 1:3), COMP = paste0("comp_", 1:3), LIKE = paste0("like_", 1:3),
  CUSA = "cusa", CUSL = paste0("cusl_", 1:3))
models <- list(
  simple = list(blocks = c("COMP", "LIKE", "CUSA", "CUSL"),
                paths = "CUSA ~ COMP + LIKE\nCUSL ~ COMP + LIKE + CUSA"),
  extended = list(blocks = names(blocks),
                  paths = "COMP ~ QUAL + PERF + CSOR + ATTR\nLIKE ~ QUAL + PERF + CSOR + ATTR\nCUSA ~ COMP + LIKE\nCUSL ~ COMP + LIKE + CUSA"))

for (m in names(models)) {
  bl <- models[[m]]$blocks
  spec <- paste(c(sprintf("%s <~ %s", bl, sapply(blocks[bl], paste, collapse = " + ")), models[[m]]$paths),
                collapse = "\n")
  modes <- setNames(as.list(rep("modeA", length(bl))), bl)
  fit <- csem(.data = d[, unlist(blocks[bl])], .model = spec, .PLS_modes = modes,
              .PLS_weight_scheme_inner = "path", .tolerance = 1e-12, .iter_max = 10000,
              .conv_criterion = "diff_absolute")
  stopifnot(fit$Information$Weight_info$Convergence_status)
  ip <- doIPMA(fit)
  imp <- ip$Construct$Importance
  src <- setdiff(bl, "CUSL")
  cons <- data.frame(construct = src, importance = imp["CUSL", src],
                     performance = ip$Construct$Performance[src])
  write.csv(cons, file.path(out, sprintf("ipma_%s_construct.csv", m)), row.names = FALSE)
  ind_items <- unlist(blocks[src], use.names = FALSE)
  ind <- data.frame(indicator = ind_items, importance = ip$Indicator$Importance["CUSL", ind_items],
                    performance = ip$Indicator$Performance[ind_items])
  write.csv(ind, file.path(out, sprintf("ipma_%s_indicator.csv", m)), row.names = FALSE)
  w <- fit$Estimates$Weight_estimates
  wl <- do.call(rbind, lapply(bl, function(cn) data.frame(construct = cn, indicator = blocks[[cn]],
                                                          weight = w[cn, blocks[[cn]]])))
  write.csv(wl, file.path(out, sprintf("ipma_%s_weights.csv", m)), row.names = FALSE)
  pe <- fit$Estimates$Path_estimates
  pl <- which(pe != 0, arr.ind = TRUE)
  write.csv(data.frame(to = rownames(pe)[pl[, 1]], from = colnames(pe)[pl[, 2]], estimate = pe[pl]),
            file.path(out, sprintf("ipma_%s_paths.csv", m)), row.names = FALSE)
}
meta <- data.frame(key = c("R", "cSEM", "n", "cells_mean_replaced", "items_sha256"),
                   value = c(R.version.string, as.character(packageVersion("cSEM")), nrow(d), n_replaced,
                             strsplit(system2("sha256sum", file.path(out, "corp_rep_items.csv"), stdout = TRUE),
                                      " ")[[1]][1]))
write.csv(meta, file.path(out, "ipma_meta.csv"), row.names = FALSE)
options(digits = 15)
print(meta)
