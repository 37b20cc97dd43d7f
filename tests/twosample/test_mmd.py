"""MMD: estimators against direct loops, the fast permutation null against naive loops and hyppo."""

import numpy as np
import pytest
import torch
from scipy import stats

import twosample as ts
from twosample.kernel import mmd as M
from twosample.kernel.kernels import IMQ, Gaussian, Laplace, Linear, Polynomial, make_kernel, median_distance

KERNELS = [Gaussian(0.8), Laplace(1.3), IMQ(0.7), Linear(), Polynomial(degree=2, coef0=0.5)]


def loop_kernel(kernel, a, b):
    diff = a - b
    if isinstance(kernel, Gaussian):
        return np.exp(-(diff @ diff) / (2 * kernel.bandwidth**2))
    if isinstance(kernel, Laplace):
        return np.exp(-np.abs(diff).sum() / kernel.bandwidth)
    if isinstance(kernel, IMQ):
        return (1 + diff @ diff / kernel.bandwidth**2) ** -0.5
    if isinstance(kernel, Linear):
        return a @ b
    return (a @ b / len(a) + kernel.coef0) ** kernel.degree


def loop_mmd2(x, y, kernel, estimator):
    n, m = len(x), len(y)
    k = lambda a, b: loop_kernel(kernel, a, b)  # noqa: E731
    if estimator == "linear":
        p = min(n, m) // 2
        return np.mean(
            [
                k(x[2 * i], x[2 * i + 1])
                + k(y[2 * i], y[2 * i + 1])
                - k(x[2 * i], y[2 * i + 1])
                - k(x[2 * i + 1], y[2 * i])
                for i in range(p)
            ]
        )
    off = 0 if estimator == "biased" else 1
    xx = sum(k(x[i], x[j]) for i in range(n) for j in range(n) if i != j or not off)
    yy = sum(k(y[i], y[j]) for i in range(m) for j in range(m) if i != j or not off)
    xy = sum(k(x[i], y[j]) for i in range(n) for j in range(m))
    return xx / (n * (n - off)) + yy / (m * (m - off)) - 2 * xy / (n * m)


@pytest.mark.parametrize("kernel", KERNELS, ids=lambda k: type(k).__name__)
@pytest.mark.parametrize("estimator", ["unbiased", "biased", "linear"])
def test_mmd2_matches_double_loop(kernel, estimator):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(13, 3)), rng.normal(0.3, 1.2, size=(11, 3))
    assert ts.mmd2(x, y, kernel=kernel, estimator=estimator) == pytest.approx(
        loop_mmd2(x, y, kernel, estimator), rel=1e-10, abs=1e-12
    )


@pytest.mark.parametrize("kernel", KERNELS, ids=lambda k: type(k).__name__)
@pytest.mark.parametrize("estimator", ["unbiased", "biased"])
def test_permutation_statistic_equals_mmd2(kernel, estimator):
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(20, 2)), rng.normal(size=(17, 2))
    assert M.MMDStatistic(kernel, estimator)(x, y) == pytest.approx(
        ts.mmd2(x, y, kernel=kernel, estimator=estimator), rel=1e-10, abs=1e-13
    )


def test_unbiased_estimator_averages_zero_under_h0():
    rng = np.random.default_rng(2)
    values = [ts.mmd2(rng.normal(size=(15, 2)), rng.normal(size=(12, 2)), bandwidth=1.0) for _ in range(3000)]
    assert abs(np.mean(values)) < 3 * np.std(values) / np.sqrt(len(values))
    biased = [
        ts.mmd2(rng.normal(size=(15, 2)), rng.normal(size=(12, 2)), bandwidth=1.0, estimator="biased")
        for _ in range(300)
    ]
    assert np.mean(biased) > 0.05  # the V-statistic is biased upwards: a check the first could fail


def test_fast_null_equals_naive_loop_over_permutations():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(30, 2)), rng.normal(0.4, 1, size=(25, 2))
    kernel = Gaussian(1.1)
    fast = ts.mmd_test(x, y, kernel=kernel, n_resamples=300, rng=5)
    naive = ts.permutation_test(
        x, y, lambda a, b: M.mmd2_from_kernel(a, b, kernel, "unbiased"), n_resamples=300, rng=np.random.default_rng(5)
    )
    assert fast.pvalue == naive.pvalue
    np.testing.assert_allclose(fast.null_distribution, naive.null_distribution, rtol=1e-9, atol=1e-14)


