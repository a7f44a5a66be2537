# Reference values for srma.effects, computed with R and metafor.
#
# Run from the repository root:
#
#     Rscript tests/r/make_effects_reference.R
#
# It writes tests/data/reference/effects.json, which is committed so that the
# Python tests need no R.  Every block below names the R call that produced its
# numbers; tests/test_effects.py repeats that call next to each comparison.
#
# metafor 3.8-1 (the version this project pins) has escalc() but none of the
# conv.*() helpers and no `pi=` argument of escalc(), which arrived in metafor
# 4.0.  Where a conversion is missing from 3.8-1 this script computes it with
# plain R from the published formulas and says so:
#   * two-sided p -> t: sign * qt(p/2, df = n1 + n2 - 2, lower.tail = FALSE),
#     which is what metafor >= 4.0 escalc(pi=) does before escalc(ti=);
#   * Wald CI -> variance: ((ub - lb) / (2 * qnorm(1 - alpha/2)))^2, which is
#     what metafor >= 4.0 conv.wald() does (plus a t-based variant, Cochrane
#     Handbook 6.5.2.3);
#   * median / quartiles / range -> mean and SD: fivenum_mean_sd() below, an
#     independent R implementation of the published estimators that metafor
#     >= 4.0 conv.fivenum() offers (Hozo 2005, Wan 2014, Bland 2015, Luo 2018,
#     Shi 2020, and the skewness test of Shi et al. 2023).
# Everything that metafor 3.8-1 can do itself (MD, SMD, SMD from t, MC, SMCR,
# SMCC, the small-sample factor) is taken from metafor.

suppressPackageStartupMessages({
  library(metafor)
  library(metadat)
  library(jsonlite)
})

stopifnot(packageVersion("metafor") >= "3.8.1")

out_file <- file.path("tests", "data", "reference", "effects.json")
if (!dir.exists(dirname(out_file))) {
  stop("run from the repository root (", dirname(out_file), " not found)")
}

ref <- list(
  generated_by = "tests/r/make_effects_reference.R",
  r_version = R.version.string,
  metafor_version = as.character(packageVersion("metafor")),
  metadat_version = as.character(packageVersion("metadat"))
)

as_rows <- function(df) {
  # data.frame -> list of named lists (one per row), plain numbers only
  df <- as.data.frame(df)
  lapply(seq_len(nrow(df)), function(i) as.list(df[i, , drop = FALSE]))
}

# ---------------------------------------------------------------------------
# 1. Small-sample correction factor J(m) of Hedges (1981).
#    metafor:::.cmicalc(m) = exp(lgamma(m/2) - log(sqrt(m/2)) - lgamma((m-1)/2))
m <- c(2, 3, 4, 5, 8, 10, 18, 28, 48, 98, 198, 1000, 1e5)
ref$hedges_j <- list(
  call = "metafor:::.cmicalc(m)",
  rows = as_rows(data.frame(m = m, j = metafor:::.cmicalc(m)))
)

# ---------------------------------------------------------------------------
# 2. MD and SMD from means, SDs and ns: dat.normand1999 (metadat) plus two
#    small / unbalanced made-up trials.
d <- dat.normand1999[, c("n1i", "m1i", "sd1i", "n2i", "m2i", "sd2i")]
d <- rbind(d, data.frame(n1i = c(2, 4), m1i = c(10.5, -3.2), sd1i = c(2.5, 0.8),
                         n2i = c(3, 250), m2i = c(7.25, -2.9), sd2i = c(1.5, 1.1)))
