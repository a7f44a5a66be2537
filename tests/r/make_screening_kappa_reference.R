# Reference values for srma.screening.agreement (Cohen's kappa, percentage agreement).
#
# Run from the repository root:  Rscript tests/r/make_screening_kappa_reference.R
# Writes tests/data/reference/screening_kappa.json (committed; the tests need no R).
#
# Kappa comes from caret::confusionMatrix (an implementation independent of
# srma's), whose `overall["Kappa"]` is Cohen's (1960) unweighted kappa and
# `overall["Accuracy"]` the observed proportion of agreement.  The 2x2 tables
# are (a, b, c, d) = (both include, A include & B exclude, A exclude & B
# include, both exclude), rows = reviewer A, columns = reviewer B.
suppressMessages({
  library(caret)
  library(jsonlite)
})

tables <- list(
  # Wikipedia "Cohen's kappa", worked example (50 proposals): kappa = 0.4 by hand
  list(name = "wikipedia_worked_example", a = 20, b = 5, c = 10, d = 15),
  # shaped like title/abstract screening: few includes, many excludes
  list(name = "screening_like", a = 26, b = 4, c = 2, d = 136),
  # perfect agreement using both categories: kappa = 1
  list(name = "perfect", a = 10, b = 0, c = 0, d = 40),
  # agreement worse than chance: kappa < 0
  list(name = "worse_than_chance", a = 2, b = 20, c = 18, d = 5),
  # large, unbalanced
  list(name = "large", a = 130, b = 12, c = 9, d = 1500)
)

out <- lapply(tables, function(t) {
  m <- as.table(matrix(c(t$a, t$c, t$b, t$d), nrow = 2,
                       dimnames = list(A = c("include", "exclude"),
                                       B = c("include", "exclude"))))
  cm <- caret::confusionMatrix(m)
  c(t, list(
    call = sprintf("caret::confusionMatrix(as.table(matrix(c(%d, %d, %d, %d), 2)))",
                   t$a, t$c, t$b, t$d),
    kappa = unname(cm$overall["Kappa"]),
    accuracy = unname(cm$overall["Accuracy"])
  ))
})

meta <- list(
  generated_by = "tests/r/make_screening_kappa_reference.R",
  r_version = R.version.string,
  caret_version = as.character(packageVersion("caret"))
)
writeLines(
  toJSON(list(meta = meta, tables = out), auto_unbox = TRUE, digits = NA, pretty = TRUE),
  "tests/data/reference/screening_kappa.json"
)