def test_agrees_with_hyppo_within_monte_carlo_error():
    hyppo = pytest.importorskip("hyppo.ksample")
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(60, 3)), rng.normal(size=(60, 3)) * [1, 1, 1.35]
    sigma = median_distance(np.vstack([x, y]))
    ours = ts.mmd_test(x, y, bandwidth=sigma, n_resamples=4999, rng=0).pvalue
    theirs = hyppo.MMD(compute_kernel="gaussian", gamma=1 / (2 * sigma**2)).test(
        x, y, reps=2000, auto=False, random_state=0
    )[1]
    se = np.sqrt(ours * (1 - ours) * (1 / 5000 + 1 / 2000))
    assert 0.005 < ours < 0.5  # a p-value where a disagreement would show
    assert abs(ours - theirs) < 4 * se + 1e-3


@pytest.mark.parametrize("batch", [1, 13, None])
def test_result_independent_of_batch(batch):
    rng = np.random.default_rng(6)
    x, y = rng.normal(size=(25, 2)), rng.normal(size=(20, 2))
    ref = ts.mmd_test(x, y, n_resamples=200, rng=1, batch=1000)
    res = ts.mmd_test(x, y, n_resamples=200, rng=1, batch=batch)
    assert res.pvalue == ref.pvalue


def test_blocked_gram_equals_held_gram(monkeypatch):
    rng = np.random.default_rng(7)
    x, y = rng.normal(size=(70, 2)), rng.normal(0.3, 1, size=(60, 2))
    held = ts.mmd_test(x, y, n_resamples=200, rng=2)
    held_agg = ts.mmd_agg_test(x, y, n_resamples=200, rng=2, dtype=np.float64)
    monkeypatch.setattr(M, "_GRAM_BUDGET", 1000)  # force column blocks
    monkeypatch.setattr(M, "_BLOCK_BYTES", 8 * 130 * 17)  # 17 columns a block, last block ragged
    blocked = ts.mmd_test(x, y, n_resamples=200, rng=2)
    blocked_agg = ts.mmd_agg_test(x, y, n_resamples=200, rng=2, dtype=np.float64)  # not 'auto' -> float32
    assert blocked.pvalue == held.pvalue and blocked_agg.pvalue == held_agg.pvalue
    # Block sums change the summation order: values near 0 agree to rounding (1e-12 absolute).
    np.testing.assert_allclose(blocked.null_distribution, held.null_distribution, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(blocked_agg.null_distribution, held_agg.null_distribution, rtol=1e-10, atol=1e-12)


def test_torch_path_equals_numpy_path():
    rng = np.random.default_rng(8)
    x, y = rng.normal(size=(40, 3)), rng.normal(size=(30, 3))
    ref = ts.mmd_test(x, y, n_resamples=200, rng=3)
    res = ts.mmd_test(x, y, n_resamples=200, rng=3, device=torch.device("cpu"))
    assert res.pvalue == ref.pvalue
    # MMD^2 ~ 1e-6 here is a difference of O(1) sums: agreement to 1e-12 absolute is rounding level.
    np.testing.assert_allclose(res.null_distribution, ref.null_distribution, rtol=1e-10, atol=1e-12)
    agg = ts.mmd_agg_test(x, y, n_resamples=100, rng=3, device=torch.device("cpu"))
    assert agg.pvalue == ts.mmd_agg_test(x, y, n_resamples=100, rng=3).pvalue


def test_float32_and_float64_agree_within_monte_carlo_error():
    rng = np.random.default_rng(9)
    x, y = rng.normal(size=(150, 4)), rng.normal(size=(150, 4)) * [1, 1, 1, 1.25]
    p64 = ts.mmd_test(x, y, n_resamples=1999, rng=4).pvalue
    p32 = ts.mmd_test(x, y, n_resamples=1999, rng=4, dtype=np.float32).pvalue
    assert abs(p64 - p32) < 4 * np.sqrt(p64 * (1 - p64) / 2000) + 1e-3


def check_level(test, sampler, n, m, reps, seed, **kwargs):
    count = 0
    for child in np.random.SeedSequence(seed).spawn(reps):
        rng = np.random.default_rng(child)
        count += test(sampler(rng, n), sampler(rng, m), rng=rng, **kwargs).reject
    lo, hi = stats.binom.interval(0.99, reps, 0.05)
    assert lo <= count <= hi, count / reps


NULLS = {
    "gaussian": lambda rng, n: rng.normal(size=(n, 2)),
    "student-t2": lambda rng, n: rng.standard_t(2, size=(n, 2)),
}


@pytest.mark.parametrize("null", NULLS)
@pytest.mark.parametrize(
    ("test", "sizes"),
    [(ts.mmd_test, (30, 30)), (ts.mmd_test, (40, 15)), (ts.mmd_agg_test, (30, 20))],
    ids=["mmd", "mmd-unequal", "agg"],
)
def test_level_heavy_tails_and_unequal_sizes(test, sizes, null):
    check_level(test, NULLS[null], *sizes, reps=300, seed=11, n_resamples=99)


def test_agg_has_power_without_picking_a_bandwidth():
    # Gaussian vs variance-matched Laplace in 1-D: the median bandwidth is too wide for this
    # difference in the tails; the aggregate should do at least as well.
    reps, agg, single = 40, 0, 0
    for child in np.random.SeedSequence(12).spawn(reps):
        rng = np.random.default_rng(child)
        x, y = rng.normal(size=400), rng.laplace(scale=1 / np.sqrt(2), size=400)
        agg += ts.mmd_agg_test(x, y, n_resamples=199, rng=rng).reject
        single += ts.mmd_test(x, y, n_resamples=199, rng=rng).reject
    assert agg >= single and agg / reps > 0.5


def test_linear_mmd_level_and_threshold():
    rng = np.random.default_rng(13)
    res = ts.mmd_linear_test(rng.normal(size=(4000, 2)), rng.normal(size=(4000, 2)), rng=0)
    assert res.method == "asymptotic" and (res.statistic > res.threshold) == res.reject
    check_level(ts.mmd_linear_test, NULLS["gaussian"], 400, 400, reps=300, seed=14)


def test_rff_mmd_approximates_gaussian_mmd():
    rng = np.random.default_rng(15)
    x, y = rng.normal(size=(500, 3)), rng.normal(0.5, 1, size=(500, 3))
    res = ts.mmd_rff_test(x, y, bandwidth=1.5, n_features=4096, n_resamples=99, rng=0)
    exact = ts.mmd2(x, y, bandwidth=1.5, estimator="biased")
    assert res.statistic**2 == pytest.approx(exact, rel=0.1)
    assert res.reject


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: ts.mmd_test([[0.0], [1]], [[0.0], [2]], kernel="rbf"), "`kernel` must be one of gaussian"),
        (lambda: ts.mmd_test([[0.0], [1]], [[0.0], [2]], bandwidth=-1), "`bandwidth` must be a positive number"),
        (
            lambda: ts.mmd_test([[0.0], [1]], [[0.0], [2]], bandwidth="scott"),
            "`bandwidth` must be a positive number or 'median'",
        ),
        (
            lambda: ts.mmd_test([[0.0], [1]], [[0.0], [2]], estimator="linear"),
            "`estimator` must be one of 'unbiased', 'biased'",
        ),
        (lambda: ts.mmd2([[0.0], [1]], [[0.0], [2]], estimator="u"), "`estimator` must be one of"),
        (lambda: ts.mmd_rff_test([[0.0], [1]], [[0.0], [2]], n_features=0), "`n_features` must be a positive integer"),
        (lambda: ts.mmd_linear_test([[0.0], [1], [2]], [[0.0], [2], [3]]), "mmd_linear_test needs at least 4 rows"),
    ],
)
def test_errors_name_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_median_bandwidth_is_the_median_pairwise_distance():
    rng = np.random.default_rng(16)
    z = rng.normal(size=(50, 2))
    d = np.sqrt(((z[:, None] - z[None]) ** 2).sum(-1))[np.triu_indices(50, 1)]
    assert make_kernel("gaussian", "median", z).bandwidth == pytest.approx(np.median(d))
    assert make_kernel("laplace", "median", z).bandwidth == pytest.approx(
        np.median(np.abs(z[:, None] - z[None]).sum(-1)[np.triu_indices(50, 1)])
    )


