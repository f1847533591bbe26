"Tests of probescale.scaling: recovery, interval coverage (simulation), statsmodels equality, bad input, budget."
import os, warnings
os.environ.setdefault('HF_HUB_OFFLINE', '1')
import matplotlib
matplotlib.use('Agg')
import numpy as np, pandas as pd, pytest
import statsmodels.api as sm
from hypothesis import given, settings, strategies as st, HealthCheck

from probescale.scaling import (fit_scaling_law, budget_for, compare_scaling_laws, simulate_coverage, ScalingFit,
                                ScalingBudget, SCALING_FORMS)

TRUE = {'c': 0.90, 'a': 0.40*1e6**0.3, 'alpha': 0.30}   # score 0.50 at N = 1e6, asymptote 0.90
N12 = np.geomspace(1e6, 1e9, 12)

def saturating(N, c=TRUE['c'], a=TRUE['a'], alpha=TRUE['alpha']): return c - a*np.asarray(N)**-alpha

def noisy(seed=0, sd=0.01, N=N12):
    return saturating(N) + np.random.default_rng(seed).normal(0, sd, len(N))

# ---------------------------------------------------------------- recovery

def test_recovers_saturating_parameters():
    N = np.geomspace(1e5, 1e10, 40)
    fit = fit_scaling_law(N, saturating(N) + np.random.default_rng(0).normal(0, 0.002, len(N)))
    assert fit.identified
    rel = (fit.params - pd.Series(TRUE)).abs()/pd.Series(TRUE)
    assert (rel < [0.01, 0.1, 0.02]).all(), rel
    ci = fit.conf_int()
    assert ((ci.lower < pd.Series(TRUE)) & (pd.Series(TRUE) < ci.upper)).all()

def test_recovers_power_and_loglinear():
    N = np.geomspace(1e5, 1e9, 20)
    rng = np.random.default_rng(1)
    fp = fit_scaling_law(N, 0.02*N**0.2 + rng.normal(0, 0.01, len(N)), form='power')
    np.testing.assert_allclose(fp.params.values, [0.02, 0.2], rtol=0.05)
    fl = fit_scaling_law(N, 0.1 + 0.07*np.log10(N) + rng.normal(0, 0.005, len(N)), form='loglinear')
    np.testing.assert_allclose(fl.params.values, [0.1, 0.07], atol=0.02)

def test_noiseless_fit_is_exact():
    fit = fit_scaling_law(N12, saturating(N12))
    np.testing.assert_allclose(fit.params.values, list(TRUE.values()), rtol=1e-6)

# ---------------------------------------------------------------- coverage (simulation, seeded)

@pytest.fixture(scope='module')
def coverage():
    return simulate_coverage(TRUE, N12, 0.01, n_sims=200, n_boot=199, seed=11)

def test_coverage_delta(coverage):
    d = coverage.df[coverage.df.method == 'delta']
    assert len(d) == 5 and (d.n == 200).all()
    assert d.coverage.between(0.90, 0.99).all(), d

def test_coverage_bootstrap(coverage):
    d = coverage.df[coverage.df.method == 'bootstrap (studentized)']
    assert len(d) == 5
    assert d.coverage.between(0.90, 0.99).all(), d

def test_coverage_is_deterministic():
    a = simulate_coverage(TRUE, N12, 0.01, n_sims=5, n_boot=30, seed=3).df
    b = simulate_coverage(TRUE, N12, 0.01, n_sims=5, n_boot=30, seed=3).df
    pd.testing.assert_frame_equal(a, b)

# ---------------------------------------------------------------- log-linear form equals statsmodels

