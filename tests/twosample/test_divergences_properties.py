"""Property-based tests of the f-divergence identities (hypothesis).

Each property ties two independently written formulas together (f and f*, f
and f', the stable composite and the naive one, the bound and the exact
divergence), so a wrong formula in any row makes some property fail.
"""

import math

import numpy as np
import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st

from twosample import divergences as D

ROWS = [D.get(n) for n in D.names() if n != "alpha"] + [D.get("alpha", order=a) for a in (-1.0, 0.5, 1.5, 2.0, 3.0)]
IDS = [repr(r) for r in ROWS]
PROPER = [r for r in ROWS if r.name != "gan"]
LOG4 = math.log(4.0)

log_u = st.floats(-3, 3)  # u = 10 ** log_u in [1e-3, 1e3]
raw_v = st.floats(-6, 6)  # critic outputs; t = g_f(v) covers dom f*


def tight(row, t):
    """Whether the table's f* is the exact conjugate over u >= 0 at t (Pearson / alpha > 1: t above a bound)."""
    if row.name == "pearson":
        return t >= -2.0
    return True


@pytest.mark.parametrize("row", ROWS, ids=IDS)
@given(lu=log_u, v=raw_v)
def test_fenchel_young_inequality(row, lu, v):
    u = 10.0**lu
    t = float(row.activation(v))
    assume(bool(row.in_conjugate_domain(t)))
    lhs = float(row.f(u) + row.conjugate(t))
    assert lhs >= u * t - 1e-9 * (1 + abs(u * t))


@pytest.mark.parametrize("row", ROWS, ids=IDS)
@given(lu=log_u)
def test_fenchel_young_equality_at_f_prime(row, lu):
    u = 10.0**lu
    t = float(row.f_prime(u))
    assert bool(row.in_conjugate_domain(t))
    gap = float(row.f(u) + row.conjugate(t)) - u * t
    assert abs(gap) <= 1e-9 * (1 + abs(u * t) + abs(float(row.f(u))))


U_GRID = np.concatenate([[0.0], np.geomspace(1e-9, 1e9, 400_001)])


@pytest.mark.parametrize("row", ROWS, ids=IDS)
@given(v=st.floats(-4, 4))
def test_conjugate_is_the_numerical_supremum(row, v):
    t = float(row.activation(v))
    assume(bool(row.in_conjugate_domain(t)))
    with np.errstate(invalid="ignore", over="ignore"):
        values = t * U_GRID - row.f(U_GRID)
    numeric = float(np.nanmax(values[np.isfinite(values)]))
    formula = float(row.conjugate(t))
    if tight(row, t):
        assert formula == pytest.approx(numeric, rel=1e-6, abs=1e-8)
    else:  # Pearson below -2: the formula over-estimates f*, so the bound stays valid but loose
        assert numeric == pytest.approx(-1.0, abs=1e-8)
        assert formula >= numeric


_GRID_CACHE = {}


def _conjugate_on_grid(row):
    """(t, f*(t)) over t = g_f(V_GRID), finite entries only; computed once per row."""
    if repr(row) not in _GRID_CACHE:
        with np.errstate(invalid="ignore", over="ignore"):
            t = row.activation(V_GRID)
            conj = row.conjugate(t)
        keep = np.isfinite(t) & np.isfinite(conj)
        _GRID_CACHE[repr(row)] = (t[keep], conj[keep])
    return _GRID_CACHE[repr(row)]


V_GRID = np.unique(np.concatenate([np.linspace(-60, 60, 600_001), np.linspace(-1000, 1000, 200_001)]))


