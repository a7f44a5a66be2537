# Reference values for srma.extraction, computed with R metafor 3.8-1.
#
#   Rscript tests/r/make_extraction_reference.R      # from the repository root
#
# writes tests/data/reference/extraction_reference.json, which
# tests/extraction/test_extraction_reference.py reads (it needs no R).  It pins
# the whole path from the example review's outcome data to study-level effects
# and a pooled result, for two analyses of data/extraction/outcomes.csv:
#
# personal_recovery, post-test, complete cases (combine: aggregate, rho = 0.6)
#   per instrument: escalc("SMD", m1i, sd1i, n1i, m2i, sd2i, n2i) (Hedges' g, exact
#   correction, vtype "LS"); Polat 2021's IMRS-P is a t statistic:
#   g = J(n1 + n2 - 2) * t * sqrt(1/n1 + 1/n2), v = 1/n1 + 1/n2 + g^2 / (2 (n1 + n2))
#   (metafor 3.8 has no ti= argument; J is metafor's own .cmicalc);
#   per study: aggregate(dat, cluster = study_id, rho = 0.6)  (struct "CS", weighted);
#   pooled: rma(yi, vi, method = "REML") and rma(yi, vi, method = "FE").
# substance_abuse, post-test, complete cases (instrument: lower is better)
#   Roosenschoon 2021: MD -0.09 (95% CI -0.34 to 0.17): se = (hi - lo) / (2 qt(.975, n1 + n2 - 2)),
#   sd_pooled = se / sqrt(1/n1 + 1/n2), g = J * md / sd_pooled, v as above;
#   the others: escalc("SMD", ...); every g times -1 (lower scores are better);
#   pooled: rma(yi, vi, method = "FE").
#
# REML is converged far below the tests' tolerance:
#   control = list(threshold = 1e-12, maxiter = 1000).

suppressPackageStartupMessages({
  library(metafor)
  library(jsonlite)
})
stopifnot(packageVersion("metafor") == "3.8.1")

out_file <- file.path("tests", "data", "reference", "extraction_reference.json")
dat0 <- read.csv(file.path("data", "extraction", "outcomes.csv"), stringsAsFactors = FALSE,
                 na.strings = "")
J <- metafor:::.cmicalc

smd_rows <- function(d) {
  yi <- vi <- rep(NA_real_, nrow(d))
  means <- !is.na(d$mean_intervention) & !is.na(d$sd_intervention)
  if (any(means)) {
    e <- escalc("SMD", m1i = mean_intervention, sd1i = sd_intervention, n1i = n_intervention,
                m2i = mean_comparator, sd2i = sd_comparator, n2i = n_comparator,
                data = d[means, ])
    yi[means] <- e$yi
    vi[means] <- e$vi
  }
  tstat <- !means & !is.na(d$t)
  n1 <- d$n_intervention
  n2 <- d$n_comparator
  yi[tstat] <- J(n1[tstat] + n2[tstat] - 2) * d$t[tstat] * sqrt(1 / n1[tstat] + 1 / n2[tstat])
  mdci <- !means & !tstat & !is.na(d$md)
  se <- (d$md_ci_high - d$md_ci_low) / (2 * qt(0.975, n1 + n2 - 2))
  sp <- se / sqrt(1 / n1 + 1 / n2)
  yi[mdci] <- (J(n1 + n2 - 2) * d$md / sp)[mdci]
  other <- tstat | mdci
  vi[other] <- (1 / n1 + 1 / n2 + yi^2 / (2 * (n1 + n2)))[other]
  d$yi <- as.numeric(yi)
  d$vi <- as.numeric(vi)
  d
}

ctrl <- list(threshold = 1e-12, maxiter = 1000)
fit_list <- function(res) {
  list(estimate = as.numeric(res$b), se = res$se, ci_low = res$ci.lb, ci_high = res$ci.ub,
       tau2 = res$tau2, q = res$QE, q_df = res$k - 1, i2 = res$I2)
}

# ---- personal recovery, post-test, complete cases
pr <- subset(dat0, outcome == "personal_recovery" & timepoint == "post" & population == "cc" &
             is.na(no_usable_data))
pr <- smd_rows(pr)
pr_es <- escalc(measure = "SMD", yi = yi, vi = vi, data = pr)
agg <- aggregate(pr_es, cluster = study_id, rho = 0.6)
pr_reml <- rma(yi, vi, data = agg, method = "REML", control = ctrl)
pr_fe <- rma(yi, vi, data = agg, method = "FE")

# ---- substance abuse, post-test, complete cases (lower is better)
sa <- subset(dat0, outcome == "substance_abuse" & timepoint == "post" & population == "cc")
sa <- smd_rows(sa)
sa$yi <- -sa$yi
sa_fe <- rma(yi, vi, data = sa, method = "FE")

out <- list(
  metafor = as.character(packageVersion("metafor")),
  outcomes_md5 = unname(tools::md5sum(file.path("data", "extraction", "outcomes.csv"))),
  personal_recovery_post_cc = list(
    call = paste("aggregate(escalc('SMD', ...), cluster = study_id, rho = 0.6);",
                 "rma(yi, vi, method = 'REML', control = list(threshold = 1e-12));",
                 "rma(yi, vi, method = 'FE')"),
    instruments = lapply(seq_len(nrow(pr)), function(i) list(
      study_id = pr$study_id[i], instrument = pr$instrument[i], yi = pr$yi[i], vi = pr$vi[i])),
    studies = lapply(seq_len(nrow(agg)), function(i) list(
      study_id = as.character(agg$study_id[i]), yi = as.numeric(agg$yi[i]),
      vi = as.numeric(agg$vi[i]))),
    reml = fit_list(pr_reml),
    fe = fit_list(pr_fe)
  ),
  substance_abuse_post_cc = list(
    call = "-escalc('SMD', ...) and MD/CI conversion; rma(yi, vi, method = 'FE')",
    studies = lapply(seq_len(nrow(sa)), function(i) list(
      study_id = sa$study_id[i], yi = sa$yi[i], vi = sa$vi[i])),
    fe = fit_list(sa_fe)
  )
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = 15, pretty = TRUE), out_file)
cat("wrote", out_file, "\n")