def test_kernels_work_on_torch_tensors():
    rng = np.random.default_rng(17)
    a, b = rng.normal(size=(5, 3)), rng.normal(size=(4, 3))
    for kernel in KERNELS:
        np.testing.assert_allclose(
            kernel.matrix(torch.as_tensor(a), torch.as_tensor(b)).numpy(), kernel.matrix(a, b), rtol=1e-10, atol=1e-12
        )


@pytest.mark.slow
def test_n_20000_runs_in_bounded_memory():
    import tracemalloc

    rng = np.random.default_rng(18)
    x, y = rng.normal(size=(20_000, 10)), rng.normal(size=(20_000, 10))
    tracemalloc.start()
    res = ts.mmd_test(x, y, n_resamples=19, rng=0)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert 0 < res.pvalue <= 1
    assert peak < 4 * 2**30  # the whole Gram matrix alone would be 12.8 GB


@pytest.mark.slow
def test_rff_n_100000_in_seconds():
    import time

    rng = np.random.default_rng(19)
    x, y = rng.normal(size=(100_000, 10)), rng.normal(size=(100_000, 10))
    start = time.perf_counter()
    ts.mmd_rff_test(x, y, n_resamples=199, rng=0)
    assert time.perf_counter() - start < 60


def test_paired_values_are_the_gram_diagonal():
    rng = np.random.default_rng(20)
    a, b = rng.normal(size=(7, 3)), rng.normal(size=(7, 3))
    for kernel in KERNELS:
        np.testing.assert_allclose(kernel.paired(a, b), np.diagonal(kernel.matrix(a, b)), rtol=1e-12)
        np.testing.assert_allclose(
            kernel.paired(torch.as_tensor(a), torch.as_tensor(b)).numpy(), np.diagonal(kernel.matrix(a, b)), rtol=1e-12
        )


