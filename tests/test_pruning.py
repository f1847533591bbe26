"Exactness of probescale.pruning on every family: pruning == masking/zeroing/skipping, exact counts, save/reload."
import os, copy, tempfile
os.environ.setdefault('HF_HUB_OFFLINE', '1')
import numpy as np, pytest, torch
from hypothesis import given, settings, strategies as st, HealthCheck
import transformers
from transformers import AutoModel
from probescale.models import random_model, layer_map, count_params, load_model
from probescale.pruning import (PruningPlan, prune_model, budget_params, plan_from_layer_scores, corpus_vocab,
                                prune_tokenizer, prune_vocab)

FAMILIES = ['bert', 'roberta', 'mpnet', 'distilbert', 't5', 'electra', 'xlm-roberta']
SHARED_BIAS = {'t5'}   # one relative position bias per head, computed by the first block for the whole stack

def make(mt, seed=0):
    if mt in ('electra', 'xlm-roberta'):   # families without a random_model entry: built from their configs
        _, tok = random_model('bert')
        cls = {'electra': transformers.ElectraConfig, 'xlm-roberta': transformers.XLMRobertaConfig}[mt]
        extra = dict(embedding_size=32) if mt == 'electra' else dict(max_position_embeddings=514, pad_token_id=0)
        cfg = cls(vocab_size=len(tok), hidden_size=64, num_hidden_layers=4, num_attention_heads=4,
                  intermediate_size=128, **extra)
        torch.manual_seed(seed)
        return AutoModel.from_config(cfg).eval(), tok
    return random_model(mt, seed=seed)

@pytest.fixture(scope='module', params=FAMILIES)
def family(request): return request.param, *make(request.param)

IDS = torch.randint(1000, 5000, (2, 9), generator=torch.Generator().manual_seed(0)); IDS[:, 0] = 101

def run(m, ids=IDS):
    kw = dict(input_ids=ids, attention_mask=torch.ones_like(ids))
    if m.config.is_encoder_decoder: kw['decoder_input_ids'] = ids[:, :5]
    with torch.no_grad(): return m(**kw).last_hidden_state

def zero_heads(m, heads):
    "A copy of m with heads {(stack, layer): [head]} masked by zeroing their columns of the output projection."
    m = copy.deepcopy(m)
    with torch.no_grad():
        for (s, i), hs in heads.items():
            a = layer_map(m).stacks[s][i - 1].attentions[0]
            for h in hs: a.o.weight[:, h * a.head_dim:(h + 1) * a.head_dim] = 0
    return m

def zero_neurons(m, s, i, ns):
    m = copy.deepcopy(m)
    with torch.no_grad(): layer_map(m).stacks[s][i - 1].ffn.down.weight[:, ns] = 0
    return m

def skipped(m, layers):
    "A copy of m whose `layers` pass their input hidden state through (other outputs, e.g. T5's bias, stay)."
    m = copy.deepcopy(m)
    def hook(mod, args, kwargs, out):
        h = args[0] if args else kwargs['hidden_states']
        return (h,) + tuple(out[1:]) if isinstance(out, tuple) else h
    for s, i in layers: layer_map(m).stacks[s][i - 1].module.register_forward_hook(hook, with_kwargs=True)
    return m

def close(a, b, tol=1e-5): return (a - b).abs().max().item() <= tol

# ---------------------------------------------------------------- exactness, every family

def test_empty_plan_is_identity(family):
    mt, m, _ = family
    pm = prune_model(m, PruningPlan())
    assert pm is not m and torch.equal(run(pm), run(m))
    assert count_params(pm) == count_params(m)

def test_removing_heads_equals_masking(family):
    mt, m, _ = family
    stacks = layer_map(m).stacks
    if mt in SHARED_BIAS: drop = {(s, l.index): [1] for s, ls in stacks.items() for l in ls}
    else: drop = {('encoder', 2): [1, 2], ('encoder', 4): [0]}
    plan = PruningPlan(heads={k: [h for h in range(4) if h not in v] for k, v in drop.items()})
    pm = prune_model(m, plan)
    assert close(run(pm), run(zero_heads(m, drop)))
    assert not close(run(pm), run(m), 1e-3)                      # the heads did matter
    assert count_params(pm) == plan.n_params(m) == sum(p.numel() for p in pm.parameters())