@pytest.mark.parametrize("row", ROWS, ids=IDS)
@given(lu=st.floats(-1.3, 1.3))
def test_biconjugate_recovers_f(row, lu):
    u = 10.0**lu
    t, conj = _conjugate_on_grid(row)
    with np.errstate(over="ignore"):  # t ~ -1e300 at the grid's far end: -inf, never the max
        numeric = float(np.max(t * u - conj))
    assert numeric == pytest.approx(float(row.f(u)), rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("row", ROWS, ids=IDS)
@given(a=log_u, b=log_u, lam=st.floats(0, 1))
def test_f_is_convex(row, a, b, lam):
    u1, u2 = 10.0**a, 10.0**b
    mid = float(row.f(lam * u1 + (1 - lam) * u2))
    chord = lam * float(row.f(u1)) + (1 - lam) * float(row.f(u2))
    assert mid <= chord + 1e-9 * (1 + abs(chord))


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_f_at_one(row):
    expected = -LOG4 if row.name == "gan" else 0.0
    assert float(row.f(1.0)) == pytest.approx(expected, abs=1e-15)
    assert row.value_at_equality == pytest.approx(expected, abs=1e-15)


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_limits_used_for_disjoint_support(row):
    assert float(row.f(1e-12)) == pytest.approx(row.f_at_zero, rel=1e-3, abs=1e-3) or (
        math.isinf(row.f_at_zero) and float(row.f(1e-12)) > 10
    )
    big = 1e12
    slope = float(row.f(big)) / big
    assert slope == pytest.approx(row.slope_at_infinity, rel=1e-3, abs=1e-3) or (
        math.isinf(row.slope_at_infinity) and float(row.f(1e15)) / 1e15 > slope > 0
    )


# --- distributions -------------------------------------------------------------------


def probability_vector(k):
    return st.lists(st.floats(0.01, 1.0), min_size=k, max_size=k).map(lambda w: np.array(w) / sum(w))


pairs = st.integers(2, 7).flatmap(lambda k: st.tuples(probability_vector(k), probability_vector(k)))


@pytest.mark.parametrize("row", ROWS, ids=IDS)
@given(pq=pairs)
def test_divergence_of_p_with_itself_and_nonnegativity(row, pq):
    p, q = pq
    assert D.f_divergence(p, p, row) == pytest.approx(row.value_at_equality, abs=1e-12)
    assert D.f_divergence(p, q, row) >= row.value_at_equality - 1e-12


@pytest.mark.parametrize("row", ROWS, ids=IDS)
@given(pq=pairs, data=st.data())
def test_lower_bound_below_divergence_and_tight_at_optimal_critic(row, pq, data):
    p, q = pq
    exact = D.f_divergence(p, q, row)
    v = np.array(data.draw(st.lists(st.floats(-8, 8), min_size=len(p), max_size=len(p))))
    t = row.activation(v)
    bound = float(p @ t - q @ row.conjugate(t))
    assert bound <= exact + 1e-9 * (1 + abs(exact))
    t_star = row.optimal_critic(p / q)
    tight_bound = float(p @ t_star - q @ row.conjugate(t_star))
    assert tight_bound == pytest.approx(exact, rel=1e-9, abs=1e-12)


@given(pq=pairs)
def test_gan_objective_at_optimal_discriminator_is_2jsd_minus_log4(pq):
    p, q = pq
    d_star = p / (p + q)
    objective = p @ np.log(d_star) + q @ np.log1p(-d_star)
    jsd = D.jensen_shannon(p, q)
    assert objective == pytest.approx(2 * jsd - LOG4, abs=1e-12)
    assert D.f_divergence(p, q, "gan") == pytest.approx(2 * jsd - LOG4, abs=1e-12)
    assert jsd == pytest.approx(D.jensen_shannon(q, p), abs=1e-14)
    assert -1e-15 <= jsd <= math.log(2) + 1e-15


@given(pq=pairs, d=st.floats(1e-6, 1 - 1e-6))
def test_optimal_discriminator_maximises_pointwise(pq, d):
    p, q = pq
    d_star = p / (p + q)
    best = p * np.log(d_star) + q * np.log1p(-d_star)
    assert np.all(p * np.log(d) + q * np.log1p(-d) <= best + 1e-12)


@given(p=st.integers(2, 7).flatmap(probability_vector))
def test_optimal_discriminator_is_half_when_equal(p):
    from scipy import stats

    d = D.optimal_discriminator(stats.norm(0.3, 1.2), stats.norm(0.3, 1.2))
    assert np.all(d(np.linspace(-5, 5, 11)) == 0.5)
    assert np.all(p / (p + p) == 0.5)


@given(pq=pairs)
def test_pinsker_and_hellinger_tv_bounds(pq):
    p, q = pq
    tv = D.f_divergence(p, q, "total_variation")
    assert tv == pytest.approx(0.5 * np.abs(p - q).sum(), abs=1e-14)
    # Pinsker for probability vectors; floats summing to 1 +- 1e-16 shift KL by about that much
    # (KL(p || c q) = KL(p || q) - log c), which near P = Q is a relative 1e-5 of KL itself
    normalisation = abs(p.sum() - q.sum())
    assert tv <= math.sqrt((D.f_divergence(p, q, "kl") + normalisation) / 2) + 1e-12
    hel = D.f_divergence(p, q, "hellinger")  # = 2 H^2 with H^2 = 1 - BC
    assert hel / 2 <= tv + 1e-12
    assert tv <= math.sqrt(hel) + 1e-12


@pytest.mark.parametrize("row", ROWS, ids=IDS)
@given(pq=pairs, data=st.data())
def test_data_processing_inequality(row, pq, data):
    p, q = pq
    k_out = data.draw(st.integers(1, 6))
    rows = [data.draw(probability_vector(k_out)) for _ in range(len(p))]
    kernel = np.array(rows)
    assert D.f_divergence(p @ kernel, q @ kernel, row) <= D.f_divergence(p, q, row) + 1e-9


# --- numerics ------------------------------------------------------------------------


@pytest.mark.parametrize("row", ROWS, ids=IDS)
@given(v=st.floats(-15, 15))
def test_stable_composite_equals_naive_where_finite(row, v):
    # Beyond |v| ~ 15 the naive f*(g(v)) loses digits near the edge of dom f* (e.g. Hellinger:
    # 1 - t = e^-v is formed after t is rounded), which is why the stable forms exist; their
    # behaviour out there is checked by the float32 test below and the gradient test.
    naive = float(row.conjugate(row.activation(np.float64(v))))
    assume(math.isfinite(naive))
    assert float(row.conjugate_activation(np.float64(v))) == pytest.approx(naive, rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_stable_composite_finite_in_float32_with_finite_gradients(row):
    v = torch.linspace(-50, 50, 1001, dtype=torch.float32, requires_grad=True)
    out = row.conjugate_activation(v)
    (out.sum() + row.activation(v).sum()).backward()
    assert out.dtype == torch.float32
    assert torch.isfinite(out).all() and torch.isfinite(v.grad).all()
    out_np = row.conjugate_activation(np.linspace(-50, 50, 1001, dtype=np.float32))
    assert out_np.dtype == np.float32 and np.all(np.isfinite(out_np))


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_numpy_and_torch_share_one_definition(row):
    u = np.geomspace(1e-3, 1e3, 50)
    v = np.linspace(-5, 5, 50)
    t = row.activation(v)
    for method, arg in (
        ("f", u),
        ("f_prime", u),
        ("activation", v),
        ("conjugate", t),
        ("conjugate_activation", v),
        ("optimal_critic", u),
    ):
        via_numpy = getattr(row, method)(arg)
        via_torch = getattr(row, method)(torch.as_tensor(arg, dtype=torch.float64))
        assert isinstance(via_torch, torch.Tensor)
        np.testing.assert_allclose(via_torch.numpy(), via_numpy, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("row", ROWS, ids=IDS)
@given(v=st.floats(-5, 5))
def test_torch_gradient_of_the_bound_matches_finite_differences(row, v):
    vt = torch.tensor([v], dtype=torch.float64, requires_grad=True)
    row.conjugate_activation(vt).sum().backward()
    h = 1e-6
    numeric = (
        float(row.conjugate_activation(np.float64(v + h))) - float(row.conjugate_activation(np.float64(v - h)))
    ) / (2 * h)
    assert float(vt.grad) == pytest.approx(numeric, rel=1e-5, abs=1e-7)


def test_kl_of_nearly_equal_laws_does_not_cancel():
    # found by hypothesis (Pinsker's check): the plain sum of p log(p/q) lost 2e-6 relative here
    import mpmath

    e = 2.5000125000936897e-06
    p, q = np.array([0.5, 0.5]), np.array([0.5 + e, 0.5 - e])
    with mpmath.workdps(50):
        exact = float(sum(mpmath.mpf(a) * mpmath.log(mpmath.mpf(a) / mpmath.mpf(b)) for a, b in zip(p, q)))
    assert D.f_divergence(p, q, "kl") == pytest.approx(exact, rel=1e-9)
