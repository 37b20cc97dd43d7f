"""Each objective decreases its exact divergence on a 1-D problem where it can be computed.

The data are N(2, 0.5^2); the generator is affine, g(z) = w z + b with z ~ N(0, 1), so the
model is exactly N(b, w^2) and D_f(P || Q_theta) is computed by quadrature
(twosample.divergences.f_divergence). Wasserstein and MMD objectives are scored by the exact W1
between the two normals. Neyman's chi^2 is left out: D(P || Q) = int (p - q)^2 / p is infinite
while the model is wider than sqrt(2) x 0.5, as the initial generator is, and its critic
correctly chases the unbounded bound.
"""

import numpy as np
import pytest
import torch
from scipy import integrate, stats

import gan
from gan import datasets, objectives
from twosample import divergences

P = stats.norm(2.0, 0.5)
DATA = datasets.gaussian_1d(2.0, 0.5)


def _model_law(model):
    linear = model.generator.body[0]
    return stats.norm(float(linear.bias.detach()), abs(float(linear.weight.detach())))


def _w1(p, q):
    lo, hi = min(p.ppf(1e-9), q.ppf(1e-9)), max(p.isf(1e-9), q.isf(1e-9))
    return integrate.quad(lambda t: abs(p.cdf(t) - q.cdf(t)), lo, hi, limit=200)[0]


def _excess(obj, q):
    """The exact divergence above its minimum (D_GAN = 2 JSD - log 4 has minimum -log 4)."""
    if obj.family == "f":
        div = divergences.get(obj.divergence)
        return divergences.f_divergence(P, q, div) - div.value_at_equality
    return _w1(P, q)


def _check(name, steps=1000, lr=3e-3):
    # 1,000 steps at lr 3e-3 (the defaults are tuned for 2-D toys, 1-D moves further per step);
    # measured excess before -> after: js 1.25 -> 0.29, kl 5.08 -> 0.04, hellinger 1.69 -> 0.03,
    # wgan 2.64 -> 0.007, mmd 2.64 -> 0.29, total variation 0.95 -> 0.52 (the slowest).
    obj = objectives.get_objective(name)
    options = {"depth": 0, "skip": False}
    kwargs = dict(objective=name, z_dim=1, generator_options=options, n_train=20_000, n_monitor=200, rng=0)
    # the settings these measurements were made with (the affine generator's law is read off its
    # one linear layer, so no standardisation, no moving average and no mixture of iterates)
    kwargs.update(batch_size=100, lr_decay="none", standardize=False, ema=0.0, penalties=obj.default_penalties())
    kwargs.update(iterates=1)
    before = _excess(obj, _model_law(gan.train(DATA, steps=1, lr=1e-12, **kwargs)))
    after = _excess(obj, _model_law(gan.train(DATA, steps=steps, lr=lr, **kwargs)))
    assert np.isfinite(after) and after < 2 / 3 * before, (name, before, after)


@pytest.mark.parametrize("name", ["js", "kl", "reverse_kl", "hellinger", "mmd"])
def test_objective_decreases_its_exact_divergence(name):
    _check(name)


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in objectives.names() if n != "neyman"])
def test_every_objective_decreases_its_exact_divergence(name):
    _check(name)


@pytest.mark.slow
@pytest.mark.parametrize("data", ["ring", "grid", "mixture", "digits"])
@pytest.mark.parametrize("name", objectives.names())
def test_no_nan_in_2000_steps_at_the_defaults(name, data):
    model = gan.train(data, objective=name, steps=2000, monitor_every=500, rng=0)  # raises TrainingDiverged
    assert np.isfinite(model.history[["critic_loss", "generator_loss"]].to_numpy()).all()


@pytest.mark.parametrize("name", ["kl", "jeffrey"])
def test_the_critic_cap_keeps_exponential_conjugates_finite(name):
    # Without the cap the critic's output climbs where the data has mass the generator lacks,
    # until exp(v - 1) overflows (measured: step 519 for KL, 433 for Jeffrey, on this run).
    kw = dict(objective=name, steps=700, monitor_every=500, rng=0)
    kw.update(batch_size=100, lr_decay="none", standardize=False, ema=0.0, z_dim=2)  # as measured
    kw.update(iterates=1, generator_options={"skip": False})
    with pytest.raises(gan.TrainingDiverged, match=f"objective '{name}'"):
        gan.train("mixture", **kw, critic_options={"cap": None})
    model = gan.train("mixture", **kw)
    assert model.critic.config["cap"] == 10.0
    assert np.isfinite(model.history[["critic_loss", "generator_loss", "bound"]].dropna().to_numpy()).all()
    with torch.no_grad():
        v = model.critic(torch.linspace(-50, 50, 101)[:, None])
    assert float(v.max()) <= 10.0  # reached (in float32) far out on the side only the data covers