def test_removing_neurons_equals_zeroing(family):
    mt, m, _ = family
    s = next(iter(layer_map(m).stacks))
    keep = list(range(0, 128, 3))
    pm = prune_model(m, PruningPlan(neurons={(s, 2): keep}))
    assert close(run(pm), run(zero_neurons(m, s, 2, [i for i in range(128) if i not in keep])))
    assert count_params(pm, False) == PruningPlan(neurons={(s, 2): keep}).n_params(m, False)

@pytest.mark.parametrize('drop', [[1], [2], [1, 3]])
def test_removing_layers_equals_skipping(family, drop):
    mt, m, _ = family
    stacks = layer_map(m).stacks
    plan = PruningPlan(layers={s: [l.index for l in ls if l.index not in drop] for s, ls in stacks.items()})
    pm = prune_model(m, plan)
    assert close(run(pm), run(skipped(m, [(s, i) for s in stacks for i in drop])), 1e-6)
    assert count_params(pm) == plan.n_params(m)
    assert len(layer_map(pm).layers) == len(layer_map(m).layers) - len(drop) * len(stacks)

def test_t5_moves_its_relative_bias():
    m, _ = random_model('t5')
    pm = prune_model(m, PruningPlan(layers={'encoder': [2, 3], 'decoder': [3]}))
    for s in ('encoder', 'decoder'):
        first = layer_map(pm).stacks[s][0].module.layer[0].SelfAttention
        assert first.has_relative_attention_bias and first.layer_idx == 0
        assert torch.equal(first.relative_attention_bias.weight,
                           layer_map(m).stacks[s][0].module.layer[0].SelfAttention.relative_attention_bias.weight)
    assert pm.config.num_layers == 2 and pm.config.num_decoder_layers == 1

def test_gated_t5_prunes_both_up_projections():
    m, _ = random_model('t5', feed_forward_proj='gated-gelu')
    keep = list(range(0, 128, 2))
    pm = prune_model(m, PruningPlan(neurons={('decoder', 2): keep}))
    ffn = layer_map(pm).stacks['decoder'][1].ffn
    assert [u.out_features for u in ffn.up] == [64, 64] and ffn.down.in_features == 64
    assert close(run(pm), run(zero_neurons(m, 'decoder', 2, [i for i in range(128) if i not in keep])))

def test_input_model_untouched(family):
    mt, m, _ = family
    before = {k: v.clone() for k, v in m.state_dict().items()}
    stacks = layer_map(m).stacks
    prune_model(m, PruningPlan(layers={s: [1, 2] for s in stacks}, vocab=list(range(2000))))
    assert all(torch.equal(before[k], v) for k, v in m.state_dict().items())
    assert len(layer_map(m).layers) == sum(len(v) for v in stacks.values())

# ---------------------------------------------------------------- vocabulary

def test_vocab_pruning_same_outputs_on_kept_corpus(family):
    mt, m, tok = family
    corpus = ['the cat sat on the mat .', 'pruning keeps the words a corpus uses']
    vm, vtok = prune_vocab(m, tok, corpus)
    x, vx = tok(corpus, padding=True, return_tensors='pt'), vtok(corpus, padding=True, return_tensors='pt')
    assert torch.equal(run(vm, vx['input_ids']), run(m, x['input_ids']))
    assert vm.config.vocab_size == len(vtok) < 100
    assert count_params(vm) == PruningPlan(vocab=corpus_vocab(tok, corpus, m)).n_params(m)

def test_pruned_tokenizer_saves_and_maps_unseen_words_to_unk():
    m, tok = random_model('bert')
    vm, vtok = prune_vocab(m, tok, ['hello world'])
    with tempfile.TemporaryDirectory() as d:
        vm.save_pretrained(d); vtok.save_pretrained(d)
        m2, t2 = load_model(d)
        assert t2.tokenize('hello unseen world') == ['hello', '[UNK]', 'world']
        assert torch.equal(run(m2, t2(['hello world'], return_tensors='pt')['input_ids']),
                           run(m, tok(['hello world'], return_tensors='pt')['input_ids']))

