"Relevance checks beyond the notebook: word-level tasks in the skip scorer, and determinism."
import numpy as np, pytest
from probescale.models import random_model
from probescale.tasks import word_tasks, senteval_tasks
from probescale.relevance import SkipScorer, skip_relevance

@pytest.fixture(scope='module')
def bert(): return random_model('bert')

def test_skip_scorer_word_level(bert):
    "A word-level task is scored per word at the last layer; skipping a layer changes the score; the cache is used."
    model, tok = bert
    pos = word_tasks(tasks=['POS'], n_train=30, n_dev=15, n_test=5, n_corpus=200)['POS']
    sc = SkipScorer(model, tok, [pos], n_boot=50)
    s0, s1 = sc(), sc({('encoder', 1)})
    assert np.isfinite(s0) and np.isfinite(s1) and s0 != s1
    n_words = sum(len(w) for w in pos.split('dev')['words'])
    assert sc.correct()[pos.name].shape == (1, n_words)
    assert sc.n_calls == 2 and sc() == s0 and sc.n_calls == 2

def test_skip_relevance_deterministic(bert):
    "Same seed, same numbers."
    model, tok = bert
    tasks = senteval_tasks(tasks=['Tense'], n_train=15, n_dev=10, n_test=5, n_corpus=300)
    a = skip_relevance(model, tok, tasks, n_boot=100).layers
    b = skip_relevance(model, tok, tasks, n_boot=100).layers
    assert a.equals(b)
