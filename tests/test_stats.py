"Property and simulation tests of probescale.stats and the certificate: the tests can reject, keep their error rates, and agree with their bounds."
import numpy as np, pandas as pd
from hypothesis import given, settings, strategies as st, HealthCheck

from probescale.stats import paired_test, margin_test, retention_bounds, compare, smallest_p

def _models(seed, n, acc_full=0.72, keep=0.9, floor_keep=0.6):
    "Per-item answers of a full model, a floor that shares some of them, and a candidate close to the full model."
    r = np.random.default_rng(seed)
    F = (r.random(n) < acc_full).astype(float)
    f = np.where(r.random(n) < floor_keep, F, (r.random(n) < 0.6).astype(float))
    c = np.where(r.random(n) < keep, F, (r.random(n) < acc_full).astype(float))
    return c, F, f

@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n=st.integers(300, 4000), keep=st.floats(0.5, 0.99), t=st.floats(0.3, 1.1))
def test_bound_and_margin_test_agree(seed, n, keep, t):
    "Certified (margin test passes at 5%) exactly when the lower bound of retention reaches the target."
    c, F, f = _models(seed, n, keep=keep)
    lb = retention_bounds(c, F, f)['lower_bound']
    p = margin_test(c, F, f, t)['p']
    if np.isfinite(lb) and abs(lb - t) > 1e-6: assert (p <= 0.05) == (t <= lb), (p, lb, t)

def test_margin_test_keeps_its_error_rate():
    "A candidate whose true gain retention is exactly the target passes about 5% of the time (one-sided 5% test)."
    r = np.random.default_rng(0); passes = []
    for _ in range(2000):
        n = 3000
        F = (r.random(n) < 0.72).astype(float)
        f = np.where(r.random(n) < 0.5, F, (r.random(n) < 0.62).astype(float))     # the floor: right on about 67%
        # the candidate answers like the full model where it keeps the gain, like the floor elsewhere: retention 0.8 in expectation
        c = np.where(r.random(n) < 0.8, F, f)
        passes.append(margin_test(c, F, f, 0.8)['p'] <= 0.05)
    assert 0.03 <= np.mean(passes) <= 0.07, np.mean(passes)

def test_comparisons_can_reject_after_holm():
    "57 paired comparisons on 5,000 items: a method 5 points worse and one 5 points better than ProbeScale are both significant after Holm, in their own directions; identical plans are marked and left out."
    assert smallest_p(57, 1000) > 0.05                      # what a 1,000-replicate bootstrap could never reach
    r, n = np.random.default_rng(1), 5000
    a = (r.random(n) < 0.7).astype(float)
    worse = a * (r.random(n) >= 0.05 / 0.7)                   # loses 5 points of a's right answers
    better = np.maximum(a, (r.random(n) < 0.05 / 0.3).astype(float))   # gains 5 points on a's wrong ones
    same = lambda i: np.where(np.random.default_rng(100 + i).random(n) < 0.1, (np.random.default_rng(200 + i).random(n) < 0.7).astype(float), a)
    scores = {'a': a, 'worse': worse, 'better': better, 'twin1': a.copy(), 'twin2': a.copy()} | {f'm{i}': same(i) for i in range(53)}
    names = ['worse', 'better', 'twin1', 'twin2'] + [f'm{i}' for i in range(53)]
    df = compare(scores, [('a', m) for m in names]).set_index('b')
    assert len(df) == 57 and df.identical.sum() == 2
    assert df.loc['worse', 'verdict'] == 'better' and df.loc['worse', 'p_holm'] < 0.05 and df.loc['worse', 'difference'] > 0.04
    assert df.loc['better', 'verdict'] == 'worse' and df.loc['better', 'p_holm'] < 0.05 and df.loc['better', 'difference'] < -0.04
    assert (df.loc[['twin1', 'twin2'], 'verdict'] == 'identical').all() and df.loc[['twin1', 'twin2'], 'p_holm'].isna().all()
    assert (df.drop(['worse', 'better', 'twin1', 'twin2']).verdict != 'identical').all()
    assert set(df.verdict) <= {'better', 'worse', 'no significant difference', 'identical'}

def test_identical_pairs_are_not_evidence():
    a = (np.random.default_rng(2).random(1000) < 0.7).astype(float)
    df = compare({'a': a, 'b': a.copy(), 'c': 1 - a}, [('a', 'b'), ('a', 'c')])
    assert df.verdict.tolist() == ['identical', 'better' if a.mean() > 0.5 else 'worse']
    assert np.isnan(df.p_holm[0]) and df.p_holm[1] == df.p[1]          # one live comparison: Holm leaves it as it is
    assert paired_test(a, a)['identical']
