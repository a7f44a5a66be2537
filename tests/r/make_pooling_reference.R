# Reference values for srma.pooling, computed with R metafor 3.8-1 (metadat 1.2-0).
#
#   Rscript tests/r/make_pooling_reference.R      # from the repository root
#
# writes tests/data/reference/pooling_reference.json, which the tests in
# tests/pooling/ read (they need no R).  Every entry records the R call that
# produced it in "call".
#
# Exactness: metafor's defaults stop Fisher scoring at an absolute change of
# 1e-5 and root finding (PM, confint) at an absolute tolerance of
# .Machine$double.eps^0.25 (about 1e-4), which is far coarser than the
# tolerances the tests use.  Every fit here therefore passes
#   control = list(threshold = thr, maxiter = 1000)          (rma: REML/ML/EB)
#   control = list(threshold = thr, maxiter = 1000, tol = thr) (rma: PM)
#   confint(res, control = list(tol = thr, maxiter = 1000))
# with thr = 1e-12 * max(vt, var(yi)) -- 1e-12 of the natural scale of tau2
# (vt is metafor's "typical" within-study variance (k - 1) / tr(P) of I^2,
# var(yi) roughly tau2 + typical vi), so data sets with tiny (1e-10) and huge
# (1e6) variances are converged to the same relative precision.
#
# Input data are rounded to 12 significant digits before fitting so that the
# 15 significant digits written to JSON reproduce them exactly in Python.

suppressPackageStartupMessages({
  library(metafor)
  library(jsonlite)
})
stopifnot(packageVersion("metafor") == "3.8.1")

out_file <- file.path("tests", "data", "reference", "pooling_reference.json")
set.seed(20261122)

r12 <- function(x) signif(x, 12)
nz <- function(x) if (is.null(x) || length(x) == 0) NA else x

vt_of <- function(vi) {
  w <- 1 / vi
  k <- length(vi)
  if (k < 2) return(mean(vi))
  (k - 1) / (sum(w) - sum(w^2) / sum(w))
}
thr_of <- function(yi, vi) {
  s <- vt_of(vi)
  if (length(yi) > 1) s <- max(s, var(yi))
  1e-12 * s
}

# ----------------------------------------------------------------- data sets

datasets <- list()
add_ds <- function(name, yi, vi, call, study = NULL, group = NULL, cluster = NULL) {
  yi <- r12(as.numeric(yi))
  vi <- r12(as.numeric(vi))
  if (is.null(study)) study <- as.character(seq_along(yi))
  ds <- list(yi = yi, vi = vi, study = as.character(study), call = call)
  if (!is.null(group)) ds$group <- as.character(group)
  if (!is.null(cluster)) ds$cluster <- as.character(cluster)
  datasets[[name]] <<- ds
}

