"""Aggregation of dependent effect sizes within clusters (metafor ``aggregate.escalc``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike


@dataclass(frozen=True)
class Aggregated:
    """One aggregated effect per cluster, clusters in order of first appearance."""

    cluster: tuple[str, ...]
    yi: np.ndarray
    vi: np.ndarray
    k: np.ndarray  # number of estimates per cluster


def aggregate(
    yi: ArrayLike,
    vi: ArrayLike,
    cluster: Sequence[object],
    rho: float,
) -> Aggregated:
    """Combine the estimates of each cluster assuming correlation ``rho`` between them.

    Matches metafor's ``aggregate(escalc_object, cluster=, rho=)`` with its
    defaults (``struct="CS"``, ``weighted=TRUE``): within a cluster the
    sampling covariance is ``V = S R S`` with ``S = diag(sqrt(vi))`` and ``R``
    compound symmetric (1 on the diagonal, ``rho`` elsewhere); the aggregate
    is the generalised least-squares mean ``1'V⁻¹y / 1'V⁻¹1`` with variance
    ``1 / 1'V⁻¹1``.  ``R⁻¹`` has the closed form
    ``(I - rho / (1 + (m - 1) rho) 11') / (1 - rho)`` for a cluster of size
    ``m``, so with ``a = 1 / sqrt(vi)``::

        1'V⁻¹1 = (sum a² - c (sum a)²) / (1 - rho)
        1'V⁻¹y = (sum a² y - c (sum a)(sum a y)) / (1 - rho),
        c = rho / (1 + (m - 1) rho)

    computed by group sums in ``O(k)``; no matrix is formed.

    Parameters
    ----------
    yi, vi
        Effect sizes and positive sampling variances.
    cluster
        Cluster label of each estimate (e.g. the study).
    rho
        Assumed correlation, ``-1 / (m - 1) < rho < 1`` for every cluster of
        size ``m`` (``V`` must be positive definite, as metafor checks).

    Returns
    -------
    Aggregated
        Clusters in order of first appearance (as metafor returns them).

    Raises
    ------
    ValueError
        For mismatched lengths, non-positive variances or a ``rho`` that
        makes some cluster's ``V`` not positive definite.
    """
    y = np.asarray(yi, dtype=float).reshape(-1)
    v = np.asarray(vi, dtype=float).reshape(-1)
    labels = [str(c) for c in cluster]
    if not (y.size == v.size == len(labels)):
        raise ValueError("yi, vi and cluster must have the same length")
    if not np.all(np.isfinite(y)):
        raise ValueError("yi must be finite")
    if not np.all(np.isfinite(v) & (v > 0)):
        raise ValueError("vi must be positive and finite")
    if not -1.0 <= rho <= 1.0:
        raise ValueError(f"rho must lie in [-1, 1] (got {rho})")

    order: dict[str, int] = {}
    codes = np.fromiter(
        (order.setdefault(c, len(order)) for c in labels), dtype=int, count=len(labels)
    )
    n = len(order)
    size = np.bincount(codes, minlength=n).astype(float)
    # positive definiteness of R: eigenvalues 1 - rho and 1 + (m - 1) rho
    eig_min = np.minimum(np.where(size > 1, 1.0 - rho, 1.0), 1.0 + (size - 1.0) * rho)
    bad = np.flatnonzero(eig_min <= np.finfo(float).eps)
    if bad.size:
        names = ", ".join(list(order)[i] for i in bad[:5])
        raise ValueError(
            f"rho = {rho} makes the covariance matrix not positive definite in cluster(s) {names}"
        )
    a = 1.0 / np.sqrt(v)
    sum_a = np.bincount(codes, weights=a, minlength=n)
    sum_a2 = np.bincount(codes, weights=a * a, minlength=n)
    sum_ay = np.bincount(codes, weights=a * y, minlength=n)
    sum_a2y = np.bincount(codes, weights=a * a * y, minlength=n)
    single = size == 1
    c = np.where(single, 0.0, rho / (1.0 + (size - 1.0) * rho))
    scale = np.where(single, 1.0, 1.0 - rho)
    sum_w = (sum_a2 - c * sum_a * sum_a) / scale
    sum_wy = (sum_a2y - c * sum_a * sum_ay) / scale
    return Aggregated(
        cluster=tuple(order),
        yi=sum_wy / sum_w,
        vi=1.0 / sum_w,
        k=size.astype(int),
    )