# ---------------------------------------------------------------- save / reload (transformers 4.x prune_heads tests)

def _shape(m): return [(l.n_heads, l.ffn.n_neurons) for l in layer_map(m).layers]

def test_different_heads_per_layer_survive_save_reload_and_config_rebuild(family):
    mt, m, tok = family
    stacks = layer_map(m).stacks
    kept = {s: [1, len(ls)] for s, ls in stacks.items()}
    if mt in SHARED_BIAS: heads = {(s, i): [0, 3] for s, ks in kept.items() for i in ks}
    else: heads = {('encoder', 1): [0], ('encoder', 4): [1, 2, 3]}
    plan = PruningPlan(layers=kept, heads=heads, neurons={(next(iter(stacks)), 1): range(40)})
    pm = prune_model(m, plan)
    with tempfile.TemporaryDirectory() as d:
        pm.save_pretrained(d)
        m2, _ = load_model(d)
        assert _shape(m2) == _shape(pm)
        assert torch.equal(run(m2), run(pm))
    from probescale.pruning import _shape_plan, _apply
    cfg_only = AutoModel.from_config(pm.config); _apply(cfg_only, _shape_plan(cfg_only, pm.config.probescale_pruning), False)
    assert _shape(cfg_only) == _shape(pm)
    assert {k: v.shape for k, v in cfg_only.state_dict().items()} == {k: v.shape for k, v in pm.state_dict().items()}

def test_uniform_pruned_model_reloads_with_plain_automodel(family):
    mt, m, _ = family
    stacks = layer_map(m).stacks
    plan = PruningPlan(layers={s: [2, 3] for s in stacks},
                       neurons={(s, i): range(64) for s in stacks for i in (2, 3)}, vocab=list(range(3000)))
    pm = prune_model(m, plan)
    with tempfile.TemporaryDirectory() as d:
        pm.save_pretrained(d)
        m2 = AutoModel.from_pretrained(d).eval()
        ids = torch.randint(200, 3000, (2, 7), generator=torch.Generator().manual_seed(1))
        assert _shape(m2) == _shape(pm) and torch.equal(run(m2, ids), run(pm, ids))

def test_pruning_again_is_composable_and_keep_all_is_noop():
    m, _ = random_model('bert')
    p1 = prune_model(m, PruningPlan(heads={('encoder', 2): [0, 2, 3]}))
    # heads are indexed in the CURRENT model: re-applying a plan that keeps all of p1's heads changes nothing
    p2 = prune_model(p1, PruningPlan(heads={('encoder', 2): [0, 1, 2]}))
    assert torch.equal(run(p2), run(p1)) and _shape(p2) == _shape(p1)
    # "pruning head 1 again" (original head 1 is gone): only valid indices of p1 are accepted
    with pytest.raises(ValueError, match='out of range'): PruningPlan(heads={('encoder', 2): [3]}).validate(p1)
    # the record composes: layer indices refer to the original model
    p3 = prune_model(p1, PruningPlan(layers={'encoder': [2, 3]}))
    assert p3.config.probescale_pruning['layers'] == {'encoder': [2, 3]}
    p4 = prune_model(p3, PruningPlan(layers={'encoder': [2]}))
    assert p4.config.probescale_pruning['layers'] == {'encoder': [3]}

# ---------------------------------------------------------------- properties

@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_plan_count_equals_pruned_count_property(data):
    mt = data.draw(st.sampled_from(['bert', 'mpnet', 'distilbert', 't5']))
    m, _ = random_model(mt)
    stacks, plan = layer_map(m).stacks, PruningPlan()
    layers = {s: sorted(data.draw(st.sets(st.integers(1, len(ls)), min_size=1))) for s, ls in stacks.items()}
    heads, neurons = {}, {}
    for s in stacks:
        common = sorted(data.draw(st.sets(st.integers(0, 3), min_size=1)))
        for i in layers[s]:
            if data.draw(st.booleans()):
                neurons[s, i] = sorted(data.draw(st.sets(st.integers(0, 127), min_size=1, max_size=20)))
            heads[s, i] = common if mt in SHARED_BIAS else sorted(data.draw(st.sets(st.integers(0, 3), min_size=1)))
    plan = PruningPlan(layers=layers, heads=heads, neurons=neurons)
    pm = prune_model(m, plan)
    for emb in (True, False): assert plan.n_params(m, emb) == count_params(pm, emb)
    assert sum(p.numel() for p in pm.parameters()) == plan.n_params(m)
    run(pm)

