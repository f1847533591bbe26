"""probescale.distributed and data-parallel fine-tuning on the real engine: 2 CPU processes (gloo) started by
`accelerate launch` (through `probescale.distributed.launch`), compared with one process.

Tolerances: features to 1e-6; fine-tuning with dropout off gives the same test predictions and dev curve and head
weights within 1e-5 (each step's gradient is the full batch's mean-loss gradient in both cases; only the summation
order differs); a resumed run matches the uninterrupted one to 1e-6."""
import os, pickle, textwrap
os.environ.setdefault('HF_HUB_OFFLINE', '1')
import numpy as np, pandas as pd, pytest, torch
from probescale.models import random_model
from probescale.downstream import task_from_data
from probescale.features import extract_features
from probescale.probing import task_features, probe_layers, ProbeResult
from probescale.evaluation import evaluate_downstream
import probescale.distributed as D

SCRIPT = textwrap.dedent('''
    import sys, pickle, numpy as np, pandas as pd, torch
    from pathlib import Path
    import probescale.evaluation
    from probescale.models import random_model
    from probescale.downstream import task_from_data
    from probescale.probing import task_features
    from probescale.evaluation import evaluate_downstream
    from probescale.distributed import process_state, extract_features_sharded, probe_sweep, run_sweep
    sys.path.insert(0, sys.argv[2]); from test_distributed import data, model
    out, what = Path(sys.argv[1]), sys.argv[3:]
    st = process_state('cpu'); torch.set_num_threads(1)
    texts, tasks = data()
    m, tok = model()
    res = {'world': st.num_processes}
    if 'extract' in what: res['features'] = extract_features_sharded(m, tok, texts, out/'cache', n_shards=4)
    if 'sweep' in what:
        res['ranks'] = run_sweep(lambda j: (j, st.process_index), range(5))
        res['probes'] = probe_sweep(task_features(m, tok, tasks, progress=False), tasks, n_boot=100)
    if 'kill' in what:
        real = probescale.evaluation._end_epoch
        def end(clf, d, s, p):
            if s.curve: raise RuntimeError('killed')
            real(clf, d, s, p)
        probescale.evaluation._end_epoch = end
    if 'finetune' in what:
        s = evaluate_downstream(m, tok, tasks['topic'], mode='finetune', epochs=2, lr=1e-3, batch_size=16, dropout=0.,
                                progress=False, checkpoint_dir=out/'ckpt', checkpoint_every=3)
        res['finetune'] = (s.correct, s.details['dev_curve'], s.classifier.head.weight.detach())
    if st.is_main_process: pickle.dump(res, open(out/'result.pkl', 'wb'))
''')

def data():
    "Synthetic sentences whose topic word decides the label (learnable), and a length task."
    rng = np.random.default_rng(0)
    topics = {'sport': 'match goal team', 'money': 'bank price market', 'food': 'bread soup cheese'}
    filler = 'the a of and to in is was it that very some new old'.split()
    rows = []
    for i in range(160):
        lab = list(topics)[i % 3]
        w = list(rng.choice(filler, rng.integers(3, 12))) + [rng.choice(topics[lab].split())]
        rng.shuffle(w)
        rows.append(dict(text=' '.join(w), topic=lab, long='long' if len(w) > 8 else 'short'))
    df = pd.DataFrame(rows)
    tasks = {n: task_from_data(df, n, label_col=c, seed=0) for n, c in [('topic', 'topic'), ('length', 'long')]}
    return list(df.text), tasks

def model():
    return random_model('bert', num_hidden_layers=2, hidden_dropout_prob=0., attention_probs_dropout_prob=0.)

@pytest.fixture(scope='module')
def run(tmp_path_factory):
    work = tmp_path_factory.mktemp('dist')
    (work/'script.py').write_text(SCRIPT)
    tests_dir = os.path.dirname(os.path.abspath(__file__))
    def go(folder, *what, processes=2):
        (work/folder).mkdir(exist_ok=True)
        D.launch(work/'script.py', processes, (work/folder, tests_dir, *what), timeout=300)
        with open(work/folder/'result.pkl', 'rb') as f: return pickle.load(f)
    go.work = work
    return go

