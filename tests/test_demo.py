"""`make demo` runs and prints a verdict for every test."""

import twosample as ts
from twosample import demo


def test_demo_prints_every_test(capsys):
    demo.main()
    out = capsys.readouterr().out
    for name in ts.TESTS:
        assert f"  {name} " in out
    assert out.count("reject H0") + out.count("keep H0") == 2 * len(ts.TESTS) + sum(
        info.multivariate for info in ts.TESTS.values())