def test_shared_distance_blocks_equal_held_grams(monkeypatch):
    """Gram blocks from shared distance blocks, lower triangle only, one product for every kernel."""
    rng = np.random.default_rng(11)
    x, y = rng.normal(size=(90, 3)), rng.laplace(size=(80, 3))
    held = ts.mmd_agg_test(x, y, n_resamples=300, rng=4, dtype=np.float64)
    held_one = ts.mmd_test(x, y, n_resamples=300, rng=4)
    monkeypatch.setattr(M, "_GRAM_BUDGET", 1000)
    monkeypatch.setattr(M, "_BLOCK_BYTES", 8 * 170 * 20 * 13)  # 13 columns per block, ragged last block
    shared = ts.mmd_agg_test(x, y, n_resamples=300, rng=4, dtype=np.float64)  # not 'auto' -> float32
    shared_one = ts.mmd_test(x, y, n_resamples=300, rng=4)
    assert shared.pvalue == held.pvalue and shared_one.pvalue == held_one.pvalue
    np.testing.assert_allclose(shared.null_distribution, held.null_distribution, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(shared_one.null_distribution, held_one.null_distribution, rtol=1e-9, atol=1e-12)


def test_auto_dtype_is_float32_only_beyond_the_gram_budget(monkeypatch):
    rng = np.random.default_rng(13)
    x, y = rng.normal(size=(60, 2)), rng.normal(size=(60, 2))
    small = ts.mmd_agg_test(x, y, n_resamples=99, rng=1)
    assert small.pvalue == ts.mmd_agg_test(x, y, n_resamples=99, rng=1, dtype=np.float64).pvalue
    monkeypatch.setattr(M, "_GRAM_BUDGET", 1000)
    big = ts.mmd_agg_test(x, y, n_resamples=99, rng=1)
    np.testing.assert_array_equal(
        big.null_distribution, ts.mmd_agg_test(x, y, n_resamples=99, rng=1, dtype=np.float32).null_distribution
    )


def test_float32_blocks_agree_with_float64_within_monte_carlo_error(monkeypatch):
    monkeypatch.setattr(M, "_GRAM_BUDGET", 1000)
    rng = np.random.default_rng(12)
    for shift in (0.0, 0.3):
        x, y = rng.normal(size=(150, 4)), rng.normal(size=(150, 4)) + [shift, 0, 0, 0]
        r64 = ts.mmd_agg_test(x, y, n_resamples=999, rng=5, dtype=np.float64)
        r32 = ts.mmd_agg_test(x, y, n_resamples=999, rng=5, dtype=np.float32)
        se = np.sqrt(r64.pvalue * (1 - r64.pvalue) / 999)
        assert abs(r32.pvalue - r64.pvalue) <= max(3 * se, 2 / 1000)
        assert r32.statistic == pytest.approx(r64.statistic, rel=1e-3, abs=1e-4)


def test_a_memory_budget_forms_blocks_and_keeps_the_result(monkeypatch):
    rng = np.random.default_rng(21)
    x, y = rng.normal(size=(140, 3)), rng.normal(size=(130, 3)) + [0.3, 0, 0]
    held = ts.mmd_agg_test(x, y, n_resamples=299, rng=4, dtype=np.float64)
    calls = []
    monkeypatch.setattr(M, "_SharedBlockSums", lambda *a, **k: calls.append(k) or SharedBlockSums(*a, **k))
    blocked = ts.mmd_agg_test(x, y, n_resamples=299, rng=4, dtype=np.float64, memory="200kB")
    # 20 float64 Grams of 270 x 270 (11.7 MB) do not fit: blocks of 50 kB, 9 columns each
    assert calls == [{"dtype": np.float64, "block_bytes": 50_000}]
    np.testing.assert_allclose(blocked.null_distribution, held.null_distribution, rtol=1e-9)
    assert (blocked.pvalue, blocked.n_resamples) == (held.pvalue, held.n_resamples)
    single = ts.mmd_test(x, y, n_resamples=299, rng=4)
    assert ts.mmd_test(x, y, n_resamples=299, rng=4, memory=100_000).pvalue == single.pvalue
    # "auto" precision follows the budget: float32 once the float64 Grams do not fit it
    ts.mmd_agg_test(x, y, n_resamples=99, rng=4, memory="200kB")
    assert calls[-1] == {"dtype": np.float32, "block_bytes": 50_000}


SharedBlockSums = M._SharedBlockSums


@pytest.mark.parametrize(
    ("memory", "match"),
    [
        (50_000, "too small for one block of the 20 Gram matrices at N = 270 in float32.*86400 bytes"),
        ("12 parsecs", "`memory` must be"),
        (0, "`memory` must be"),
        (True, "`memory` must be"),
    ],
)
def test_memory_budget_errors_name_the_argument(memory, match):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(140, 3)), rng.normal(size=(130, 3))
    with pytest.raises(ValueError, match=match):
        ts.mmd_agg_test(x, y, memory=memory)