# ---------------------------------------------------------------- budgets and errors

def test_budget_errors():
    m, _ = random_model('bert')
    with pytest.raises(ValueError, match=r'\(0, 1\]'): budget_params(m, 1.5)
    with pytest.raises(ValueError, match='above the model'): budget_params(m, count_params(m) + 1)
    with pytest.raises(ValueError, match="embeddings' size"): budget_params(m, 0.5)
    assert budget_params(m, 0.5, embeddings=False) == round(count_params(m, False) / 2)

def test_plan_from_layer_scores_respects_budget():
    m, _ = random_model('t5')
    scores = {(s, i): float(i) for s in ('encoder', 'decoder') for i in (1, 2, 3)}
    p = plan_from_layer_scores(m, scores, 0.5, embeddings=False)
    assert p.n_params(m, False) <= budget_params(m, 0.5, embeddings=False)
    assert all(len(v) >= 1 for v in p.kept_layers(m).values())
    assert count_params(prune_model(m, p), False) == p.n_params(m, False)

# ---------------------------------------------------------------- real MiniLM

def test_minilm_exactness(minilm):
    m, tok = minilm
    x = tok(['Pruning a real sentence encoder.', 'Heads and neurons go, outputs follow.'], padding=True, return_tensors='pt')
    def out(mm, xx=x):
        with torch.no_grad(): return mm(**xx).last_hidden_state
    assert torch.equal(out(prune_model(m, PruningPlan())), out(m))
    heads = {('encoder', 3): [h for h in range(12) if h not in (0, 5)]}
    assert close(out(prune_model(m, PruningPlan(heads=heads))), out(zero_heads(m, {('encoder', 3): [0, 5]})))
    keep = list(range(0, 1536, 2))
    assert close(out(prune_model(m, PruningPlan(neurons={('encoder', 4): keep}))),
                 out(zero_neurons(m, 'encoder', 4, list(range(1, 1536, 2)))))
    plan = PruningPlan(layers={'encoder': [1, 2, 4, 6]})
    assert close(out(prune_model(m, plan)), out(skipped(m, [('encoder', 3), ('encoder', 5)])), 1e-5)
    assert count_params(prune_model(m, plan)) == plan.n_params(m)

def test_t5_without_block0_reloads_with_plain_automodel():
    m, _ = random_model('t5')
    pm = prune_model(m, PruningPlan(layers={'encoder': [2, 3], 'decoder': [2]}))
    with tempfile.TemporaryDirectory() as d:
        pm.save_pretrained(d)
        m2 = AutoModel.from_pretrained(d).eval()
        assert torch.equal(run(m2), run(pm))

def test_plan_round_trips_through_json():
    import json
    p = PruningPlan(layers={'encoder': [1, 2]}, heads={('encoder', 1): [0]}, vocab=[0, 5, 7], meta=dict(budget=3))
    assert PruningPlan.from_dict(json.loads(json.dumps(p.to_dict()))) == p

# ---------------------------------------------------------------- selection

from types import SimpleNamespace
import pandas as pd
from probescale.pruning import select_subnetwork, similarity_scorer, additivity_check

def _relevance(m, scorer=None, seed=0, units=True):
    rng, lm = np.random.default_rng(seed), layer_map(m)
    return SimpleNamespace(
        layers=pd.DataFrame([dict(stack=l.stack, layer=l.index, relevance=rng.random()) for l in lm.layers]),
        heads={(l.stack, l.index): rng.random(l.n_heads) for l in lm.layers} if units else None,
        neurons={(l.stack, l.index): rng.random(l.ffn.n_neurons) for l in lm.layers} if units else None,
        scorer=scorer)