@pytest.fixture(scope='module')
def two(run): return run('two', 'extract', 'sweep', 'finetune')

def test_sharded_extraction_equals_single_process(two):
    texts, _ = data(); m, tok = model()
    torch.set_num_threads(1)
    ref = extract_features(m, tok, texts, progress=False)
    assert two['world'] == 2
    for p in ('mean', 'first'): np.testing.assert_allclose(two['features'].sentence(p), ref.sentence(p), atol=1e-6, rtol=0)
    np.testing.assert_array_equal(two['features'].n_tokens, ref.n_tokens)

def test_killed_rank_shard_recomputed_alone(two, run):
    shards = sorted((run.work/'two'/'cache').glob('features-*-shard*-of-0004.npz'))
    assert len(shards) == 4
    before = [p.stat().st_mtime_ns for p in shards]
    shards[1].unlink()
    again = run('two', 'extract')
    after = [p.stat().st_mtime_ns for p in shards]
    assert [a == b for a, b in zip(after, before)] == [True, False, True, True]
    np.testing.assert_allclose(again['features'].sentence('mean'), two['features'].sentence('mean'), atol=1e-6, rtol=0)

def test_recovery_counts_calls(tmp_path, monkeypatch):
    texts, _ = data(); m, tok = model()
    calls = []
    real = D.extract_features
    monkeypatch.setattr(D, 'extract_features', lambda *a, **k: calls.append(list(a[2])) or real(*a, **k))
    first = D.extract_features_sharded(m, tok, texts, tmp_path, n_shards=4)
    assert len(calls) == 4
    sorted(tmp_path.glob('features-*.npz'))[2].unlink()
    calls.clear()
    second = D.extract_features_sharded(m, tok, texts, tmp_path, n_shards=4)
    assert calls == [texts[80:120]]                     # shard 2 of 4 over 160 texts, nothing else
    np.testing.assert_array_equal(second.sentence('mean'), first.sentence('mean'))

def test_sweeps_merge_like_single_process(two):
    assert two['ranks'] == [(0, 0), (1, 1), (2, 0), (3, 1), (4, 0)]       # job i on rank i mod 2, gathered in job order
    _, tasks = data(); m, tok = model()
    feats = task_features(m, tok, tasks, progress=False)
    single = ProbeResult.concat([probe_layers(feats[t], tasks[t], n_boot=100) for t in tasks])
    cols = [c for c in single.df.columns if c != 'seconds']
    pd.testing.assert_frame_equal(two['probes'].df[cols], single.df[cols])
    for t in tasks: np.testing.assert_array_equal(two['probes'].replicates[t], single.replicates[t])

def test_two_process_finetune_matches_one(two, tmp_path):
    _, tasks = data(); m, tok = model()
    torch.set_num_threads(1)
    one = evaluate_downstream(m, tok, tasks['topic'], mode='finetune', epochs=2, lr=1e-3, batch_size=16, dropout=0.,
                              progress=False)
    correct, curve, head = two['finetune']
    np.testing.assert_array_equal(correct, one.correct)
    np.testing.assert_allclose(curve, one.details['dev_curve'], atol=1e-6)
    torch.testing.assert_close(head, one.classifier.head.weight.detach(), atol=1e-5, rtol=0)

def test_resumed_run_matches_uninterrupted(two, run):
    with pytest.raises(RuntimeError, match='killed'): run('resumed', 'kill', 'finetune')
    left = sorted(p.name for p in (run.work/'resumed'/'ckpt').iterdir())
    assert left == ['run.json', 'step-00000015']        # 128 train items / 16 = 8 steps per epoch; killed at step 16
    correct, curve, head = run('resumed', 'finetune')['finetune']
    np.testing.assert_array_equal(correct, two['finetune'][0])
    assert curve == two['finetune'][1]
    torch.testing.assert_close(head, two['finetune'][2], atol=1e-6, rtol=0)

def test_errors():
    m, tok = model()
    with pytest.raises(ValueError, match='No texts'): D.extract_features_sharded(m, tok, [], '/tmp')
    with pytest.raises(ValueError, match='Cannot split'): D.shard_bounds(3, 4)
    with pytest.raises(ValueError, match='at least one'): D.concat_features([])