LINE_SAMPLES = {
    "normal": lambda rng: rng.normal(size=(130, 1)),
    "ties": lambda rng: np.round(rng.normal(size=(130, 1)), 1),
    # 1e4 apart at bandwidth 1e-3: thousands of segments, carries that underflow to 0
    "two clusters": lambda rng: np.concatenate([rng.normal(size=(65, 1)), 1e4 + rng.normal(size=(65, 1))]),
    "cauchy": lambda rng: rng.standard_cauchy(size=(130, 1)),
}


@pytest.mark.parametrize("sample", LINE_SAMPLES)
def test_laplace_line_sums_equal_the_gram_matrix_sums(sample):
    """1-D Laplace kernels take O(N B) cumulative sums; they are the Gram matrix's sums to rounding."""
    rng = np.random.default_rng(31)
    pooled = LINE_SAMPLES[sample](rng)
    kernels = [Laplace(h) for h in (1e-3, 0.05, 0.7, 4.0, 1e3)]
    dense, line = M._GramSums(pooled, kernels), M.LaplaceLineSums(pooled, kernels)
    masks = rng.random((9, len(pooled))) < 0.45
    for dense_sums, line_sums in zip(dense(masks), line(masks)):
        for a, b in zip(dense_sums, line_sums):
            np.testing.assert_allclose(b, a, rtol=1e-12)
    for name in ("total", "sq_total", "diag_total"):
        np.testing.assert_allclose(getattr(line, name), getattr(dense, name), rtol=1e-12)
    np.testing.assert_array_equal(np.array(line.diag), np.array(dense.diag))