bcg <- escalc("RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
add_ds("bcg_rr", bcg$yi, bcg$vi,
       'escalc("RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg)',
       study = paste(dat.bcg$author, dat.bcg$year), group = dat.bcg$alloc)

nsmd <- escalc("SMD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i,
               data = dat.normand1999)
add_ds("normand_smd", nsmd$yi, nsmd$vi,
       'escalc("SMD", m1i=m1i, sd1i=sd1i, n1i=n1i, m2i=m2i, sd2i=sd2i, n2i=n2i, data=dat.normand1999)',
       study = dat.normand1999$source)
nmd <- escalc("MD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i,
              data = dat.normand1999)
add_ds("normand_md", nmd$yi, nmd$vi,
       'escalc("MD", m1i=m1i, sd1i=sd1i, n1i=n1i, m2i=m2i, sd2i=sd2i, n2i=n2i, data=dat.normand1999)',
       study = dat.normand1999$source)

add_ds("hackshaw", dat.hackshaw1998$yi, dat.hackshaw1998$vi, "dat.hackshaw1998 (yi, vi)",
       study = paste(dat.hackshaw1998$author, dat.hackshaw1998$year))

mz <- escalc("ZCOR", ri = ri, ni = ni, data = dat.molloy2014)
add_ds("molloy_zcor", mz$yi, mz$vi, 'escalc("ZCOR", ri=ri, ni=ni, data=dat.molloy2014)',
       study = paste(dat.molloy2014$authors, dat.molloy2014$year), group = dat.molloy2014$design)

add_ds("bangertdrowns", dat.bangertdrowns2004$yi, dat.bangertdrowns2004$vi,
       "dat.bangertdrowns2004 (yi, vi)", group = dat.bangertdrowns2004$grade)
add_ds("raudenbush", dat.raudenbush1985$yi, dat.raudenbush1985$vi, "dat.raudenbush1985 (yi, vi)")

rand_ds <- function(name, k, mu, tau2, vlo, vhi, note, vfun = NULL) {
  vi <- if (is.null(vfun)) runif(k, vlo, vhi) else vfun(k)
  yi <- rnorm(k, mu, sqrt(vi + tau2))
  add_ds(name, yi, vi, sprintf("set.seed(20261122) sequence; %s", note))
}
for (k in c(1, 2, 3, 5, 10, 20, 50, 100, 200)) {
  rand_ds(sprintf("rand_k%d", k), k, 0.3, 0.05, 0.01, 0.2,
          sprintf("k=%d, yi ~ N(0.3, vi + 0.05), vi ~ U(0.01, 0.2)", k))
}
rand_ds("rand_extreme_k30", 30, 0.5, 25, 0.01, 0.1, "extreme heterogeneity: tau2 = 25, vi ~ U(0.01, 0.1)")
rand_ds("rand_extreme_k200", 200, -1, 50, 0.001, 0.05, "extreme heterogeneity: tau2 = 50, vi ~ U(0.001, 0.05)")
rand_ds("rand_widek3", 3, 0, 30, 0.05, 0.2, "k=3 with tau2 = 30: Q-profile upper bound beyond max(100, 10 tau2)")
rand_ds("rand_tiny_k20", 20, 1, 3e-10, 1e-10, 1e-9, "tiny variances: vi ~ U(1e-10, 1e-9), tau2 = 3e-10")
rand_ds("rand_huge_k20", 20, 100, 3e5, 1e5, 1e6, "huge variances: vi ~ U(1e5, 1e6), tau2 = 3e5")
rand_ds("rand_mixedscale_k25", 25, 0.5, 0.2, NA, NA, "vi = 10^U(-4, 2), tau2 = 0.2",
        vfun = function(k) 10^runif(k, -4, 2))
rand_ds("rand_offset_k30", 30, 1000, 0.05, 0.01, 0.2, "large offset: yi ~ N(1000, vi + 0.05)")
# tau2 on the boundary: under-dispersed around a common mean, Q < k - 1
local({
  vi <- runif(15, 0.02, 0.1)
  yi <- 0.2 + rnorm(15, 0, sqrt(vi) * 0.3)
  add_ds("rand_boundary_k15", yi, vi, "boundary: yi = 0.2 + N(0, 0.09 vi), so tau2 = 0")
  vi <- runif(3, 0.02, 0.1)
  yi <- 0.2 + rnorm(3, 0, sqrt(vi) * 0.2)
  add_ds("rand_boundary_k3", yi, vi, "boundary: k = 3, yi = 0.2 + N(0, 0.04 vi)")
})
add_ds("identical_k5", rep(0.25, 5), c(0.01, 0.02, 0.03, 0.04, 0.05), "identical yi = 0.25 (Q = 0)")
# small-study effects for trim-and-fill / Egger
local({
  n <- round(runif(30, 20, 400))
  vi <- 4 / n
  yi <- 0.2 + 1.5 * sqrt(vi) + rnorm(30, 0, sqrt(vi + 0.01))
  add_ds("rand_asym_k30", yi, vi, "small-study effects: yi = 0.2 + 1.5 sei + N(0, vi + 0.01)")
})
# trim-and-fill with var(Sr) < 0: one imprecise outlier pulls the random-effects
# estimate above the ten other studies, so most centred ranks are negative and the
# L0 estimate of k0 is far below 0 (about -4.2); metafor's
#   se.k0 <- 4 * sqrt(varSr) / (2 * k - 1)
# is then NaN (warning "NaNs produced"; print(trimfill(res)) shows "SE = NA").
# REML and DL give NaN, FE (estimate near the small studies) a number.  No RNG use.
add_ds("tf_negative_varsr",
       c(0.05, 0.10, 0.15, 0.20, 0.25, 0.08, 0.13, 0.18, 0.23, 0.28, 6.00),
       c(0.02, 0.03, 0.04, 0.05, 0.06, 0.025, 0.035, 0.045, 0.055, 0.065, 0.30),
       "constructed: ten small effects and one imprecise outlier (yi = 6, vi = 0.3)")

# ------------------------------------------------------------------ one fit

methods <- c("FE", "EE", "DL", "REML", "ML", "PM", "EB", "HE", "SJ", "HS")

fit_one <- function(yi, vi, method, test, level = 95) {
  thr <- thr_of(yi, vi)
  ctrl <- list(threshold = thr, maxiter = 1000)
  if (method == "PM") ctrl$tol <- thr
  ctrl_txt <- sprintf("control=list(threshold=%.3g, maxiter=1000%s)", thr,
                      if (method == "PM") sprintf(", tol=%.3g", thr) else "")
  call <- sprintf('rma(yi, vi, method="%s", test="%s", level=%g, %s)', method, test, level,
                  ctrl_txt)
  res <- tryCatch(suppressWarnings(rma(yi, vi, method = method, test = test, level = level,
                                       control = ctrl)),
                  error = function(e) e)
  if (inherits(res, "error")) return(list(call = call, error = conditionMessage(res)))
  o <- list(call = call, k = res$k, method = method, test = res$test,
            estimate = c(res$beta), se = res$se, stat = res$zval, pval = res$pval,
            ci_low = res$ci.lb, ci_high = res$ci.ub, df = nz(res$ddf),
            tau2 = res$tau2, se_tau2 = nz(res$se.tau2), i2 = nz(res$I2), h2 = nz(res$H2),
            q = res$QE, q_pval = res$QEp)
  re <- !(method %in% c("FE", "EE"))
  if (re && res$k > 1) {
    ci <- tryCatch(suppressWarnings(confint(res, control = list(tol = thr, maxiter = 1000))),
                   error = function(e) e)
    if (inherits(ci, "error")) {
      o$ci_error <- conditionMessage(ci)
    } else {
      o$confint_call <- sprintf("confint(res, control=list(tol=%.3g, maxiter=1000))", thr)
      o$tau2_ci_low <- ci$random["tau^2", "ci.lb"]
      o$tau2_ci_high <- ci$random["tau^2", "ci.ub"]
      o$i2_ci_low <- ci$random["I^2(%)", "ci.lb"]
      o$i2_ci_high <- ci$random["I^2(%)", "ci.ub"]
      o$h2_ci_low <- ci$random["H^2", "ci.lb"]
      o$h2_ci_high <- ci$random["H^2", "ci.ub"]
      o$ci_lb_sign <- ci$lb.sign
      o$ci_ub_sign <- ci$ub.sign
      o$ci_null <- ci$ci.null
    }
    pr <- predict(res)
    o$pi_low <- pr$pi.lb
    o$pi_high <- pr$pi.ub
  }
  o
}

fits <- list()
for (name in names(datasets)) {
  ds <- datasets[[name]]
  for (method in methods) {
    for (test in c("z", "knha")) {
      f <- fit_one(ds$yi, ds$vi, method, test)
      f$dataset <- name
      fits[[length(fits) + 1]] <- f
    }
  }
}
# a 90% level for a few
for (name in c("bcg_rr", "rand_k20")) {
  for (method in c("REML", "DL", "FE")) {
    f <- fit_one(datasets[[name]]$yi, datasets[[name]]$vi, method, "z", level = 90)
    f$dataset <- name
    f$level <- 0.90
    fits[[length(fits) + 1]] <- f
  }
}

# ------------------------------------------------------------- leave-one-out

loo <- list()
loo_cases <- list(
  c("bcg_rr", "REML", "z"), c("bcg_rr", "DL", "knha"), c("bcg_rr", "FE", "z"),
  c("normand_smd", "PM", "z"), c("hackshaw", "EB", "z"), c("rand_k50", "REML", "knha"),
  c("rand_extreme_k30", "ML", "z"), c("rand_boundary_k15", "REML", "z"),
  c("rand_k3", "REML", "z"), c("rand_k2", "REML", "z"), c("rand_k20", "SJ", "z"),
  c("rand_k20", "HE", "knha"), c("rand_k20", "HS", "z"), c("rand_widek3", "REML", "z")
)
for (case in loo_cases) {
  ds <- datasets[[case[1]]]
  k <- length(ds$yi)
  rows <- lapply(seq_len(k), function(i) {
    f <- fit_one(ds$yi[-i], ds$vi[-i], case[2], case[3])
    f$study <- ds$study[i]
    f
  })
  # the same numbers as metafor's leave1out() (which skips confint/predict)
  full <- suppressWarnings(rma(ds$yi, ds$vi, method = case[2], test = case[3],
                               control = list(threshold = thr_of(ds$yi, ds$vi), maxiter = 1000,
                                              tol = if (case[2] == "PM") thr_of(ds$yi, ds$vi) else .Machine$double.eps^0.25)))
  l1 <- leave1out(full)
  est <- sapply(rows, function(r) r$estimate)
  stopifnot(isTRUE(all.equal(unname(l1$estimate), est, tolerance = 1e-6)))
  loo[[length(loo) + 1]] <- list(dataset = case[1], method = case[2], test = case[3],
                                 call = "for (i in 1:k) rma(yi[-i], vi[-i], ...) + confint + predict; matches leave1out(res)",
                                 rows = rows)
}

# ----------------------------------------------------------------- subgroups

sub <- list()
sub_cases <- list(
  c("bcg_rr", "REML", "z"), c("bcg_rr", "DL", "knha"), c("bcg_rr", "FE", "z"),
  c("bcg_rr", "PM", "z"), c("bangertdrowns", "REML", "z"), c("molloy_zcor", "REML", "knha"),
  c("molloy_zcor", "ML", "z")
)
for (case in sub_cases) {
  ds <- datasets[[case[1]]]
  g <- ds$group
  levs <- levels(factor(g))
  per <- lapply(levs, function(l) fit_one(ds$yi[g == l], ds$vi[g == l], case[2], case[3]))
  names(per) <- levs
  ests <- sapply(per, function(f) f$estimate)
  ses <- sapply(per, function(f) f$se)
  qb <- rma(ests, sei = ses, method = "FE")
  thr <- thr_of(ds$yi, ds$vi)
  ctrl <- list(threshold = thr, maxiter = 1000)
  if (case[2] == "PM") ctrl$tol <- thr
  me <- suppressWarnings(rma(ds$yi, ds$vi, mods = ~ factor(g), method = case[2], test = case[3],
                             control = ctrl))
  sub[[length(sub) + 1]] <- list(
    dataset = case[1], method = case[2], test = case[3], levels = levs,
    per_level = per,
    between_call = 'rma(estimates, sei=ses, method="FE")$QE',
    q_between = qb$QE, q_between_df = qb$k - 1, q_between_pval = qb$QEp,
    mixed_call = sprintf('rma(yi, vi, mods=~factor(g), method="%s", test="%s", control=list(threshold=%.3g, maxiter=1000))',
                         case[2], case[3], thr),
    mixed = list(beta = c(me$beta), se = me$se, ci_low = me$ci.lb, ci_high = me$ci.ub,
                 qm = me$QM, qm_df = me$QMdf[1], qm_df2 = nz(me$QMdf[2]), qm_pval = me$QMp,
                 tau2 = me$tau2, se_tau2 = nz(me$se.tau2), i2 = me$I2, h2 = me$H2,
                 qe = me$QE, qe_pval = me$QEp, pval = me$pval, stat = me$zval)
  )
}

# ----------------------------------------------------------------- aggregate

agg <- list()
assink <- escalc(yi = yi, vi = vi, data = dat.assink2016)
for (rho in c(0, 0.5, 0.9)) {
  a <- aggregate(assink, cluster = study, rho = rho)
  f <- fit_one(a$yi, a$vi, "REML", "z")
  agg[[length(agg) + 1]] <- list(
    name = "assink2016", rho = rho,
    call = sprintf("aggregate(escalc(yi=yi, vi=vi, data=dat.assink2016), cluster=study, rho=%g)", rho),
    yi = r12(dat.assink2016$yi), vi = r12(dat.assink2016$vi),
    cluster = as.character(dat.assink2016$study),
    agg_cluster = as.character(a$study), agg_yi = a$yi, agg_vi = a$vi, pooled = f)
}
local({
  cl <- sample(c("s1", "s2", "s3", "s4", "s5", "s6"), 20, replace = TRUE)
  vi <- r12(runif(20, 0.01, 0.1))
  yi <- r12(rnorm(20, 0.3, sqrt(vi + 0.02)))
  d <- escalc(yi = yi, vi = vi, data = data.frame(yi = yi, vi = vi, cl = cl))
  for (rho in c(-0.1, 0.3)) {
    a <- aggregate(d, cluster = cl, rho = rho)
    agg[[length(agg) + 1]] <<- list(
      name = "random_clusters", rho = rho,
      call = sprintf("aggregate(escalc(yi=yi, vi=vi, data=d), cluster=cl, rho=%g)", rho),
      yi = yi, vi = vi, cluster = cl, agg_cluster = as.character(a$cl),
      agg_yi = a$yi, agg_vi = a$vi, pooled = fit_one(a$yi, a$vi, "REML", "z"))
  }
})

# ------------------------------------------------------------------ regtest

reg <- list()
for (name in c("bcg_rr", "hackshaw", "rand_k50", "normand_smd", "bangertdrowns", "rand_asym_k30")) {
  ds <- datasets[[name]]
  thr <- thr_of(ds$yi, ds$vi)
  for (case in list(c("FE", "z"), c("REML", "z"), c("DL", "z"), c("REML", "knha"), c("PM", "z"))) {
    ctrl <- list(threshold = thr, maxiter = 1000)
    if (case[1] == "PM") ctrl$tol <- thr
    res <- suppressWarnings(rma(ds$yi, ds$vi, method = case[1], test = case[2], control = ctrl))
    for (model in c("rma", "lm")) {
      if (model == "lm" && case[1] != "FE") next
      rt <- suppressWarnings(regtest(res, model = model))
      reg[[length(reg) + 1]] <- list(
        dataset = name, method = case[1], test = case[2], model = model,
        call = sprintf('regtest(rma(yi, vi, method="%s", test="%s", control=list(threshold=%.3g, maxiter=1000)), model="%s")',
                       case[1], case[2], thr, model),
        stat = rt$zval, pval = rt$pval, df = nz(rt$ddf), est = rt$est, ci_low = rt$ci.lb,
        ci_high = rt$ci.ub,
        tau2 = if (model == "rma") rt$fit$tau2 else NA)
    }
  }
}

# ----------------------------------------------------------------- trimfill

tf <- list()
for (name in c("bcg_rr", "hackshaw", "rand_asym_k30", "normand_smd", "bangertdrowns", "rand_k20",
               "tf_negative_varsr")) {
  ds <- datasets[[name]]
  thr <- thr_of(ds$yi, ds$vi)
  for (method in c("FE", "REML", "DL")) {
    for (estimator in c("L0", "R0")) {
      if (estimator == "R0" && method == "DL") next
      ctrl <- list(threshold = thr, maxiter = 1000)
      res <- suppressWarnings(rma(ds$yi, ds$vi, method = method, control = ctrl))
      t1 <- tryCatch(suppressWarnings(trimfill(res, estimator = estimator, control = ctrl)),
                     error = function(e) e)
      if (inherits(t1, "error")) next
      filled <- t1$fill
      tf[[length(tf) + 1]] <- list(
        dataset = name, method = method, estimator = estimator,
        call = sprintf('trimfill(rma(yi, vi, method="%s", control=list(threshold=%.3g, maxiter=1000)), estimator="%s", control=list(threshold=%.3g, maxiter=1000))',
                       method, thr, estimator, thr),
        k0 = t1$k0, se_k0 = t1$se.k0, side = t1$side,
        filled_yi = if (any(filled)) t1$yi[filled] else numeric(0),
        filled_vi = if (any(filled)) t1$vi[filled] else numeric(0),
        estimate = c(t1$beta), se = t1$se, ci_low = t1$ci.lb, ci_high = t1$ci.ub,
        pval = t1$pval, tau2 = t1$tau2, i2 = t1$I2, q = t1$QE, k = t1$k)
    }
  }
}

# -------------------------------------------------------------------- escalc

esc <- list()
local({
  d <- dat.normand1999
  k <- 20
  n1 <- c(3, 4, sample(5:200, k - 2, replace = TRUE))
  n2 <- c(2, 3, sample(5:200, k - 2, replace = TRUE))
  arms <- data.frame(m1i = r12(rnorm(k, 10, 3)), sd1i = r12(runif(k, 1, 5)), n1i = n1,
                     m2i = r12(rnorm(k, 9, 3)), sd2i = r12(runif(k, 1, 5)), n2i = n2)
  for (src in list(list(name = "normand1999", d = d[, c("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i")]),
                   list(name = "random_arms", d = arms))) {
    for (measure in c("SMD", "MD")) {
      e <- escalc(measure, m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i,
                  data = src$d)
      esc[[length(esc) + 1]] <<- list(
        name = src$name, measure = measure,
        call = sprintf('escalc("%s", m1i=m1i, sd1i=sd1i, n1i=n1i, m2i=m2i, sd2i=sd2i, n2i=n2i)', measure),
        m1i = src$d$m1i, sd1i = src$d$sd1i, n1i = src$d$n1i,
        m2i = src$d$m2i, sd2i = src$d$sd2i, n2i = src$d$n2i,
        yi = c(e$yi), vi = c(e$vi))
    }
  }
})

# -------------------------------------------------------------------- write

ref <- list(
  meta = list(
    generator = "tests/r/make_pooling_reference.R",
    metafor = as.character(packageVersion("metafor")),
    metadat = as.character(packageVersion("metadat")),
    r = R.version.string,
    seed = 20261122,
    note = "Numbers with 15 significant digits; NA/NaN/Inf written as strings."
  ),
  datasets = datasets, fits = fits, leave1out = loo, subgroups = sub, aggregate = agg,
  regtest = reg, trimfill = tf, escalc = esc
)
dir.create(dirname(out_file), recursive = TRUE, showWarnings = FALSE)
writeLines(toJSON(ref, digits = NA, auto_unbox = TRUE, na = "string", null = "null"), out_file)
cat("wrote", out_file, "\n")