@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(mt=st.sampled_from(['bert', 'mpnet', 't5', 'distilbert']), frac=st.floats(0.4, 1.0), seed=st.integers(0, 5),
       units=st.booleans(), share=st.sampled_from([0.0, 0.25, 0.5]))
def test_selected_plans_fit_their_budget_and_prune(mt, frac, seed, units, share):
    m, _ = random_model(mt)
    plan = select_subnetwork(m, _relevance(m, seed=seed), frac, embeddings=False, units=units, unit_share=share)
    B = budget_params(m, frac, embeddings=False)
    assert plan.n_params(m, False) <= B
    assert count_params(prune_model(m, plan), False) == plan.n_params(m, False)
    if share == 0.0: assert not plan.heads and not plan.neurons

def test_exact_search_finds_the_best_subset_and_greedy_runs():
    m, tok = random_model('bert')
    scorer = similarity_scorer(m, tok, ['a sentence', 'another one here', 'and a third'])
    rel = _relevance(m, scorer, units=False)
    exact = select_subnetwork(m, rel, 0.6, embeddings=False)
    subsets = [frozenset((('encoder', i) for i in c)) for k in range(4) for c in __import__('itertools').combinations(range(1, 5), k)]
    B = budget_params(m, 0.6, embeddings=False)
    feasible = [s for s in subsets if PruningPlan(layers={'encoder': [i for i in range(1, 5) if ('encoder', i) not in s]}).n_params(m, False) <= B]
    assert exact.meta['search'] == 'exact' and exact.meta['score'] == max(scorer(s) for s in feasible)
    greedy = select_subnetwork(m, rel, 0.6, embeddings=False, max_subsets=1)
    assert greedy.meta['search'] == 'greedy' and greedy.n_params(m, False) <= B

def test_knapsack_keeps_the_most_relevant_layers():
    m, _ = random_model('bert')
    rel = SimpleNamespace(layers=pd.DataFrame(dict(stack='encoder', layer=[1, 2, 3, 4], relevance=[0.1, 0.9, 0.2, 0.8])))
    assert select_subnetwork(m, rel, 0.6, embeddings=False).layers == {'encoder': [2, 4]}
    with pytest.raises(ValueError, match='no row for layers'):
        select_subnetwork(m, SimpleNamespace(layers=rel.layers.iloc[:2]), 0.6, embeddings=False)

def test_additivity_check_is_perfect_for_an_additive_scorer():
    m, _ = random_model('bert')
    w = {('encoder', i): float(i) for i in range(1, 5)}
    chk = additivity_check(m, lambda skip: 10 - sum(w[k] for k in skip))
    assert len(chk.df) == 2**4 - 2 and chk.rho == pytest.approx(1.0)