def test_line_sums_serve_one_dimensional_tests_with_the_same_result():
    """mmd_test(kernel="laplace") and mmd_agg_test on 1-D data: the line sums (NumPy) against Gram
    matrices (torch on the CPU); with several kernels the two kinds of sums merge in kernel order."""
    rng = np.random.default_rng(32)
    x, y = rng.normal(size=80), rng.laplace(scale=1 / np.sqrt(2), size=70)
    assert M.on_the_line(Laplace(1.0), x[:, None]) and not M.on_the_line(Gaussian(1.0), x[:, None])
    for test, kwargs in [(ts.mmd_test, {"kernel": "laplace"}), (ts.mmd_agg_test, {"early_stop": False})]:
        line = test(x, y, n_resamples=300, rng=5, **kwargs)
        gram = test(x, y, n_resamples=300, rng=5, device=torch.device("cpu"), **kwargs)
        assert line.pvalue == gram.pvalue
        np.testing.assert_allclose(line.null_distribution, gram.null_distribution, rtol=1e-9, atol=1e-12)
        assert line.statistic == pytest.approx(gram.statistic, rel=1e-9, abs=1e-12)


def test_line_kernels_need_no_memory_budget():
    """1-D Laplace kernels form no Gram matrix: a budget too small for one column of a matrix is enough."""
    rng = np.random.default_rng(33)
    x, y = rng.normal(size=3000), rng.normal(size=3000)
    res = ts.mmd_test(x, y, kernel="laplace", n_resamples=99, rng=1, memory=10_000)
    assert res.n_resamples == 99 and 0 < res.pvalue <= 1
    with pytest.raises(ValueError, match="too small for one block of the 1 Gram matrices"):
        ts.mmd_test(x, y, n_resamples=99, rng=1, memory=10_000)


@pytest.mark.parametrize("parts", [1, 3, 4, 7])
def test_lower_triangle_sums_equal_the_full_matrix_sums(parts):
    """s'Ks, K1 and the totals from the blocks on and below the diagonal (held Grams of 256 rows or
    more are formed only there) equal the full matrix's."""
    rng = np.random.default_rng(34)
    z = rng.normal(size=(301, 2))
    gram = Gaussian(0.9).matrix(z, z)
    s = (rng.random((11, 301)) < 0.5).astype(float)
    edges = M._triangle_edges(301, parts)
    held = np.where(_below_blocks(edges), gram, np.nan)  # NaN where nothing may be read
    np.testing.assert_allclose(M._lower_quadratic(held, s, edges), ((s @ gram) * s).sum(1), rtol=1e-13)
    diag, total, sq_total, row_sums = M._lower_constants(held, edges)
    np.testing.assert_array_equal(diag, gram.diagonal())
    np.testing.assert_allclose([total, sq_total], [gram.sum(), (gram**2).sum()], rtol=1e-13)
    np.testing.assert_allclose(row_sums, gram.sum(1), rtol=1e-13)


def _below_blocks(edges):
    """Where a Gram matrix cut at `edges` is held: its diagonal blocks and the blocks below them."""
    block = np.repeat(np.arange(len(edges) - 1), np.diff(edges))
    return block[:, None] >= block[None, :]


def test_triangle_sums_keep_the_test_result(monkeypatch):
    rng = np.random.default_rng(35)
    x, y = rng.normal(size=(150, 2)), rng.normal(size=(140, 2)) + [0.25, 0]
    triangle = ts.mmd_agg_test(x, y, n_resamples=300, rng=6, early_stop=False)
    monkeypatch.setattr(M, "_TRIANGLE_MIN", 10**9)
    full = ts.mmd_agg_test(x, y, n_resamples=300, rng=6, early_stop=False)
    assert triangle.pvalue == full.pvalue
    np.testing.assert_allclose(triangle.null_distribution, full.null_distribution, rtol=1e-9, atol=1e-12)
