"""Property tests of `probescale.gold` (the notebook nbs/01b_gold.ipynb holds the unit tests): round trips through files
written in the SentEval and CoNLL-U formats, the per-class cap, and combined corpora; the real WordNet where installed."""
import os, tempfile
from collections import Counter
from pathlib import Path

os.environ.setdefault('HF_HUB_OFFLINE', '1')

import pytest
from hypothesis import given, settings, HealthCheck, strategies as st

from probescale.gold import senteval_from_files, ud_tasks, wordnet_examples, read_corpus, combine_corpora, _wordnet_files

settings.register_profile('gold', max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile('gold')

SPLIT_TOKENS = {'train': 'tr', 'dev': 'va', 'test': 'te'}
word_st = st.text(alphabet='abcdefghijKLMN.,', min_size=1, max_size=6)
sentence_st = st.lists(word_st, min_size=1, max_size=8).map(' '.join)

@st.composite
def senteval_examples(draw):
    "Rows (split, label, sentence) with at least one train and one test row and at least two labels."
    rows = draw(st.lists(st.tuples(st.sampled_from(['train', 'dev', 'test']), st.sampled_from(['PAST', 'PRES', 'X']),
                                   sentence_st), min_size=2, max_size=40))
    rows += [('train', 'PAST', 'first one'), ('test', 'PRES', 'last one')]
    return rows

def _write_senteval(rows, folder:Path)->Path:
    p = folder/'past_present.txt'
    p.write_text(''.join(f'{SPLIT_TOKENS[s]}\t{l}\t{t}\n' for s, l, t in rows), encoding='utf-8')
    return p

@given(senteval_examples())
def test_senteval_round_trip(rows):
    "Without a cap every line comes back: its split, label, text and words, train then dev then test."
    with tempfile.TemporaryDirectory() as d:
        t = senteval_from_files(_write_senteval(rows, Path(d)))['Tense']
    want = sorted(((s, l, t_, i + 1) for i, (s, l, t_) in enumerate(rows)), key=lambda r: ['train', 'dev', 'test'].index(r[0]))
    got = list(zip(t.data.split, t.data.label, t.data.text, t.data.sent_id))
    assert got == want
    assert [w for w in t.data.words] == [r[2].split(' ') for r in want]
    assert t.classes == sorted({l for _, l, _ in rows})

@given(senteval_examples(), st.integers(1, 6), st.integers(0, 3))
def test_senteval_cap(rows, cap, seed):
    "The cap keeps min(cap, available) lines of each split and class, all from the file, the same ones for the same seed."
    with tempfile.TemporaryDirectory() as d:
        p = _write_senteval(rows, Path(d))
        t = senteval_from_files(p, max_per_class=cap, seed=seed)['Tense']
        again = senteval_from_files(p, max_per_class=cap, seed=seed)['Tense']
    have = Counter((s, l) for s, l, _ in rows)
    kept = Counter(zip(t.data.split, t.data.label))
    assert kept == Counter({k: min(cap, n) for k, n in have.items()})
    assert all(rows[i - 1][2] == text for i, text in zip(t.data.sent_id, t.data.text))
    assert again.data.sent_id.tolist() == t.data.sent_id.tolist()

UPOS = ['NOUN', 'VERB', 'DET', 'ADJ']
DEPREL = ['nsubj', 'nsubj:pass', 'obj', 'det', 'obl:tmod']

@st.composite
def conllu_sentences(draw):
    "Sentences as lists of (form, upos, deprel), each with flags for a multiword range and an empty node."
    sents = draw(st.lists(st.lists(st.tuples(word_st.filter(lambda w: w != '_'), st.sampled_from(UPOS),
                                             st.sampled_from(DEPREL)), min_size=2, max_size=7), min_size=1, max_size=6))
    return [(s, draw(st.booleans()), draw(st.booleans())) for s in sents]

def _conllu_text(sents, prefix):
    out = []
    for k, (words, mwt, empty) in enumerate(sents, 1):
        out += [f'# sent_id = {prefix}-{k}', '# text = ' + ' '.join(w for w, _, _ in words)]
        for i, (w, u, d) in enumerate(words, 1):
            if mwt and i == 1: out.append('\t'.join(['1-2', w + words[1][0]] + ['_'] * 8))
            out.append('\t'.join([str(i), w, w.lower(), u, '_', '_', '0' if i == 1 else '1', 'root' if i == 1 else d, '_', '_']))
            if empty and i == 1: out.append('\t'.join(['1.1', 'gone', 'go', 'VERB', '_', '_', '_', '_', '1:conj', '_']))
        out.append('')
    return '\n'.join(out) + '\n'

@given(conllu_sentences(), conllu_sentences(), st.booleans())
def test_ud_round_trip(train, test, subtypes):
    "Every word of the basic tree comes back with its UPOS and relation; ranges and empty nodes never do."
    with tempfile.TemporaryDirectory() as d:
        (Path(d)/'xx_t-ud-train.conllu').write_text(_conllu_text(train, 'tr'))
        (Path(d)/'xx_t-ud-test.conllu').write_text(_conllu_text(test, 'te'))
        tasks = ud_tasks(d, subtypes=subtypes)
    up, dep = tasks['upos'], tasks['deprel']
    want = [(s, [w for w, _, _ in ws], [u for _, u, _ in ws],
             ['root'] + [r if subtypes else r.split(':')[0] for _, _, r in ws[1:]])
            for s, sents in (('train', train), ('test', test)) for ws, _, _ in sents]
    assert list(zip(up.data.split, up.data.words, up.data.label, dep.data.label)) == want
    assert (':' in ''.join(dep.classes)) == (subtypes and any(':' in r for ws, _, _ in train + test for _, _, r in ws[1:]))

@given(st.lists(st.lists(sentence_st, max_size=10), min_size=1, max_size=4), st.integers(0, 5))
def test_combine_corpora(corpora, seed):
    "The pool is every sentence once, in corpus order; a draw of n is n distinct pooled sentences in pool order."
    pool = combine_corpora(*corpora)
    flat = [' '.join(s.split()) for c in corpora for s in c]
    assert pool == list(dict.fromkeys(flat))
    assert combine_corpora(*corpora, dedup=False) == flat
    if pool:
        n = 1 + seed % len(pool)
        draw = combine_corpora(*corpora, n=n, seed=seed)
        assert len(draw) == len(set(draw)) == n
        assert [pool.index(s) for s in draw] == sorted(pool.index(s) for s in draw)
        assert draw == combine_corpora(*corpora, n=n, seed=seed)

def test_read_corpus_folder_round_trip(tmp_path):
    "A folder's .txt files are read in sorted order (subfolders too), other files ignored."
    (tmp_path/'b.txt').write_text('two\n')
    (tmp_path/'a.txt').write_text('one\n\n')
    (tmp_path/'z').mkdir(); (tmp_path/'z'/'c.txt').write_text('three\n')
    (tmp_path/'notes.md').write_text('not read\n')
    assert read_corpus(tmp_path) == ['one', 'two', 'three']
    assert combine_corpora(tmp_path, ['two', 'four']) == ['one', 'two', 'three', 'four']

def test_real_wordnet():
    "On a machine with WordNet's data files (Debian `wordnet-base`): tens of thousands of examples, some in mixed case."
    try: _wordnet_files(None)
    except FileNotFoundError: pytest.skip('WordNet data files are not installed here (apt-get install wordnet-base)')
    ex = wordnet_examples()
    assert len(ex) > 30_000
    assert len(ex) == len(set(ex)) and min(len(s.split()) for s in ex) >= 4
    assert sum(s != s.lower() for s in ex) > 5_000
    assert all('"' not in s for s in ex)