def test_task_heads_keep_tied_output_layers_tied():
    "A masked-LM head tied to the input embeddings (weight and the decoder bias) is pruned with them and reloads."
    from transformers import BertForMaskedLM, BertConfig, AutoModelForMaskedLM
    torch.manual_seed(0)
    m = BertForMaskedLM(BertConfig(vocab_size=1000, hidden_size=64, num_hidden_layers=3, num_attention_heads=4,
                                   intermediate_size=128)).eval()
    vocab = list(range(0, 1000, 2))
    p = PruningPlan(vocab=vocab, heads={('encoder', 2): [0, 2]}, layers={'encoder': [2, 3]})
    pm = prune_model(m, p)
    ref = prune_model(m, PruningPlan(heads=p.heads, layers=p.layers))
    ids = torch.tensor([[2, 4, 6, 8]])
    with torch.no_grad():
        assert torch.equal(pm(input_ids=ids // 2).logits, ref(input_ids=ids).logits[..., vocab])
    assert pm.cls.predictions.decoder.weight is pm.bert.embeddings.word_embeddings.weight
    assert count_params(pm) == p.n_params(m) == sum(x.numel() for x in pm.parameters())
    with tempfile.TemporaryDirectory() as d:
        pm.save_pretrained(d)
        from probescale.pruning import rebuild_pruned
        from transformers import AutoConfig
        r = rebuild_pruned(d, AutoConfig.from_pretrained(d), AutoModelForMaskedLM).eval()
        with torch.no_grad(): assert torch.equal(r(input_ids=ids // 2).logits, pm(input_ids=ids // 2).logits)

def test_load_model_rebuilds_pruned_models_in_the_asked_dtype():
    m, tok = random_model('bert')
    pm = prune_model(m, PruningPlan(heads={('encoder', 1): [1]}))
    with tempfile.TemporaryDirectory() as d:
        pm.save_pretrained(d); tok.save_pretrained(d)
        m2, _ = load_model(d, dtype=torch.bfloat16)
        assert next(m2.parameters()).dtype == torch.bfloat16 and layer_map(m2).layers[0].n_heads == 1
        with pytest.warns(UserWarning, match='ignores the options'): load_model(d, low_cpu_mem_usage=True)

# ---------------------------------------------------------------- against probescale.relevance's masks

def test_pruning_equals_relevance_masks(family):
    from probescale.relevance import mask_heads, mask_neurons, skip_layers
    mt, m, _ = family
    stacks = layer_map(m).stacks
    s0 = next(iter(stacks))
    drop = {(s, l.index): [2] for s, ls in stacks.items() for l in ls} if mt in SHARED_BIAS else {('encoder', 3): [0, 2]}
    hm = {k: torch.tensor([0. if h in v else 1. for h in range(4)]) for k, v in drop.items()}
    with mask_heads(m, hm): ref = run(m)
    assert close(run(prune_model(m, PruningPlan(heads={k: [h for h in range(4) if h not in v] for k, v in drop.items()}))), ref)
    with mask_neurons(m, {(s0, 1): (torch.arange(128) < 100).float()}): ref = run(m)
    assert close(run(prune_model(m, PruningPlan(neurons={(s0, 1): range(100)}))), ref)
    with skip_layers(m, [(s, 2) for s in stacks]): ref = run(m)
    assert close(run(prune_model(m, PruningPlan(layers={s: [1] + list(range(3, len(ls) + 1)) for s, ls in stacks.items()}))), ref, 1e-6)

def test_mpnet_layers_keep_different_heads_of_the_shared_bias():
    "MPNet's shared bias stays one module; each layer reads its own heads' columns (hooks recorded in the config)."
    from probescale.relevance import mask_heads, skip_layers
    m, tok = random_model('mpnet')
    drop = {('encoder', 1): [0, 3], ('encoder', 2): [1, 3], ('encoder', 3): [3], ('encoder', 4): [2, 3]}  # nobody keeps 3
    plan = PruningPlan(heads={k: [h for h in range(4) if h not in v] for k, v in drop.items()})
    with mask_heads(m, {k: torch.tensor([0. if h in v else 1. for h in range(4)]) for k, v in drop.items()}): ref = run(m)
    pm = prune_model(m, plan)
    assert close(run(pm), ref)
    assert pm.base_model.encoder.relative_attention_bias.weight.shape[1] == 3          # column 3 is read by no one
    assert count_params(pm) == plan.n_params(m) == sum(p.numel() for p in pm.parameters())
    with tempfile.TemporaryDirectory() as d:
        pm.save_pretrained(d)
        m2, _ = load_model(d)
        assert torch.equal(run(m2), run(pm))
    # pruning again composes: remove layer 1 and keep only the first remaining head of (new) layer 2
    p2 = PruningPlan(layers={'encoder': [2, 3, 4]}, heads={('encoder', 3): [0]})
    pm2 = prune_model(pm, p2)
    keep3 = [h for h in range(4) if h not in drop[('encoder', 3)]][:1]
    drop2 = {k: v for k, v in drop.items() if k != ('encoder', 1)}
    drop2[('encoder', 3)] = [h for h in range(4) if h not in keep3]
    with mask_heads(m, {k: torch.tensor([0. if h in v else 1. for h in range(4)]) for k, v in drop2.items()}), \
         skip_layers(m, [('encoder', 1)]): ref2 = run(m)
    assert close(run(pm2), ref2)
    assert count_params(pm2) == p2.n_params(pm)