def _check_against_sm(fit, res, Nnew, w_new):
    np.testing.assert_allclose(fit.params.values, res.params, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(fit.bse.values, res.bse, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(fit.conf_int().values, res.conf_int(), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(fit.cov.values, res.cov_params(), rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose([fit.llf, fit.aic, fit.bic], [res.llf, res.aic, res.bic], rtol=1e-8)
    pr = res.get_prediction(sm.add_constant(np.log10(Nnew)), weights=w_new).summary_frame(alpha=0.05)
    c, p = fit.predict(Nnew, 'confidence'), fit.predict(Nnew, 'prediction')
    np.testing.assert_allclose(c[['mean', 'mean_se', 'lower', 'upper']].values,
                               pr[['mean', 'mean_se', 'mean_ci_lower', 'mean_ci_upper']].values, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(p[['lower', 'upper']].values, pr[['obs_ci_lower', 'obs_ci_upper']].values, rtol=1e-8, atol=1e-10)

@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10**6), n=st.integers(4, 20), weighted=st.booleans())
def test_loglinear_equals_statsmodels(seed, n, weighted):
    rng = np.random.default_rng(seed)
    N = np.sort(10**rng.uniform(4, 10, n))
    y = 0.2 + 0.05*np.log10(N) + rng.normal(0, 0.02, n)
    sig = rng.uniform(0.005, 0.05, n) if weighted else None
    fit = fit_scaling_law(N, y, form='loglinear', sigma=sig)
    X = sm.add_constant(np.log10(N))
    res = sm.WLS(y, X, weights=1/sig**2).fit() if weighted else sm.OLS(y, X).fit()
    _check_against_sm(fit, res, np.array([1e3, 1e6, 3e7, 1e11]), 1/np.median(sig)**2 if weighted else None)

def test_loglinear_absolute_sigma_equals_statsmodels_fixed_scale():
    rng = np.random.default_rng(5)
    sig = rng.uniform(0.005, 0.02, 12)
    y = 0.1 + 0.08*np.log10(N12) + rng.normal(0, sig)
    fit = fit_scaling_law(N12, y, form='loglinear', sigma=sig, absolute_sigma=True)
    res = sm.WLS(y, sm.add_constant(np.log10(N12)), weights=1/sig**2).fit(cov_type='fixed scale', cov_kwds=dict(scale=1.))
    _check_against_sm(fit, res, np.array([1e3, 1e6, 3e7, 1e11]), 1/np.median(sig)**2)

def test_generic_path_matches_statsmodels_for_loglinear():
    "The hand-written delta method (used for the nonlinear forms) agrees with statsmodels on the linear form."
    y = 0.1 + 0.08*np.log10(N12) + np.random.default_rng(2).normal(0, 0.01, 12)
    fit = fit_scaling_law(N12, y, form='loglinear')
    T = fit._f.reported_jac(fit.theta, fit.x0)
    from probescale.scaling import _cov_internal
    C = _cov_internal(fit._f, fit.theta, fit.u, fit.y, fit.w, 'l2', None, False)[0]
    np.testing.assert_allclose(T@C@T.T, fit.sm_results.cov_params(), rtol=1e-8)

# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize('N,y,kw,msg', [
    ([1e6, 1e7, 1e8], [0.5, 0.6, 0.7], {}, 'needs at least 4 points'),
    ([1e6, 1e7], [0.5, 0.6], dict(form='loglinear'), 'needs at least 3 points'),
    ([1e6, -1, 1e8, 1e9], [0.5, 0.6, 0.7, 0.8], {}, 'positive parameter counts'),
    ([1e6, 1e7, 1e8, 1e9], [0.5, np.nan, 0.7, 0.8], {}, 'NaN/inf'),
    ([1e6, np.inf, 1e8, 1e9], [0.5, 0.6, 0.7, 0.8], {}, 'NaN/inf'),
    ([1e6, 1e7, 1e8, 1e9], [0.7]*4, {}, 'scores are equal'),
    ([1e6, 1e7, 1e8, 1e9, 1e10], [0.5, 0.6, 0.7, 0.8], {}, 'has 5 values but scores has 4'),
    ([1e6, 1e6, 1e8, 1e8], [0.5, 0.6, 0.7, 0.8], {}, 'distinct'),
    ([1e6, 1e7, 1e8, 1e9], [0.5, 0.6, 0.7, 0.8], dict(sigma=[0.1, -0.1, 0.1, 0.1]), 'sigma must be positive'),
    ([1e6, 1e7, 1e8, 1e9], [0.5, 0.6, 0.7, 0.8], dict(sigma=0.1, weights=1.), 'not both'),
    ([1e6, 1e7, 1e8, 1e9], [0.5, 0.6, 0.7, 0.8], dict(form='cubic'), 'form must be one of'),
    ([1e6, 1e7, 1e8, 1e9], [0.5, 0.6, 0.7, 0.8], dict(absolute_sigma=True), 'absolute_sigma=True needs'),
    ([1e6, 1e7, 1e8, 1e9], [0.5, 0.6, 0.7, 0.8], dict(interval='bootstrap', n_boot=5), 'n_boot >= 20'),
])
def test_bad_input_is_refused(N, y, kw, msg):
    with pytest.raises(ValueError, match=msg): fit_scaling_law(N, y, **kw)

def test_unidentified_fit_says_so():
    y = 0.3 + 0.05*np.log10(N12) + 0.01*(np.log10(N12) - 7.5)**2   # convex in log N: no saturation
    with pytest.warns(UserWarning, match='not identified'): fit = fit_scaling_law(N12, y)
    assert not fit.identified and 'bound' in fit.reason
    assert 'NOT IDENTIFIED' in repr(fit) and 'not identified' in str(fit.summary())
    with pytest.raises(ValueError, match='not identified'): fit.budget_for(0.95)
    with pytest.warns(UserWarning, match='not identified'): fit.predict(1e7)
    with pytest.warns(UserWarning, match='not identified'):
        fb = fit_scaling_law(N12, y, interval='bootstrap', n_boot=50)
    assert fb.boot is None and 'bootstrap skipped' in fb.reason
    with pytest.raises(ValueError, match='no bootstrap replicates'): fb.conf_int(method='bootstrap')

def test_target_never_reached():
    fit = fit_scaling_law(N12, noisy())
    top = fit.params['c']/fit.predict(N12.max())['mean'].iloc[0]
    with pytest.raises(ValueError, match=f'never reached.*at most {top:.4f}'): fit.budget_for(1.5)
    with pytest.raises(ValueError, match='never reached'): fit.budget_for(0.99, reference='asymptote', n_range=(1e5, 1e7))
    with pytest.raises(ValueError, match='positive share'): fit.budget_for(0)
    with pytest.raises(ValueError, match='does not increase'): fit_scaling_law(N12, 1 - noisy()).budget_for(0.9)
    with pytest.raises(ValueError, match='needs the saturating form'):
        fit_scaling_law(N12, noisy(), form='loglinear').budget_for(0.9, reference='asymptote')

def test_predict_bad_input():
    fit = fit_scaling_law(N12, noisy())
    with pytest.raises(ValueError, match='positive'): fit.predict([1e6, 0])
    with pytest.raises(ValueError, match='interval must be'): fit.predict(1e6, interval='tolerance')
    with pytest.raises(ValueError, match='unweighted'): fit.predict(1e6, 'prediction', sigma=0.01)

# ---------------------------------------------------------------- properties

@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(c=st.floats(0.6, 1.0), gap=st.floats(0.2, 0.5), alpha=st.floats(0.1, 0.8), seed=st.integers(0, 1000))
def test_saturating_prediction_is_monotone_and_bands_nest(c, gap, alpha, seed):
    N = np.geomspace(1e6, 1e9, 10)
    a = gap*N.min()**alpha
    y = c - a*N**-alpha + np.random.default_rng(seed).normal(0, 0.005, len(N))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        fit = fit_scaling_law(N, y)
    # the curve rises by 20-50 points over three decades with 0.5-point noise: every such fit must be identified
    assert fit.identified, fit.reason
    assert fit.params['a'] > 0 and fit.params['alpha'] > 0, fit.params
    grid = np.geomspace(1e5, 1e10, 60)
    pc, pp = fit.predict(grid, 'confidence'), fit.predict(grid, 'prediction')
    assert (np.diff(pc['mean']) > 0).all()
    assert ((pp.lower <= pc.lower) & (pc.lower <= pc['mean']) & (pc['mean'] <= pc.upper) & (pc.upper <= pp.upper)).all()

@settings(max_examples=15, deadline=None)
@given(scale=st.floats(1e-3, 1e3), seed=st.integers(0, 1000))
def test_rescaling_n_is_equivariant(scale, seed):
    "N -> s N leaves c, alpha and the intervals of c, alpha unchanged and multiplies a by s^alpha."
    y = noisy(seed)
    f1, f2 = fit_scaling_law(N12, y), fit_scaling_law(N12*scale, y)
    np.testing.assert_allclose(f2.params[['c', 'alpha']], f1.params[['c', 'alpha']], rtol=1e-6)
    np.testing.assert_allclose(f2.params['a'], f1.params['a']*scale**f1.params['alpha'], rtol=1e-5)
    np.testing.assert_allclose(f2.conf_int().loc[['c', 'alpha']], f1.conf_int().loc[['c', 'alpha']], rtol=1e-5)

def test_order_and_sigma_scale_invariance():
    y = noisy(4); sig = np.linspace(0.02, 0.005, 12); p = np.random.default_rng(0).permutation(12)
    f1, f2 = fit_scaling_law(N12, y, sigma=sig), fit_scaling_law(N12[p], y[p], sigma=sig[p])
    np.testing.assert_allclose(f1.conf_int(), f2.conf_int(), rtol=1e-7)
    f3 = fit_scaling_law(N12, y, sigma=10*sig)   # relative weights: only ratios matter
    np.testing.assert_allclose(f1.conf_int(), f3.conf_int(), rtol=1e-7)
    f4 = fit_scaling_law(N12, y, sigma=10*sig, absolute_sigma=True)   # absolute: wider
    assert (f4.bse > f1.bse).all()

def test_bootstrap_seeded():
    y = noisy(6)
    kw = dict(interval='bootstrap', n_boot=100)
    a, b, c = (fit_scaling_law(N12, y, seed=s, **kw) for s in (1, 1, 2))
    np.testing.assert_array_equal(a.conf_int().values, b.conf_int().values)
    np.testing.assert_array_equal(a.predict(N12, 'prediction').values, b.predict(N12, 'prediction').values)
    assert not np.allclose(a.conf_int().values, c.conf_int().values)

@pytest.mark.parametrize('kind', ['residual', 'case'])
@pytest.mark.parametrize('boot_ci', ['studentized', 'percentile'])
def test_bootstrap_variants_contain_estimate(kind, boot_ci):
    fit = fit_scaling_law(N12, noisy(7), interval='bootstrap', bootstrap=kind, boot_ci=boot_ci, n_boot=150)
    ci = fit.conf_int()
    assert ((ci.lower < fit.params) & (fit.params < ci.upper)).all()
    p = fit.predict(N12, 'prediction'); c = fit.predict(N12, 'confidence')
    assert ((p.lower < c.lower) & (c.upper < p.upper)).all()

def test_huber_resists_an_outlier():
    y = noisy(1); y[8] -= 0.15
    fl, fh = fit_scaling_law(N12, y), fit_scaling_law(N12, y, loss='huber')
    truth = saturating(N12)
    assert np.abs(fh.fittedvalues - truth).max() < np.abs(fl.fittedvalues - truth).max()
    assert abs(fh.params.c - TRUE['c']) < abs(fl.params.c - TRUE['c'])
    assert np.isnan(fh.aic) and 'huber' in str(fh.summary())
    fhb = fit_scaling_law(N12, y, loss='huber', interval='bootstrap', n_boot=100)
    ci = fhb.conf_int()
    assert ((ci.lower < pd.Series(TRUE)) & (pd.Series(TRUE) < ci.upper)).all()

def test_compare_forms():
    cmp = compare_scaling_laws(N12, noisy(0))
    assert list(cmp.index) == ['saturating', 'power', 'loglinear']
    assert cmp.daic.idxmin() == 'saturating' and cmp.loc['saturating', 'daic'] == 0
    with pytest.raises(ValueError, match="loss='l2'"): compare_scaling_laws(N12, noisy(0), loss='huber')

# ---------------------------------------------------------------- budget

def test_budget_point_interval_and_conservative():
    fit = fit_scaling_law(N12, noisy(0), interval='bootstrap', n_boot=300)
    n_true = (TRUE['a']/(TRUE['c'] - 0.95*saturating(N12.max())))**(1/TRUE['alpha'])
    for m in ('delta', 'bootstrap'):
        b = fit.budget_for(0.95, method=m)
        assert isinstance(b, ScalingBudget)
        np.testing.assert_allclose(fit.predict(b.n)['mean'].iloc[0], 0.95*fit.predict(N12.max())['mean'].iloc[0], rtol=1e-9)
        assert b.n_low < n_true < b.n_high
        assert b.n < b.n_conservative
        np.testing.assert_allclose(fit.predict(b.n_conservative, 'confidence', method=m)['lower'].iloc[0], b.level, rtol=1e-6)
        assert not b.extrapolated and b.df.shape == (1, 12)
    # closed form of the point budget for the saturating law
    p = fit.params; fref = fit.predict(N12.max())['mean'].iloc[0]
    np.testing.assert_allclose(fit.budget_for(0.95).n, (p.a/(p.c - 0.95*fref))**(1/p.alpha), rtol=1e-7)
    # the function form equals the method
    assert budget_for(fit, 0.9, floor=0.5).n == fit.budget_for(0.9, floor=0.5).n
    assert fit.budget_for(0.9, floor=0.5).n > fit.budget_for(0.9).n

def test_budget_extrapolation_is_flagged():
    fit = fit_scaling_law(N12, noisy(0))
    with pytest.warns(UserWarning) as rec: b = fit.budget_for(1.02)
    assert any('extrapolation' in str(r.message) for r in rec)
    assert b.extrapolated and b.n > N12.max()

def test_plots_and_repr():
    fit = fit_scaling_law(N12, noisy(0), sigma=0.01, interval='bootstrap', n_boot=50)
    ax = fit.plot()
    assert ax.get_xscale() == 'log' and 'parameters' in ax.get_xlabel()
    ax = fit.budget_for(0.95).plot()
    assert len(ax.lines) >= 3
    assert 'ScalingFit' in repr(fit) and 'ScalingBudget' in repr(fit.budget_for(0.95))
    cov = simulate_coverage(TRUE, N12, 0.01, n_sims=3, n_boot=30)
    assert cov.plot().get_ylabel().startswith('coverage')
