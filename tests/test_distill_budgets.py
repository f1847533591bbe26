"End to end: the recovery mode at budgets below one whole layer (its defaults reach 10%) runs through every stage."
import warnings
from probescale.models import random_model
from probescale.pipeline import run

def test_distill_below_one_layer(tmp_path):
    rb, rtok = random_model('bert', seed=0)          # 4 layers: one layer is 25% of the non-embedding parameters
    tiny = dict(n_corpus=600, probing=('SentLen', 'BShift', 'Tense'), n_per_class=20, n_train=200, n_dev=80, n_calib=150, n_test=200,
                unit_shares=(0.0, 0.5), n_random_baseline=1, n_boot=200, measure='raw', target=0.9,
                mode='distill', n_transfer=200, distil_epochs=1, designs=('prefix', 'pinned', 'units'),
                baselines=('top-layers', 'alternate-layers', 'kwon'), compare_at=(0.1, 0.2))
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter('always')
        r = run((rb, rtok), out=tmp_path/'d', progress=False, **tiny)
    assert r.settings.budgets == (0.1, 0.2, 0.35, 1.0)                    # the distill defaults
    d = r.designs.df
    assert 0.1 not in set(d.budget) and {0.2, 0.35} <= set(d.budget)       # nothing fits 10% of this model: left out, not a crash
    assert set(d[(d.budget == 0.2)].design) == {'prefix', 'pinned', 'units'} and 0.0 not in set(d[d.budget == 0.2].share)
    msgs = [str(w.message) for w in ws]
    assert any('left out at 10%' in m for m in msgs) and any('10% left out of the comparisons' in m for m in msgs)
    assert 0.1 not in set(r.comparisons.budget) and 0.2 in set(r.comparisons.budget)
    assert r.headline().startswith('Target')
