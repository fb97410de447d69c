# Reference values for tests/retention/test_survival.py (survival::coxph, survival::survdiff, survival::cox.zph).
# Data: rossi.csv = lifelines.datasets.load_rossi() (Rossi, Berk & Lenihan 1980; also carData::Rossi).
# Run from this folder: Rscript ref_survival_rossi.R
suppressMessages(library(survival))
rossi <- read.csv("rossi.csv")
fit <- coxph(Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio, data = rossi, ties = "efron")
s <- summary(fit)
out <- data.frame(term = rownames(s$coefficients), coef = s$coefficients[, "coef"],
                  se = s$coefficients[, "se(coef)"], p = s$coefficients[, "Pr(>|z|)"],
                  ci_low = s$conf.int[, "lower .95"], ci_high = s$conf.int[, "upper .95"])
write.csv(out, "coxph_rossi_efron.csv", row.names = FALSE)
fitb <- coxph(Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio, data = rossi, ties = "breslow")
write.csv(data.frame(term = names(coef(fitb)), coef = unname(coef(fitb))), "coxph_rossi_breslow.csv", row.names = FALSE)
zph <- cox.zph(fit, transform = "rank", terms = FALSE)
write.csv(data.frame(term = rownames(zph$table), chisq = zph$table[, "chisq"], p = zph$table[, "p"]),
          "coxzph_rossi_rank.csv", row.names = FALSE)
conc <- concordance(fit)
sd <- survdiff(Surv(week, arrest) ~ fin, data = rossi)
write.csv(data.frame(quantity = c("concordance", "loglik", "logrank_fin_chisq", "logrank_fin_p"),
                     value = c(conc$concordance, fit$loglik[2], sd$chisq,
                               pchisq(sd$chisq, df = 1, lower.tail = FALSE))),
          "coxph_rossi_fit.csv", row.names = FALSE)
km <- survfit(Surv(week, arrest) ~ 1, data = rossi, conf.type = "log-log")
write.csv(data.frame(time = km$time, surv = km$surv, lower = km$lower, upper = km$upper), "km_rossi.csv",
          row.names = FALSE)
# time-varying: employment status per week (carData::Rossi emp1..emp52 are not in rossi.csv), so the
# start-stop reference uses survival's own `heart` data (Stanford heart transplant), exported here.
data(heart, package = "survival")
write.csv(heart, "heart.csv", row.names = FALSE)
tv <- coxph(Surv(start, stop, event) ~ age + year + surgery + transplant, data = heart, ties = "efron")
st <- summary(tv)
write.csv(data.frame(term = rownames(st$coefficients), coef = st$coefficients[, "coef"],
                     se = st$coefficients[, "se(coef)"]), "coxph_heart_tv_efron.csv", row.names = FALSE)
writeLines(c(R.version.string, paste("survival", as.character(packageVersion("survival")))), "R_VERSION.txt")