md_ls  <- escalc("MD",  m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i, data = d)
md_ho  <- escalc("MD",  m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i, data = d, vtype = "HO")
smd_ls <- escalc("SMD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i, data = d)
smd_ub <- escalc("SMD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i, data = d, vtype = "UB")
smd_l2 <- escalc("SMD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i, data = d, vtype = "LS2")
ref$means <- list(
  call = list(
    md_ls = 'escalc("MD", m1i, sd1i, n1i, m2i, sd2i, n2i)  # default vtype = "LS"',
    md_ho = 'escalc("MD", ..., vtype = "HO")',
    smd_ls = 'escalc("SMD", m1i, sd1i, n1i, m2i, sd2i, n2i)  # default vtype = "LS"',
    smd_ub = 'escalc("SMD", ..., vtype = "UB")',
    smd_ls2 = 'escalc("SMD", ..., vtype = "LS2")'
  ),
  rows = as_rows(cbind(d,
    md_yi = as.numeric(md_ls$yi), md_vi = md_ls$vi, md_ho_vi = md_ho$vi,
    smd_yi = as.numeric(smd_ls$yi), smd_vi = smd_ls$vi,
    smd_ub_vi = smd_ub$vi, smd_ls2_vi = smd_l2$vi))
)

# ---------------------------------------------------------------------------
# 3. SMD from a t statistic, from F(1, df) and from an exact two-sided p.
tt <- data.frame(
  t   = c(2.31, -1.07, 0.45, 4.8, -3.3, 12.0),
  n1i = c(25, 40, 12, 116, 8, 300),
  n2i = c(25, 38, 15, 71, 9, 310)
)
smd_t <- escalc("SMD", ti = t, n1i = n1i, n2i = n2i, data = tt)
ref$from_t <- list(
  call = 'escalc("SMD", ti = t, n1i = n1i, n2i = n2i)',
  rows = as_rows(cbind(tt, yi = as.numeric(smd_t$yi), vi = smd_t$vi))
)

ff <- data.frame(
  f = c(5.3361, 1.1449, 20.25, 0.04),
  sign = c(1, -1, 1, -1),
  n1i = c(25, 40, 30, 60),
  n2i = c(25, 38, 28, 61)
)
ff$t <- ff$sign * sqrt(ff$f)
smd_f <- escalc("SMD", ti = t, n1i = n1i, n2i = n2i, data = ff)
ref$from_f <- list(
  call = 'escalc("SMD", ti = sign * sqrt(f), n1i = n1i, n2i = n2i)  # F with 1 numerator df',
  rows = as_rows(cbind(ff, yi = as.numeric(smd_f$yi), vi = smd_f$vi))
)

pp <- data.frame(
  p = c(0.032, 0.5, 0.001, 1e-6, 0.049, 0.9, 0.2),
  sign = c(1, -1, 1, 1, -1, 1, -1),
  n1i = c(25, 40, 30, 116, 8, 60, 3),
  n2i = c(25, 38, 28, 71, 9, 61, 2)
)
# metafor >= 4.0: escalc("SMD", pi = sign * p, ...) converts with .convp2t():
#   sign(pi) * qt(abs(pi)/2, df = n1i + n2i - 2, lower.tail = FALSE)
pp$t <- pp$sign * qt(pp$p / 2, df = pp$n1i + pp$n2i - 2, lower.tail = FALSE)
smd_p <- escalc("SMD", ti = t, n1i = n1i, n2i = n2i, data = pp)
ref$from_p <- list(
  call = paste('t = sign * qt(p/2, df = n1i + n2i - 2, lower.tail = FALSE);',
               'escalc("SMD", ti = t, n1i = n1i, n2i = n2i)  # = metafor >= 4.0 escalc(pi = sign * p)'),
  rows = as_rows(cbind(pp, yi = as.numeric(smd_p$yi), vi = smd_p$vi))
)

# ---------------------------------------------------------------------------
# 4. A between-group mean difference reported with its CI or SE.
#    Variance of the MD from a Wald CI (metafor >= 4.0 conv.wald: z-based) or
#    from a t-based CI with n1 + n2 - 2 df (Cochrane Handbook 6.5.2.3); then
#    SD pooled = SE / sqrt(1/n1 + 1/n2) and Hedges' g by escalc("SMD").
mc <- data.frame(
  md = c(-4.2, 1.5, 0.8, 12.0, -0.35),
  ci_low = c(-7.9, -0.3, 0.1, 2.5, -0.61),
  ci_high = c(-0.5, 3.3, 1.5, 21.5, -0.09),
  level = c(95, 95, 90, 99, 95),
  n1i = c(25, 120, 40, 15, 60),
  n2i = c(25, 118, 44, 14, 58)
)
alpha <- 1 - mc$level / 100
mc$se_z <- (mc$ci_high - mc$ci_low) / (2 * qnorm(alpha / 2, lower.tail = FALSE))
mc$se_t <- (mc$ci_high - mc$ci_low) / (2 * qt(alpha / 2, df = mc$n1i + mc$n2i - 2, lower.tail = FALSE))
mc$md_vi_z <- mc$se_z^2
mc$md_vi_t <- mc$se_t^2
mc$sdp_z <- mc$se_z / sqrt(1 / mc$n1i + 1 / mc$n2i)
mc$sdp_t <- mc$se_t / sqrt(1 / mc$n1i + 1 / mc$n2i)
mc$zero <- 0  # escalc() in metafor 3.8-1 does not recycle a scalar m2i
smd_z <- escalc("SMD", m1i = md, m2i = zero, sd1i = sdp_z, sd2i = sdp_z, n1i = n1i, n2i = n2i, data = mc)
smd_t <- escalc("SMD", m1i = md, m2i = zero, sd1i = sdp_t, sd2i = sdp_t, n1i = n1i, n2i = n2i, data = mc)
mc$smd_yi_z <- as.numeric(smd_z$yi)
mc$smd_vi_z <- smd_z$vi
mc$smd_yi_t <- as.numeric(smd_t$yi)
mc$smd_vi_t <- smd_t$vi
ref$md_ci <- list(
  call = list(
    se_z = "(ci_high - ci_low) / (2 * qnorm((1 - level/100)/2, lower.tail = FALSE))  # metafor >= 4.0 conv.wald",
    se_t = "(ci_high - ci_low) / (2 * qt((1 - level/100)/2, df = n1i + n2i - 2, lower.tail = FALSE))",
    smd = 'escalc("SMD", m1i = md, m2i = 0, sd1i = sdp, sd2i = sdp, n1i, n2i) with sdp = se / sqrt(1/n1i + 1/n2i)'
  ),
  rows = as_rows(mc)
)

# ---------------------------------------------------------------------------
# 5. SD of one arm from the SE or the CI of its mean.
#    sd = se * sqrt(n); sd = sqrt(n) * (ub - lb) / (2 * crit), crit from the
#    normal (conv.wald) or from t with n - 1 df (Cochrane Handbook 6.5.2.2).
am <- data.frame(
  mean = c(10.2, 55.0, -1.3, 3.3),
  ci_low = c(8.1, 47.0, -2.0, 2.9),
  ci_high = c(12.3, 63.0, -0.6, 3.7),
  level = c(95, 95, 90, 99),
  n = c(25, 155, 12, 400)
)
am$se <- (am$ci_high - am$ci_low) / 3.92
a2 <- 1 - am$level / 100
am$sd_from_se <- am$se * sqrt(am$n)
am$sd_ci_z <- sqrt(am$n) * (am$ci_high - am$ci_low) / (2 * qnorm(a2 / 2, lower.tail = FALSE))
am$sd_ci_t <- sqrt(am$n) * (am$ci_high - am$ci_low) / (2 * qt(a2 / 2, df = am$n - 1, lower.tail = FALSE))
ref$arm_sd <- list(
  call = list(
    sd_from_se = "se * sqrt(n)",
    sd_ci_z = "sqrt(n) * (ci_high - ci_low) / (2 * qnorm((1 - level/100)/2, lower.tail = FALSE))",
    sd_ci_t = "sqrt(n) * (ci_high - ci_low) / (2 * qt((1 - level/100)/2, df = n - 1, lower.tail = FALSE))"
  ),
  rows = as_rows(am)
)

# ---------------------------------------------------------------------------
# 6. Change scores.  Pre/post summaries of two arms (made-up numbers).
#    SD of the change from escalc("MC"): vi = (sd1^2 + sd2^2 - 2 r sd1 sd2) / n,
#    so sd_change = sqrt(vi * n).  Between-arm MD and SMD of change scores by
#    escalc("MD") and escalc("SMD") on the change means and change SDs.
#    Single-arm standardised mean changes: escalc("SMCR") (standardised by
#    the pre-test SD, Becker 1988) and escalc("SMCC") (by the SD of change).
pre_post <- data.frame(
  m_pre_1 = c(30.6, 23.5, 0.5, 53.4, 35.6), m_post_1 = c(38.5, 26.8, 0.7, 75.9, 36.0),
  sd_pre_1 = c(15.0, 3.1, 0.1, 14.5, 4.7), sd_post_1 = c(11.6, 4.1, 0.1, 4.4, 4.6),
  n_1 = c(20, 50, 9, 10, 14),
  m_pre_2 = c(23.1, 24.9, 0.6, 55.7, 34.8), m_post_2 = c(19.7, 25.3, 0.6, 60.7, 33.4),
  sd_pre_2 = c(13.8, 4.1, 0.2, 17.3, 3.1), sd_post_2 = c(14.8, 3.3, 0.2, 17.9, 6.9),
  n_2 = c(20, 42, 9, 11, 14),
  r = c(0.47, 0.64, 0.77, 0.89, 0.44)
)
mc1 <- escalc("MC", m1i = m_post_1, m2i = m_pre_1, sd1i = sd_post_1, sd2i = sd_pre_1, ni = n_1, ri = r, data = pre_post)
mc2 <- escalc("MC", m1i = m_post_2, m2i = m_pre_2, sd1i = sd_post_2, sd2i = sd_pre_2, ni = n_2, ri = r, data = pre_post)
pre_post$mean_change_1 <- as.numeric(mc1$yi)
pre_post$sd_change_1 <- sqrt(mc1$vi * pre_post$n_1)
pre_post$mean_change_2 <- as.numeric(mc2$yi)
pre_post$sd_change_2 <- sqrt(mc2$vi * pre_post$n_2)
ch_md <- escalc("MD", m1i = mean_change_1, sd1i = sd_change_1, n1i = n_1,
                m2i = mean_change_2, sd2i = sd_change_2, n2i = n_2, data = pre_post)
ch_smd <- escalc("SMD", m1i = mean_change_1, sd1i = sd_change_1, n1i = n_1,
                 m2i = mean_change_2, sd2i = sd_change_2, n2i = n_2, data = pre_post)
smcr1 <- escalc("SMCR", m1i = m_post_1, m2i = m_pre_1, sd1i = sd_pre_1, ni = n_1, ri = r, data = pre_post)
smcc1 <- escalc("SMCC", m1i = m_post_1, m2i = m_pre_1, sd1i = sd_post_1, sd2i = sd_pre_1, ni = n_1, ri = r, data = pre_post)
pre_post$md_change_yi <- as.numeric(ch_md$yi)
pre_post$md_change_vi <- ch_md$vi
pre_post$smd_change_yi <- as.numeric(ch_smd$yi)
pre_post$smd_change_vi <- ch_smd$vi
pre_post$smcr_yi <- as.numeric(smcr1$yi)
pre_post$smcr_vi <- smcr1$vi
pre_post$smcc_yi <- as.numeric(smcc1$yi)
pre_post$smcc_vi <- smcc1$vi
ref$change <- list(
  call = list(
    sd_change = 'sqrt(escalc("MC", m1i = m_post, m2i = m_pre, sd1i = sd_post, sd2i = sd_pre, ni = n, ri = r)$vi * n)',
    md_change = 'escalc("MD", m1i = mean_change_1, sd1i = sd_change_1, n1i = n_1, m2i = mean_change_2, sd2i = sd_change_2, n2i = n_2)',
    smd_change = 'escalc("SMD", <same arguments as md_change>)',
    smcr = 'escalc("SMCR", m1i = m_post_1, m2i = m_pre_1, sd1i = sd_pre_1, ni = n_1, ri = r)',
    smcc = 'escalc("SMCC", m1i = m_post_1, m2i = m_pre_1, sd1i = sd_post_1, sd2i = sd_pre_1, ni = n_1, ri = r)'
  ),
  rows = as_rows(pre_post)
)

# ---------------------------------------------------------------------------
# 7. Mean and SD from the median with quartiles and/or range, assuming
#    normality.  Written from the papers (not from metafor's code):
#      xi(n)  = 2 qnorm((n - 0.375) / (n + 0.25))           Wan 2014 (Blom's approximation
#      eta(n) = 2 qnorm((0.75 n - 0.125) / (n + 0.25))       to expected order statistics)
#    case "range"     (min, median, max):
#      luo:  w = 4 / (4 + n^0.75);  mean = w (a + b)/2 + (1 - w) m   Luo 2018
#      wan:  mean = (a + 2 m + b) / 4;  sd = (b - a) / xi(n)          Wan 2014
#      hozo: mean = (a + 2m + b)/4 if n <= 25 else m;
#            sd = sqrt(((a - 2m + b)^2 / 4 + (b - a)^2) / 12) if n <= 15,
#                 (b - a)/4 if n <= 70, else (b - a)/6              Hozo 2005
#    case "iqr"       (q1, median, q3):
#      luo:  w = 0.7 + 0.39 / n;  mean = w (q1 + q3)/2 + (1 - w) m   Luo 2018
#      wan:  mean = (q1 + m + q3) / 3;  sd = (q3 - q1) / eta(n)      Wan 2014
#    case "iqr_range" (all five):
#      luo:  w1 = 2.2 / (2.2 + n^0.75), w2 = 0.7 - 0.72 / n^0.55;
#            mean = w1 (a + b)/2 + w2 (q1 + q3)/2 + (1 - w1 - w2) m  Luo 2018
#      shi:  w = 1 / (1 + 0.07 n^0.6);
#            sd = w (b - a)/xi(n) + (1 - w)(q3 - q1)/eta(n)          Shi 2020
#      wan:  mean = (a + 2 q1 + 2 m + 2 q3 + b) / 8;
#            sd = ((b - a)/xi(n) + (q3 - q1)/eta(n)) / 2             Wan 2014
#      bland: mean as wan; sd = sqrt((a^2 + 2 q1^2 + 2 m^2 + 2 q3^2 + b^2)/16
#            + (a q1 + q1 m + m q3 + q3 b)/8 - (a + 2 q1 + 2 m + 2 q3 + b)^2/64)  Bland 2015
#    "luo/wan/shi" (metafor >= 4.0 default) = luo mean + wan SD (range, iqr)
#    or shi SD (iqr_range).
#    Skewness test (Shi et al. 2023; the test metafor >= 4.0 conv.fivenum runs):
#      range:     T = |a + b - 2m| / (b - a),        crit = 1/log(n + 9) + 2.5/(n + 1)
#      iqr:       T = |q1 + q3 - 2m| / (q3 - q1),    crit = 2.65/sqrt(n) - 6/n^2
#      iqr_range: T = max(2.65 log(0.6 n)/sqrt(n) * T_range, T_iqr),
#                 crit = 3/sqrt(n) - 40/n^3;        skewed when T >= crit
xi_n <- function(n) 2 * qnorm((n - 0.375) / (n + 0.25))
eta_n <- function(n) 2 * qnorm((0.75 * n - 0.125) / (n + 0.25))

fivenum_mean_sd <- function(a, q1, m, q3, b, n, method) {
  case <- if (!is.na(a) && !is.na(b) && !is.na(q1) && !is.na(q3)) "iqr_range"
          else if (!is.na(a) && !is.na(b)) "range" else "iqr"
  mean_method <- switch(method, "luo/wan/shi" = "luo", method)
  sd_method <- switch(method, "luo/wan/shi" = if (case == "iqr_range") "shi" else "wan", method)
  if (case == "range") {
    t_stat <- abs(a + b - 2 * m) / (b - a)
    crit <- 1 / log(n + 9) + 2.5 / (n + 1)
    mu <- switch(mean_method,
      luo = { w <- 4 / (4 + n^0.75); w * (a + b) / 2 + (1 - w) * m },
      wan = (a + 2 * m + b) / 4,
      hozo = if (n <= 25) (a + 2 * m + b) / 4 else m,
      NA_real_)
    s <- switch(sd_method,
      wan = (b - a) / xi_n(n),
      hozo = if (n <= 15) sqrt(((a - 2 * m + b)^2 / 4 + (b - a)^2) / 12)
             else if (n <= 70) (b - a) / 4 else (b - a) / 6,
      NA_real_)
  } else if (case == "iqr") {
    t_stat <- abs(q1 + q3 - 2 * m) / (q3 - q1)
    crit <- 2.65 / sqrt(n) - 6 / n^2
    mu <- switch(mean_method,
      luo = { w <- 0.7 + 0.39 / n; w * (q1 + q3) / 2 + (1 - w) * m },
      wan = (q1 + m + q3) / 3,
      NA_real_)
    s <- switch(sd_method, wan = (q3 - q1) / eta_n(n), NA_real_)
  } else {
    t_range <- abs(a + b - 2 * m) / (b - a)
    t_iqr <- abs(q1 + q3 - 2 * m) / (q3 - q1)
    t_stat <- max(2.65 * log(0.6 * n) / sqrt(n) * t_range, t_iqr)
    crit <- 3 / sqrt(n) - 40 / n^3
    mu <- switch(mean_method,
      luo = {
        w1 <- 2.2 / (2.2 + n^0.75); w2 <- 0.7 - 0.72 / n^0.55
        w1 * (a + b) / 2 + w2 * (q1 + q3) / 2 + (1 - w1 - w2) * m
      },
      wan = , bland = (a + 2 * q1 + 2 * m + 2 * q3 + b) / 8,
      NA_real_)
    s <- switch(sd_method,
      shi = { w <- 1 / (1 + 0.07 * n^0.6); w * (b - a) / xi_n(n) + (1 - w) * (q3 - q1) / eta_n(n) },
      wan = ((b - a) / xi_n(n) + (q3 - q1) / eta_n(n)) / 2,
      bland = sqrt((a^2 + 2 * q1^2 + 2 * m^2 + 2 * q3^2 + b^2) / 16 +
                   (a * q1 + q1 * m + m * q3 + q3 * b) / 8 -
                   (a + 2 * q1 + 2 * m + 2 * q3 + b)^2 / 64),
      NA_real_)
  }
  list(case = case, mean = mu, sd = s, skew_stat = t_stat, skew_crit = crit,
       skewed = isTRUE(t_stat >= crit))
}

# summaries: normal and log-normal samples (fixed seed) and a few hand-picked
set.seed(20240521)
summ <- list()
add_summary <- function(x, label) {
  q <- quantile(x, c(0.25, 0.5, 0.75), type = 7)
  data.frame(label = label, n = length(x), min = min(x), q1 = q[[1]], median = q[[2]],
             q3 = q[[3]], max = max(x), sample_mean = mean(x), sample_sd = sd(x))
}
for (n in c(5, 12, 25, 50, 150, 1000)) {
  summ[[length(summ) + 1]] <- add_summary(rnorm(n, 50, 10), paste0("normal_n", n))
}
for (n in c(10, 40, 200)) {
  summ[[length(summ) + 1]] <- add_summary(rlnorm(n, 1, 0.8), paste0("lognormal_n", n))
}
summ <- do.call(rbind, summ)
summ <- rbind(summ, data.frame(label = c("hand_symmetric", "hand_skewed"), n = c(30, 16),
                               min = c(1, 0), q1 = c(4, 1), median = c(6, 2), q3 = c(8, 3),
                               max = c(11, 30), sample_mean = NA, sample_sd = NA))

methods_by_case <- list(
  range = c("luo/wan/shi", "wan2014", "hozo2005"),
  iqr = c("luo/wan/shi", "wan2014"),
  iqr_range = c("luo/wan/shi", "wan2014", "bland2015")
)
short <- c("luo/wan/shi" = "luo/wan/shi", wan2014 = "wan", hozo2005 = "hozo", bland2015 = "bland")
qrows <- list()
for (i in seq_len(nrow(summ))) {
  s <- summ[i, ]
  for (case in names(methods_by_case)) {
    a <- if (case == "iqr") NA else s$min
    b <- if (case == "iqr") NA else s$max
    q1 <- if (case == "range") NA else s$q1
    q3 <- if (case == "range") NA else s$q3
    for (meth in methods_by_case[[case]]) {
      r <- fivenum_mean_sd(a, q1, s$median, q3, b, s$n, short[[meth]])
      stopifnot(r$case == case)
      qrows[[length(qrows) + 1]] <- data.frame(
        label = s$label, case = case, method = meth, n = s$n,
        min = a, q1 = q1, median = s$median, q3 = q3, max = b,
        mean = r$mean, sd = r$sd, skew_stat = r$skew_stat, skew_crit = r$skew_crit,
        skewed = r$skewed)
    }
  }
}
qrows <- do.call(rbind, qrows)
ref$quantiles <- list(
  call = paste("fivenum_mean_sd() in this script: the estimators of Hozo 2005, Wan 2014,",
               "Bland 2015, Luo 2018, Shi 2020 and the skewness test of Shi et al. 2023,",
               "as offered by metafor >= 4.0 conv.fivenum(method = ..., test = TRUE)"),
  rows = as_rows(qrows)
)

# ---------------------------------------------------------------------------
# 8. End-to-end rows for srma.effects.compute_effect: one row per route, the
#    expected SMD and MD computed here by chaining the pieces above.
e2e <- list()
add_e2e <- function(name, row, smd, md = NULL) {
  e2e[[length(e2e) + 1]] <<- list(name = name, row = row,
    smd_yi = as.numeric(smd$yi), smd_vi = smd$vi,
    md_yi = if (is.null(md)) NA else as.numeric(md$yi),
    md_vi = if (is.null(md)) NA else md$vi)
}
# means and SDs
add_e2e("mean_sd",
  list(n_intervention = 25, mean_intervention = 22.1, sd_intervention = 5.3,
       n_comparator = 25, mean_comparator = 18.4, sd_comparator = 6.1),
  escalc("SMD", m1i = 22.1, sd1i = 5.3, n1i = 25, m2i = 18.4, sd2i = 6.1, n2i = 25),
  escalc("MD", m1i = 22.1, sd1i = 5.3, n1i = 25, m2i = 18.4, sd2i = 6.1, n2i = 25))
# means with SEs
add_e2e("mean_se",
  list(n_intervention = 116, mean_intervention = 3.45, se_intervention = 0.08,
       n_comparator = 71, mean_comparator = 3.21, se_comparator = 0.11),
  escalc("SMD", m1i = 3.45, sd1i = 0.08 * sqrt(116), n1i = 116, m2i = 3.21, sd2i = 0.11 * sqrt(71), n2i = 71),
  escalc("MD", m1i = 3.45, sd1i = 0.08 * sqrt(116), n1i = 116, m2i = 3.21, sd2i = 0.11 * sqrt(71), n2i = 71))
# means with 95% CIs (t-based, n - 1 df)
sd_i <- sqrt(40) * (14.1 - 10.3) / (2 * qt(0.025, 39, lower.tail = FALSE))
sd_c <- sqrt(38) * (12.9 - 8.7) / (2 * qt(0.025, 37, lower.tail = FALSE))
add_e2e("mean_ci_t",
  list(n_intervention = 40, mean_intervention = 12.2, ci_low_intervention = 10.3, ci_high_intervention = 14.1,
       n_comparator = 38, mean_comparator = 10.8, ci_low_comparator = 8.7, ci_high_comparator = 12.9),
  escalc("SMD", m1i = 12.2, sd1i = sd_i, n1i = 40, m2i = 10.8, sd2i = sd_c, n2i = 38),
  escalc("MD", m1i = 12.2, sd1i = sd_i, n1i = 40, m2i = 10.8, sd2i = sd_c, n2i = 38))
# change scores with SDs of change
add_e2e("change_sd",
  list(n_intervention = 30, mean_change_intervention = -6.2, sd_change_intervention = 7.5,
       n_comparator = 28, mean_change_comparator = -2.1, sd_change_comparator = 8.0),
  escalc("SMD", m1i = -6.2, sd1i = 7.5, n1i = 30, m2i = -2.1, sd2i = 8.0, n2i = 28),
  escalc("MD", m1i = -6.2, sd1i = 7.5, n1i = 30, m2i = -2.1, sd2i = 8.0, n2i = 28))
# change scores, SD of change from pre SD, post SD and r
sdc_i <- sqrt(escalc("MC", m1i = 0, m2i = 0, sd1i = 9.1, sd2i = 10.2, ni = 30, ri = 0.6)$vi * 30)
sdc_c <- sqrt(escalc("MC", m1i = 0, m2i = 0, sd1i = 9.8, sd2i = 9.9, ni = 28, ri = 0.6)$vi * 28)
add_e2e("change_r",
  list(n_intervention = 30, mean_change_intervention = -6.2, sd_pre_intervention = 10.2, sd_intervention = 9.1,
       n_comparator = 28, mean_change_comparator = -2.1, sd_pre_comparator = 9.9, sd_comparator = 9.8,
       r_pre_post = 0.6),
  escalc("SMD", m1i = -6.2, sd1i = sdc_i, n1i = 30, m2i = -2.1, sd2i = sdc_c, n2i = 28),
  escalc("MD", m1i = -6.2, sd1i = sdc_i, n1i = 30, m2i = -2.1, sd2i = sdc_c, n2i = 28))
# MD with 95% CI (t-based, n1 + n2 - 2 df)
se_md <- (-0.5 - -7.9) / (2 * qt(0.025, 48, lower.tail = FALSE))
sdp <- se_md / sqrt(1 / 25 + 1 / 25)
add_e2e("md_ci_t",
  list(n_intervention = 25, n_comparator = 25, md = -4.2, md_ci_low = -7.9, md_ci_high = -0.5),
  escalc("SMD", m1i = -4.2, m2i = 0, sd1i = sdp, sd2i = sdp, n1i = 25, n2i = 25),
  list(yi = -4.2, vi = se_md^2))
# MD with SE
sdp <- 1.9 / sqrt(1 / 60 + 1 / 58)
add_e2e("md_se",
  list(n_intervention = 60, n_comparator = 58, md = 3.1, md_se = 1.9),
  escalc("SMD", m1i = 3.1, m2i = 0, sd1i = sdp, sd2i = sdp, n1i = 60, n2i = 58),
  list(yi = 3.1, vi = 1.9^2))
# t statistic
add_e2e("t",
  list(n_intervention = 25, n_comparator = 25, t = -2.31),
  escalc("SMD", ti = -2.31, n1i = 25, n2i = 25))
# F(1, df) with direction
add_e2e("f",
  list(n_intervention = 20, n_comparator = 22, f = 6.25, direction = -1),
  escalc("SMD", ti = -sqrt(6.25), n1i = 20, n2i = 22))
# exact p with direction
tp <- qt(0.012 / 2, df = 30 + 31 - 2, lower.tail = FALSE)
add_e2e("p",
  list(n_intervention = 30, n_comparator = 31, p = 0.012, direction = 1),
  escalc("SMD", ti = tp, n1i = 30, n2i = 31))
# MD with p (SE = |MD| / t)
add_e2e("md_p",
  list(n_intervention = 30, n_comparator = 31, md = 2.5, p = 0.012),
  escalc("SMD", ti = tp, n1i = 30, n2i = 31),
  list(yi = 2.5, vi = (2.5 / tp)^2))
# medians: intervention median/IQR, comparator median/range
qi <- fivenum_mean_sd(NA, 4, 6, 9, NA, 40, "luo/wan/shi")
qc <- fivenum_mean_sd(1, NA, 5, NA, 10, 35, "luo/wan/shi")
stopifnot(!qi$skewed, !qc$skewed)
add_e2e("medians",
  list(n_intervention = 40, median_intervention = 6, q1_intervention = 4, q3_intervention = 9,
       n_comparator = 35, median_comparator = 5, min_comparator = 1, max_comparator = 10),
  escalc("SMD", m1i = qi$mean, sd1i = qi$sd, n1i = 40, m2i = qc$mean, sd2i = qc$sd, n2i = 35),
  escalc("MD", m1i = qi$mean, sd1i = qi$sd, n1i = 40, m2i = qc$mean, sd2i = qc$sd, n2i = 35))
ref$end_to_end <- list(
  call = "see the add_e2e() calls in tests/r/make_effects_reference.R (intervention = group 1)",
  rows = e2e
)

writeLines(toJSON(ref, auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE), out_file)
cat("wrote", out_file, "\n")
