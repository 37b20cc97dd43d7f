"""gan: GAN training and auditing built on :mod:`twosample`.

A GAN discriminator is a learned two-sample statistic; the generator is
trained to minimise its power. This package reuses the core tests as critics
during training and as auditors of a frozen generator. It imports
:mod:`twosample`; :mod:`twosample` never imports it.
"""

import twosample as _twosample  # noqa: F401  (the layering: gan stands on twosample)

__version__ = _twosample.__version__
